import { z } from 'zod';
import { envSchemas, readEnvironment } from '../shared/environment';
import { compileGlobs, type GlobSet, InvalidGlobError } from './path-glob';
import { START_ON_CHANGE_ENVIRONMENT } from './start-on-change-environment';

const EXAMPLE = '["**/*.md","docs/**"]';

/** `DOCS_ONLY_PATHS`: a JSON array of globs, each compiled (an invalid one fails the cold start, naming it). */
const docsOnlyPaths = z
  .string()
  .transform((text, context): GlobSet => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      context.addIssue({ code: 'custom', message: `not JSON (${(error as Error).message})` });
      return z.NEVER;
    }
    if (!Array.isArray(parsed) || !parsed.every((glob) => typeof glob === 'string' && glob.trim() !== '')) {
      context.addIssue({ code: 'custom', message: 'not a JSON array of non-empty strings' });
      return z.NEVER;
    }
    try {
      return compileGlobs(parsed as string[]);
    } catch (error) {
      if (!(error instanceof InvalidGlobError)) throw error;
      context.addIssue({ code: 'custom', message: error.message });
      return z.NEVER;
    }
  })
  .describe(`the docs-only path globs: a JSON array such as ${EXAMPLE}, or [] for none`);

/** The validated settings of the start-on-change handler. */
export type StartOnChangeSettings = ReturnType<typeof readStartOnChangeSettings>;

/** Reads the handler's environment; throws naming every missing or invalid variable. */
export function readStartOnChangeSettings(environment: NodeJS.ProcessEnv = process.env) {
  return readEnvironment(
    START_ON_CHANGE_ENVIRONMENT,
    {
      repositoryName: envSchemas.name('the CodeCommit repository name'),
      branchName: envSchemas.name('the branch the pipeline builds'),
      pipelineName: envSchemas.name('the CodePipeline pipeline name'),
      docsOnlyPaths,
    },
    environment,
  );
}
