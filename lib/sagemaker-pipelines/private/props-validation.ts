import { isUnresolved } from '../tokens';

/** Collects props errors and throws them together, so a user fixes all at once. */
export class PropsErrors {
  private readonly errors: string[] = [];

  public constructor(private readonly subject: string) {}

  /** Records `message` unless `ok`. */
  public check(ok: boolean, message: string): void {
    if (!ok) {
      this.errors.push(message);
    }
  }

  /** Records `message`. */
  public add(message: string): void {
    this.errors.push(message);
  }

  /** Checks that a resolved number is an integer in [min, max]. */
  public integer(name: string, value: number | undefined, min: number, max: number = Number.MAX_SAFE_INTEGER): void {
    if (value === undefined || isUnresolved(value)) {
      return;
    }
    this.check(
      Number.isInteger(value) && value >= min && value <= max,
      `${name} must be an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}, got ${value}.`,
    );
  }

  /** Checks that a resolved string is an S3 URI (`s3://bucket/...`). */
  public s3Uri(name: string, value: string | undefined): void {
    if (value === undefined || isUnresolved(value)) {
      return;
    }
    this.check(/^s3:\/\/[^/]+(\/.*)?$/.test(value), `${name} must be an S3 URI like s3://bucket/key, got '${value}'.`);
  }

  /** Checks that a resolved string is not empty. */
  public nonEmpty(name: string, value: string | undefined): void {
    if (value === undefined || isUnresolved(value)) {
      return;
    }
    this.check(value.trim() !== '', `${name} must not be empty.`);
  }

  /** Throws one error listing every recorded problem. */
  public throwIfAny(): void {
    if (this.errors.length) {
      throw new Error(`Invalid ${this.subject}:\n${this.errors.map((e) => `  - ${e}`).join('\n')}`);
    }
  }
}

/** Strips leading and trailing slashes of an S3 key prefix (tokens are returned unchanged). */
export function normalizePrefix(prefix: string): string {
  return isUnresolved(prefix) ? prefix : prefix.replace(/^\/+|\/+$/g, '');
}

/**
 * The file name at the end of an S3 URI, which is where a processing container finds a script downloaded to
 * `/opt/ml/processing/input/code/`. Returns undefined when the name is (part of) an unresolved token.
 */
export function scriptFileName(uri: string): string | undefined {
  const name = uri.slice(uri.lastIndexOf('/') + 1);
  return name === '' || isUnresolved(name) ? undefined : name;
}
