#!/usr/bin/env node
/**
 * Runs the system test of a deployed staging endpoint by hand and waits for its verdict:
 *
 *   npm run system-test -- --stage dev                       the latest Approved version's held-out test set
 *   npm run system-test -- --stage dev --model-package-arn <arn>
 *   npm run system-test -- --stage dev --test-data s3://<artifacts-bucket>/pipelines/.../test/test.csv
 *
 * It starts the stage's system-test state machine (the one the deployment pipeline runs) with the test set, polls
 * the execution and prints the metric, the latency figures and the verdict. Exit code 0 when the test passed,
 * 1 when it failed, timed out or was aborted, 2 for a bad argument. Credentials and region come from the shell
 * (AWS_PROFILE, AWS_REGION), as for the AWS CLI.
 */
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  paginateListStateMachines,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DescribeModelPackageCommand, ListModelPackagesCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { parseArgs } from 'node:util';
import { loadStageConfig, namePrefixOf, resourceNames, STAGE_NAMES } from '../lib/config';
import { MODEL_METADATA_KEYS } from '../lib/sagemaker-pipelines/names';

/** What to test, read from the command line. */
export interface SystemTestOptions {
  readonly stage: string;
  readonly testDataUri?: string;
  readonly modelPackageArn?: string;
  /** Give up waiting after this long (the execution goes on). */
  readonly timeoutMinutes: number;
  readonly pollSeconds: number;
  /** Start and print the execution ARN, without waiting. */
  readonly wait: boolean;
}

/** A bad argument or a missing resource: the message says what to do. */
export class SystemTestUsageError extends Error {}

const USAGE = `usage: npm run system-test -- [--stage ${STAGE_NAMES.join('|')}] [--test-data s3://... | --model-package-arn arn]
                                 [--timeout-minutes N] [--poll-seconds N] [--no-wait]`;

/** Parses the flags; throws SystemTestUsageError naming the bad value. */
export function parseSystemTestArgs(argv: readonly string[]): SystemTestOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        stage: { type: 'string', default: 'dev' },
        'test-data': { type: 'string' },
        'model-package-arn': { type: 'string' },
        'timeout-minutes': { type: 'string', default: '60' },
        'poll-seconds': { type: 'string', default: '10' },
        'no-wait': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new SystemTestUsageError(`${(error as Error).message}\n${USAGE}`);
  }
  if (!(STAGE_NAMES as readonly string[]).includes(values.stage)) {
    throw new SystemTestUsageError(`--stage '${values.stage}' is not a stage: use one of ${STAGE_NAMES.join(', ')}`);
  }
  if (values['test-data'] !== undefined && values['model-package-arn'] !== undefined) {
    throw new SystemTestUsageError('give --test-data or --model-package-arn, not both: the test set comes from one of them');
  }
  if (values['test-data'] !== undefined && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+/.test(values['test-data'])) {
    throw new SystemTestUsageError(`--test-data '${values['test-data']}' is not an S3 object URI: pass s3://<bucket>/<key> of a test.csv`);
  }
  const arn = values['model-package-arn'];
  if (arn !== undefined && !/^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package\/.+\/\d+$/.test(arn)) {
    throw new SystemTestUsageError(`--model-package-arn '${arn}' is not a versioned model package ARN (arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>)`);
  }
  const positive = (flag: string, value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new SystemTestUsageError(`--${flag} '${value}' must be a positive number`);
    return n;
  };
  return {
    stage: values.stage,
    testDataUri: values['test-data'],
    modelPackageArn: arn,
    timeoutMinutes: positive('timeout-minutes', values['timeout-minutes']),
    pollSeconds: positive('poll-seconds', values['poll-seconds']),
    wait: !values['no-wait'],
  };
}

