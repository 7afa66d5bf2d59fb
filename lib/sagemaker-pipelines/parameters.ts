import type { ParameterDefinition, ParameterTypeName } from './definition';
import type { GetExpression } from './expressions';

/** Properties shared by all pipeline parameters. */
export interface ParameterProps<T> {
  /**
   * Value used when an execution does not set the parameter.
   *
   * @default - no default: every execution must set the parameter
   */
  readonly defaultValue?: T;
}

/** Properties of a String parameter. */
export interface StringParameterProps extends ParameterProps<string> {
  /**
   * Values the parameter may take.
   *
   * @default - any string
   */
  readonly enumValues?: readonly string[];
}

/** A pipeline parameter; `ref` is the typed `Get` expression to use in step arguments. */
export abstract class PipelineParameter<T extends string | number | boolean> {
  /** `{"Get": "Parameters.<name>"}` */
  public readonly ref: GetExpression<T>;

  protected constructor(
    public readonly name: string,
    public readonly type: ParameterTypeName,
    public readonly defaultValue: T | undefined,
  ) {
    this.ref = { Get: `Parameters.${name}` };
  }

  /** The parameter's entry in the definition's `Parameters` list. */
  public toDefinition(): ParameterDefinition {
    return {
      Name: this.name,
      Type: this.type,
      ...(this.defaultValue !== undefined ? { DefaultValue: this.defaultValue } : {}),
    };
  }
}

/** A `String` parameter. */
export class ParameterString extends PipelineParameter<string> {
  public readonly enumValues?: readonly string[];

  public constructor(name: string, props: StringParameterProps = {}) {
    super(name, 'String', props.defaultValue);
    this.enumValues = props.enumValues;
  }

  public override toDefinition(): ParameterDefinition {
    return { ...super.toDefinition(), ...(this.enumValues ? { EnumValues: [...this.enumValues] } : {}) };
  }
}

/** An `Integer` parameter. */
export class ParameterInteger extends PipelineParameter<number> {
  public constructor(name: string, props: ParameterProps<number> = {}) {
    super(name, 'Integer', props.defaultValue);
  }
}

/** A `Float` parameter. */
export class ParameterFloat extends PipelineParameter<number> {
  public constructor(name: string, props: ParameterProps<number> = {}) {
    super(name, 'Float', props.defaultValue);
  }
}

/** A `Boolean` parameter. */
export class ParameterBoolean extends PipelineParameter<boolean> {
  public constructor(name: string, props: ParameterProps<boolean> = {}) {
    super(name, 'Boolean', props.defaultValue);
  }
}

/** Any pipeline parameter. */
export type AnyParameter = ParameterString | ParameterInteger | ParameterFloat | ParameterBoolean;
