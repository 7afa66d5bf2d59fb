import type { ProcessingJobArguments } from '../arguments';
import type { JsonObject, PropertyFileDefinition, StepDefinition } from '../definition';
import { Expressions, type GetExpression, type JsonGetExpression } from '../expressions';
import { isUnresolved } from '../tokens';
import { asObject, Step, type JobStepOptions } from './step';

/** A JSON file written to a processing output, readable with `Std:JsonGet`. */
export interface PropertyFileProps {
  /** Name of the property file, unique within its step. */
  readonly name: string;
  /** `OutputName` of the processing output that holds the file. */
  readonly outputName: string;
  /** Path of the file relative to the output's `LocalPath`. */
  readonly filePath: string;
}

/** A property file of a processing step. */
export class PropertyFile {
  /** `{"Get": "Steps.<step>.PropertyFiles.<name>"}` */
  public readonly ref: GetExpression;

  public constructor(
    /** Name of the step that writes the file. */
    public readonly stepName: string,
    /** The file's declaration. */
    public readonly props: PropertyFileProps,
  ) {
    this.ref = { Get: `Steps.${stepName}.PropertyFiles.${props.name}` };
  }

  /** The property file's name. */
  public get name(): string {
    return this.props.name;
  }

  /** `Std:JsonGet` of `path` (dotted, e.g. `regression_metrics.mse.value`) in the file. */
  public jsonGet<T = number>(path: string): JsonGetExpression<T> {
    return Expressions.jsonGet<T>(this.stepName, this.props.name, path);
  }

  /** The file's `PropertyFiles` entry. */
  public toDefinition(): PropertyFileDefinition {
    return { PropertyFileName: this.props.name, OutputName: this.props.outputName, FilePath: this.props.filePath };
  }
}

/** Properties of a Processing step. */
export interface ProcessingStepProps extends JobStepOptions {
  /** The `CreateProcessingJob` request, without `ProcessingJobName`. */
  readonly arguments: ProcessingJobArguments;
  /**
   * JSON files in the outputs that later steps read with `Std:JsonGet`.
   *
   * @default - none
   */
  readonly propertyFiles?: readonly PropertyFileProps[];
}

/** A Processing step (a SageMaker processing job). */
export class ProcessingStep extends Step {
  /** The processing job request. */
  public readonly arguments: ProcessingJobArguments;
  private readonly propertyFilesByName = new Map<string, PropertyFile>();

  public constructor(name: string, props: ProcessingStepProps) {
    super(name, 'Processing', props);
    this.arguments = props.arguments;
    for (const fileProps of props.propertyFiles ?? []) {
      if (this.propertyFilesByName.has(fileProps.name)) {
        throw new Error(`Step ${name}: property file '${fileProps.name}' is declared twice; give each a unique name.`);
      }
      this.assertOutput(fileProps.outputName, `property file '${fileProps.name}'`);
      this.propertyFilesByName.set(fileProps.name, new PropertyFile(name, fileProps));
    }
  }

  /** The declared property files. */
  public get propertyFiles(): readonly PropertyFile[] {
    return [...this.propertyFilesByName.values()];
  }

  /** The property file `name`; throws if the step does not declare it. */
  public propertyFile(name: string): PropertyFile {
    const file = this.propertyFilesByName.get(name);
    if (!file) {
      const known = [...this.propertyFilesByName.keys()].join(', ') || 'none';
      throw new Error(`Step ${this.name} has no property file '${name}' (declared: ${known}).`);
    }
    return file;
  }

  /** `{"Get": "Steps.<name>.ProcessingOutputConfig.Outputs['<output>'].S3Output.S3Uri"}` */
  public outputUri(outputName: string): GetExpression<string> {
    this.assertOutput(outputName, 'outputUri()');
    return this.property(`ProcessingOutputConfig.Outputs['${outputName}'].S3Output.S3Uri`);
  }

  protected renderArguments(): JsonObject {
    return asObject(this.arguments);
  }

  protected override renderExtras(): Partial<StepDefinition> {
    const files = this.propertyFiles;
    return files.length ? { PropertyFiles: files.map((f) => f.toDefinition()) } : {};
  }

  private assertOutput(outputName: string, usage: string): void {
    if (isUnresolved(outputName)) {
      return;
    }
    const outputs = this.arguments.ProcessingOutputConfig?.Outputs ?? [];
    const names = outputs.map((o) => o.OutputName);
    if (!names.includes(outputName) && !names.some((n) => isUnresolved(n))) {
      throw new Error(
        `Step ${this.name}: ${usage} names output '${outputName}', which is not one of the step's outputs (${names.join(', ') || 'none'}).`,
      );
    }
  }
}
