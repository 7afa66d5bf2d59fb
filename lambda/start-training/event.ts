import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { z } from 'zod';

/**
 * Glue's EventBridge "Glue Job State Change" event (sent for SUCCEEDED, FAILED, TIMEOUT and STOPPED runs), reduced
 * to what start-training reads. `state` is any string so that an unexpected state is rejected by the decision with
 * a clear reason. See https://docs.aws.amazon.com/glue/latest/dg/automating-awsglue-with-cloudwatch-events.html
 */
export const GlueJobStateChangeEventSchema = EventBridgeSchema.extend({
  source: z.literal('aws.glue'),
  'detail-type': z.literal('Glue Job State Change'),
  detail: z.object({
    jobName: z.string().min(1),
    state: z.string().min(1),
    jobRunId: z.string().min(1).max(255),
    message: z.string().optional(),
  }),
});

/** A parsed "Glue Job State Change" event. */
export type GlueJobStateChangeEvent = z.output<typeof GlueJobStateChangeEventSchema>;
