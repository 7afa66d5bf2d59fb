import * as crypto from 'crypto';

export type ScalingType = 'Linear' | 'Logarithmic' | 'ReverseLogarithmic';

/** One tuned hyperparameter. */
export type Dimension =
  | {
      readonly name: string;
      readonly kind: 'Continuous' | 'Integer';
      readonly min: number;
      readonly max: number;
      readonly scaling: ScalingType;
    }
  | { readonly name: string; readonly kind: 'Categorical'; readonly values: readonly string[] };

export type TuningStrategy = 'Bayesian' | 'Random' | 'Grid' | 'Hyperband';

interface RangeJson {
  readonly Name?: unknown;
  readonly MinValue?: unknown;
  readonly MaxValue?: unknown;
  readonly ScalingType?: unknown;
  readonly Values?: unknown;
}

/** Deterministic 32-bit seed from strings. */
export function hashSeed(...parts: string[]): number {
  return crypto.createHash('sha256').update(parts.join('\u0000')).digest().readUInt32LE(0);
}

/** Small, fast seeded PRNG (mulberry32), uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function resolveScaling(name: string, scaling: unknown, min: number, max: number): ScalingType {
  const s = scaling ?? 'Auto';
  if (s === 'Linear') return 'Linear';
  if (s === 'Logarithmic') {
    if (!(min > 0)) throw new Error(`Hyperparameter range "${name}": Logarithmic scaling needs MinValue > 0, got ${min}`);
    return 'Logarithmic';
  }
  if (s === 'ReverseLogarithmic') {
    if (!(min >= 0 && max < 1)) {
      throw new Error(`Hyperparameter range "${name}": ReverseLogarithmic scaling needs 0 <= MinValue < MaxValue < 1, got [${min}, ${max}]`);
    }
    return 'ReverseLogarithmic';
  }
  if (s === 'Auto') {
    // Like SageMaker's Auto, pick a log scale for ranges spanning two or more orders of magnitude.
    return min > 0 && max / min >= 100 ? 'Logarithmic' : 'Linear';
  }
  throw new Error(
    `Hyperparameter range "${name}": unknown ScalingType ${JSON.stringify(scaling)} (use Auto, Linear, Logarithmic or ReverseLogarithmic)`,
  );
}

function toNumber(name: string, field: string, value: unknown): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new Error(`Hyperparameter range "${name}": ${field} ${JSON.stringify(value)} is not a number`);
  }
  return n;
}

/** Reads `ParameterRanges` into dimensions; throws naming the bad range. */
export function dimensionsFromRanges(ranges: unknown): Dimension[] {
  const r = (ranges ?? {}) as Record<string, unknown>;
  const dims: Dimension[] = [];
  const list = (key: string): RangeJson[] => {
    const v = r[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw new Error(`ParameterRanges.${key} must be a list`);
    return v as RangeJson[];
  };
  for (const kind of ['Continuous', 'Integer'] as const) {
    for (const range of list(`${kind}ParameterRanges`)) {
      const name = String(range.Name);
      const min = toNumber(name, 'MinValue', range.MinValue);
      const max = toNumber(name, 'MaxValue', range.MaxValue);
      if (!(min <= max)) throw new Error(`Hyperparameter range "${name}": MinValue ${min} is greater than MaxValue ${max}`);
      if (kind === 'Integer' && (!Number.isInteger(min) || !Number.isInteger(max))) {
        throw new Error(`Hyperparameter range "${name}": Integer bounds must be whole numbers, got [${min}, ${max}]`);
      }
      dims.push({ name, kind, min, max, scaling: resolveScaling(name, range.ScalingType, min, max) });
    }
  }
  for (const range of list('CategoricalParameterRanges')) {
    const name = String(range.Name);
    if (!Array.isArray(range.Values) || range.Values.length === 0) {
      throw new Error(`Hyperparameter range "${name}": Values must be a non-empty list`);
    }
    dims.push({ name, kind: 'Categorical', values: range.Values.map(String) });
  }
  const names = new Set<string>();
  for (const d of dims) {
    if (names.has(d.name)) throw new Error(`Hyperparameter "${d.name}" has more than one range`);
    names.add(d.name);
  }
  if (dims.length === 0) throw new Error('ParameterRanges has no ranges to tune');
  return dims;
}

function formatNumber(v: number): string {
  return String(Number(v.toPrecision(10)));
}

/** Maps a point of the unit interval to a hyperparameter value (as SageMaker passes it: a string). */
export function decodeDimension(dim: Dimension, u: number): string {
  const x = Math.min(1, Math.max(0, u));
  if (dim.kind === 'Categorical') {
    return dim.values[Math.min(dim.values.length - 1, Math.floor(x * dim.values.length))];
  }
  if (dim.kind === 'Integer') {
    // Every integer k gets an equal share of [min, max + 1) (on a log scale: of its log), as [k, k + 1); rounding
    // instead would give the two end values half a share each.
    const hi = dim.max + 1;
    const v =
      dim.scaling === 'Logarithmic'
        ? Math.exp(Math.log(dim.min) + x * (Math.log(hi) - Math.log(dim.min)))
        : dim.min + x * (hi - dim.min);
    return String(Math.min(dim.max, Math.max(dim.min, Math.floor(v))));
  }
  let v: number;
  if (dim.scaling === 'Logarithmic') {
    v = Math.exp(Math.log(dim.min) + x * (Math.log(dim.max) - Math.log(dim.min)));
  } else if (dim.scaling === 'ReverseLogarithmic') {
    v = 1 - Math.exp(Math.log(1 - dim.min) + x * (Math.log(1 - dim.max) - Math.log(1 - dim.min)));
  } else {
    v = dim.min + x * (dim.max - dim.min);
  }
  return formatNumber(Math.min(dim.max, Math.max(dim.min, v)));
}

export interface Observation {
  readonly unit: readonly number[];
  /** Objective value (in the objective's own direction). */
  readonly value: number;
}

export interface Suggestion {
  readonly unit: number[];
  readonly hyperParameters: Record<string, string>;
}

// ---- Gaussian process (for Bayesian) ---------------------------------------------------------------

function cholesky(a: number[][]): number[][] | undefined {
  const n = a.length;
  const l = a.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i][j];
      for (let k = 0; k < j; k++) sum -= l[i][k] * l[j][k];
      if (i === j) {
        if (sum <= 0) return undefined;
        l[i][i] = Math.sqrt(sum);
      } else {
        l[i][j] = sum / l[j][j];
      }
    }
  }
  return l;
}

