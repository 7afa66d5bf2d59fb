import { batchScore, formatRunSummary, formatTable, progressPrinter } from '../../../local/report';
import { EVALUATION_REPORT, inferenceRecord, trainingRecord } from './fixture';

describe('text summary', () => {
  test('shows the gate verdict, the best trial, every trial, step timings with cached steps marked, and artifacts', () => {
    const text = formatRunSummary({
      training: trainingRecord(),
      inference: inferenceRecord(),
      evaluation: { report: EVALUATION_REPORT, gateMetric: 'r2', threshold: 0.7, direction: 'Maximize' },
      batchCheck: { predicted: [1, 2, 3], actual: [1, 2, 3], problemType: 'regression' },
      artifacts: [{ label: 'HTML report', path: '/tmp/report.html' }],
    });
    expect(text).toContain('Quality gate:  r2 = 0.8123 on the test split, required >= 0.7: PASS');
    expect(text).toContain('mse = 25440, rmse = 159.5, mae = 126.7');
    expect(text).toMatch(/Best trial:\s+#5 Tune-abc123-005: validation:rmse = 158\.3\n\s+eta=0\.2, max_depth=4, min_child_weight=3\.5, subsample=0\.85/);
    expect(text.match(/^\s+\d\*?\s+(Completed|Failed)\s/gm)).toHaveLength(6);
    expect(text).toMatch(/^\s+5\*\s+Completed\s+158\.3/m);
    expect(text).toMatch(/^\s+4\s+Failed\s+–/m);
    expect(text).toMatch(/local-inference\s+CreateModel\s+Model\s+cached\s+cached\s+–/);
    expect(text).toMatch(/local-training\s+QualityGateFailed\s+Fail\s+not executed\s+–\s+–/);
    expect(text).toMatch(/local-training\s+\(total\)\s+succeeded\s+21\.7 s/);
    expect(text).toContain('Batch transform: 3 predictions for 3 held-out rows (r2 = 1 against their labels)');
    expect(text).toMatch(/Artifacts:\n {2}HTML report {2}\/tmp\/report\.html/);
  });

  test('a failed gate says FAIL with a Minimize metric compared the other way', () => {
    const text = formatRunSummary({
      training: trainingRecord({ gatePassed: false }),
      evaluation: { report: EVALUATION_REPORT, gateMetric: 'rmse', threshold: 100, direction: 'Minimize' },
      artifacts: [],
    });
    expect(text).toContain('Quality gate:  rmse = 159.5 on the test split, required <= 100: FAIL');
  });

  test('batch scores', () => {
    expect(batchScore({ predicted: [0.9, 0.2, 0.7, 0.4], actual: [1, 0, 0, 0], problemType: 'binary_classification' })).toEqual({
      name: 'accuracy',
      value: 0.75,
    });
    expect(batchScore({ predicted: [2, 2, 2], actual: [1, 2, 3], problemType: 'regression' }).value).toBeCloseTo(0);
  });

  test('tables right-align numeric columns', () => {
    expect(formatTable(['name', 'ms'], [['a', '5 ms'], ['long name', '1200 ms']])).toBe(
      ['name            ms', '---------  -------', 'a             5 ms', 'long name  1200 ms'].join('\n'),
    );
  });
});

describe('progress lines', () => {
  test('one line per event, with the best objective so far for trials', () => {
    const lines: string[] = [];
    const print = progressPrinter((line) => lines.push(line), Date.now());
    const [t1, t2] = trainingRecord().steps[1].trials!;
    print({ type: 'stepStarted', time: '', step: 'Tune', stepType: 'Tuning', attempt: 1 });
    print({ type: 'tuningTrialFinished', time: '', step: 'Tune', trial: t2, finished: 1, total: 6 });
    print({ type: 'tuningTrialFinished', time: '', step: 'Tune', trial: t1, finished: 2, total: 6 });
    print({
      type: 'stepFailed',
      time: '',
      step: 'Tune',
      stepType: 'Tuning',
      attempt: 1,
      failureReason: '\nAlgorithmError: boom\nTraceback ...',
      willRetry: true,
      retryInSeconds: 5,
    });
    print({ type: 'stepNotExecuted', time: '', step: 'Register', stepType: 'RegisterModel', reason: 'CheckQuality evaluated false' });
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^\[\s+0\.0 s\] {3}start {4}Tune \(Tuning\)$/);
    expect(lines[1]).toMatch(/trial 1\/6 \(#2\) completed in 6\.2 s: validation:rmse = 171\.2 \(best 171\.2\)$/);
    expect(lines[2]).toMatch(/trial 2\/6 \(#1\) completed in 5\.7 s: validation:rmse = 182\.4 \(best 171\.2\)$/);
    expect(lines[3]).toMatch(/FAILED {3}Tune: AlgorithmError: boom \(retrying in 5 s\)$/);
    expect(lines[4]).toMatch(/skipped {2}Register: CheckQuality evaluated false$/);
  });

  test('a step warning gets a line', () => {
    const lines: string[] = [];
    progressPrinter((line) => lines.push(line), Date.now())({
      type: 'stepWarning',
      time: '',
      step: 'Preprocess',
      stepType: 'Processing',
      message: 'Output "test" is empty: nothing was written to /opt/ml/processing/test.',
    });
    expect(lines).toEqual([expect.stringMatching(/ {3}warning {2}Preprocess: Output "test" is empty: nothing was written to \/opt\/ml\/processing\/test\.$/)]);
  });
});
