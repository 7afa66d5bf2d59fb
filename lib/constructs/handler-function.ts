import * as path from 'path';
import { type CfnResource, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HANDLER_BUNDLING, HANDLER_RUNTIME, handlerEntry, handlerRuntimeEnvironment, type HandlerName } from '../handlers';

const REPO_ROOT = path.join(__dirname, '..', '..');

/** Properties of a {@link HandlerFunction}. */
export interface HandlerFunctionProps {
  /** Which handler of `lambda/` this function runs. */
  readonly handler: HandlerName;
  /** What the function does, for the console. */
  readonly description: string;
  /** The handler's environment (built by `lib/handlers`). */
  readonly environment: Record<string, string>;
  /** Retention of the function's log group. */
  readonly logRetention: RetentionDays;
  /**
   * Time limit of one invocation.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * Invocations at the same time (smooths bursts into the services it calls; throttled async events wait in
   * Lambda's queue).
   * @default 5
   */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * One Lambda handler of `lambda/`, deployed the same way for each: Node.js 24 on arm64, bundled by the local esbuild
 * (the AWS SDK bundled in), X-Ray tracing, its own log group with the stage's retention, a role that may only
 * write that log group (callers grant the rest), and for asynchronous invocations (EventBridge) two retries within
 * six hours, then the event goes to an encrypted dead-letter queue.
 */
export class HandlerFunction extends Construct {
  /** The function. */
  public readonly function: NodejsFunction;
  /** The handler it runs (`lib/handlers`). */
  public readonly handler: HandlerName;
  /** Events the function failed on after its retries (and events EventBridge could not deliver to it). */
  public readonly deadLetterQueue: Queue;
  /** The function's log group. */
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    this.handler = props.handler;
    this.logGroup = new LogGroup(this, 'LogGroup', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the function and of its EventBridge rules; an alarm watches its depth.',
    });

    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${props.handler} handler`,
    });
    // Instead of AWSLambdaBasicExecutionRole (any log group): only this function's own.
    role.addToPrincipalPolicy(new PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [this.logGroup.logGroupArn],
    }));

    this.function = new NodejsFunction(this, 'Function', {
      entry: handlerEntry(props.handler),
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: HANDLER_RUNTIME.memorySizeMb,
      timeout: props.timeout ?? Duration.seconds(HANDLER_RUNTIME.timeoutSeconds),
      role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions ?? 5,
      environment: { ...props.environment, ...handlerRuntimeEnvironment(props.handler) },
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      bundling: {
        target: HANDLER_BUNDLING.target,
        format: OutputFormat.CJS,
        minify: HANDLER_BUNDLING.minify,
        sourceMap: HANDLER_BUNDLING.sourcemap,
        externalModules: [],
      },
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.deadLetterQueue),
    });

    // aws-lambda makes the function depend on its role explicitly as well as through `Role`: cfn-lint's W3005
    // ("dependency already enforced") on generated code this construct does not write.
    const cfnFunction = this.function.node.defaultChild as CfnResource;
    cfnFunction.addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });

    const policy = role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (policy) {
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions (granted by Tracing.ACTIVE).',
      });
    }
  }
}
