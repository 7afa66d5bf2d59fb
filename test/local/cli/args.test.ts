import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  DEFAULT_PARALLEL,
  DEFAULT_ROWS,
  DEFAULT_SEED,
  DEFAULT_TRIALS,
  parseCliArgs,
  USAGE,
  UsageError,
} from '../../../local/cli';

describe('parseCliArgs', () => {
  let dir: string;
  let dataFile: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-args-'));
    dataFile = path.join(dir, 'houses.csv');
    fs.writeFileSync(dataFile, '\uFEFFsqft,"price",rooms\n100,2000,3\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('defaults', () => {
    const options = parseCliArgs([], dir);
    expect(options).toEqual({
      numRound: undefined,
      rows: DEFAULT_ROWS,
      trials: DEFAULT_TRIALS,
      parallel: DEFAULT_PARALLEL,
      seed: DEFAULT_SEED,
      threshold: undefined,
      problemType: 'regression',
      data: undefined,
      label: 'target',
      strategy: 'Bayesian',
      workDir: path.resolve(__dirname, '..', '..', '..', '.local'),
      cache: true,
      help: false,
    });
    expect(DEFAULT_TRIALS).toBeGreaterThanOrEqual(3);
  });

  test('every flag, in both --flag value and --flag=value form', () => {
    const options = parseCliArgs(
      [
        '--rows', '800',
        '--trials=4',
        '--parallel', '1',
        '--seed', '7',
        '--threshold', '-0.25',
        '--problem-type', 'binary_classification',
        '--strategy=random',
        '--work-dir', 'out',
        '--num-round', '25',
        '--no-cache',
      ],
      dir,
    );
    expect(options).toMatchObject({
      rows: 800,
      trials: 4,
      parallel: 1,
      seed: 7,
      threshold: -0.25,
      problemType: 'binary_classification',
      strategy: 'Random',
      workDir: path.join(dir, 'out'),
      numRound: 25,
      cache: false,
    });
  });

  test('parallel defaults to at most the number of trials', () => {
    expect(parseCliArgs(['--trials', '1'], dir).parallel).toBe(1);
  });

  test('--data with --label reads the header (BOM and quotes allowed)', () => {
    const options = parseCliArgs(['--data', 'houses.csv', '--label', 'price'], dir);
    expect(options.data).toBe(dataFile);
    expect(options.label).toBe('price');
  });

  test('--help', () => {
    expect(parseCliArgs(['--help'], dir).help).toBe(true);
    expect(USAGE).toMatch(/--rows N[\s\S]*--no-cache[\s\S]*--help/);
  });

  test.each([
    [['--rows', 'ten'], /--rows must be a whole number between 50 and \d+, got "ten"/],
    [['--rows', '10'], /--rows must be between 50 and \d+, got 10/],
    [['--rows', '1.5'], /--rows must be a whole number .*got "1\.5"/],
    [['--trials', '0'], /--trials must be between 1 and 100, got 0/],
    [['--trials', '-3'], /--trials must be a whole number .*got "-3"/],
    [['--parallel', '5', '--trials', '3'], /--parallel must not exceed --trials \(3\), got 5/],
    [['--seed', 'abc'], /--seed must be a whole number .*got "abc"/],
    [['--threshold', 'high'], /--threshold must be a number \(e\.g\. 0\.7\), got "high"/],
    [['--threshold', '0.7x'], /--threshold must be a number .*got "0\.7x"/],
    [['--problem-type', 'multiclass'], /--problem-type must be one of regression, binary_classification, got "multiclass"/],
    [['--strategy', 'Grid'], /--strategy must be one of Random, Bayesian, got "Grid"/],
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
  ])('%j is rejected with a clear message', (argv, message) => {
    let error: unknown;
    try {
      parseCliArgs(argv, dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
  });

  test('--data that is a folder is rejected', () => {
    expect(() => parseCliArgs(['--data', '.', '--label', 'x'], dir)).toThrow(/--data file "\." does not exist/);
  });
});
