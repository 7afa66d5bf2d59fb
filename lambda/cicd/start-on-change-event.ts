import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { z } from 'zod';

/** A full commit id: CodeCommit names commits by their 40-character SHA-1. */
const commitId = z.string().regex(/^[0-9a-f]{40}$/i, 'not a commit id (40 hexadecimal characters)');

/**
 * CodeCommit's "CodeCommit Repository State Change" EventBridge event, reduced to what start-on-change reads (other
 * fields, such as a merge's `baseCommitId` or `mergeOption`, pass unchecked). `event` is any string here, so that a
 * `referenceDeleted` or `unreferencedMergeCommitCreated` event is told apart by the decision, not refused as
 * malformed. See https://docs.aws.amazon.com/codecommit/latest/userguide/monitoring-events.html
 */
export const RepositoryStateChangeEventSchema = EventBridgeSchema.extend({
  source: z.literal('aws.codecommit'),
  'detail-type': z.literal('CodeCommit Repository State Change'),
  detail: z.object({
    event: z.string().min(1),
    repositoryName: z.string().min(1),
    referenceType: z.string().optional(),
    referenceName: z.string().optional(),
    referenceFullName: z.string().optional(),
    commitId: commitId.optional(),
    oldCommitId: commitId.optional(),
  }),
});

/** A parsed CodeCommit "Repository State Change" event. */
export type RepositoryStateChangeEvent = z.output<typeof RepositoryStateChangeEventSchema>;
