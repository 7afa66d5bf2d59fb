import { Duration } from 'aws-cdk-lib';
import { type CfnRule, type IRuleTarget, Rule } from 'aws-cdk-lib/aws-events';
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
  /** Where matching events go (a {@link handlerTarget}, a pipeline...). */
  readonly target: IRuleTarget;
}

/** A Lambda function as a rule target: delivery retried for two hours, then to its dead-letter queue. */
export function handlerTarget(fn: IFunction, deadLetterQueue: IQueue): IRuleTarget {
  return new LambdaFunction(fn, { deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(2) });
}

/**
 * An EventBridge rule on the default bus whose pattern is exactly the given JSON (the L2 `EventPattern` type cannot
 * say `$or`), sending matches to one target.
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
    this.rule.addTarget(props.target);
  }
}
