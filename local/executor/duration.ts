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
 * Parses an ISO-8601 duration such as `P30D`, `PT1H30M`, `P1Y2M`, `P2W` (the `CacheConfig.ExpireAfter`
 * format; SageMaker also accepts the lowercase, P-less forms `30d` and `T16m`). Years are 365 days and
 * months 30 days. Throws naming the value when it is not a duration.
 */
export function parseIsoDuration(text: string): number {
  const match = /^P?(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(
    typeof text === 'string' ? text.trim() : '',
  );
  if (!match || match.slice(1).every((g) => g === undefined) || /T$/i.test(text.trim())) {
    throw new Error(
      `Invalid ISO-8601 duration ${JSON.stringify(text)}: use a form like "P30D", "PT12H" or "P1DT6H"`,
    );
  }
  const units = ['Y', 'MO', 'W', 'D', 'H', 'MI', 'S'];
  let ms = 0;
  units.forEach((unit, i) => {
    const v = match[i + 1];
    if (v !== undefined) ms += Number(v) * UNIT_MS[unit];
  });
  return ms;
}
