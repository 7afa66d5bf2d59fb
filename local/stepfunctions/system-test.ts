/**
 * The system-test state machine on this machine: its ASL is the one the deployment stack synthesizes (the same
 * `SystemTest` construct, built in a throwaway stack and resolved with local names), run by local mode's Step
 * Functions interpreter (`./interpreter`), whose Task states run the deployed handlers (`lambda/system-test/*`)
 * through local mode's Lambda runner.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { ResourceNames, StageConfig } from '../../lib/config';
import { SystemTest, type SystemTestInput } from '../../lib/constructs/system-test';
import { handlerRuntimeEnvironment, type HandlerName } from '../../lib/handlers';
import type { InvocationOutcome, LocalLambda } from '../lambda/local-lambda';
import { resolveIntrinsics } from '../stage/intrinsics';
import { checkDefinition, type Json, type State, type StateMachineDefinition } from './asl';
import { StateMachine, StatesError, type TaskHandler } from './interpreter';

/** The state machine as local mode runs it: its ASL, and the handler behind each Task state. */
export interface LocalSystemTestDefinition {
  readonly asl: StateMachineDefinition;
  /** Task state name → the handler its Lambda function runs, with the function's local name. */
  readonly tasks: Readonly<Record<string, { readonly handler: HandlerName; readonly functionName: string }>>;
}

/**
 * The ASL of the stage's system test, built by the construct the deployment stack uses, with local names.
 *
 * @throws UnsupportedAslError when the construct's ASL uses more than local mode's interpreter implements
 */
export function systemTestDefinition(
  config: StageConfig,
  names: ResourceNames,
  local: { readonly artifactsBucket: string; readonly dataKeyArn: string },
): LocalSystemTestDefinition {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-local-sfn-'));
  try {
    // No bundling: only the definition is read.
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const env = { account: config.account, region: config.region };
    const stack = new Stack(app, 'LocalSystemTest', { env });
    const construct = new SystemTest(stack, 'SystemTest', {
      config,
      stateMachineName: names.systemTest,
      endpointName: names.stagingEndpoint,
      endpointArn: `arn:aws:sagemaker:${env.region}:${env.account}:endpoint/${names.stagingEndpoint}`,
      artifactsBucket: Bucket.fromBucketName(stack, 'Artifacts', local.artifactsBucket),
      dataKey: Key.fromKeyArn(stack, 'DataKey', local.dataKeyArn),
      logRetention: config.logRetentionDays as RetentionDays,
    });
    const functions = new Map(
      [construct.plan, construct.invoke, construct.evaluate].map((fn) => [
        stack.getLogicalId(fn.function.node.defaultChild as never),
        { handler: fn.handler, functionName: `${names.prefix}-${fn.handler.replace('/', '-')}` },
      ]),
    );
    const arnOf = (functionName: string) => `arn:aws:lambda:${env.region}:${env.account}:function:${functionName}`;
    const definition = (construct.stateMachine.node.defaultChild as CfnStateMachine).definitionString;
    const text = resolveIntrinsics(stack.resolve(definition), {
      pseudo: { 'AWS::Region': env.region, 'AWS::AccountId': env.account, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' },
      getAtt: (logicalId, attribute) => {
        const fn = functions.get(logicalId);
        return fn && attribute === 'Arn' ? arnOf(fn.functionName) : undefined;
      },
    });
    const asl = checkDefinition(JSON.parse(String(text)));
    const byArn = new Map([...functions.values()].map((fn) => [arnOf(fn.functionName), fn]));
    const tasks: Record<string, { handler: HandlerName; functionName: string }> = {};
    const walk = (states: Readonly<Record<string, State>>): void => {
      for (const [name, state] of Object.entries(states)) {
        if (state.Type === 'Task') {
          const fn = byArn.get(state.Resource);
          if (!fn) throw new Error(`Task state ${name} runs ${state.Resource}, which is none of the system test's functions`);
          tasks[name] = fn;
        }
        if (state.Type === 'Map') walk(state.ItemProcessor.States);
      }
    };
    walk(asl.States);
    return { asl, tasks };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** How a local execution ended. */
export interface LocalExecution {
  readonly status: 'SUCCEEDED' | 'FAILED';
  /** The Succeed state's output (the measurements), when it succeeded. */
  readonly output?: Record<string, unknown>;
  /** The error and cause it failed with: a Fail state's, or States.Timeout after the state machine's TimeoutSeconds. */
  readonly error?: string;
  readonly cause?: string;
  /** Every handler invocation, in order. */
  readonly invocations: readonly InvocationOutcome[];
  /** States entered, in order (Map iterations included). */
  readonly states: readonly string[];
  readonly durationMs: number;
}

/**
 * Runs the system test with `input`: each Task runs its handler in a process of its own (with the function's
 * environment and `environment`, e.g. the staging endpoint as `AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME`). A handler's
 * error reaches the state machine as Lambda reports it: the error's name as the error, and a cause of
 * `{"errorType", "errorMessage", "trace"}`.
 */
export async function runSystemTest(
  definition: LocalSystemTestDefinition,
  input: SystemTestInput,
  lambda: LocalLambda,
  environment: Record<string, string>,
): Promise<LocalExecution> {
  const started = Date.now();
  const invocations: InvocationOutcome[] = [];
  const states: string[] = [];
  const tasks = Object.fromEntries(
    Object.entries(definition.tasks).map(([state, fn]): [string, TaskHandler] => [
      state,
      async (payload) => {
        const outcome = await lambda.invoke(
          { name: fn.functionName, handler: fn.handler, environment: { ...handlerRuntimeEnvironment(fn.handler), ...environment } },
          payload,
        );
        invocations.push(outcome);
        if (outcome.error) {
          const errorType = outcome.error.name ?? 'Error';
          throw new StatesError(errorType, JSON.stringify({ errorType, errorMessage: outcome.error.message, trace: [] }));
        }
        return (outcome.result ?? null) as Json;
      },
    ]),
  );
  const result = await new StateMachine(definition.asl).run(input as unknown as Json, { tasks, onStateEntered: (name) => states.push(name) });
  const durationMs = Date.now() - started;
  if (result.status === 'SUCCEEDED') {
    return { status: 'SUCCEEDED', output: result.output as Record<string, unknown>, invocations, states, durationMs };
  }
  // A timed-out execution (States.Timeout) is reported as a failure too.
  return { status: 'FAILED', error: result.error, ...(result.cause === undefined ? {} : { cause: result.cause }), invocations, states, durationMs };
}
