import { spawn, type ChildProcess } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ETL_REPORT_EVENT } from '../../lib/etl/report-metrics';
import { ETL_ENTRY_POINT, GLUE_SCRIPTS_DIR } from '../../lib/etl/job-code';
import { LocalAwsError } from '../aws';
import { glueJobRunStatusEvent, glueJobStateChangeEvent, type AwsEvent, type GlueEndState } from '../events/aws-events';
import type { LocalS3 } from '../s3';

/** The local stand-in of `awsglue` (put before the job's own folder on PYTHONPATH). */
const AWSGLUE_SHIM_DIR = __dirname;

type Request = Record<string, unknown>;

/** The job as the ETL stack defines it: its name, default arguments and limits (from the stage's config). */
export interface LocalGlueJobDefinition {
  readonly name: string;
  /** The job's default arguments (`etlJobArguments`); a run's own arguments override them. */
  readonly defaultArguments: Readonly<Record<string, string>>;
  readonly timeoutMinutes: number;
  readonly notifyDelayMinutes: number;
  readonly maxConcurrentRuns: number;
  readonly workerType: string;
  readonly numberOfWorkers: number;
}

/** One run as GetJobRun describes it, plus what local mode read from its log. */
export interface LocalJobRun {
  readonly Id: string;
  readonly Attempt: number;
  readonly JobName: string;
  readonly JobMode: 'SCRIPT';
  JobRunState: 'WAITING' | 'RUNNING' | GlueEndState;
  readonly Arguments: Record<string, string>;
  readonly StartedOn: string;
  LastModifiedOn: string;
  CompletedOn?: string;
  ExecutionTime: number;
  ErrorMessage?: string;
  readonly Timeout: number;
  readonly GlueVersion: '5.0';
  readonly WorkerType: string;
  readonly NumberOfWorkers: number;
  /** The run's `etl_report` (or `etl_failed`) log line, parsed. */
  report?: Record<string, unknown>;
  /** The run's log (stdout and stderr). */
  readonly logFile: string;
}

/** Options of {@link LocalGlueJobs}. */
export interface LocalGlueJobsOptions {
  readonly job: LocalGlueJobDefinition;
  /** Maps the runs' `s3://` arguments to local files. */
  readonly s3: LocalS3;
  readonly python: string;
  /** Runs' logs go to `<workDir>/glue/<job>/<run id>.log`. */
  readonly workDir: string;
  /** The job's AWS environment (the local endpoint's variables), read when a run starts. */
  readonly awsEnvironment: () => Record<string, string>;
  /** Where the runs' events go (the local event bus). */
  readonly onEvent: (event: AwsEvent) => void;
  /** Extra spark-submit options (e.g. less driver memory in tests). */
  readonly sparkArgs?: string;
}

/** Fields of GetJobRun's `JobRun` (the rest of a {@link LocalJobRun} is local mode's own). */
const JOB_RUN_FIELDS = [
  'Id', 'Attempt', 'JobName', 'JobMode', 'JobRunState', 'Arguments', 'StartedOn', 'LastModifiedOn', 'CompletedOn',
  'ExecutionTime', 'ErrorMessage', 'Timeout', 'GlueVersion', 'WorkerType', 'NumberOfWorkers',
] as const;

/**
 * Glue job runs on this machine, for the local AWS endpoint's StartJobRun and GetJobRun: each run is the job's
 * entry point (glue-scripts/curate_dataset.py) in a Python process on local Spark, with the job's default arguments
 * under the run's and `s3://` locations mapped to local S3. Runs beyond the job's concurrency wait (run queuing, as
 * the job enables it); a run past its timeout is killed and ends `TIMEOUT`. Each run that ends puts a "Glue Job
 * State Change" event, and one past the notify delay a "Glue Job Run Status" event, as Glue does.
 */
