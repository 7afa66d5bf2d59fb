import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { SystemTestError } from '../../../lambda/system-test/errors';
import { classificationMetrics, regressionMetrics } from '../../../lambda/system-test/metrics';

const ROOT = path.join(__dirname, '..', '..', '..');
const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
const EVALUATE_PY = path.join(ROOT, 'ml', 'evaluate.py');
const TOLERANCE = 1e-9;

/**
 * Runs evaluate.py's own metric functions on each case (imported by path, as the pipeline's Evaluate step runs
 * them) and prints, per case, the metric values or the error it raised.
 */
const SCRIPT = `
import importlib.util, json, sys
import numpy as np
spec = importlib.util.spec_from_file_location("evaluate", sys.argv[1])
evaluate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(evaluate)
results = []
for case in json.load(sys.stdin):
    labels = np.array(case["labels"], dtype=float)
    predictions = np.array(case["predictions"], dtype=float)
    try:
        if case["problemType"] == "regression":
            metrics = evaluate.regression_metrics(labels, predictions)
        else:
            metrics = evaluate.classification_metrics(labels, predictions)
        results.append({"values": {k: v["value"] for k, v in metrics.items() if isinstance(v, dict) and "value" in v}})
    except Exception as error:
        results.append({"error": type(error).__name__, "message": str(error)})
print(json.dumps(results, allow_nan=False))
`;

interface Case {
  readonly name: string;
  readonly problemType: 'regression' | 'binary_classification';
  readonly labels: number[];
  readonly predictions: number[];
}

type PythonResult = { values: Record<string, number> } | { error: string; message: string };

/** A seeded generator (mulberry32), so that a failure reproduces. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

function regressionCase(name: string, seed: number, rows: number, scale: number, noise: number): Case {
  const next = random(seed);
  const labels = Array.from({ length: rows }, () => scale * (2 + normal(next)));
  return { name, problemType: 'regression', labels, predictions: labels.map((label) => label + noise * scale * normal(next)) };
}

function binaryCase(name: string, seed: number, rows: number, decimals: number | undefined, skill: number): Case {
  const next = random(seed);
  const labels = Array.from({ length: rows }, () => (next() < 0.4 ? 1 : 0));
  const predictions = labels.map((label) => {
    const p = 1 / (1 + Math.exp(-(skill * (label - 0.5) + normal(next))));
    return decimals === undefined ? p : Number(p.toFixed(decimals));
  });
  return { name, problemType: 'binary_classification', labels, predictions };
}

const CASES: Case[] = [
  regressionCase('1000 rows, a good fit', 1, 1000, 10, 0.3),
  regressionCase('3000 rows of house prices (large values)', 2, 3000, 150_000, 0.2),
  regressionCase('20000 rows (numpy sums long arrays in 8192-element chunks)', 3, 20_000, 1, 1),
  regressionCase('a poor fit (negative r2)', 4, 500, 5, 3),
  regressionCase('one row (evaluate.py says r2 = 0)', 5, 1, 10, 0.3),
  regressionCase('two rows', 6, 2, 10, 0.3),
  { name: 'constant labels, perfect predictions (r2 = 1)', problemType: 'regression', labels: [3, 3, 3, 3], predictions: [3, 3, 3, 3] },
  { name: 'constant labels, imperfect predictions (r2 = 0)', problemType: 'regression', labels: [3, 3, 3], predictions: [2, 3, 4] },
  { name: 'constant labels whose mean is inexact', problemType: 'regression', labels: [0.1, 0.1, 0.1], predictions: [0.2, 0.1, 0.1] },
  { name: 'exact predictions', problemType: 'regression', labels: [1, 2.5, -3, 4e6], predictions: [1, 2.5, -3, 4e6] },
  binaryCase('1000 rows, continuous probabilities', 7, 1000, undefined, 2),
  binaryCase('3000 rows, probabilities to 1 decimal (many ties)', 8, 3000, 1, 2),
  binaryCase('2000 rows, probabilities to 2 decimals', 9, 2000, 2, 1),
  binaryCase('a model worse than chance', 10, 800, 3, -1.5),
  { name: 'perfect separation', problemType: 'binary_classification', labels: [0, 0, 1, 1], predictions: [0.1, 0.2, 0.8, 0.9] },
  { name: 'every probability 0.5 (all predicted 1)', problemType: 'binary_classification', labels: [0, 1, 0, 1, 1], predictions: [0.5, 0.5, 0.5, 0.5, 0.5] },
  { name: 'no predicted 1 (precision by zero_division)', problemType: 'binary_classification', labels: [0, 1, 0, 1], predictions: [0.1, 0.3, 0.2, 0.49] },
  { name: 'two rows', problemType: 'binary_classification', labels: [1, 0], predictions: [0.3, 0.7] },
  { name: 'labels written as 0.0 and 1.0, probabilities 0 and 1', problemType: 'binary_classification', labels: [0.0, 1.0, 1.0], predictions: [0, 1, 0] },
];

/** Cases both implementations refuse. */
const REFUSED: Case[] = [
  { name: 'one class only', problemType: 'binary_classification', labels: [1, 1, 1], predictions: [0.2, 0.9, 0.6] },
  { name: 'labels that are not 0/1', problemType: 'binary_classification', labels: [0, 1, 2], predictions: [0.2, 0.9, 0.6] },
  { name: 'no rows (regression)', problemType: 'regression', labels: [], predictions: [] },
  { name: 'no rows (binary)', problemType: 'binary_classification', labels: [], predictions: [] },
];

