/**
 * Durations as SageMaker Pipelines writes them in `CacheConfig.ExpireAfter`: ISO-8601 (`P30D`, `PT12H`, `P1DT6H`,
 * `P2W`) and the lowercase forms without `P` that the SageMaker Python SDK documents (`30d`, `T16m`). One parser
 * serves the validator and the local executor's cache, so both read a duration the same way.
 */
const UNIT_MS: Record<string, number> = {
  Y: 365 * 24 * 3600 * 1000,
  MO: 30 * 24 * 3600 * 1000,
  W: 7 * 24 * 3600 * 1000,
  D: 24 * 3600 * 1000,
  H: 3600 * 1000,
  MI: 60 * 1000,
  S: 1000,
};

/**
 * Parses a duration such as `P30D`, `PT1H30M`, `P1Y2M`, `P2W`, `30d` or `T16m`. Years are 365 days and months 30
 * days. Throws naming the value when it is not a duration.
 */
export function parseIsoDuration(text: string): number {
  const ms = durationMs(text);
  if (ms === undefined) {
    throw new Error(`Invalid ISO-8601 duration ${JSON.stringify(text)}: use a form like "P30D", "PT12H" or "P1DT6H"`);
  }
  return ms;
}

/** The duration `text` in milliseconds, or undefined when it is not a duration. */
export function durationMs(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const trimmed = text.trim();
  const match = /^P?(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(trimmed);
  if (!match || match.slice(1).every((g) => g === undefined) || /T$/i.test(trimmed)) return undefined;
  const units = ['Y', 'MO', 'W', 'D', 'H', 'MI', 'S'];
  let ms = 0;
  units.forEach((unit, i) => {
    const v = match[i + 1];
    if (v !== undefined) ms += Number(v) * UNIT_MS[unit];
  });
  return ms;
}
