import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** JSON with object keys sorted, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function sha256Hex(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

export interface CacheEntry {
  readonly cacheKey: string;
  readonly pipelineName: string;
  readonly stepName: string;
  readonly stepType: string;
  readonly executionId: string;
  readonly executionArn: string;
  readonly endTime: string;
  readonly properties: Record<string, unknown>;
  /** Extra record fields to restore (metrics, trials). */
  readonly extras?: Record<string, unknown>;
}

const MAX_ENTRIES_PER_STEP = 20;

/**
 * Step cache index: `<dir>/<pipelineName>/<stepName>.json` holds the latest successful runs of that step
 * with their cache keys and properties.
 */
export class StepCache {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  private file(pipelineName: string, stepName: string): string {
    return path.join(this.dir, encodeURIComponent(pipelineName), `${encodeURIComponent(stepName)}.json`);
  }

  private read(pipelineName: string, stepName: string): CacheEntry[] {
    const file = this.file(pipelineName, stepName);
    if (!fs.existsSync(file)) return [];
    try {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
      return Array.isArray(parsed) ? (parsed as CacheEntry[]) : [];
    } catch {
      // A corrupt index only costs a cache miss; the next store rewrites it.
      return [];
    }
  }

  /** The most recent entry with this key that is younger than `expireAfterMs` (no limit when undefined). */
  lookup(
    pipelineName: string,
    stepName: string,
    cacheKey: string,
    expireAfterMs: number | undefined,
    now: Date,
    isUsable: (entry: CacheEntry) => boolean = () => true,
  ): CacheEntry | undefined {
    const candidates = this.read(pipelineName, stepName)
      .filter((e) => e.cacheKey === cacheKey)
      .filter((e) => expireAfterMs === undefined || now.getTime() - Date.parse(e.endTime) <= expireAfterMs)
      .sort((a, b) => Date.parse(b.endTime) - Date.parse(a.endTime));
    return candidates.find(isUsable);
  }

  store(entry: CacheEntry): void {
    const file = this.file(entry.pipelineName, entry.stepName);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const entries = [entry, ...this.read(entry.pipelineName, entry.stepName)].slice(0, MAX_ENTRIES_PER_STEP);
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(entries, null, 2)}\n`);
    fs.renameSync(tmp, file);
  }
}
