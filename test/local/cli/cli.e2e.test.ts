import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadStageConfig } from '../../../lib/config';
import { parseCliArgs, runLocal } from '../../../local/cli';
import { browserTest, dumpDom } from '../../helpers/browser-test';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const TS_NODE = path.join(ROOT, 'node_modules', '.bin', 'ts-node');
/**
 * How long one whole local run may take before the test gives up. A safeguard, not a speed target (those are in
 * `npm run bench`): a run takes about a minute alone on 2 cores, and past 100 s when other suites share the cores.
 */
const RUN_LIMIT_MS = 240_000;
jest.setTimeout(RUN_LIMIT_MS + 30_000);

/** Runs `npm run local`'s command (without the venv check) and returns its exit code and output. */
function runCli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(TS_NODE, ['--transpile-only', path.join(ROOT, 'local', 'cli.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: RUN_LIMIT_MS,
  });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The path printed after an artifact label in the summary. */
function artifact(stdout: string, label: string): string {
  const line = stdout.split('\n').find((l) => l.trimStart().startsWith(label));
  if (!line) throw new Error(`the summary lists no "${label}":\n${stdout}`);
  return line.trimStart().slice(label.length).trim().split(/\s+/)[0];
}

describe('npm run local', () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-e2e-'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  let okRun: { workDir: string; stdout: string } | undefined;

  test('runs the dev stage\'s training, endpoint and batch inference on tiny data and prints the summary', () => {
    const workDir = path.join(work, 'ok');
    // WHEN the whole flow runs on 400 rows with 3 short trials (enough for the dev gate, r2 >= 0.6, with a margin)
    const { code, stdout, stderr } = runCli(['--rows', '400', '--trials', '3', '--num-round', '40', '--seed', '11', '--work-dir', workDir]);
    okRun = { workDir, stdout };

    // THEN it succeeds and reports progress
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/start\s+Preprocess \(Processing\)/);
    expect(stdout).toMatch(/trial 3\/3 \(#\d\) completed in/);
    expect(stdout).toMatch(/skipped\s+QualityGateFailed/);
    // the flow as deployed: the upload started the ETL job, its success the training pipeline, and notify told
    expect(stdout).toMatch(/stage dev: ETL job mlops-dev-etl, pipelines mlops-dev-training and mlops-dev-inference, model package group mlops-dev-models/);
    const flow = stdout.slice(stdout.indexOf('Data flow'), stdout.indexOf('ETL run:'));
    expect(flow).toMatch(/Object Created\s+DatasetUploaded\s+mlops-dev-start-etl\s+started ETL run jr_/);
    expect(flow).toMatch(/Glue Job State Change\s+EtlSucceeded\s+mlops-dev-start-training\s+started execution [0-9a-f]{12}/);
    expect(flow).toMatch(/SageMaker Model Package State Change\s+ModelPendingApproval\s+mlops-dev-notify\s+published "Approval needed: mlops-dev-models version 1/);
    expect(flow.match(/PipelineExecutionEnded\s+mlops-dev-notify\s+published "Succeeded: (training|inference) pipeline/g)).toHaveLength(2);
    expect(flow).not.toMatch(/FAILED/);
    // the ETL run: every row accounted for, the bad rows of the sample set aside by reason
    const rows = /Rows:\s+(\d+) in = (\d+) out \+ (\d+) set aside/.exec(stdout);
    expect(rows).not.toBeNull();
    const [rowsIn, rowsOut, setAside] = rows!.slice(1).map(Number);
    expect(rowsIn).toBe(400);
    expect(rowsOut + setAside).toBe(rowsIn);
    expect(setAside).toBeGreaterThan(0);
    const report = JSON.parse(fs.readFileSync(artifact(stdout, 'ETL report'), 'utf8'));
    expect(report.rows).toMatchObject({ in: rowsIn, out: rowsOut, quarantined: setAside });
    const schema = JSON.parse(fs.readFileSync(artifact(stdout, 'ETL schema'), 'utf8'));
    expect(schema.featureColumns).toEqual(expect.arrayContaining(['plan=basic', 'plan=pro', 'region=north']));
    const table = JSON.parse(fs.readFileSync(artifact(stdout, 'Catalog table'), 'utf8'));
    expect(table.StorageDescriptor.Columns).toHaveLength(1 + schema.featureColumns.length);
    // the endpoint answered raw rows (text categories) in CSV and JSON, exactly as it answered them encoded
    expect(stdout).toMatch(/Local endpoint predictions on held-out rows:[\s\S]*text\/csv \(raw\)\s+[\d.]+\s+[\d.]+[\s\S]*application\/json \(raw\)\s+[\d.]+\s+[\d.]+/);
    expect(stdout).toMatch(/raw rows and the same rows encoded by the ETL job: 6 of 6 predictions identical/);
    // the approval deployed it: staging, the system test's own state machine, promotion, production's data quality
    expect(stdout).toMatch(/Staging:\s+mlops-dev-staging serves arn:aws:sagemaker:us-east-1:111111111111:model-package\/mlops-dev-models\/1/);
    expect(stdout).toMatch(/System test:\s+PASSED in [\d.]+ m?s on \d+ held-out rows in \d+ requests\n\s+r2 = [-\d.]+ \(required >= 0\.6\); p95 [\d.]+ ms \(limit 500 ms\)/);
    expect(stdout).toMatch(/Production:\s+promoted: mlops-dev-production serves it; \d+ requests, \d+ captured \(20% sampling\)/);
    expect(stdout).toMatch(/Data quality:\s+(no violations|\d+ violation\(s\)) of the training baseline in production's captured requests/);
    const captured = fs.readdirSync(path.join(workDir, 's3', 'mlops-dev-endpoint-production-capture', 'datacapture', 'mlops-dev-production', 'AllTraffic'), { recursive: true });
    expect(captured.some((f) => String(f).endsWith('.jsonl'))).toBe(true);
    // each notification the run sent, also in the topic's journal
    expect(stdout).toMatch(/Notifications: 3 to arn:aws:sns:us-east-1:111111111111:mlops-dev-notifications:/);
    const journal = fs.readFileSync(artifact(stdout, 'Notification journal'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    // The approval and the training's end are delivered at the same time, as EventBridge does: in either order.
    const subjects = journal.map((m) => m.subject as string).sort();
    expect(subjects).toEqual([
      expect.stringMatching(/^Approval needed: mlops-dev-models version 1/),
      expect.stringMatching(/^Succeeded: inference pipeline mlops-dev-inference/),
      expect.stringMatching(/^Succeeded: training pipeline mlops-dev-training/),
    ]);
    expect(journal.find((m) => m.subject.startsWith('Approval needed')).message).toMatch(/aws sagemaker update-model-package --model-package-arn \S+\/mlops-dev-models\/1 --model-approval-status Approved/);
    // the summary: gate, best trial, a row per trial, step timings of both pipelines
    // the stage's settings, what the flags changed, and the cloud-only settings the run ignored
    expect(stdout).toMatch(/Stage:\s+dev\n\s+tuning\.maxJobs = 3 \(--trials\)\n\s+tuning\.numRound = 40 \(--num-round\)/);
    expect(stdout).toMatch(/Ignored here:[\s\S]*KMS keys: mlops-dev-training\/Preprocess[\s\S]*managed spot training: mlops-dev-training\/Tune/);
    // the dev stage's gate: r2 >= 0.6
    expect(stdout).toMatch(/Quality gate:\s+r2 = [-\d.]+ on the test split, required >= 0\.6: PASS/);
    expect(stdout).toMatch(/Best trial:\s+#\d Tune-\S+: validation:rmse = [\d.]+/);
    const trialsTable = stdout.slice(stdout.indexOf('Tuning trials'), stdout.indexOf('Step timings:'));
    expect(trialsTable.match(/^\s+\d\*?\s+Completed\s+[\d.]+/gm)).toHaveLength(3);
    expect(stdout).toMatch(/mlops-dev-training\s+Tune\s+Tuning\s+succeeded/);
    expect(stdout).toMatch(/mlops-dev-inference\s+BatchTransform\s+Transform\s+succeeded/);
    const batch = /Batch transform: (\d+) predictions for (\d+) held-out rows \(r2 = [-\d.]+/.exec(stdout);
    expect(batch?.[1]).toBe(batch?.[2]);
    const heldOut = Number(batch?.[1]);
    expect(heldOut).toBeGreaterThan(30);

    // the registry holds the approved model version
    const registryEntry = artifact(stdout, 'Registry entry');
    expect(registryEntry).toBe(path.join(workDir, 'registry', 'mlops-dev-models', '1.json'));
    const pkg = JSON.parse(fs.readFileSync(registryEntry, 'utf8'));
    expect(pkg.ModelApprovalStatus).toBe('Approved');
    expect(pkg.InferenceSpecification.Containers[0].Environment.SAGEMAKER_PROGRAM).toBe('inference.py');
    expect(fs.existsSync(artifact(stdout, 'Model'))).toBe(true);
    // evaluation.json with the gate metric
    const evaluation = JSON.parse(fs.readFileSync(artifact(stdout, 'evaluation.json'), 'utf8'));
    expect(typeof evaluation.regression_metrics.r2.value).toBe('number');
    // one numeric prediction per held-out row
    const predictions = fs.readFileSync(artifact(stdout, 'Batch predictions'), 'utf8').trim().split('\n');
    expect(predictions).toHaveLength(heldOut);
    predictions.forEach((p) => expect(Number.isFinite(Number(p))).toBe(true));
    // execution records and the HTML report
    expect(fs.existsSync(artifact(stdout, 'Execution record (mlops-dev-training)'))).toBe(true);
    expect(fs.existsSync(artifact(stdout, 'Execution record (mlops-dev-inference)'))).toBe(true);
    // the report: 7 training + 2 inference steps, a bar per step that ran, a point per trial
    const dom = fs.readFileSync(artifact(stdout, 'HTML report'), 'utf8');
    expect(dom.match(/<g class="node /g)).toHaveLength(9);
    expect(dom.match(/<g class="node status-notexecuted" data-step="QualityGateFailed"/g)).toHaveLength(1);
    expect(dom.match(/<rect class="timeline-bar /g)).toHaveLength(8);
    expect(dom.match(/<rect class="timeline-trial-bar/g)).toHaveLength(3);
    expect(dom.match(/<circle class="trial-point/g)).toHaveLength(3);
    expect(dom.match(/class="trial-point best"/g)).toHaveLength(1);
    expect(dom).toMatch(/class="gate-verdict pass"/);
    expect(dom).toMatch(/<p id="system-test" class="gate-verdict pass" data-passed="true" data-promoted="true">/);
    expect(stdout).toMatch(/Done in (\d+ min )?[\d.]+ s\.\n$/);
  });

  browserTest('the run\'s HTML report runs its script in a browser', () => {
    if (!okRun) throw new Error('the run above did not complete, so there is no report to open');
    const dom = dumpDom(artifact(okRun.stdout, 'HTML report'));
    expect(dom).toMatch(/<html[^>]*data-report-ready="true"/);
    expect(dom.match(/<g class="node /g)).toHaveLength(9);
  });

  test('a changed stage threshold changes what the run gates on', async () => {
    // GIVEN the dev stage with a threshold no model reaches (as if lib/config/stages.ts said so), no flag involved
    const options = parseCliArgs(['--rows', '300', '--trials', '1', '--num-round', '10'], ROOT, path.join(work, 'stage-gate'));
    const strict = loadStageConfig('dev', { ...options.overrides, qualityGate: { threshold: 0.9999 } });
    const lines: string[] = [];
    const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
    // WHEN the run takes it
    const result = await runLocal(options, io, undefined, strict);
    // THEN the definition it ran gates on that threshold, and the model fails it
    expect(result.exitCode).toBe(1);
    expect(result.threshold).toBe(0.9999);
    const definition = JSON.parse(fs.readFileSync(path.join(result.training!.executionDir, 'definition.json'), 'utf8'));
    expect(definition.Parameters.find((p: { Name: string }) => p.Name === 'QualityThreshold').DefaultValue).toBe(0.9999);
    expect(lines.join('\n')).toMatch(/the training pipeline stopped at QualityGateFailed: Quality gate failed: r2 = [-\d.]+ is below the threshold 0\.9999/);
  });

  test('a model below an impossible threshold ends with the Fail step message and exit code 1', () => {
    const workDir = path.join(work, 'fail');
    const { code, stdout, stderr } = runCli(['--rows', '300', '--trials', '3', '--num-round', '10', '--threshold', '0.9999', '--work-dir', workDir]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/Quality gate:\s+r2 = [-\d.]+ on the test split, required >= 0\.9999: FAIL/);
    expect(stdout).toMatch(/skipped\s+Register/);
    expect(stderr.trim()).toMatch(
      /^error: the training pipeline stopped at QualityGateFailed: Quality gate failed: r2 = [-\d.]+ is below the threshold 0\.9999 \(higher is better\)\.$/,
    );
    // nothing was registered, and the report shows the failure
    expect(fs.existsSync(path.join(workDir, 'registry', 'mlops-dev-models'))).toBe(false);
    const report = fs.readFileSync(artifact(stdout, 'HTML report'), 'utf8');
    expect(report).toMatch(/<g class="node status-failed" data-step="QualityGateFailed"/);
    expect(report).toMatch(/class="gate-verdict fail"/);
  });

  test('a model that passes the training gate but not the system test is deployed to staging and never reaches production', () => {
    const workDir = path.join(work, 'system-test');
    // (a training gate any model of the sample data passes, so that the run reaches the system test)
    const { code, stdout, stderr } = runCli(['--rows', '400', '--trials', '2', '--num-round', '40', '--seed', '11', '--threshold', '0.2', '--system-test-threshold', '0.9999', '--work-dir', workDir]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/Quality gate:\s+r2 = [-\d.]+ on the test split, required >= 0\.2: PASS/);
    expect(stdout).toMatch(/deployment\.systemTest\.threshold = 0\.9999 \(--system-test-threshold\)/);
    expect(stdout).toMatch(/System test:\s+FAILED \(MetricBelowThreshold\)/);
    expect(stdout).toMatch(/Production:\s+not promoted/);
    expect(stderr).toMatch(/^\nerror: the system test of mlops-dev-staging failed \(MetricBelowThreshold\): r2 = [-\d.]+ on \d+ held-out rows of s3:\/\/\S+test\.csv is below the threshold 0\.9999 \(higher is better\); model version \S+ was not promoted to mlops-dev-production/);
    // production never served it, and no batch inference ran
    expect(fs.existsSync(path.join(workDir, 's3', 'mlops-dev-endpoint-production-capture'))).toBe(false);
    expect(fs.existsSync(path.join(workDir, 'executions', 'mlops-dev-inference'))).toBe(false);
    const report = fs.readFileSync(artifact(stdout, 'HTML report'), 'utf8');
    expect(report).toMatch(/<p id="system-test" class="gate-verdict fail" data-passed="false" data-promoted="false">/);
  });

  test('--data FILE --label COL trains on a CSV with text categories and gaps, with no preparation by hand', () => {
    const workDir = path.join(work, 'data');
    const file = path.join(work, 'houses.csv');
    // GIVEN a file as it comes: an identifier, text categories, empty cells, the label last, one row without a label
    const hoods = ['Riverside', 'Old Town', 'Hillcrest'];
    const lines = ['listing_id,neighborhood,sqft,year_built,condition,price'];
    for (let i = 0; i < 400; i++) {
      const hood = hoods[i % 3];
      const sqft = 600 + ((i * 37) % 1900);
      const condition = i % 17 === 0 ? '' : ['good', 'fair', 'poor'][i % 4 === 0 ? 2 : i % 2];
      const year = i % 13 === 0 ? '' : String(1930 + ((i * 7) % 90));
      const price = i === 5 ? '' : (50 + sqft * 0.2 + hoods.indexOf(hood) * 40 + (condition === 'good' ? 30 : 0)).toFixed(1);
      lines.push(`L${i},${hood},${sqft},${year},${condition},${price}`);
    }
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    // WHEN the run takes it
    const { code, stdout, stderr } = runCli([
      '--data', file, '--label', 'price', '--drop-columns', 'listing_id', '--trials', '2', '--num-round', '30', '--threshold', '0.3', '--work-dir', workDir,
    ]);
    // THEN the ETL run encodes it, the model trains and gates, and the endpoint and batch take raw rows
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/dataset\.columns = \{\} \(--data\)\n\s+dataset\.dropColumns = \["listing_id"\] \(--drop-columns\)/);
    expect(stdout).toMatch(/Rows:\s+400 in = 399 out \+ 1 set aside/);
    expect(stdout).toMatch(/missing_label\s+1/);
    const schema = JSON.parse(fs.readFileSync(artifact(stdout, 'ETL schema'), 'utf8'));
    expect(schema.featureColumns).toEqual(expect.arrayContaining(['neighborhood=Riverside', 'condition=good', 'sqft', 'year_built']));
    expect(schema.featureColumns).not.toContain('listing_id');
    expect(stdout).toMatch(/text\/csv \(raw\)/);
    expect(stdout).toMatch(/raw rows and the same rows encoded by the ETL job: 6 of 6 predictions identical/);
    expect(stdout).toMatch(/Batch transform: (\d+) predictions for \1 held-out rows/);
  });

  test('an upload the ETL job cannot read stops the flow there: exit 1, the reason, and the notification it sent', () => {
    const workDir = path.join(work, 'bad-file');
    const file = path.join(work, 'header-only.csv');
    fs.writeFileSync(file, 'size,price\n');
    const { code, stdout, stderr } = runCli(['--data', file, '--label', 'price', '--work-dir', workDir]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/ETL run:\s+mlops-dev-etl jr_[0-9a-f]+…\s+FAILED/);
    expect(stdout).toMatch(/Glue Job State Change\s+EtlProblem\s+mlops-dev-notify\s+published "FAILED: Glue ETL job mlops-dev-etl"/);
    expect(stderr).toMatch(/^\nerror: the ETL run jr_[0-9a-f]+ ended FAILED: .*it has a header but no data rows/);
    expect(fs.existsSync(path.join(workDir, 'executions'))).toBe(false);
    // the upload is untouched
    expect(fs.readFileSync(path.join(workDir, 's3', 'mlops-dev-raw-data', 'raw', 'header-only.csv'), 'utf8')).toBe('size,price\n');
  });

  test('an upload start-etl rejects (not a .csv) starts nothing: exit 1 with its reason', () => {
    const workDir = path.join(work, 'txt');
    const file = path.join(work, 'data.txt');
    fs.writeFileSync(file, 'x,price\n1,2\n');
    const { code, stdout, stderr } = runCli(['--data', file, '--label', 'price', '--work-dir', workDir]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/Object Created\s+DatasetUploaded\s+mlops-dev-start-etl\s+FAILED: rejected: .*\.txt/);
    expect(stderr).toMatch(/^\nerror: the upload did not start the ETL job: start-etl said rejected: .*\.csv/);
    expect(fs.existsSync(path.join(workDir, 'glue'))).toBe(false);
  });

  test.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s during tuning stops the run: the record says Stopped and the exit code is %d', async (signal, exitCode) => {
    const workDir = path.join(work, `stop-${signal}`);
    const child = spawn(TS_NODE, ['--transpile-only', path.join(ROOT, 'local', 'cli.ts'), '--rows', '300', '--trials', '4', '--parallel', '1', '--work-dir', workDir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // the first trial has started: stop the run while the tuning step is running
      if (/start\s+Tune \(Tuning\)/.test(stdout) && child.exitCode === null && !child.killed) setTimeout(() => child.kill(signal), 500);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect({ code, stderr }).toEqual({ code: exitCode, stderr: expect.stringContaining(`${signal}: stopping`) });
    expect(Date.now() - started).toBeLessThan(90_000);
    expect(stderr).toMatch(new RegExp(`stopped: interrupted by ${signal}`));
    const executions = path.join(workDir, 'executions', 'mlops-dev-training');
    const [id] = fs.readdirSync(executions);
    const record = JSON.parse(fs.readFileSync(path.join(executions, id, 'execution.json'), 'utf8'));
    expect(record.status).toBe('Stopped');
    expect(record.failureReason).toBe(`Execution stopped: interrupted by ${signal}`);
    expect(record.steps.find((s: { name: string }) => s.name === 'Tune').status).toBe('Failed');
    expect(record.steps.find((s: { name: string }) => s.name === 'Evaluate').status).toBe('NotExecuted');
    // nothing ran on: no inference pipeline
    expect(fs.existsSync(path.join(workDir, 'executions', 'mlops-dev-inference'))).toBe(false);
  });

  test('SIGINT during the ETL run stops it: the run ends STOPPED, training never starts, exit code 130', async () => {
    const workDir = path.join(work, 'stop-etl');
    const child = spawn(TS_NODE, ['--transpile-only', path.join(ROOT, 'local', 'cli.ts'), '--rows', '300', '--work-dir', workDir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (/started ETL run/.test(stdout) && child.exitCode === null && !child.killed) setTimeout(() => child.kill('SIGINT'), 1000);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect({ code, stderr }).toEqual({ code: 130, stderr: expect.stringContaining('stopped: interrupted by SIGINT') });
    expect(stdout).toMatch(/Glue Job State Change\s+→\s+EtlProblem\s+→\s+mlops-dev-notify|EtlProblem → mlops-dev-notify/);
    expect(fs.existsSync(path.join(workDir, 'executions'))).toBe(false);
  });

  test('a bad flag exits with 2, names the value and prints the usage', () => {
    const { code, stdout, stderr } = runCli(['--trials', 'many']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^error: --trials must be a whole number between 1 and 500, got "many"\n\nUsage: npm run local/);
  });
});