export class LocalGlueJobs {
  private readonly runs = new Map<string, LocalJobRun>();
  private readonly waiting: LocalJobRun[] = [];
  private readonly running = new Map<string, ChildProcess>();
  private readonly finished = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly options: LocalGlueJobsOptions) {}

  /** Every run so far, in start order. */
  get jobRuns(): readonly LocalJobRun[] {
    return [...this.runs.values()];
  }

  /** Glue StartJobRun. */
  async startJobRun(request: Request): Promise<{ JobRunId: string }> {
    const { job } = this.options;
    if (request.JobName !== job.name) {
      throw new LocalAwsError('EntityNotFoundException', `Job with name ${String(request.JobName)} not found (the stage's ETL job is ${job.name}).`);
    }
    const now = new Date().toISOString();
    const id = `jr_${randomBytes(32).toString('hex')}`;
    const run: LocalJobRun = {
      Id: id,
      Attempt: 0,
      JobName: job.name,
      JobMode: 'SCRIPT',
      JobRunState: 'WAITING',
      Arguments: { ...((request.Arguments as Record<string, string> | undefined) ?? {}) },
      StartedOn: now,
      LastModifiedOn: now,
      ExecutionTime: 0,
      Timeout: typeof request.Timeout === 'number' ? request.Timeout : job.timeoutMinutes,
      GlueVersion: '5.0',
      WorkerType: job.workerType,
      NumberOfWorkers: job.numberOfWorkers,
      logFile: path.join(this.options.workDir, 'glue', job.name, `${id}.log`),
    };
    this.runs.set(id, run);
    this.waiting.push(run);
    this.startWaiting();
    return { JobRunId: id };
  }

  /** Glue GetJobRun. */
  async getJobRun(request: Request): Promise<{ JobRun: Record<string, unknown> }> {
    const run = this.runs.get(String(request.RunId));
    if (!run || request.JobName !== run.JobName) {
      throw new LocalAwsError('EntityNotFoundException', `Job run ${String(request.RunId)} of job ${String(request.JobName)} not found.`);
    }
    const described: Record<string, unknown> = {};
    for (const field of JOB_RUN_FIELDS) if (run[field] !== undefined) described[field] = run[field];
    return { JobRun: described };
  }

  /** Resolves when no run is waiting or running. */
  async idle(): Promise<void> {
    while (this.finished.size > 0) await Promise.allSettled([...this.finished]);
  }

  /** Stops every run (they end `STOPPED`); no waiting run starts. */
  stop(): void {
    this.stopped = true;
    for (const run of this.waiting.splice(0)) this.end(run, 'STOPPED', 'Job run stopped before it started');
    for (const child of this.running.values()) killGroup(child, 'SIGTERM');
  }

  private startWaiting(): void {
    while (!this.stopped && this.waiting.length > 0 && this.running.size < this.options.job.maxConcurrentRuns) {
      const run = this.waiting.shift() as LocalJobRun;
      const done = this.execute(run).finally(() => {
        this.finished.delete(done);
        this.startWaiting();
      });
      this.finished.add(done);
    }
  }

  /** The process's arguments: Glue's `--JOB_NAME`, the job's defaults under the run's, `s3://` mapped to files. */
  private argv(run: LocalJobRun): string[] {
    const argv = ['--JOB_NAME', run.JobName];
    for (const [name, value] of Object.entries({ ...this.options.job.defaultArguments, ...run.Arguments })) {
      argv.push(name, value.startsWith('s3://') ? this.localPath(value) : value);
    }
    return argv;
  }

  private localPath(uri: string): string {
    const file = this.options.s3.pathFor(uri);
    return uri.endsWith('/') && !file.endsWith(path.sep) ? `${file}${path.sep}` : file;
  }

  private execute(run: LocalJobRun): Promise<void> {
    const { job, python } = this.options;
    run.JobRunState = 'RUNNING';
    run.LastModifiedOn = new Date().toISOString();
    fs.mkdirSync(path.dirname(run.logFile), { recursive: true });
    const log = fs.createWriteStream(run.logFile);
    let logError: Error | undefined;
    log.on('error', (error) => (logError = error));
    const logClosed = new Promise<void>((resolve) => log.on('close', () => resolve()));
    const started = Date.now();
    const child = spawn(python, [ETL_ENTRY_POINT, ...this.argv(run)], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        ...(process.env.JAVA_HOME ? { JAVA_HOME: process.env.JAVA_HOME } : {}),
        ...this.options.awsEnvironment(),
        PYTHONPATH: [AWSGLUE_SHIM_DIR, GLUE_SCRIPTS_DIR].join(path.delimiter),
        PYTHONUNBUFFERED: '1',
        ...(this.options.sparkArgs ? { LOCAL_GLUE_SPARK_ARGS: this.options.sparkArgs } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: Spark's JVM is a child of the Python process, and a stop or timeout ends both.
      detached: true,
    });
    this.running.set(run.Id, child);
    let stdout = '';
    let stderrTail = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      log.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString()).slice(-20_000);
      log.write(chunk);
    });
    let timedOut = false;
    const timeout = setTimeout(() => {
      timedOut = true;
      killGroup(child, 'SIGKILL');
    }, run.Timeout * 60_000);
    const late = setTimeout(() => {
      this.options.onEvent(glueJobRunStatusEvent({ jobName: job.name, jobRunId: run.Id, notifyDelayMinutes: job.notifyDelayMinutes, startedOn: run.StartedOn }));
    }, job.notifyDelayMinutes * 60_000);
    return new Promise<void>((resolve) => {
      let finished = false;
      const finish = (code: number | null, spawnError?: Error): void => {
        if (finished) return; // a process that cannot spawn reports 'error' and then 'close'
        finished = true;
        clearTimeout(timeout);
        clearTimeout(late);
        this.running.delete(run.Id);
        log.end();
        run.ExecutionTime = Math.round((Date.now() - started) / 1000);
        run.report = reportLine(stdout);
        if (spawnError) {
          this.end(run, 'FAILED', `Cannot run ${python}: ${spawnError.message} (create the virtualenv with \`npm run venv\`)`);
        } else if (timedOut) {
          this.end(run, 'TIMEOUT', `Job run timed out after ${run.Timeout} minutes`);
        } else if (this.stopped && code !== 0) {
          this.end(run, 'STOPPED', 'Job run stopped');
        } else if (code === 0) {
          this.end(run, 'SUCCEEDED', 'Job run succeeded');
        } else {
          this.end(run, 'FAILED', failureMessage(run.report, stderrTail, code));
        }
        if (logError) run.ErrorMessage = `${run.ErrorMessage ?? ''} (its log could not be written: ${logError.message})`.trim();
        void logClosed.then(resolve);
      };
      child.on('error', (error) => finish(null, error));
      child.on('close', (code) => finish(code));
    });
  }

  private end(run: LocalJobRun, state: GlueEndState, message: string): void {
    const now = new Date().toISOString();
    run.JobRunState = state;
    run.LastModifiedOn = now;
    run.CompletedOn = now;
    if (state !== 'SUCCEEDED') run.ErrorMessage = message;
    const eventMessage =
      state === 'FAILED' ? `JobName:${run.JobName} and JobRunId:${run.Id} failed to execute with exception ${message}` : message;
    this.options.onEvent(glueJobStateChangeEvent({ jobName: run.JobName, jobRunId: run.Id, state, message: eventMessage }));
  }
}

