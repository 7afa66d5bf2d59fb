import { Duration } from 'aws-cdk-lib';
import { type CfnRule, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { EventPatternJson } from '../events/patterns';

/** Properties of a {@link PatternRule}. */
export interface PatternRuleProps {
  /** What the rule routes, for the console. */
  readonly description: string;
  /** The event pattern, as EventBridge stores it (`lib/events/patterns.ts`; `$or` allowed). */
  readonly eventPattern: EventPatternJson;
  /** The function the matching events go to. */
  readonly target: IFunction;
  /** Where events go that EventBridge could not deliver to the function. */
  readonly deadLetterQueue: IQueue;
}

/**
 * An EventBridge rule on the default bus whose pattern is exactly the given JSON (the L2 `EventPattern` type cannot
 * say `$or`), sending matches to a Lambda function: delivery retried for two hours, then to a dead-letter queue.
 */
export class PatternRule extends Construct {
  /** The rule. */
  public readonly rule: Rule;

  constructor(scope: Construct, id: string, props: PatternRuleProps) {
    super(scope, id);
    this.rule = new Rule(this, 'Rule', {
      description: props.description,
      // Replaced below by the full pattern; the L2 needs one to be created.
      eventPattern: { source: ['aws.placeholder'] },
    });
    (this.rule.node.defaultChild as CfnRule).addPropertyOverride('EventPattern', props.eventPattern);
    this.rule.addTarget(
      new LambdaFunction(props.target, {
        deadLetterQueue: props.deadLetterQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(2),
      }),
    );
  }
}