function solveLower(l: number[][], b: number[]): number[] {
  const x = new Array<number>(b.length).fill(0);
  for (let i = 0; i < b.length; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * x[k];
    x[i] = s / l[i][i];
  }
  return x;
}

function solveUpper(l: number[][], b: number[]): number[] {
  // Solves L^T x = b.
  const n = b.length;
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k][i] * x[k];
    x[i] = s / l[i][i];
  }
  return x;
}

function rbf(a: readonly number[], b: readonly number[], lengthScale: number): number {
  let d2 = 0;
  for (let i = 0; i < a.length; i++) d2 += (a[i] - b[i]) ** 2;
  return Math.exp(-d2 / (2 * lengthScale * lengthScale));
}

interface GpModel {
  predict(x: readonly number[]): { mean: number; sd: number };
}

const NOISE = 1e-4;

function fitGp(xs: readonly (readonly number[])[], ys: readonly number[], lengthScale: number): { model: GpModel; logLik: number } | undefined {
  const n = xs.length;
  const k = xs.map((a, i) => xs.map((b, j) => rbf(a, b, lengthScale) + (i === j ? NOISE : 0)));
  const l = cholesky(k);
  if (!l) return undefined;
  const alpha = solveUpper(l, solveLower(l, [...ys]));
  let logDet = 0;
  for (let i = 0; i < n; i++) logDet += Math.log(l[i][i]);
  const logLik = -0.5 * ys.reduce((s, y, i) => s + y * alpha[i], 0) - logDet;
  return {
    logLik,
    model: {
      predict(x) {
        const kx = xs.map((a) => rbf(a, x, lengthScale));
        const mean = kx.reduce((s, v, i) => s + v * alpha[i], 0);
        const v = solveLower(l, kx);
        const variance = Math.max(1e-12, 1 + NOISE - v.reduce((s, vi) => s + vi * vi, 0));
        return { mean, sd: Math.sqrt(variance) };
      },
    },
  };
}

function erf(x: number): number {
  // Abramowitz & Stegun 7.1.26 (max error 1.5e-7).
  const sign = x < 0 ? -1 : 1;
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y =
    1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return sign * y;
}

function expectedImprovement(mean: number, sd: number, best: number): number {
  // Minimization, on standardized values.
  const xi = 0.01;
  const improvement = best - mean - xi;
  const z = improvement / sd;
  const cdf = 0.5 * (1 + erf(z / Math.SQRT2));
  const pdf = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
  return improvement * cdf + sd * pdf;
}

// ---- Sampler -------------------------------------------------------------------------------------------

/**
 * Proposes hyperparameters for tuning trials:
 * - `Random` (and `Hyperband`, which runs locally without early stopping): independent uniform samples
 *   on each range's scale;
 * - `Bayesian`: random for the first few trials, then a Gaussian process over the unit cube with expected
 *   improvement (candidates scored in TypeScript; trials still running count as the current mean);
 * - `Grid`: every combination of the categorical values, in order.
 * All randomness comes from the seed, so a seed reproduces the proposals given the same results.
 */
