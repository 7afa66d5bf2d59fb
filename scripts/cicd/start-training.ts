/**
 * Starts an environment's training pipeline after the CI/CD pipeline deployed it, and with --wait follows the
 * execution to its end.
 *
 *   npx ts-node --transpile-only scripts/cicd/start-training.ts --stage dev [--wait] [--region R] [--role-arn ARN]
 *       [--pipeline-name NAME] [--token TOKEN] [--poll-seconds N] [--timeout-minutes N]
 *
 * Exit codes: 0 started (or, with --wait, Succeeded); 1 the execution Failed or was Stopped, or an AWS call failed;
 * 2 bad arguments. The client request token is the commit (CODEBUILD_RESOLVED_SOURCE_VERSION): a retried step
 * gets the execution its first attempt started instead of a second one.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import {
  DescribePipelineExecutionCommand,
  SageMakerClient,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { isStageName, namePrefixOf, resourceNames } from '../../lib/config';

/** Bad command-line arguments (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The parsed, checked arguments. */
export interface StartTrainingOptions {
  readonly stage: string;
  readonly pipelineName: string;
  readonly region?: string;
  readonly roleArn?: string;
  readonly wait: boolean;
  readonly token: string;
  readonly pollSeconds: number;
  readonly timeoutMinutes: number;
}

const USAGE = 'usage: start-training.ts --stage dev|staging|prod [--wait] [--region R] [--role-arn ARN] [--pipeline-name NAME] [--token T] [--poll-seconds N] [--timeout-minutes N]';
const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
const ROLE_ARN_PATTERN = /^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const PIPELINE_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$/;
const TOKEN_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){31,127}$/;

/** A ClientRequestToken (32-128 alphanumerics and hyphens) from a source version: as is when it fits, else its SHA-256. */
export function requestToken(sourceVersion: string | undefined): string {
  if (sourceVersion === undefined || sourceVersion === '') return randomUUID();
  return TOKEN_PATTERN.test(sourceVersion) ? sourceVersion : createHash('sha256').update(sourceVersion).digest('hex');
}

function positiveInteger(flag: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${flag} is ${JSON.stringify(value)}: expected an integer between 1 and ${max}`);
  return n;
}

/** Parses and checks the arguments; throws UsageError naming the flag, the value and what is expected. */
export function parseStartTrainingArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): StartTrainingOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        stage: { type: 'string' },
        wait: { type: 'boolean', default: false },
        region: { type: 'string' },
        'role-arn': { type: 'string' },
        'pipeline-name': { type: 'string' },
        token: { type: 'string' },
        'poll-seconds': { type: 'string' },
        'timeout-minutes': { type: 'string' },
      },
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const stage = values.stage;
  if (stage === undefined) throw new UsageError(`--stage is required\n${USAGE}`);
  if (!isStageName(stage)) throw new UsageError(`--stage is ${JSON.stringify(stage)}: expected dev, staging or prod`);
  const region = values.region ?? env.AWS_REGION;
  if (region !== undefined && !REGION_PATTERN.test(region)) {
    throw new UsageError(`--region is ${JSON.stringify(region)}: expected an AWS region such as us-east-1`);
  }
  const roleArn = values['role-arn'];
  if (roleArn !== undefined && !ROLE_ARN_PATTERN.test(roleArn)) {
    throw new UsageError(`--role-arn is ${JSON.stringify(roleArn)}: expected an IAM role ARN such as arn:aws:iam::123456789012:role/mlops-dev-retrain-trigger`);
  }
  const pipelineName = values['pipeline-name'] ?? resourceNames(namePrefixOf(stage)).trainingPipeline;
  if (!PIPELINE_NAME_PATTERN.test(pipelineName)) {
    throw new UsageError(`--pipeline-name is ${JSON.stringify(pipelineName)}: expected a SageMaker pipeline name (letters, digits, hyphens)`);
  }
  const token = values.token ?? requestToken(env.CODEBUILD_RESOLVED_SOURCE_VERSION);
  if (!TOKEN_PATTERN.test(token)) {
    throw new UsageError(`--token is ${JSON.stringify(token)}: expected 32-128 letters, digits and hyphens`);
  }
  return {
    stage,
    pipelineName,
    region,
    roleArn,
    wait: values.wait ?? false,
    token,
    pollSeconds: positiveInteger('poll-seconds', values['poll-seconds'], 30, 3600),
    timeoutMinutes: positiveInteger('timeout-minutes', values['timeout-minutes'], 480, 7 * 24 * 60),
  };
}

/**
 * Credentials of `roleArn` through the SDK's default chain: a profile that assumes the role with the CodeBuild
 * container's credentials (`credential_source = EcsContainer`), so no other SDK package is needed.
 */
export function assumeRoleProfile(roleArn: string, env: NodeJS.ProcessEnv = process.env): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'start-training-'));
  const file = path.join(dir, 'config');
  const source = env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI ? 'EcsContainer' : 'Environment';
  writeFileSync(file, `[profile retrain]\nrole_arn = ${roleArn}\ncredential_source = ${source}\nrole_session_name = cicd-start-training\n`);
  env.AWS_CONFIG_FILE = file;
  env.AWS_PROFILE = 'retrain';
}

const TERMINAL = new Set(['Succeeded', 'Failed', 'Stopped']);

/** Starts the execution and, with `wait`, polls it to its end. Returns the exit code. */
export async function startTraining(
  options: StartTrainingOptions,
  client: SageMakerClient,
  log: (line: string) => void = console.log,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<number> {
  const started = await client.send(new StartPipelineExecutionCommand({
    PipelineName: options.pipelineName,
    ClientRequestToken: options.token,
    PipelineExecutionDisplayName: `cicd-${options.token.slice(0, 12)}`,
    PipelineExecutionDescription: `Retraining after the CI/CD pipeline deployed ${options.stage} (source version ${options.token})`,
  }));
  const arn = started.PipelineExecutionArn;
  if (arn === undefined) throw new Error(`SageMaker StartPipelineExecution returned no execution ARN for ${options.pipelineName}`);
  log(`started ${options.pipelineName}: ${arn}`);
  if (!options.wait) return 0;

  const deadline = Date.now() + options.timeoutMinutes * 60_000;
  for (;;) {
    const execution = await client.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn }));
    const status = execution.PipelineExecutionStatus ?? 'Unknown';
    if (TERMINAL.has(status)) {
      if (status === 'Succeeded') {
        log(`${options.pipelineName} succeeded: ${arn}`);
        return 0;
      }
      log(`${options.pipelineName} ${status.toLowerCase()}: ${execution.FailureReason ?? 'no reason given'} (${arn}; see its steps in SageMaker Studio)`);
      return 1;
    }
    if (Date.now() >= deadline) {
      log(`${options.pipelineName} is still ${status} after ${options.timeoutMinutes} minutes; not waiting longer (${arn})`);
      return 1;
    }
    log(`${options.pipelineName}: ${status}`);
    await sleep(options.pollSeconds * 1000);
  }
}

/** The command line: parse, start, follow; exit codes 0/1/2. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let options: StartTrainingOptions;
  try {
    options = parseStartTrainingArgs(argv, env);
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 2;
  }
  if (options.roleArn !== undefined) assumeRoleProfile(options.roleArn, env);
  const client = new SageMakerClient(options.region === undefined ? {} : { region: options.region });
  try {
    return await startTraining(options, client);
  } catch (error) {
    const e = error as Error;
    console.error(`error: starting ${options.pipelineName} in ${options.region ?? 'the default region'} failed: ${e.name}: ${e.message}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
