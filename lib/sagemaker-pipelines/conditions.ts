import type { JsonObject } from './definition';
import { toJsonValue, type PipelineValue } from './expressions';

/** Comparison condition types (`LeftValue` vs `RightValue`). */
export const COMPARISON_CONDITION_TYPES = [
  'Equals',
  'GreaterThan',
  'GreaterThanOrEqualTo',
  'LessThan',
  'LessThanOrEqualTo',
] as const;

/** All condition types a Condition step accepts. */
export const CONDITION_TYPES = [...COMPARISON_CONDITION_TYPES, 'In', 'Not', 'Or'] as const;

/** A comparison condition type. */
export type ComparisonConditionType = (typeof COMPARISON_CONDITION_TYPES)[number];

/**
 * A condition of a Condition step. Build one with the static factories; the conditions of a step are ANDed.
 *
 * @example Condition.lessThanOrEqualTo(report.jsonGet('regression_metrics.mse.value'), threshold.ref)
 */
export class Condition {
  /** `left == right` */
  public static equals(left: PipelineValue, right: PipelineValue): Condition {
    return Condition.comparison('Equals', left, right);
  }

  /** `left > right` */
  public static greaterThan(left: PipelineValue, right: PipelineValue): Condition {
    return Condition.comparison('GreaterThan', left, right);
  }

  /** `left >= right` */
  public static greaterThanOrEqualTo(left: PipelineValue, right: PipelineValue): Condition {
    return Condition.comparison('GreaterThanOrEqualTo', left, right);
  }

  /** `left < right` */
  public static lessThan(left: PipelineValue, right: PipelineValue): Condition {
    return Condition.comparison('LessThan', left, right);
  }

  /** `left <= right` */
  public static lessThanOrEqualTo(left: PipelineValue, right: PipelineValue): Condition {
    return Condition.comparison('LessThanOrEqualTo', left, right);
  }

  /** A comparison of the given type. */
  public static comparison(type: ComparisonConditionType, left: PipelineValue, right: PipelineValue): Condition {
    return new Condition({ Type: type, LeftValue: toJsonValue(left), RightValue: toJsonValue(right) });
  }

  /** `value` is one of `values`. */
  public static in(value: PipelineValue, values: readonly PipelineValue[]): Condition {
    return new Condition({ Type: 'In', QueryValue: toJsonValue(value), Values: values.map((v) => toJsonValue(v)) });
  }

  /** Negation of `condition`. */
  public static not(condition: Condition): Condition {
    return new Condition({ Type: 'Not', Condition: condition.toDefinition() });
  }

  /** True when any of `conditions` is. */
  public static or(...conditions: readonly Condition[]): Condition {
    return new Condition({ Type: 'Or', Conditions: conditions.map((c) => c.toDefinition()) });
  }

  private constructor(private readonly definition: JsonObject) {}

  /** The condition's JSON. */
  public toDefinition(): JsonObject {
    return this.definition;
  }
}
