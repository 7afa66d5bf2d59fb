/** Latency percentiles of the requests, in ms. */
export interface LatencySummary {
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * The nearest-rank percentile (pure): the smallest measured value such that at least `percent`% of the values are at
 * or below it, i.e. the value at rank ceil(percent / 100 * n) of the sorted values. Always a latency that was
 * measured, never an interpolation; with fewer than 20 requests p95 is the maximum.
 */
export function nearestRankPercentile(sortedValues: readonly number[], percent: number): number {
  if (sortedValues.length === 0) {
    throw new Error('no values: a percentile needs at least one');
  }
  // percent * n / 100 rather than percent / 100 * n: exact for whole percents, so p95 of 20 values is rank 19.
  const rank = Math.max(1, Math.ceil((percent * sortedValues.length) / 100));
  return sortedValues[rank - 1];
}

/** p50, p95, p99 (nearest rank) and the maximum of `latenciesMs` (at least one). */
export function summarizeLatencies(latenciesMs: readonly number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    p50Ms: nearestRankPercentile(sorted, 50),
    p95Ms: nearestRankPercentile(sorted, 95),
    p99Ms: nearestRankPercentile(sorted, 99),
    maxMs: sorted[sorted.length - 1],
  };
}
