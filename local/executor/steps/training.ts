import * as fs from 'fs';
import * as path from 'path';
import { extractTarGz, tarGzDirectory } from '../../../lib/util/tar';
import { joinS3 } from '../../s3';
import { classifyError, StepFailure } from '../retry';
import type { MetricSeries, RetryExceptionType } from '../types';
import {
  asList,
  asRecord,
  asString,
  childEnv,
  cpuCount,
  decodeHyperParameter,
  holdsNoFile,
  jobName,
  pathInside,
  processFailure,
  sagemakerArn,
  spawnFailure,
  timeoutMs,
} from './common';
import type { StepContext } from './context';

export interface MetricDefinition {
  readonly Name: string;
  readonly Regex: string;
}

/** Compiles a SageMaker (Python-flavoured) metric regex for JavaScript; throws naming the metric when invalid. */
export function compileMetricRegex(definition: MetricDefinition): RegExp {
  const source = String(definition.Regex)
    .replace(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/g, '\\k<$1>');
  try {
    return new RegExp(source);
  } catch (err) {
    throw new StepFailure(`MetricDefinitions "${definition.Name}" has an invalid Regex ${JSON.stringify(definition.Regex)}: ${(err as Error).message}`);
  }
}

/** Collects metric values line by line from a training log, as SageMaker does (the last match is final). */
export class MetricParser {
  private readonly regexes: { name: string; regex: RegExp }[];
  private readonly values = new Map<string, number[]>();
  private partial = '';

  constructor(definitions: readonly MetricDefinition[]) {
    this.regexes = definitions.map((d) => ({ name: d.Name, regex: compileMetricRegex(d) }));
  }

