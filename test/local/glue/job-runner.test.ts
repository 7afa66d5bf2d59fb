import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LocalAwsError } from '../../../local/aws';
import type { AwsEvent } from '../../../local/events/aws-events';
import { LocalGlueJobs, type LocalGlueJobDefinition } from '../../../local/glue/job-runner';
import { LocalS3 } from '../../../local/s3';

/**
 * The runner with a stand-in interpreter: a shell script that records its arguments and environment and behaves as
 * its `--run_id` says (succeed with a report line, fail with a traceback, sleep in a child process, as Spark's JVM
 * runs in one). The real entry point runs in the
 * flow tests (test/local/flow).
 */
const FAKE_PYTHON = `#!/bin/sh
out="$(dirname "$0")/$(echo "$@" | sed 's/.*--run_id \\([a-z0-9-]*\\).*/\\1/')"
printf '%s\\n' "$@" > "$out.args"
env > "$out.env"
case "$*" in
  *--run_id\\ ok*) echo '{"event": "etl_report", "runId": "ok", "status": "succeeded", "rowsIn": 10, "rowsOut": 9, "rowsQuarantined": 1}';;
  *--run_id\\ bad*) echo 'Traceback (most recent call last):' >&2; echo 'curation.errors.SourceError: the file is empty' >&2; exit 1;;
  *--run_id\\ slow*) sleep 30;;
esac
`;

const JOB: LocalGlueJobDefinition = {
  name: 'mlops-dev-etl',
  defaultArguments: { '--contract': '{"version": 1}', '--catalog_table': 'curated' },
  timeoutMinutes: 30,
  notifyDelayMinutes: 15,
  maxConcurrentRuns: 1,
  workerType: 'G.1X',
  numberOfWorkers: 2,
};

let dir: string;
let events: AwsEvent[];
let s3: LocalS3;

