import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadStageConfig } from '../../../lib/config';
import { parseCliArgs, runLocal } from '../../../local/cli';
import { browserTest, dumpDom } from '../../helpers/browser-test';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const TS_NODE = path.join(ROOT, 'node_modules', '.bin', 'ts-node');

/** Runs `npm run local`'s command (without the venv check) and returns its exit code and output. */
function runCli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(TS_NODE, ['--transpile-only', path.join(ROOT, 'local', 'cli.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 100_000,
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
    // WHEN the whole flow runs on 300 rows with 3 short trials
    const { code, stdout, stderr } = runCli(['--rows', '300', '--trials', '3', '--num-round', '20', '--seed', '11', '--work-dir', workDir]);
    okRun = { workDir, stdout };

    // THEN it succeeds and reports progress
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/start\s+Preprocess \(Processing\)/);
    expect(stdout).toMatch(/trial 3\/3 \(#\d\) completed in/);
    expect(stdout).toMatch(/skipped\s+QualityGateFailed/);
    // the endpoint answered CSV and JSON requests with predictions next to the actual values
    expect(stdout).toMatch(/Local endpoint predictions on held-out rows:[\s\S]*text\/csv\s+[\d.]+\s+[\d.]+[\s\S]*application\/json\s+[\d.]+\s+[\d.]+/);
    // the summary: gate, best trial, a row per trial, step timings of both pipelines
    // the stage's settings, what the flags changed, and the cloud-only settings the run ignored
    expect(stdout).toMatch(/stage dev: pipelines mlops-dev-training and mlops-dev-inference, model package group mlops-dev-models/);
    expect(stdout).toMatch(/Stage:\s+dev\n\s+tuning\.maxJobs = 3 \(--trials\)\n\s+tuning\.numRound = 20 \(--num-round\)/);
    expect(stdout).toMatch(/Ignored here:[\s\S]*KMS keys: mlops-dev-training\/Preprocess[\s\S]*managed spot training: mlops-dev-training\/Tune/);
    // the dev stage's gate: r2 >= 0.6
    expect(stdout).toMatch(/Quality gate:\s+r2 = [-\d.]+ on the test split, required >= 0\.6: PASS/);
    expect(stdout).toMatch(/Best trial:\s+#\d Tune-\S+: validation:rmse = [\d.]+/);
    const trialsTable = stdout.slice(stdout.indexOf('Tuning trials'), stdout.indexOf('Step timings:'));
    expect(trialsTable.match(/^\s+\d\*?\s+Completed\s+[\d.]+/gm)).toHaveLength(3);
    expect(stdout).toMatch(/mlops-dev-training\s+Tune\s+Tuning\s+succeeded/);
    expect(stdout).toMatch(/mlops-dev-inference\s+BatchTransform\s+Transform\s+succeeded/);
    expect(stdout).toMatch(/Batch transform: 45 predictions for 45 held-out rows \(r2 = [-\d.]+/);

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
    expect(predictions).toHaveLength(45);
    predictions.forEach((p) => expect(Number.isFinite(Number(p))).toBe(true));
    // execution records and the HTML report
    expect(fs.existsSync(artifact(stdout, 'Execution record (mlops-dev-training)'))).toBe(true);
    expect(fs.existsSync(artifact(stdout, 'Execution record (mlops-dev-inference)'))).toBe(true);
    // the report: 6 training + 2 inference steps, a bar per step that ran, a point per trial
    const dom = fs.readFileSync(artifact(stdout, 'HTML report'), 'utf8');
    expect(dom.match(/<g class="node /g)).toHaveLength(8);
    expect(dom.match(/<g class="node status-notexecuted" data-step="QualityGateFailed"/g)).toHaveLength(1);
    expect(dom.match(/<rect class="timeline-bar /g)).toHaveLength(7);
    expect(dom.match(/<rect class="timeline-trial-bar/g)).toHaveLength(3);
    expect(dom.match(/<circle class="trial-point/g)).toHaveLength(3);
    expect(dom.match(/class="trial-point best"/g)).toHaveLength(1);
    expect(dom).toMatch(/class="gate-verdict pass"/);
    expect(stdout).toMatch(/Done in [\d.]+ s\.\n$/);
  });

  browserTest('the run\'s HTML report runs its script in a browser', () => {
    if (!okRun) throw new Error('the run above did not complete, so there is no report to open');
    const dom = dumpDom(artifact(okRun.stdout, 'HTML report'));
    expect(dom).toMatch(/<html[^>]*data-report-ready="true"/);
    expect(dom.match(/<g class="node /g)).toHaveLength(8);
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
    const definition = JSON.parse(fs.readFileSync(path.join(result.training.executionDir, 'definition.json'), 'utf8'));
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

  test('a bad flag exits with 2, names the value and prints the usage', () => {
    const { code, stdout, stderr } = runCli(['--trials', 'many']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^error: --trials must be a whole number between 1 and 500, got "many"\n\nUsage: npm run local/);
  });
});