  push(chunk: string): void {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  finish(): MetricSeries[] {
    if (this.partial) this.line(this.partial);
    this.partial = '';
    return this.regexes
      .filter((r) => (this.values.get(r.name) ?? []).length > 0)
      .map((r) => {
        const values = this.values.get(r.name)!;
        return { name: r.name, final: values[values.length - 1], values };
      });
  }

  private line(line: string): void {
    for (const { name, regex } of this.regexes) {
      const m = regex.exec(line);
      if (!m) continue;
      const value = Number.parseFloat(m[1] ?? m[0]);
      if (!Number.isFinite(value)) continue;
      if (!this.values.has(name)) this.values.set(name, []);
      this.values.get(name)!.push(value);
    }
  }
}

export interface TrainingJobRequest {
  readonly trainingJobName: string;
  /** CreateTrainingJob-shaped arguments (resolved). */
  readonly args: Record<string, unknown>;
  /** The container's `/`. */
  readonly jobDir: string;
  readonly logFile: string;
  readonly tuningJobArn?: string;
  /** CPUs this job may use (SM_NUM_CPUS, OMP_NUM_THREADS). */
  readonly cpus?: number;
}

export interface TrainingJobResult {
  readonly status: 'Completed' | 'Failed';
  /** DescribeTrainingJob-shaped. */
  readonly properties: Record<string, unknown>;
  readonly metrics: MetricSeries[];
  readonly failureReason?: string;
  readonly exceptionType?: RetryExceptionType;
  /** The original error when the job failed (for retry classification). */
  readonly error?: unknown;
  readonly startTime: string;
  readonly endTime: string;
}

/** Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16 (`1e-05`, `1e+16`). */
function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const [mantissa, exp] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const e = Number(exp);
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (e < -4 || e >= 16) {
    return `${sign}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  const whole = digits.slice(0, e + 1).padEnd(e + 1, '0');
  return `${sign}${whole}.${digits.slice(e + 1) || '0'}`;
}

/** Python's `repr()` of a JSON-decoded value (numbers inside lists and objects print as int when whole). */
function pythonRepr(value: unknown): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) < 1e16 ? String(value) : pythonFloat(value);
  if (typeof value === 'string') {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    const body = value
      .replace(/\\/g, '\\\\')
      .replace(/\n/g, '\\n')
      .replace(/\r/g, '\\r')
      .replace(/\t/g, '\\t')
      .split(quote)
      .join(`\\${quote}`);
    return `${quote}${body}${quote}`;
  }
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`)
    .join(', ')}}`;
}

/**
 * A hyperparameter as the SageMaker training toolkit passes it on the command line: the value is JSON-decoded when
 * it can be (else kept as it is) and then formatted with Python's `str()`: `"true"` → `True`, `"1e-3"` → `0.001`,
 * `"\"abc\""` → `abc`, `"5"` → `5`; an object becomes `k=v,k=v` with sorted keys, null an empty string.
 */
export function toolkitArgValue(raw: string): string {
  const text = raw.trim();
  if (/^-?(0|[1-9]\d*)$/.test(text)) return BigInt(text).toString(); // a JSON int: Python ints are exact
  if (text === 'NaN' || text === 'Infinity' || text === '-Infinity') return { NaN: 'nan', Infinity: 'inf', '-Infinity': '-inf' }[text]!;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return raw;
  }
  if (typeof value === 'string') return value;
  if (value === null) return '';
  if (typeof value === 'number') return pythonFloat(value); // not an int literal (see above), so a Python float
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.keys(value)
      .sort()
      .map((k) => {
        const v = (value as Record<string, unknown>)[k];
        return `${k}=${typeof v === 'string' ? v : pythonRepr(v)}`;
      })
      .join(',');
  }
  return pythonRepr(value);
}

/** The toolkit's `--key value` argv (`-k value` for one-letter keys), keys sorted. */
export function toolkitArgv(hyperParameters: Record<string, string>): string[] {
  return Object.keys(hyperParameters)
    .sort()
    .flatMap((k) => [k.length > 1 ? `--${k}` : `-${k}`, toolkitArgValue(hyperParameters[k])]);
}

/**
 * Runs one script-mode training job: code from `sagemaker_submit_directory`, channels under
 * `/opt/ml/input/data/<channel>`, SM_* environment, `--key value` hyperparameters, metrics from the log,
 * and `<S3OutputPath>/<job>/output/model.tar.gz`. Never throws: failures come back in the result.
 */
export async function runTrainingJob(ctx: StepContext, request: TrainingJobRequest): Promise<TrainingJobResult> {
  const { trainingJobName: name, args, jobDir: root, logFile } = request;
  const startTime = new Date().toISOString();
  let metrics: MetricSeries[] = [];
  const hyperParameters: Record<string, string> = {};
  for (const [k, v] of Object.entries((args.HyperParameters ?? {}) as Record<string, unknown>)) hyperParameters[k] = String(v);
  const outputPath = String((args.OutputDataConfig as Record<string, unknown> | undefined)?.S3OutputPath ?? '');
  const modelUri = joinS3(outputPath, name, 'output', 'model.tar.gz');
  const base = {
    TrainingJobName: name,
    TrainingJobArn: sagemakerArn(ctx.execution, 'training-job', name),
    ...(request.tuningJobArn ? { TuningJobArn: request.tuningJobArn } : {}),
    HyperParameters: hyperParameters,
    AlgorithmSpecification: args.AlgorithmSpecification,
    RoleArn: args.RoleArn,
    InputDataConfig: args.InputDataConfig ?? [],
    OutputDataConfig: args.OutputDataConfig,
    ResourceConfig: args.ResourceConfig ?? args.HyperParameterTuningResourceConfig,
    StoppingCondition: args.StoppingCondition,
    ...(args.Environment !== undefined ? { Environment: args.Environment } : {}),
    ...(args.EnableManagedSpotTraining !== undefined ? { EnableManagedSpotTraining: args.EnableManagedSpotTraining } : {}),
    CreationTime: startTime,
    TrainingStartTime: startTime,
  };
  const finish = (status: 'Completed' | 'Failed', extra: Record<string, unknown>): Record<string, unknown> => {
    const end = new Date();
    const seconds = Math.max(1, Math.round((end.getTime() - Date.parse(startTime)) / 1000));
    return {
      ...base,
      TrainingJobStatus: status,
      SecondaryStatus: status === 'Completed' ? 'Completed' : 'Failed',
      TrainingEndTime: end.toISOString(),
      LastModifiedTime: end.toISOString(),
      TrainingTimeInSeconds: seconds,
      BillableTimeInSeconds: seconds,
      FinalMetricDataList: metrics.map((m) => ({ MetricName: m.name, Value: m.final, Timestamp: end.toISOString() })),
      ...extra,
    };
  };
  const fail = (error: unknown): TrainingJobResult => {
    const reason = error instanceof Error ? error.message : String(error);
    const endTime = new Date().toISOString();
    return {
      status: 'Failed',
      properties: finish('Failed', { FailureReason: reason }),
      metrics,
      failureReason: reason,
      exceptionType: classifyError(error),
      error,
      startTime,
      endTime,
    };
  };

  try {
    const algorithm = asRecord(args.AlgorithmSpecification, 'AlgorithmSpecification');
    if (!outputPath) throw new StepFailure('OutputDataConfig.S3OutputPath is missing');
    const program = decodeHyperParameter(hyperParameters.sagemaker_program);
    const submitDir = decodeHyperParameter(hyperParameters.sagemaker_submit_directory);
    if (!submitDir.startsWith('s3://')) {
      throw new StepFailure(`sagemaker_submit_directory must be an s3:// URI of a .tar.gz, got ${JSON.stringify(submitDir)}`);
    }
    const optMl = path.join(root, 'opt', 'ml');
    const codeDir = path.join(optMl, 'code');
    const inputDir = path.join(optMl, 'input');
    const configDir = path.join(inputDir, 'config');
    const modelDir = path.join(optMl, 'model');
    const outputDir = path.join(optMl, 'output');
    const outputDataDir = path.join(outputDir, 'data');
    for (const d of [codeDir, configDir, modelDir, outputDataDir]) fs.mkdirSync(d, { recursive: true });

    let archive: Buffer;
    try {
      archive = ctx.s3.getObject(submitDir);
    } catch (err) {
      throw new StepFailure(`sagemaker_submit_directory: ${(err as Error).message}`);
    }
    try {
      extractTarGz(archive, codeDir);
    } catch (err) {
      throw new StepFailure(`sagemaker_submit_directory ${submitDir}: ${(err as Error).message}`);
    }
    const programPath = pathInside(codeDir, program, 'sagemaker_program');
    if (!fs.existsSync(programPath)) {
      throw new StepFailure(
        `sagemaker_program "${program}" is not in ${submitDir} (it holds: ${fs.readdirSync(codeDir).join(', ') || 'nothing'})`,
      );
    }

    // Channels
    const channels: string[] = [];
    const inputDataConfig: Record<string, unknown> = {};
    for (const [i, raw] of asList(args.InputDataConfig, 'InputDataConfig').entries()) {
      const channel = asRecord(raw, `InputDataConfig[${i}]`);
      const channelName = asString(channel.ChannelName, `InputDataConfig[${i}].ChannelName`);
      const source = asRecord(asRecord(channel.DataSource, `Channel "${channelName}" DataSource`).S3DataSource, `Channel "${channelName}" S3DataSource`);
      const uri = asString(source.S3Uri, `Channel "${channelName}" S3Uri`);
      try {
        ctx.s3.downloadTo(uri, path.join(inputDir, 'data', channelName), 'S3Prefix');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code) throw err;
        throw new StepFailure(`Channel "${channelName}": ${(err as Error).message}`);
      }
      channels.push(channelName);
      inputDataConfig[channelName] = {
        ...(channel.ContentType !== undefined ? { ContentType: channel.ContentType } : {}),
        TrainingInputMode: channel.InputMode ?? algorithm.TrainingInputMode ?? 'File',
        S3DistributionType: source.S3DataDistributionType ?? 'FullyReplicated',
        RecordWrapperType: channel.RecordWrapperType ?? 'None',
      };
    }
    channels.sort();
    fs.writeFileSync(path.join(configDir, 'hyperparameters.json'), JSON.stringify(hyperParameters, null, 2));
    fs.writeFileSync(path.join(configDir, 'inputdataconfig.json'), JSON.stringify(inputDataConfig, null, 2));
    fs.writeFileSync(
      path.join(configDir, 'resourceconfig.json'),
      JSON.stringify({ current_host: 'algo-1', current_group_name: 'homogeneousCluster', hosts: ['algo-1'], network_interface_name: 'eth0' }),
    );

    // Environment and argv, as the SageMaker training toolkit sets them.
    const userHps = Object.keys(hyperParameters)
      .filter((k) => !k.startsWith('sagemaker_'))
      .sort();
    const decodedHps: Record<string, unknown> = {};
    for (const k of userHps) {
      const raw = hyperParameters[k];
      try {
        decodedHps[k] = JSON.parse(raw);
      } catch {
        decodedHps[k] = raw;
      }
    }
    const argv = toolkitArgv(Object.fromEntries(userHps.map((k) => [k, hyperParameters[k]])));
    const cpus = request.cpus ?? cpuCount();
    const env: Record<string, string> = {
      SM_MODEL_DIR: modelDir,
      SM_INPUT_DIR: inputDir,
      SM_INPUT_DATA_DIR: path.join(inputDir, 'data'),
      SM_INPUT_CONFIG_DIR: configDir,
      SM_OUTPUT_DIR: outputDir,
      SM_OUTPUT_DATA_DIR: outputDataDir,
      SM_OUTPUT_INTERMEDIATE_DIR: path.join(outputDir, 'intermediate'),
      SM_CHANNELS: JSON.stringify(channels),
      SM_HPS: JSON.stringify(decodedHps),
      SM_USER_ARGS: JSON.stringify(argv),
      SM_USER_ENTRY_POINT: program,
      SM_MODULE_NAME: program.replace(/\.py$/, ''),
      SM_MODULE_DIR: submitDir,
      SM_CURRENT_HOST: 'algo-1',
      SM_CURRENT_INSTANCE_TYPE: String(((base.ResourceConfig ?? {}) as Record<string, unknown>).InstanceType ?? 'local'),
      SM_HOSTS: JSON.stringify(['algo-1']),
      SM_NETWORK_INTERFACE_NAME: 'eth0',
      SM_NUM_CPUS: String(cpus),
      SM_NUM_GPUS: '0',
      SM_LOG_LEVEL: '20',
      SM_TRAINING_ENV: JSON.stringify({
        job_name: name,
        channel_input_dirs: Object.fromEntries(channels.map((c) => [c, path.join(inputDir, 'data', c)])),
        hyperparameters: decodedHps,
        model_dir: modelDir,
        output_data_dir: outputDataDir,
        current_host: 'algo-1',
        hosts: ['algo-1'],
        num_cpus: cpus,
        num_gpus: 0,
        user_entry_point: program,
      }),
      PYTHONPATH: [codeDir, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter),
      OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? String(cpus),
    };
    for (const c of channels) env[`SM_CHANNEL_${c.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`] = path.join(inputDir, 'data', c);
    for (const k of userHps) env[`SM_HP_${k.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`] = decodeHyperParameter(hyperParameters[k]);
    for (const [k, v] of Object.entries((args.Environment ?? {}) as Record<string, unknown>)) env[k] = String(v);

    const parser = new MetricParser(asList(algorithm.MetricDefinitions, 'MetricDefinitions') as MetricDefinition[]);
    const python = ctx.pythonFor(algorithm.TrainingImage);
    const timeout = timeoutMs(args.StoppingCondition);
    let result;
    try {
      result = await ctx.runProcess({
        command: python,
        args: [path.relative(codeDir, programPath), ...argv],
        cwd: codeDir,
        env: childEnv(env),
        logFile,
        timeoutMs: timeout.ms,
        onOutput: (chunk) => parser.push(chunk),
      });
    } catch (err) {
      throw spawnFailure(python, err as NodeJS.ErrnoException);
    }
    metrics = parser.finish();
    if (result.timedOut || result.exitCode !== 0) {
      const failureFile = path.join(outputDir, 'failure');
      const failure = processFailure(`Training job ${name}`, result, logFile, timeout.seconds);
      if (fs.existsSync(failureFile)) {
        const written = fs.readFileSync(failureFile, 'utf8').trim();
        if (written) throw new StepFailure(`${written}\n${failure.message}`, failure.exceptionType);
      }
      throw failure;
    }

    if (holdsNoFile(modelDir)) {
      const warning =
        `Training job ${name} wrote no model: /opt/ml/model is empty. Local mode redirects container paths only where ` +
        'they appear in the entrypoint, arguments or environment; if the script writes to a hard-coded /opt/ml/model ' +
        'path, use SM_MODEL_DIR or pass the path as an argument instead.';
      fs.appendFileSync(logFile, `[local executor] warning: ${warning}\n`);
      ctx.warn(warning);
    }
    ctx.s3.putObject(modelUri, tarGzDirectory(modelDir));
    if (fs.readdirSync(outputDataDir).length > 0) {
      ctx.s3.putObject(joinS3(outputPath, name, 'output', 'output.tar.gz'), tarGzDirectory(outputDataDir));
    }
    return {
      status: 'Completed',
      properties: finish('Completed', { ModelArtifacts: { S3ModelArtifacts: modelUri } }),
      metrics,
      startTime,
      endTime: new Date().toISOString(),
    };
  } catch (err) {
    return fail(err);
  }
}

/** Runs a Training step (one script-mode training job). */
export async function runTrainingStep(ctx: StepContext): Promise<Record<string, unknown>> {
  const name = jobName(['pipelines', ctx.execution.executionId, ctx.stepName, ctx.attempt > 1 ? `a${ctx.attempt}` : '']);
  const logFile = ctx.newLogFile(ctx.attempt > 1 ? `${ctx.stepName}.attempt-${ctx.attempt}` : ctx.stepName);
  const result = await runTrainingJob(ctx, { trainingJobName: name, args: ctx.args, jobDir: ctx.jobDir, logFile });
  ctx.setMetrics(result.metrics);
  if (result.status === 'Failed') {
    ctx.setProperties(result.properties);
    throw result.error ?? new StepFailure(result.failureReason ?? 'training failed');
  }
  return result.properties;
}
