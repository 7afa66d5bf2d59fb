/**
 * Environment variables of the `cicd/start-on-change` handler, for the CDK stack that deploys it to set (this module
 * imports nothing, so the stack can use it without bundling handler code). The logger also reads
 * `LOGGER_ENVIRONMENT` (`lambda/shared/logger.ts`); the AWS SDK reads its own standard variables.
 */
export const START_ON_CHANGE_ENVIRONMENT = {
  /** Required. The CodeCommit repository whose pushes start the pipeline. */
  repositoryName: 'REPOSITORY_NAME',
  /** Required. The branch the pipeline builds: pushes to other branches start nothing. */
  branchName: 'BRANCH_NAME',
  /** Required. The CodePipeline pipeline to start. */
  pipelineName: 'PIPELINE_NAME',
  /**
   * Required. A JSON array of path globs (`CicdConfig.docsOnlyPaths`, CodePipeline's glob syntax, see
   * `path-glob.ts`): a push whose every changed path matches one of them does not start the pipeline. `[]`: every
   * push starts it.
   */
  docsOnlyPaths: 'DOCS_ONLY_PATHS',
} as const;
