import { type CfnResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  JsonPath,
  LogLevel,
  Map as MapState,
  Pass,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { SYSTEM_TEST_ERRORS } from '../../lambda/system-test/errors';
import { ENDPOINT_REGION_VARIABLE, ENDPOINT_ROLE_ARN_VARIABLE } from '../../lambda/system-test/environment';
import { DATA_LAYOUT, systemTestMetric, type StageConfig } from '../config';
import { HANDLERS } from '../handlers';
import { metricDirection } from '../sagemaker-pipelines/problem-types';
import { HandlerFunction } from './handler-function';
import { acknowledgeIamWildcards } from './nag-acknowledgements';

/** What a system test's execution is started with. */
export interface SystemTestInput {
  /** The held-out test set the training pipeline wrote (`.../preprocess/test/test.csv`, or its folder). */
  readonly testDataUri: string;
}

/** The errors a system test ends with when the endpoint does not reach a threshold (the test's verdict). */
export const SYSTEM_TEST_VERDICTS = {
  metricBelowThreshold: 'MetricBelowThreshold',
  latencyAboveThreshold: 'LatencyAboveThreshold',
} as const;

/** Properties of a {@link SystemTest}. */
export interface SystemTestProps {
  readonly config: StageConfig;
  /** The state machine's name. */
  readonly stateMachineName: string;
  /** The endpoint under test (the staging endpoint). */
  readonly endpointName: string;
  /** The endpoint's ARN, for the invoke permission. */
  readonly endpointArn: string;
  /**
   * A role in the endpoint's account that may invoke it, when that is another account: the invoke function assumes
   * it (the endpoint stack's system-test invoker role).
   * @default - the endpoint is in this account: the function invokes it with its own role
   */
  readonly endpointRoleArn?: string;
  /**
   * The endpoint's region, when it is not this stack's.
   * @default - this stack's region
   */
  readonly endpointRegion?: string;
  /** Where the test sets are (the artifacts bucket, `pipelines/`) and their key. */
  readonly artifactsBucket: IBucket;
  readonly dataKey: IKey;
  readonly logRetention: RetentionDays;
}

/**
 * The system test of the staging endpoint, a Step Functions state machine: Plan (read the held-out test set,
 * validate it, cut it into batches) → a Map over the batches that invokes the endpoint (retried with backoff when
 * throttled) → Evaluate (the model metric and the latency percentiles) → a Choice that compares them with the
 * stage's thresholds. It succeeds with the measurements, or fails with a cause that names the metric, its value and
 * the threshold (or the latency and its limit, or what went wrong: malformed test data, an endpoint that errors).
 * Its definition is plain JSONPath ASL (Lambda functions as task resources), which local mode runs too: its
 * interpreter implements the ASL used here and rejects more when the definition is loaded (`local/stepfunctions/asl.ts`
 * lists it), so a change here that uses more ASL fails the local tests until the interpreter implements it.
 */
export class SystemTest extends Construct {
  public readonly stateMachine: StateMachine;
  public readonly plan: HandlerFunction;
  public readonly invoke: HandlerFunction;
  public readonly evaluate: HandlerFunction;

  constructor(scope: Construct, id: string, props: SystemTestProps) {
    super(scope, id);
    const { config, logRetention } = props;
    const test = config.deployment.systemTest;
    const metric = systemTestMetric(config);
    const direction = metricDirection(config.problemType, metric);

    this.plan = new HandlerFunction(this, 'PlanFunction', {
      handler: HANDLERS.systemTestPlan,
      description: 'System test: reads and checks the held-out test set, cuts it into batches',
      environment: {},
      logRetention,
      timeout: Duration.minutes(1),
    });
    this.invoke = new HandlerFunction(this, 'InvokeFunction', {
      handler: HANDLERS.systemTestInvoke,
      description: `System test: sends a batch of held-out rows to ${props.endpointName} and times each request`,
      environment: {
        ...(props.endpointRoleArn === undefined ? {} : { [ENDPOINT_ROLE_ARN_VARIABLE]: props.endpointRoleArn }),
        ...(props.endpointRegion === undefined ? {} : { [ENDPOINT_REGION_VARIABLE]: props.endpointRegion }),
      },
      logRetention,
      timeout: Duration.minutes(5),
      reservedConcurrentExecutions: 4,
    });
    this.evaluate = new HandlerFunction(this, 'EvaluateFunction', {
      handler: HANDLERS.systemTestEvaluate,
      description: 'System test: the model metric and the latency percentiles of the endpoint\'s answers',
      environment: {},
      logRetention,
      timeout: Duration.minutes(1),
    });
    const testSets = props.artifactsBucket.arnForObjects(`${DATA_LAYOUT.pipelinesPrefix}*`);
    for (const fn of [this.plan, this.invoke]) {
      props.artifactsBucket.grantRead(fn.function, `${DATA_LAYOUT.pipelinesPrefix}*`);
      props.dataKey.grantDecrypt(fn.function);
    }
    this.invoke.function.addToRolePolicy(props.endpointRoleArn === undefined
      ? new PolicyStatement({ actions: ['sagemaker:InvokeEndpoint'], resources: [props.endpointArn] })
      : new PolicyStatement({ actions: ['sts:AssumeRole'], resources: [props.endpointRoleArn] }));

    // A task's error: a Lambda error's cause is Lambda's JSON ({errorType, errorMessage, trace}); fail with its message.
    const failed = new Choice(this, 'WhyItCouldNotRun', { comment: 'Malformed test data, an endpoint that errors, or a fault' })
      .when(
        Condition.stringMatches('$.error.Cause', '{*'),
        new Pass(this, 'ReadHandlerError', {
          parameters: { Error: JsonPath.stringAt('$.error.Error'), Cause: JsonPath.stringToJson(JsonPath.stringAt('$.error.Cause')) },
          resultPath: '$.error',
        }).next(new Fail(this, 'TestCouldNotRun', {
          errorPath: JsonPath.stringAt('$.error.Error'),
          causePath: JsonPath.stringAt('$.error.Cause.errorMessage'),
        })),
      )
      .otherwise(new Fail(this, 'TestFaulted', {
        errorPath: JsonPath.stringAt('$.error.Error'),
        causePath: JsonPath.stringAt('$.error.Cause'),
      }));
    const plan = new LambdaInvoke(this, 'PlanBatches', {
      lambdaFunction: this.plan.function,
      payload: TaskInput.fromObject({
        endpointName: props.endpointName,
        testDataUri: JsonPath.stringAt('$.testDataUri'),
        maxRows: test.maxRows,
        rowsPerRequest: test.rowsPerRequest,
      }),
      payloadResponseOnly: true,
      // The header and the object's size stay out of the state: a wide test set would crowd its 256 KiB.
      resultSelector: {
        endpointName: JsonPath.stringAt('$.endpointName'),
        testDataUri: JsonPath.stringAt('$.testDataUri'),
        etag: JsonPath.stringAt('$.etag'),
        rows: JsonPath.numberAt('$.rows'),
        truncated: JsonPath.stringAt('$.truncated'),
        rowsPerRequest: JsonPath.numberAt('$.rowsPerRequest'),
        batches: JsonPath.listAt('$.batches'),
      },
      resultPath: '$.plan',
    }).addCatch(failed, { resultPath: '$.error' });

    const invoke = new LambdaInvoke(this, 'InvokeEndpoint', {
      lambdaFunction: this.invoke.function,
      payloadResponseOnly: true,
    }).addRetry({
      errors: [SYSTEM_TEST_ERRORS.endpointThrottled],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 6,
      maxDelay: Duration.seconds(30),
    });
    const batches = new MapState(this, 'InvokeBatches', {
      itemsPath: JsonPath.stringAt('$.plan.batches'),
      itemSelector: {
        endpointName: JsonPath.stringAt('$.plan.endpointName'),
        testDataUri: JsonPath.stringAt('$.plan.testDataUri'),
        firstRow: JsonPath.numberAt('$$.Map.Item.Value.firstRow'),
        rowCount: JsonPath.numberAt('$$.Map.Item.Value.rowCount'),
        rowsPerRequest: JsonPath.numberAt('$.plan.rowsPerRequest'),
        // A batch fails with TestDataChanged when the object is no longer the one the plan read.
        etag: JsonPath.stringAt('$.plan.etag'),
      },
      // One request at a time per batch, two batches at a time: a staging endpoint of one instance is not flooded.
      maxConcurrency: 2,
      resultPath: '$.batches',
    });
    batches.itemProcessor(invoke);
    batches.addCatch(failed, { resultPath: '$.error' });

    const evaluate = new LambdaInvoke(this, 'Evaluate', {
      lambdaFunction: this.evaluate.function,
      payload: TaskInput.fromObject({
        problemType: config.problemType,
        metric,
        direction,
        threshold: test.threshold,
        maxP95LatencyMs: test.maxP95LatencyMs,
        testDataUri: JsonPath.stringAt('$.plan.testDataUri'),
        batches: JsonPath.objectAt('$.batches'),
      }),
      payloadResponseOnly: true,
      resultPath: '$.result',
    }).addCatch(failed, { resultPath: '$.error' });

    const metricFails = direction === 'Maximize'
      ? Condition.numberLessThan('$.result.metric.value', test.threshold)
      : Condition.numberGreaterThan('$.result.metric.value', test.threshold);
    const verdict = new Choice(this, 'CompareWithThresholds', {
      comment: `${metric} ${direction === 'Maximize' ? '>=' : '<='} ${test.threshold} and p95 latency <= ${test.maxP95LatencyMs} ms`,
    })
      .when(metricFails, new Fail(this, SYSTEM_TEST_VERDICTS.metricBelowThreshold, {
        error: SYSTEM_TEST_VERDICTS.metricBelowThreshold,
        causePath: JsonPath.stringAt('$.result.causes.metric'),
      }))
      .when(Condition.numberGreaterThan('$.result.latency.p95Ms', test.maxP95LatencyMs), new Fail(this, SYSTEM_TEST_VERDICTS.latencyAboveThreshold, {
        error: SYSTEM_TEST_VERDICTS.latencyAboveThreshold,
        causePath: JsonPath.stringAt('$.result.causes.latency'),
      }))
      .otherwise(new Succeed(this, 'Passed', { outputPath: '$.result' }));

    const logGroup = new LogGroup(this, 'Logs', { retention: logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(plan.next(batches).next(evaluate).next(verdict)),
      timeout: Duration.hours(1),
      tracingEnabled: true,
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: true },
    });

    // aws-stepfunctions makes the state machine depend on its role as well as referencing it: cfn-lint's W3005.
    (this.stateMachine.node.defaultChild as CfnResource).addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });
    this.acknowledgeFindings(testSets);
  }

  private acknowledgeFindings(testSets: string): void {
    for (const fn of [this.plan, this.invoke]) {
      const policy = fn.function.role?.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
      if (!policy) throw new Error(`${fn.node.path} has no default policy to acknowledge findings on`);
      acknowledgeIamWildcards(policy, {
        actions: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'].map((wildcard) => ({
          wildcard,
          reason: 'Bucket.grantRead on pipelines/ of the artifacts bucket: the test sets the training pipeline wrote.',
        })),
        resources: [{ wildcard: testSets, reason: 'Test sets are under pipelines/, one folder per training execution.' }],
      });
    }
    const smPolicy = this.stateMachine.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (!smPolicy) throw new Error('the system-test state machine role has no default policy');
    acknowledgeIamWildcards(smPolicy, {
      resources: [
        ...[this.plan, this.invoke, this.evaluate].map((fn) => ({
          wildcard: `${fn.function.functionArn}:*`,
          reason: 'LambdaInvoke grants the function\'s versions and aliases (ARN:*) as well as the function.',
        })),
        { wildcard: '*', reason: 'X-Ray tracing and CloudWatch Logs delivery of the state machine support no resource-level permissions.' },
      ],
    });
  }
}
