import { type Rejected, rejected } from '../shared/events';
import type { GlobSet } from './path-glob';
import type { RepositoryStateChangeEvent } from './start-on-change-event';

/**
 * The decisions of `cicd/start-on-change` (pure): which pushes are looked at, and whether what they changed starts
 * the pipeline. The handler asks CodeCommit for the changed paths; these functions only interpret the answers.
 */

/** What the decisions depend on (from the handler's settings). */
export interface StartOnChangeRules {
  readonly repositoryName: string;
  readonly branchName: string;
  readonly docsOnlyPaths: GlobSet;
}

/** Start the pipeline for this commit without comparing (nothing to compare with, or nothing to filter by). */
export interface StartPipeline {
  readonly status: 'start';
  readonly commitId: string;
  /** Why, for the log line. */
  readonly reason: string;
}

/** Compare the branch's old and new commits before deciding. */
export interface ComparePush {
  readonly status: 'compare';
  readonly commitId: string;
  readonly oldCommitId: string;
}

/** Only docs-only paths changed: the pipeline is not started. */
export interface SkipPush {
  readonly status: 'skip';
  readonly commitId: string;
  readonly oldCommitId: string;
  /** Every changed path (each matches a docs-only glob). */
  readonly paths: readonly string[];
}

/** Only docs-only paths so far, but CodeCommit has more pages of differences. */
export interface NeedMorePaths {
  readonly status: 'more';
}

/** The reference events of a push: a branch created, or moved to another commit (a push, a merge, a force push). */
const PUSH_EVENTS = ['referenceCreated', 'referenceUpdated'];

/** Decides what to do with a repository event: reject it, start at once, or compare its commits first. */
export function decidePush(event: RepositoryStateChangeEvent, rules: StartOnChangeRules): Rejected | StartPipeline | ComparePush {
  const detail = event.detail;
  if (detail.repositoryName !== rules.repositoryName) {
    return rejected(`repository '${detail.repositoryName}' is not the pipeline's repository '${rules.repositoryName}'`);
  }
  if (!PUSH_EVENTS.includes(detail.event)) {
    return rejected(
      `event '${detail.event}' is not a push (${PUSH_EVENTS.join(' or ')}); ` +
        'a deleted branch or a merge commit no branch points to starts nothing',
    );
  }
  if (detail.referenceType !== 'branch') {
    return rejected(
      `reference ${JSON.stringify(detail.referenceFullName ?? detail.referenceName ?? null)} is of type ` +
        `${JSON.stringify(detail.referenceType ?? null)}, not a branch; only pushes to the branch '${rules.branchName}' start the pipeline`,
    );
  }
  if (detail.referenceName !== rules.branchName) {
    return rejected(
      `branch ${JSON.stringify(detail.referenceName ?? null)} is not the pipeline's branch '${rules.branchName}'`,
    );
  }
  const commitId = detail.commitId;
  if (commitId === undefined) {
    return rejected(`${detail.event} event of branch '${rules.branchName}' has no commitId: there is no commit to build`);
  }
  if (rules.docsOnlyPaths.globs.length === 0) {
    return { status: 'start', commitId, reason: 'no docs-only paths are configured: every push starts the pipeline' };
  }
  if (detail.oldCommitId === undefined) {
    return {
      status: 'start',
      commitId,
      reason: `${detail.event} without an oldCommitId (a new branch): nothing to compare with, so every change counts`,
    };
  }
  return { status: 'compare', commitId, oldCommitId: detail.oldCommitId };
}

/**
 * Decides from the paths a push changed so far (before and after paths of each difference): a path outside the
 * docs-only globs starts the pipeline at once; only docs-only paths skip it once `complete`; no path at all (an
 * empty commit, the usual way to re-run a pipeline) starts it.
 */
export function decideChanges(
  push: ComparePush,
  paths: readonly string[],
  rules: Pick<StartOnChangeRules, 'docsOnlyPaths'>,
  complete: boolean,
): StartPipeline | SkipPush | NeedMorePaths {
  const changed = paths.find((path) => !rules.docsOnlyPaths.matches(path));
  if (changed !== undefined) {
    return {
      status: 'start',
      commitId: push.commitId,
      reason: `'${changed}' changed, and it matches none of the docs-only paths (${rules.docsOnlyPaths.globs.join(', ')})`,
    };
  }
  if (!complete) {
    return { status: 'more' };
  }
  if (paths.length === 0) {
    return {
      status: 'start',
      commitId: push.commitId,
      reason: `no file differs between ${push.oldCommitId} and ${push.commitId} (an empty commit): started, as a re-run was asked for`,
    };
  }
  return { status: 'skip', commitId: push.commitId, oldCommitId: push.oldCommitId, paths: [...new Set(paths)] };
}
