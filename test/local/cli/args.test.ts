import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_STAGE_CONFIGS } from '../../../lib/config';
import { DEFAULT_ROWS, DEFAULT_SEED } from '../../../local/cli/args';
import { loadRunConfig, parseCliArgs, USAGE, UsageError } from '../../../local/cli';
import { removeTemporaryFolders, temporaryFolder } from '../../helpers/temporary-folders';

afterAll(removeTemporaryFolders);

describe('parseCliArgs', () => {
  const dir = temporaryFolder('cli-args-');
  const workDir = path.join(dir, 'default-work');
  const dataFile = path.join(dir, 'houses.csv');
  fs.writeFileSync(dataFile, '\uFEFFsqft,"price",rooms\n100,2000,3\n');
  const parse = (argv: string[]) => parseCliArgs(argv, dir, workDir);

  test('without flags: the dev stage with its own settings', () => {
    expect(parse([])).toEqual({
      stage: 'dev',
      overrides: {},
      overridden: [],
      rows: DEFAULT_ROWS,
      seed: DEFAULT_SEED,
      data: undefined,
      workDir,
      help: false,
    });
  });

  test('each setting flag overrides one stage setting and says which', () => {
    const options = parse([
      '--stage', 'staging',
      '--trials=4',
      '--parallel', '1',
      '--threshold=-0.25',
      '--strategy=random',
      '--num-round', '25',
      '--metric', 'rmse',
      '--no-cache',
      '--rows', '800',
      '--seed', '7',
      '--work-dir', 'out',
    ]);
    expect(options.stage).toBe('staging');
    expect(options.overrides).toEqual({
      qualityGate: { metric: 'rmse', threshold: -0.25 },
      tuning: { maxJobs: 4, maxParallelJobs: 1, strategy: 'Random', numRound: 25 },
      caching: { enabled: false },
    });
    expect(options.overridden.map((o) => `${o.flag} ${o.path}=${JSON.stringify(o.value)}`)).toEqual([
      '--metric qualityGate.metric="rmse"',
      '--threshold qualityGate.threshold=-0.25',
      '--trials tuning.maxJobs=4',
      '--parallel tuning.maxParallelJobs=1',
      '--strategy tuning.strategy="Random"',
      '--num-round tuning.numRound=25',
      '--no-cache caching.enabled=false',
    ]);
    expect(options).toMatchObject({ rows: 800, seed: 7, workDir: path.join(dir, 'out') });
  });

  test('--problem-type takes its own default gate metric; fewer trials than the stage runs at once run all at once', () => {
    const options = parse(['--problem-type', 'binary_classification', '--trials', '1']);
    expect(options.overrides).toEqual({
      problemType: 'binary_classification',
      qualityGate: { metric: 'auc' },
      tuning: { maxJobs: 1, maxParallelJobs: 1 },
    });
    expect(loadRunConfig(options).qualityGate).toEqual({ metric: 'auc', threshold: DEFAULT_STAGE_CONFIGS.dev.qualityGate.threshold });
  });

  test('--data with --label reads the header (BOM and quotes allowed) and sets the label column', () => {
    const options = parse(['--data', 'houses.csv', '--label', 'price']);
    expect(options.data).toBe(dataFile);
    expect(options.overrides).toEqual({ labelColumn: 'price' });
  });

  test('--help', () => {
    expect(parse(['--help']).help).toBe(true);
    expect(USAGE).toMatch(/--stage S[\s\S]*--threshold X[\s\S]*\(qualityGate\.threshold\)[\s\S]*--no-cache[\s\S]*--help/);
  });

  test.each([
    [['--stage', 'qa'], /--stage must be one of dev, staging, prod, got "qa"/],
    [['--rows', 'ten'], /--rows must be a whole number between 50 and \d+, got "ten"/],
    [['--rows', '10'], /--rows must be between 50 and \d+, got 10/],
    [['--rows', '1.5'], /--rows must be a whole number .*got "1\.5"/],
    [['--trials', '0'], /--trials must be between 1 and 500, got 0/],
    [['--trials=-3'], /--trials must be a whole number .*got "-3"/],
    [['--seed', 'abc'], /--seed must be a whole number .*got "abc"/],
    [['--threshold', 'high'], /--threshold must be a number \(e\.g\. 0\.7\), got "high"/],
    [['--threshold', '0.7x'], /--threshold must be a number .*got "0\.7x"/],
    [['--threshold', '-0.5'], /--threshold needs a value \(to pass one that starts with "-", write --threshold=VALUE/],
    [['--problem-type', 'multiclass'], /--problem-type must be one of regression, binary_classification, got "multiclass"/],
    [['--strategy', 'Grid'], /--strategy must be one of Bayesian, Random, got "Grid"/],
    [['--num-round', '0'], /--num-round must be between 1 and 10000, got 0/],
    [['--rows'], /--rows needs a value/],
    [['--rows', '--trials', '3'], /--rows needs a value/],
    [['--rows='], /--rows needs a value, got an empty string/],
    [['--colour', 'red'], /unknown option "--colour"/],
    [['rows', '5'], /unexpected argument "rows"/],
    [['--no-cache=yes'], /--no-cache takes no value/],
    [['--rows', '100', '--rows', '200'], /--rows is given twice \("100" and "200"\)/],
    [['--data', 'missing.csv', '--label', 'y'], /--data file "missing\.csv" does not exist/],
    [['--data', 'houses.csv'], /--data needs --label COL/],
    [['--data', 'houses.csv', '--label', 'cost'], /--label "cost" is not a column of houses\.csv; its header has: sqft, price, rooms/],
    [['--label', 'price'], /--label "price" only applies with --data FILE/],
    [['--data', 'houses.csv', '--label', 'price', '--rows', '500'], /--rows 500 only applies to sample data/],
    [['--data', '.', '--label', 'x'], /--data file "\." does not exist/],
  ])('%j is rejected with a clear message', (argv, message) => {
    expect(() => parse(argv)).toThrow(UsageError);
    expect(() => parse(argv)).toThrow(message);
  });
});

describe('loadRunConfig', () => {
  const parse = (argv: string[]) => parseCliArgs(argv, process.cwd(), '/tmp/unused');

  test('the stage config with the overrides merged in', () => {
    const config = loadRunConfig(parse(['--stage', 'prod', '--trials', '8']));
    expect(config.tuning).toEqual({ ...DEFAULT_STAGE_CONFIGS.prod.tuning, maxJobs: 8 });
    expect(config.instances).toEqual(DEFAULT_STAGE_CONFIGS.prod.instances);
  });

  test.each([
    [['--threshold', '5'], '--threshold: qualityGate.threshold is 5: expected a number <= 1 for metric r2'],
    [['--metric', 'auc'], '--metric: qualityGate.metric is "auc": expected a regression metric: one of mse, rmse, mae, r2'],
    [['--trials', '3', '--parallel', '5'], '--parallel: tuning.maxParallelJobs is 5: must be <= tuning.maxJobs (3)'],
  ])('a value the stage config check rejects names the flag: %j', (argv, message) => {
    expect(() => loadRunConfig(parse(argv))).toThrow(UsageError);
    expect(() => loadRunConfig(parse(argv))).toThrow(message);
  });
});