function runner(job: Partial<LocalGlueJobDefinition> = {}): LocalGlueJobs {
  return new LocalGlueJobs({
    job: { ...JOB, ...job },
    s3,
    python: path.join(dir, 'python'),
    workDir: dir,
    awsEnvironment: () => ({ AWS_ENDPOINT_URL_GLUE: 'http://127.0.0.1:1' }),
    onEvent: (event) => events.push(event),
  });
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glue-runner-'));
  fs.writeFileSync(path.join(dir, 'python'), FAKE_PYTHON, { mode: 0o755 });
  events = [];
  s3 = new LocalS3({ root: path.join(dir, 's3') });
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('LocalGlueJobs', () => {
  test('a run gets the job defaults under its own arguments, s3:// mapped to local S3, and the endpoint variables', async () => {
    const glue = runner();
    const { JobRunId } = await glue.startJobRun({
      JobName: JOB.name,
      Arguments: { '--run_id': 'ok', '--source_uri': 's3://raw/raw/x.csv', '--output_uri': 's3://processed/curated/ok/', '--catalog_table': 'other' },
    });
    await glue.idle();
    const args = fs.readFileSync(path.join(dir, 'ok.args'), 'utf8').trim().split('\n');
    expect(args[0]).toMatch(/glue-scripts\/curate_dataset\.py$/);
    const pairs = Object.fromEntries(args.slice(1).flatMap((a, i, all) => (i % 2 === 0 ? [[a, all[i + 1]]] : [])));
    expect(pairs).toEqual({
      '--JOB_NAME': JOB.name,
      '--contract': '{"version": 1}',
      '--catalog_table': 'other',
      '--run_id': 'ok',
      '--source_uri': s3.pathFor('s3://raw/raw/x.csv'),
      '--output_uri': `${s3.pathFor('s3://processed/curated/ok/')}${path.sep}`,
    });
    const env = fs.readFileSync(path.join(dir, 'ok.env'), 'utf8');
    expect(env).toMatch(/^AWS_ENDPOINT_URL_GLUE=http:\/\/127\.0\.0\.1:1$/m);
    expect(env).toMatch(/^PYTHONPATH=.*local\/glue:.*glue-scripts$/m);

    const { JobRun } = await glue.getJobRun({ JobName: JOB.name, RunId: JobRunId });
    expect(JobRun).toMatchObject({ Id: JobRunId, JobName: JOB.name, JobRunState: 'SUCCEEDED', GlueVersion: '5.0', WorkerType: 'G.1X', NumberOfWorkers: 2 });
    // GetJobRun returns the run's own arguments, as Glue does (start-training reads them).
    expect(JobRun.Arguments).toEqual(expect.objectContaining({ '--source_uri': 's3://raw/raw/x.csv', '--run_id': 'ok' }));
    expect(JobRun).not.toHaveProperty('report');
    expect(glue.jobRuns[0].report).toMatchObject({ event: 'etl_report', rowsIn: 10, rowsOut: 9, rowsQuarantined: 1 });
    expect(events).toEqual([
      {
        source: 'aws.glue',
        detailType: 'Glue Job State Change',
        detail: { jobName: JOB.name, severity: 'INFO', state: 'SUCCEEDED', jobRunId: JobRunId, message: 'Job run succeeded' },
        resources: [],
      },
    ]);
  });

  test('a failed run ends FAILED with the exception it raised, in GetJobRun and in the event', async () => {
    const glue = runner();
    const { JobRunId } = await glue.startJobRun({ JobName: JOB.name, Arguments: { '--run_id': 'bad' } });
    await glue.idle();
    const { JobRun } = await glue.getJobRun({ JobName: JOB.name, RunId: JobRunId });
    expect(JobRun).toMatchObject({ JobRunState: 'FAILED', ErrorMessage: 'curation.errors.SourceError: the file is empty' });
    expect(events[0].detail).toEqual({
      jobName: JOB.name,
      severity: 'ERROR',
      state: 'FAILED',
      jobRunId: JobRunId,
      message: `JobName:${JOB.name} and JobRunId:${JobRunId} failed to execute with exception curation.errors.SourceError: the file is empty`,
    });
  });

  test('runs beyond the job\'s concurrency wait their turn (run queuing), and stop() stops them all', async () => {
    const glue = runner();
    const first = await glue.startJobRun({ JobName: JOB.name, Arguments: { '--run_id': 'slow' } });
    const second = await glue.startJobRun({ JobName: JOB.name, Arguments: { '--run_id': 'ok' } });
    expect((await glue.getJobRun({ JobName: JOB.name, RunId: second.JobRunId })).JobRun.JobRunState).toBe('WAITING');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await glue.getJobRun({ JobName: JOB.name, RunId: first.JobRunId })).JobRun.JobRunState).toBe('RUNNING');
    glue.stop();
    await glue.idle();
    expect(glue.jobRuns.map((r) => r.JobRunState)).toEqual(['STOPPED', 'STOPPED']);
    expect(events.map((e) => e.detail.state)).toEqual(['STOPPED', 'STOPPED']);
    expect(fs.existsSync(path.join(dir, 'ok.args'))).toBe(false);
  });

  test('a run past its timeout is killed and ends TIMEOUT', async () => {
    const glue = runner();
    // Timeout is in minutes, as in StartJobRun; 0.005 minutes is 300 ms.
    const { JobRunId } = await glue.startJobRun({ JobName: JOB.name, Arguments: { '--run_id': 'slow' }, Timeout: 0.005 });
    await glue.idle();
    const { JobRun } = await glue.getJobRun({ JobName: JOB.name, RunId: JobRunId });
    expect(JobRun).toMatchObject({ JobRunState: 'TIMEOUT', ErrorMessage: 'Job run timed out after 0.005 minutes' });
    expect(events.map((e) => [e.detailType, e.detail.state, e.detail.severity])).toEqual([['Glue Job State Change', 'TIMEOUT', 'ERROR']]);
  });

  test('a run still going after the notify delay puts a "Glue Job Run Status" event', async () => {
    const glue = runner({ notifyDelayMinutes: 0.002 });
    const { JobRunId } = await glue.startJobRun({ JobName: JOB.name, Arguments: { '--run_id': 'slow' }, Timeout: 0.01 });
    await glue.idle();
    expect(events.map((e) => e.detailType)).toEqual(['Glue Job Run Status', 'Glue Job State Change']);
    expect(events[0].detail).toMatchObject({ jobName: JOB.name, jobRunId: JobRunId, state: 'RUNNING', notificationCondition: { NotifyDelayAfter: 0.002 } });
  });

  test('another job or an unknown run is EntityNotFoundException, naming what was asked for', async () => {
    const glue = runner();
    await expect(glue.startJobRun({ JobName: 'other-job' })).rejects.toEqual(
      new LocalAwsError('EntityNotFoundException', `Job with name other-job not found (the stage's ETL job is ${JOB.name}).`),
    );
    await expect(glue.getJobRun({ JobName: JOB.name, RunId: 'jr_missing' })).rejects.toMatchObject({
      code: 'EntityNotFoundException',
      message: `Job run jr_missing of job ${JOB.name} not found.`,
    });
  });

  test('an interpreter that cannot start fails the run, naming it and the fix', async () => {
    const glue = new LocalGlueJobs({
      job: JOB,
      s3,
      python: path.join(dir, 'no-such-python'),
      workDir: dir,
      awsEnvironment: () => ({}),
      onEvent: (event) => events.push(event),
    });
    const { JobRunId } = await glue.startJobRun({ JobName: JOB.name, Arguments: { '--run_id': 'ok' } });
    await glue.idle();
    const { JobRun } = await glue.getJobRun({ JobName: JOB.name, RunId: JobRunId });
    expect(JobRun.JobRunState).toBe('FAILED');
    expect(JobRun.ErrorMessage).toMatch(/^Cannot run .*no-such-python: spawn .* ENOENT \(create the virtualenv with `npm run venv`\)$/);
  });
});
