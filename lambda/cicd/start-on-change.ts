import { CodeCommitClient, GetDifferencesCommand } from '@aws-sdk/client-codecommit';
import { CodePipelineClient, StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import type { Context } from 'aws-lambda';
import { awsCallFailed } from '../shared/aws-errors';
import { eventIdOf, parseEvent, type Rejected, rejected } from '../shared/events';
import { createLogger } from '../shared/logger';
import { type ComparePush, decideChanges, decidePush, type SkipPush, type StartPipeline } from './start-on-change-decide';
import { RepositoryStateChangeEventSchema } from './start-on-change-event';
import { readStartOnChangeSettings } from './start-on-change-settings';

const settings = readStartOnChangeSettings();
const logger = createLogger('cicd/start-on-change');
const codeCommit = new CodeCommitClient({});
const codePipeline = new CodePipelineClient({});

/** Log lines list at most this many paths (a docs-only push can touch thousands). */
const MAX_LOGGED_PATHS = 100;

/** The pipeline execution this push started (or, for a redelivered event, the one its first delivery started). */
export interface PipelineStarted {
  readonly status: 'started';
  readonly commitId: string;
  readonly pipelineExecutionId: string;
  readonly reason: string;
}

/** The push changed only docs-only paths: nothing started. */
export interface PipelineSkipped {
  readonly status: 'skipped';
  readonly commitId: string;
  readonly paths: readonly string[];
}

/** What the start-on-change handler returns. */
export type StartOnChangeResult = PipelineStarted | PipelineSkipped | Rejected;

/** Pages through GetDifferences of the push, stopping at the first page that settles the decision. */
async function comparePush(push: ComparePush): Promise<StartPipeline | SkipPush> {
  const paths: string[] = [];
  let nextToken: string | undefined;
  for (;;) {
    let page;
    try {
      page = await codeCommit.send(
        new GetDifferencesCommand({
          repositoryName: settings.repositoryName,
          beforeCommitSpecifier: push.oldCommitId,
          afterCommitSpecifier: push.commitId,
          NextToken: nextToken,
        }),
      );
    } catch (error) {
      throw awsCallFailed('CodeCommit GetDifferences', `repository '${settings.repositoryName}', ${push.oldCommitId}..${push.commitId}`, error);
    }
    for (const difference of page.differences ?? []) {
      // A renamed file counts by both paths, a deleted one by its old path.
      for (const path of [difference.beforeBlob?.path, difference.afterBlob?.path]) {
        if (path !== undefined && path !== '') paths.push(path);
      }
    }
    nextToken = page.NextToken === '' ? undefined : page.NextToken;
    const decision = decideChanges(push, paths, settings, nextToken === undefined);
    if (decision.status !== 'more') return decision;
  }
}

/** Starts the pipeline; the commit id is the request token, so a redelivered event starts nothing twice. */
async function startPipeline(start: StartPipeline): Promise<PipelineStarted> {
  let executionId: string | undefined;
  try {
    const response = await codePipeline.send(
      new StartPipelineExecutionCommand({ name: settings.pipelineName, clientRequestToken: start.commitId }),
    );
    executionId = response.pipelineExecutionId;
  } catch (error) {
    throw awsCallFailed('CodePipeline StartPipelineExecution', `pipeline '${settings.pipelineName}', commit ${start.commitId}`, error);
  }
  if (executionId === undefined || executionId === '') {
    throw new Error(`CodePipeline StartPipelineExecution of '${settings.pipelineName}' returned no pipelineExecutionId (commit ${start.commitId})`);
  }
  logger.info('Started the pipeline', {
    pipelineName: settings.pipelineName,
    pipelineExecutionId: executionId,
    commitId: start.commitId,
    reason: start.reason,
  });
  return { status: 'started', commitId: start.commitId, pipelineExecutionId: executionId, reason: start.reason };
}

/**
 * CodeCommit "Repository State Change" (a push to the pipeline's branch, EventBridge) → CodePipeline
 * `StartPipelineExecution`, unless every path the push changed matches a docs-only glob (CodePipeline's V2 trigger
 * file-path filters, which CodeCommit sources lack). Rejected events are logged and returned without any AWS call;
 * AWS errors propagate, so Lambda retries the event and then sends it to the dead-letter queue.
 */
export async function handler(event: unknown, context: Context): Promise<StartOnChangeResult> {
  logger.addContext(context);
  const parsed = parseEvent(RepositoryStateChangeEventSchema, event, 'a CodeCommit "Repository State Change" EventBridge event');
  const push = parsed.success ? decidePush(parsed.data, settings) : rejected(parsed.reason);
  if (push.status === 'rejected') {
    logger.warn('Rejected the event; nothing started', { eventId: eventIdOf(event), reason: push.reason });
    return push;
  }
  const decision = push.status === 'compare' ? await comparePush(push) : push;
  if (decision.status === 'skip') {
    logger.info('skipped: only docs changed', {
      eventId: eventIdOf(event),
      commitId: decision.commitId,
      oldCommitId: decision.oldCommitId,
      docsOnlyPaths: settings.docsOnlyPaths.globs,
      changedPathCount: decision.paths.length,
      paths: decision.paths.slice(0, MAX_LOGGED_PATHS),
    });
    return { status: 'skipped', commitId: decision.commitId, paths: decision.paths };
  }
  return startPipeline(decision);
}
