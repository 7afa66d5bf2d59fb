import { decodeDimension, dimensionsFromRanges, TuningSampler, type Dimension } from '../../../local/executor';
import { mulberry32 } from '../../../local/executor/tuning-sampler';

const ranges = {
  ContinuousParameterRanges: [
    { Name: 'eta', MinValue: '0.001', MaxValue: '1', ScalingType: 'Logarithmic' },
    { Name: 'subsample', MinValue: '0.5', MaxValue: '1', ScalingType: 'Auto' },
    { Name: 'momentum', MinValue: '0.9', MaxValue: '0.999', ScalingType: 'ReverseLogarithmic' },
    { Name: 'alpha', MinValue: '0.01', MaxValue: '100', ScalingType: 'Auto' },
  ],
  IntegerParameterRanges: [{ Name: 'max_depth', MinValue: '3', MaxValue: '10', ScalingType: 'Linear' }],
  CategoricalParameterRanges: [{ Name: 'booster', Values: ['gbtree', 'dart'] }],
};

describe('hyperparameter ranges', () => {
  test('reads ranges with their scaling (Auto picks log for ranges over two orders of magnitude)', () => {
    const dims = dimensionsFromRanges(ranges);
    expect(dims.map((d) => [d.name, d.kind, 'scaling' in d ? d.scaling : '-'])).toEqual([
      ['eta', 'Continuous', 'Logarithmic'],
      ['subsample', 'Continuous', 'Linear'],
      ['momentum', 'Continuous', 'ReverseLogarithmic'],
      ['alpha', 'Continuous', 'Logarithmic'],
      ['max_depth', 'Integer', 'Linear'],
      ['booster', 'Categorical', '-'],
    ]);
  });

  test('decodes the unit interval on each scale', () => {
    const [eta, subsample, momentum, , depth, booster] = dimensionsFromRanges(ranges);
    expect(decodeDimension(eta, 0)).toBe('0.001');
    expect(decodeDimension(eta, 1)).toBe('1');
    expect(Number(decodeDimension(eta, 0.5))).toBeCloseTo(Math.sqrt(0.001), 6); // geometric midpoint
    expect(decodeDimension(subsample, 0.5)).toBe('0.75');
    expect(decodeDimension(momentum, 0)).toBe('0.9');
    expect(Number(decodeDimension(momentum, 1))).toBeCloseTo(0.999, 9);
    expect(Number(decodeDimension(momentum, 0.5))).toBeCloseTo(1 - Math.sqrt(0.1 * 0.001), 6); // dense near 1
    expect(decodeDimension(depth, 0)).toBe('3');
    expect(decodeDimension(depth, 1)).toBe('10');
    expect(decodeDimension(booster, 0.2)).toBe('gbtree');
    expect(decodeDimension(booster, 0.99)).toBe('dart');
  });

  test('bad ranges name the hyperparameter', () => {
    expect(() => dimensionsFromRanges({ ContinuousParameterRanges: [{ Name: 'eta', MinValue: '0', MaxValue: '1', ScalingType: 'Logarithmic' }] })).toThrow(
      /"eta": Logarithmic scaling needs MinValue > 0, got 0/,
    );
    expect(() => dimensionsFromRanges({ ContinuousParameterRanges: [{ Name: 'x', MinValue: 'a', MaxValue: '1' }] })).toThrow(/"x": MinValue "a" is not a number/);
    expect(() => dimensionsFromRanges({ IntegerParameterRanges: [{ Name: 'd', MinValue: '5', MaxValue: '2' }] })).toThrow(/"d": MinValue 5 is greater than MaxValue 2/);
    expect(() => dimensionsFromRanges({ ContinuousParameterRanges: [{ Name: 'x', MinValue: '0', MaxValue: '1', ScalingType: 'Cubic' }] })).toThrow(/unknown ScalingType "Cubic"/);
    expect(() => dimensionsFromRanges({})).toThrow(/no ranges/);
  });
});

