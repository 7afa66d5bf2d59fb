import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { z } from 'zod';

/**
 * S3's EventBridge "Object Created" event, reduced to what start-etl reads (other fields pass unchecked, so S3 may
 * add fields). Powertools' `S3EventNotificationEventBridgeSchema` is not used as is: it requires an IPv4
 * `source-ip-address`, which would reject uploads over IPv6 (dual-stack endpoints), and accepts any source and
 * detail-type. See https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
 */
export const ObjectCreatedEventSchema = EventBridgeSchema.extend({
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().int().nonnegative(),
      'version-id': z.string().optional(),
      etag: z.string().optional(),
      sequencer: z.string().optional(),
    }),
    reason: z.string().optional(),
  }),
});

/** A parsed S3 "Object Created" EventBridge event. */
export type ObjectCreatedEvent = z.output<typeof ObjectCreatedEventSchema>;