function runEvaluatePy(cases: readonly Case[]): PythonResult[] {
  if (!fs.existsSync(PYTHON)) {
    throw new Error(`${PYTHON} does not exist: run \`npm run venv\` to create the project's virtualenv`);
  }
  const output = execFileSync(PYTHON, ['-c', SCRIPT, EVALUATE_PY], {
    input: JSON.stringify(cases),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(output) as PythonResult[];
}

function typescriptMetrics(testCase: Case): Record<string, number> {
  return testCase.problemType === 'regression'
    ? { ...regressionMetrics(testCase.labels, testCase.predictions) }
    : { ...classificationMetrics(testCase.labels, testCase.predictions) };
}

describe('metrics.ts computes what ml/evaluate.py computes', () => {
  let python: PythonResult[];
  let refused: PythonResult[];

  beforeAll(() => {
    [python, refused] = [runEvaluatePy(CASES), runEvaluatePy(REFUSED)];
  });

  test.each(CASES.map((testCase, index) => [testCase.problemType, testCase.name, index] as const))(
    '%s: %s → every metric within 1e-9 (relative above 1)',
    (_type, _name, index) => {
      const expected = python[index];
      if (!('values' in expected)) throw new Error(`evaluate.py refused the case: ${expected.error}: ${expected.message}`);
      const actual = typescriptMetrics(CASES[index]);

      expect(Object.keys(actual).sort()).toEqual(Object.keys(expected.values).sort());
      for (const [metric, value] of Object.entries(expected.values)) {
        const difference = Math.abs(actual[metric] - value);
        if (!(difference <= TOLERANCE * Math.max(1, Math.abs(value)))) {
          throw new Error(`${metric}: TypeScript ${actual[metric]}, evaluate.py ${value} (difference ${difference})`);
        }
      }
    },
  );

  test.each(REFUSED.map((testCase, index) => [testCase.name, index] as const))(
    'GIVEN %s THEN evaluate.py raises and metrics.ts throws MetricUndefined',
    (_name, index) => {
      expect(refused[index]).toMatchObject({ error: expect.any(String) });
      const testCase = REFUSED[index];
      let thrown: unknown;
      try {
        typescriptMetrics(testCase);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(SystemTestError);
      expect(thrown).toMatchObject({ name: 'MetricUndefined' });
    },
  );
});