describe('TuningSampler', () => {
  const dims = dimensionsFromRanges(ranges);

  test('Random proposals stay in range and are reproducible from the seed', () => {
    const propose = (seed: number) => {
      const sampler = new TuningSampler({ strategy: 'Random', dimensions: dims, maxTrials: 20, objectiveType: 'Minimize', seed });
      const out = [];
      for (let s = sampler.next([], []); s; s = sampler.next([], [])) out.push(s.hyperParameters);
      return out;
    };
    const a = propose(1);
    expect(a).toHaveLength(20);
    expect(propose(1)).toEqual(a);
    expect(propose(2)).not.toEqual(a);
    for (const hp of a) {
      expect(Number(hp.eta)).toBeGreaterThanOrEqual(0.001);
      expect(Number(hp.eta)).toBeLessThanOrEqual(1);
      expect(Number.isInteger(Number(hp.max_depth))).toBe(true);
      expect(['gbtree', 'dart']).toContain(hp.booster);
    }
  });

  test('Grid enumerates every categorical combination and rejects numeric ranges', () => {
    const grid = dimensionsFromRanges({
      CategoricalParameterRanges: [
        { Name: 'a', Values: ['1', '2', '3'] },
        { Name: 'b', Values: ['x', 'y'] },
      ],
    });
    const sampler = new TuningSampler({ strategy: 'Grid', dimensions: grid, objectiveType: 'Maximize', seed: 1 });
    expect(sampler.totalTrials).toBe(6);
    const combos = [];
    for (let s = sampler.next([], []); s; s = sampler.next([], [])) combos.push(`${s.hyperParameters.a}${s.hyperParameters.b}`);
    expect(combos).toEqual(['1x', '1y', '2x', '2y', '3x', '3y']);
    expect(() => new TuningSampler({ strategy: 'Grid', dimensions: dims, objectiveType: 'Minimize', seed: 1 })).toThrow(
      /Grid tuning supports only CategoricalParameterRanges, but "eta" is a Continuous range/,
    );
  });

  test('Bayesian finds a better optimum than its random start on a smooth function', () => {
    const space: Dimension[] = [
      { name: 'x', kind: 'Continuous', min: 0, max: 1, scaling: 'Linear' },
      { name: 'y', kind: 'Continuous', min: 0, max: 1, scaling: 'Linear' },
    ];
    const f = (hp: Record<string, string>) => (Number(hp.x) - 0.73) ** 2 + (Number(hp.y) - 0.21) ** 2;
    const runStrategy = (strategy: 'Bayesian' | 'Random', seed: number) => {
      const sampler = new TuningSampler({ strategy, dimensions: space, maxTrials: 25, objectiveType: 'Minimize', seed });
      const observations: { unit: number[]; value: number }[] = [];
      for (let s = sampler.next(observations, []); s; s = sampler.next(observations, [])) {
        observations.push({ unit: s.unit, value: f(s.hyperParameters) });
      }
      return Math.min(...observations.map((o) => o.value));
    };
    const seeds = [1, 2, 3, 4, 5];
    const bayes = seeds.map((s) => runStrategy('Bayesian', s));
    const random = seeds.map((s) => runStrategy('Random', s));
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(bayes)).toBeLessThan(mean(random));
    expect(Math.max(...bayes)).toBeLessThan(0.01);
  });

  test('Maximize objectives are handled (the sampler moves toward larger values)', () => {
    const space: Dimension[] = [{ name: 'x', kind: 'Continuous', min: 0, max: 1, scaling: 'Linear' }];
    const sampler = new TuningSampler({ strategy: 'Bayesian', dimensions: space, maxTrials: 15, objectiveType: 'Maximize', seed: 9 });
    const observations: { unit: number[]; value: number }[] = [];
    for (let s = sampler.next(observations, []); s; s = sampler.next(observations, [])) {
      observations.push({ unit: s.unit, value: -Math.abs(Number(s.hyperParameters.x) - 0.4) });
    }
    expect(Math.max(...observations.map((o) => o.value))).toBeGreaterThan(-0.02);
  });

  test('MaxNumberOfTrainingJobs is required for Random/Bayesian', () => {
    expect(() => new TuningSampler({ strategy: 'Random', dimensions: dims, objectiveType: 'Minimize', seed: 1 })).toThrow(
      /MaxNumberOfTrainingJobs must be at least 1/,
    );
  });

  test('mulberry32 is uniform enough', () => {
    const r = mulberry32(42);
    const values = Array.from({ length: 10000 }, () => r());
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
  });
});

describe('Integer ranges', () => {
  /** Share of each value over many draws of a seeded Random sampler. */
  function shares(range: Record<string, string>, draws: number): Map<string, number> {
    const dims = dimensionsFromRanges({ IntegerParameterRanges: [{ Name: 'k', ...range }] });
    const sampler = new TuningSampler({ strategy: 'Random', dimensions: dims, maxTrials: draws, objectiveType: 'Minimize', seed: 7 });
    const counts = new Map<string, number>();
    for (let s = sampler.next([], []); s; s = sampler.next([], [])) counts.set(s.hyperParameters.k, (counts.get(s.hyperParameters.k) ?? 0) + 1);
    return new Map([...counts].map(([k, n]) => [k, n / draws]));
  }

  test('a linear range draws every value, the end values included, equally often', () => {
    const got = shares({ MinValue: '1', MaxValue: '4', ScalingType: 'Linear' }, 20_000);
    expect([...got.keys()].sort()).toEqual(['1', '2', '3', '4']);
    for (const share of got.values()) expect(Math.abs(share - 0.25)).toBeLessThan(0.015);
  });

  test('a logarithmic range gives each value k the share log((k + 1) / k) / log((max + 1) / min)', () => {
    const got = shares({ MinValue: '1', MaxValue: '8', ScalingType: 'Logarithmic' }, 20_000);
    for (let k = 1; k <= 8; k++) {
      expect(Math.abs((got.get(String(k)) ?? 0) - Math.log((k + 1) / k) / Math.log(9))).toBeLessThan(0.015);
    }
  });
});