/** Signals a run's process group (the Python process and Spark's JVM). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    child.kill(signal); // the group is gone already
  }
}

/** The last `etl_report` / `etl_failed` JSON line the job printed. */
function reportLine(stdout: string): Record<string, unknown> | undefined {
  let found: Record<string, unknown> | undefined;
  for (const line of stdout.split(/\r?\n/)) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed.event === ETL_REPORT_EVENT || parsed.event === 'etl_failed') found = parsed;
    } catch {
      // not a report line
    }
  }
  return found;
}

/** What the run failed with: the job's failure line, else the last exception of its traceback. */
function failureMessage(report: Record<string, unknown> | undefined, stderr: string, code: number | null): string {
  if (report?.event === 'etl_failed' && typeof report.error === 'string') return report.error;
  const exception = stderr
    .split(/\r?\n/)
    .filter((line) => /^[A-Za-z_.]+(Error|Exception): /.test(line))
    .pop();
  if (exception) {
    // Spark's JVM did not start: name the usual cause.
    if (/JAVA_GATEWAY_EXITED|JAVA_HOME is not set/.test(stderr)) return `${exception} (Spark needs Java 17: install a JRE, e.g. apt-get install openjdk-17-jre-headless, or set JAVA_HOME)`;
    return exception;
  }
  return `the job's Python process exited with ${code === null ? 'a signal' : `code ${code}`}`;
}
