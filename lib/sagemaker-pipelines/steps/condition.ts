import type { Condition } from '../conditions';
import type { JsonObject } from '../definition';
import type { GetExpression } from '../expressions';
import { asObject, Step, type StepOptions } from './step';

/** Properties of a Condition step. */
export interface ConditionStepProps extends StepOptions {
  /** Conditions, all of which must hold for the if-branch to run. */
  readonly conditions: readonly Condition[];
  /**
   * Steps run when all conditions hold.
   *
   * @default - none
   */
  readonly ifSteps?: readonly Step[];
  /**
   * Steps run otherwise.
   *
   * @default - none
   */
  readonly elseSteps?: readonly Step[];
}

/** A Condition step: runs `ifSteps` or `elseSteps`. */
export class ConditionStep extends Step {
  /** The conditions (ANDed). */
  public readonly conditions: readonly Condition[];
  /** The if-branch. */
  public readonly ifSteps: readonly Step[];
  /** The else-branch. */
  public readonly elseSteps: readonly Step[];

  public constructor(name: string, props: ConditionStepProps) {
    super(name, 'Condition', props);
    this.conditions = props.conditions;
    this.ifSteps = props.ifSteps ?? [];
    this.elseSteps = props.elseSteps ?? [];
  }

  /** `{"Get": "Steps.<name>.Outcome"}`: whether the conditions held. */
  public outcome(): GetExpression<boolean> {
    return this.property<boolean>('Outcome');
  }

  protected renderArguments(): JsonObject {
    return {
      Conditions: this.conditions.map((c) => c.toDefinition()),
      IfSteps: this.ifSteps.map((s) => asObject(s.toDefinition())),
      ElseSteps: this.elseSteps.map((s) => asObject(s.toDefinition())),
    };
  }
}