/** The clients it calls; tests pass mocked ones. */
export interface SystemTestClients {
  readonly sfn: SFNClient;
  readonly sageMaker: SageMakerClient;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/** How a run ended. */
export interface SystemTestOutcome {
  readonly executionArn: string;
  /** RUNNING when not waited for (or still running at the timeout). */
  readonly status: string;
  readonly passed: boolean;
  readonly lines: readonly string[];
}

async function testDataOf(sageMaker: SageMakerClient, group: string, arn: string | undefined): Promise<{ uri: string; arn: string }> {
  let packageArn = arn;
  if (packageArn === undefined) {
    const listed = await sageMaker.send(new ListModelPackagesCommand({
      ModelPackageGroupName: group,
      ModelApprovalStatus: 'Approved',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 1,
    }));
    packageArn = listed.ModelPackageSummaryList?.[0]?.ModelPackageArn;
    if (packageArn === undefined) {
      throw new SystemTestUsageError(`model package group '${group}' has no Approved version: approve one, or pass --test-data s3://...`);
    }
  }
  const described = await sageMaker.send(new DescribeModelPackageCommand({ ModelPackageName: packageArn }));
  const uri = described.CustomerMetadataProperties?.[MODEL_METADATA_KEYS.testDataUri];
  if (uri === undefined || uri === '') {
    throw new SystemTestUsageError(
      `${packageArn} has no ${MODEL_METADATA_KEYS.testDataUri} in its metadata (it was not registered by this platform's training pipeline): pass --test-data s3://...`,
    );
  }
  return { uri, arn: packageArn };
}

async function stateMachineArn(sfn: SFNClient, name: string, stage: string): Promise<string> {
  for await (const page of paginateListStateMachines({ client: sfn }, {})) {
    const found = page.stateMachines?.find((machine) => machine.name === name);
    if (found?.stateMachineArn !== undefined) return found.stateMachineArn;
  }
  const region = await sfn.config.region();
  throw new SystemTestUsageError(
    `no state machine '${name}' in ${region}: deploy the ${stage} stage's deployment stack (cdk deploy -c stage=${stage}), ` +
      'or set AWS_REGION / AWS_PROFILE to where it is',
  );
}

/** The measurements of a passed execution (the state machine's output), one per line. */
function passedLines(output: string | undefined): string[] {
  if (output === undefined) return [];
  const result = JSON.parse(output) as {
    metric?: { name: string; value: number; threshold: number; direction: string };
    latency?: { p50Ms: number; p95Ms: number; p99Ms: number; maxP95Ms: number };
    rows?: number;
    requests?: number;
  };
  const lines: string[] = [];
  if (result.metric) {
    const { name, value, threshold, direction } = result.metric;
    lines.push(`metric:  ${name} = ${value} on ${result.rows ?? '?'} rows (threshold ${direction === 'Maximize' ? '>=' : '<='} ${threshold})`);
  }
  if (result.latency) {
    const l = result.latency;
    lines.push(`latency: p50 ${l.p50Ms} ms, p95 ${l.p95Ms} ms (at most ${l.maxP95Ms} ms), p99 ${l.p99Ms} ms over ${result.requests ?? '?'} requests`);
  }
  return lines;
}

function verdict(execution: DescribeExecutionCommandOutput): { passed: boolean; lines: string[] } {
  if (execution.status === 'SUCCEEDED') {
    return { passed: true, lines: [...passedLines(execution.output), 'verdict: PASSED'] };
  }
  const why = [execution.error, execution.cause].filter((part) => part !== undefined && part !== '').join(': ');
  return { passed: false, lines: [`verdict: ${execution.status}${why === '' ? '' : ` (${why})`}`] };
}

/** Starts the stage's system test and (unless told not to) waits for its verdict. */
export async function runSystemTest(options: SystemTestOptions, clients: SystemTestClients, print: (line: string) => void): Promise<SystemTestOutcome> {
  const sleep = clients.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = clients.now ?? Date.now;
  const names = resourceNames(namePrefixOf(loadStageConfig(options.stage).stageName));

  let testDataUri = options.testDataUri;
  if (testDataUri === undefined) {
    const found = await testDataOf(clients.sageMaker, names.modelPackageGroup, options.modelPackageArn);
    testDataUri = found.uri;
    print(`model:     ${found.arn}`);
  }
  print(`test data: ${testDataUri}`);
  const machine = await stateMachineArn(clients.sfn, names.systemTest, options.stage);
  const started = await clients.sfn.send(new StartExecutionCommand({
    stateMachineArn: machine,
    name: `by-hand-${new Date(now()).toISOString().replace(/[^0-9]/g, '').slice(0, 14)}`,
    input: JSON.stringify({ testDataUri }),
  }));
  const executionArn = started.executionArn!;
  print(`execution: ${executionArn}`);
  if (!options.wait) {
    return { executionArn, status: 'RUNNING', passed: false, lines: [] };
  }
  const deadline = now() + options.timeoutMinutes * 60_000;
  for (;;) {
    const execution = await clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== 'RUNNING' && execution.status !== 'PENDING_REDRIVE') {
      const { passed, lines } = verdict(execution);
      lines.forEach((line) => print(line));
      return { executionArn, status: execution.status ?? 'UNKNOWN', passed, lines };
    }
    if (now() >= deadline) {
      const line = `verdict: still RUNNING after ${options.timeoutMinutes} min; follow it in the Step Functions console`;
      print(line);
      return { executionArn, status: 'RUNNING', passed: false, lines: [line] };
    }
    await sleep(options.pollSeconds * 1000);
  }
}

async function main(): Promise<number> {
  let options: SystemTestOptions;
  try {
    options = parseSystemTestArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 2;
  }
  try {
    const outcome = await runSystemTest(options, { sfn: new SFNClient({}), sageMaker: new SageMakerClient({}) }, (line) => console.log(line));
    return outcome.passed || !options.wait ? 0 : 1;
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return error instanceof SystemTestUsageError ? 2 : 1;
  }
}

if (require.main === module) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
