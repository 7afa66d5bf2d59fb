import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { createLogger } from '../shared/logger';
import {
  type CodePipelineJob,
  failureFromAwsError,
  isAwsError,
  type JobOutcome,
  parseUserParameters,
} from './job';
import { type JobResult, runJob } from './run-job';
import {
  decideMissingExecution,
  decideTestReport,
  TEST_REPORT_USER_PARAMETERS_EXAMPLE,
  TestReportUserParametersSchema,
} from './test-report-decide';

const logger = createLogger('deploy/test-report');
const stepFunctions = new SFNClient({});
const codePipeline = new CodePipelineClient({});

/** Reads the execution and decides. Never throws for an AWS error: each one becomes the job's failure. */
async function reportSystemTest(job: CodePipelineJob): Promise<JobOutcome> {
  const parameters = parseUserParameters(
    job.userParameters,
    TestReportUserParametersSchema,
    TEST_REPORT_USER_PARAMETERS_EXAMPLE,
  );
  if (!parameters.success) {
    return parameters.failure;
  }
  const { executionArn } = parameters.data;
  let execution;
  try {
    execution = await stepFunctions.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    return isAwsError(error, 'ExecutionDoesNotExist')
      ? decideMissingExecution(executionArn, (error as Error).message)
      : failureFromAwsError('Step Functions DescribeExecution', executionArn, error, executionArn);
  }
  return decideTestReport(executionArn, execution);
}

/**
 * CodePipeline Lambda invoke action (asynchronous), after the system test's Step Functions action: reads that
 * execution (UserParameters `{"executionArn": "#{SystemTest.ExecutionArn}"}`) and ends the job with its metric,
 * latency and rows as output variables (`variables.ts`) and a one-line summary for the approval message; or fails it
 * naming the execution's status and cause, or what is wrong with its output. Every job is ended, unless PutJob*
 * itself fails: then the invocation fails and Lambda retries it. An event that is not a job is rejected without any
 * AWS call. A redelivered job repeats only the read; CodePipeline refuses its second result, and the first stands.
 */
export async function handler(event: unknown, context: Context): Promise<JobResult> {
  logger.addContext(context);
  return runJob(event, reportSystemTest, { logger, codePipeline, doing: 'reading the system test' });
}