export class TuningSampler {
  readonly strategy: TuningStrategy;
  readonly dimensions: readonly Dimension[];
  readonly totalTrials: number;
  private readonly random: () => number;
  private readonly minimize: boolean;
  private readonly initialRandom: number;
  private readonly grid?: number[][];
  private issued = 0;

  constructor(props: {
    strategy: TuningStrategy;
    dimensions: readonly Dimension[];
    maxTrials?: number;
    objectiveType: 'Minimize' | 'Maximize';
    seed: number;
  }) {
    this.strategy = props.strategy;
    this.dimensions = props.dimensions;
    this.random = mulberry32(props.seed);
    this.minimize = props.objectiveType === 'Minimize';
    if (props.strategy === 'Grid') {
      const notCategorical = props.dimensions.find((d) => d.kind !== 'Categorical');
      if (notCategorical) {
        throw new Error(
          `Grid tuning supports only CategoricalParameterRanges, but "${notCategorical.name}" is a ${notCategorical.kind} range; ` +
            'use Random or Bayesian, or list its values as a categorical range',
        );
      }
      let combos: number[][] = [[]];
      for (const d of props.dimensions) {
        const k = (d as { values: readonly string[] }).values.length;
        const next: number[][] = [];
        for (const c of combos) for (let i = 0; i < k; i++) next.push([...c, (i + 0.5) / k]);
        combos = next;
      }
      this.grid = combos;
      this.totalTrials = Math.min(combos.length, props.maxTrials ?? combos.length);
    } else {
      if (props.maxTrials === undefined || !(props.maxTrials >= 1)) {
        throw new Error(`ResourceLimits.MaxNumberOfTrainingJobs must be at least 1 for ${props.strategy} tuning, got ${props.maxTrials}`);
      }
      this.totalTrials = Math.floor(props.maxTrials);
    }
    this.initialRandom = Math.max(3, Math.min(props.dimensions.length + 1, 6));
  }

  /** Hyperparameters for the next trial; undefined when all trials have been proposed. */
  next(observations: readonly Observation[], pending: readonly (readonly number[])[]): Suggestion | undefined {
    if (this.issued >= this.totalTrials) return undefined;
    const index = this.issued++;
    let unit: number[];
    if (this.grid) {
      unit = this.grid[index];
    } else if (this.strategy === 'Bayesian' && observations.length >= this.initialRandom) {
      unit = this.bayesian(observations, pending);
    } else {
      unit = this.dimensions.map(() => this.random());
    }
    return { unit, hyperParameters: this.decode(unit) };
  }

  decode(unit: readonly number[]): Record<string, string> {
    const out: Record<string, string> = {};
    this.dimensions.forEach((d, i) => {
      out[d.name] = decodeDimension(d, unit[i]);
    });
    return out;
  }

  private bayesian(observations: readonly Observation[], pending: readonly (readonly number[])[]): number[] {
    const raw = observations.map((o) => (this.minimize ? o.value : -o.value));
    const mean = raw.reduce((s, v) => s + v, 0) / raw.length;
    const sd = Math.sqrt(raw.reduce((s, v) => s + (v - mean) ** 2, 0) / raw.length) || 1;
    const ys = raw.map((v) => (v - mean) / sd);
    // Trials still running are assumed to land at the mean ("constant liar"), so parallel proposals spread out.
    const xs = [...observations.map((o) => [...o.unit]), ...pending.map((p) => [...p])];
    const allY = [...ys, ...pending.map(() => 0)];
    const d = this.dimensions.length;
    let best: { model: GpModel; logLik: number } | undefined;
    for (const scale of [0.1, 0.2, 0.35, 0.6, 1.0]) {
      const fit = fitGp(xs, allY, scale * Math.sqrt(d));
      if (fit && (!best || fit.logLik > best.logLik)) best = fit;
    }
    if (!best) return this.dimensions.map(() => this.random());
    const bestY = Math.min(...ys);
    const bestX = observations[ys.indexOf(bestY)].unit;
    let choice: number[] = this.dimensions.map(() => this.random());
    let choiceScore = -Infinity;
    const consider = (x: number[]): void => {
      const { mean: m, sd: s } = best!.model.predict(x);
      const ei = expectedImprovement(m, s, bestY);
      if (ei > choiceScore) {
        choiceScore = ei;
        choice = x;
      }
    };
    for (let i = 0; i < 400; i++) consider(this.dimensions.map(() => this.random()));
    for (let i = 0; i < 100; i++) {
      consider(bestX.map((v) => Math.min(1, Math.max(0, v + (this.random() - 0.5) * 0.2))));
    }
    return choice;
  }
}
