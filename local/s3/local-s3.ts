import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** A parsed `s3://bucket/key` URI (key may be empty or a prefix). */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

/** One object returned by {@link LocalS3.list}. */
export interface S3ObjectSummary {
  readonly uri: string;
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** Absolute path of the backing file. */
  readonly localPath: string;
}

/** How an S3 URI is interpreted when staging inputs (like `S3DataType`). */
export type S3DataType = 'S3Prefix' | 'S3Object';

export interface LocalS3Props {
  /**
   * Folder that holds the buckets.
   * @default - `<repo>/.local/s3`
   */
  readonly root?: string;
}

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses `s3://bucket/key`; throws naming the value when it is not a valid S3 URI. */
export function parseS3Uri(uri: string): S3Location {
  if (typeof uri !== 'string') {
    throw new Error(`Malformed S3 URI ${JSON.stringify(uri)}: expected a string like s3://bucket/key`);
  }
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/.exec(uri);
  if (!match) {
    throw new Error(`Malformed S3 URI "${uri}": expected s3://bucket/key`);
  }
  const bucket = match[1];
  const key = match[2] ?? '';
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    throw new Error(
      `Malformed S3 URI "${uri}": bucket "${bucket}" is not a valid bucket name ` +
        '(3-63 characters: lowercase letters, digits, dots and hyphens)',
    );
  }
  const segments = key.split('/');
  if (segments.some((s) => s === '..' || s === '.')) {
    throw new Error(`Malformed S3 URI "${uri}": key segments "." and ".." are not supported locally`);
  }
  if (key.includes('\0')) {
    throw new Error(`Malformed S3 URI "${uri}": key contains a NUL character`);
  }
  return { bucket, key };
}

/** Joins bucket and key into `s3://bucket/key`. */
export function formatS3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** Joins an S3 prefix and a relative path with exactly one slash. */
export function joinS3(prefix: string, ...parts: string[]): string {
  let out = prefix;
  for (const part of parts) {
    if (part === '') continue;
    out = `${out.replace(/\/+$/, '')}/${part.replace(/^\/+/, '')}`;
  }
  return out;
}

function sha256(data: Buffer | string): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/**
 * S3 kept in a folder: `s3://bucket/key` is the file `<root>/bucket/key`.
 * Listing follows S3 prefix semantics (`s3://b/data` matches `data/x.csv` and `data-2.csv`);
 * a "folder" is just a prefix.
 */
export class LocalS3 {
  readonly root: string;
  private readonly fileHashes = new Map<string, { size: number; mtimeMs: number; hash: string }>();

  constructor(props: LocalS3Props = {}) {
    this.root = path.resolve(props.root ?? path.join(REPO_ROOT, '.local', 's3'));
  }

  /** Local file path that backs a URI (whether or not it exists). */
  pathFor(uri: string): string {
    const { bucket, key } = parseS3Uri(uri);
    return path.join(this.root, bucket, ...key.split('/').filter((s) => s !== ''));
  }

  /** Writes an object (creating the bucket folder as needed). */
  putObject(uri: string, body: Buffer | string): void {
    const { key } = parseS3Uri(uri);
    if (key === '' || key.endsWith('/')) {
      throw new Error(`Cannot put an object at "${uri}": the key must name an object, not end with "/"`);
    }
    const target = this.pathFor(uri);
    this.ensureParentIsFolder(uri, target);
    if (fs.existsSync(target) && fs.statSync(target).isDirectory()) {
      throw new Error(
        `Cannot put an object at "${uri}": local S3 already holds objects under "${uri}/" ` +
          '(a local folder cannot be both an object and a prefix); choose another key',
      );
    }
    fs.writeFileSync(target, body);
  }

  /** Copies a local file into S3. */
  putFile(uri: string, file: string): void {
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      throw new Error(`Cannot upload "${file}" to ${uri}: it is not a file`);
    }
    const { key } = parseS3Uri(uri);
    if (key === '' || key.endsWith('/')) {
      throw new Error(`Cannot put an object at "${uri}": the key must name an object, not end with "/"`);
    }
    const target = this.pathFor(uri);
    this.ensureParentIsFolder(uri, target);
    fs.copyFileSync(file, target);
  }

  /** True when an object exists at exactly this key. */
  exists(uri: string): boolean {
    const p = this.pathFor(uri);
    return fs.existsSync(p) && fs.statSync(p).isFile();
  }

  /** Reads an object; throws naming the URI when it does not exist. */
  getObject(uri: string): Buffer {
    const p = this.pathFor(uri);
    if (!fs.existsSync(p) || !fs.statSync(p).isFile()) {
      throw new Error(this.missingMessage(uri));
    }
    return fs.readFileSync(p);
  }

  getText(uri: string): string {
    return this.getObject(uri).toString('utf8');
  }

  /** All objects whose key starts with the URI's key (S3 prefix semantics), sorted by key. */
  list(prefixUri: string): S3ObjectSummary[] {
    const { bucket, key } = parseS3Uri(prefixUri);
    const bucketDir = path.join(this.root, bucket);
    if (!fs.existsSync(bucketDir)) return [];
    const slash = key.lastIndexOf('/');
    const dirKey = slash >= 0 ? key.slice(0, slash) : '';
    const namePrefix = slash >= 0 ? key.slice(slash + 1) : key;
    const startDir = path.join(bucketDir, ...dirKey.split('/').filter((s) => s !== ''));
    if (!fs.existsSync(startDir) || !fs.statSync(startDir).isDirectory()) return [];
    const out: S3ObjectSummary[] = [];
    const walk = (dir: string, keyPrefix: string, filter: string | undefined): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (filter !== undefined && !entry.name.startsWith(filter)) continue;
        const full = path.join(dir, entry.name);
        const objectKey = keyPrefix + entry.name;
        if (entry.isDirectory()) {
          walk(full, `${objectKey}/`, undefined);
        } else if (entry.isFile()) {
          out.push({
            uri: formatS3Uri(bucket, objectKey),
            bucket,
            key: objectKey,
            size: fs.statSync(full).size,
            localPath: full,
          });
        }
      }
    };
    walk(startDir, dirKey ? `${dirKey}/` : '', namePrefix === '' ? undefined : namePrefix);
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return out;
  }

  /**
   * Downloads objects into a local folder the way SageMaker stages job inputs:
   * `S3Prefix` copies every object under the prefix, keeping its path relative to the prefix
   * (an object whose key equals the prefix lands under its basename; `s3://b/data` matching
   * `data-2.csv` keeps the path relative to the prefix's folder); `S3Object` copies one object
   * to its basename. Returns the written local paths. Throws when nothing matches.
   */
  downloadTo(uri: string, destDir: string, dataType: S3DataType = 'S3Prefix'): string[] {
    const { key } = parseS3Uri(uri);
    fs.mkdirSync(destDir, { recursive: true });
    if (dataType === 'S3Object') {
      const source = this.pathFor(uri);
      if (!fs.existsSync(source) || !fs.statSync(source).isFile()) throw new Error(this.missingMessage(uri));
      const target = path.join(destDir, path.posix.basename(key));
      fs.copyFileSync(source, target);
      return [target];
    }
    const objects = this.list(uri);
    if (objects.length === 0) {
      throw new Error(
        `No objects found under ${uri} in local S3 (${this.root}). ` +
          'Upload the data first (or check the URI / the step that should have written it).',
      );
    }
    const written: string[] = [];
    const folderOfPrefix = key.includes('/') ? key.slice(0, key.lastIndexOf('/') + 1) : '';
    for (const object of objects) {
      let relative: string;
      if (object.key === key) {
        relative = path.posix.basename(object.key);
      } else if (key === '' || key.endsWith('/') || object.key.startsWith(`${key}/`)) {
        relative = object.key.slice(key.length).replace(/^\/+/, '');
      } else {
        relative = object.key.slice(folderOfPrefix.length);
      }
      const target = path.join(destDir, ...relative.split('/').filter((s) => s !== ''));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(object.localPath, target);
      written.push(target);
    }
    return written;
  }

  /** Uploads every file under `dir` to `<prefixUri>/<relative path>`. Returns the written URIs. */
  uploadDirectory(dir: string, prefixUri: string): string[] {
    parseS3Uri(prefixUri);
    if (!fs.existsSync(dir)) return [];
    if (!fs.statSync(dir).isDirectory()) {
      throw new Error(`Cannot upload "${dir}" to ${prefixUri}: it is not a directory`);
    }
    const uris: string[] = [];
    const walk = (current: string, rel: string): void => {
      const entries = fs.readdirSync(current, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const entry of entries) {
        const full = path.join(current, entry.name);
        const relPath = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) walk(full, relPath);
        else if (entry.isFile()) {
          const uri = joinS3(prefixUri, relPath);
          this.putFile(uri, full);
          uris.push(uri);
        }
      }
    };
    walk(dir, '');
    return uris;
  }

  /** Deletes every object under a prefix; returns how many were deleted. */
  deletePrefix(prefixUri: string): number {
    const objects = this.list(prefixUri);
    for (const object of objects) fs.rmSync(object.localPath, { force: true });
    return objects.length;
  }

  /**
   * Content hash of what a job input would see: every object under the prefix (or the one object)
   * with its key and SHA-256. Changes whenever any matched object is added, removed or modified.
   */
  contentHash(uri: string, dataType: S3DataType = 'S3Prefix'): string {
    const objects =
      dataType === 'S3Object'
        ? this.exists(uri)
          ? this.list(uri).filter((o) => o.uri === uri)
          : []
        : this.list(uri);
    const lines = objects.map((o) => `${o.key}\t${this.fileHash(o.localPath)}`);
    return sha256(lines.join('\n'));
  }

  private fileHash(file: string): string {
    const stat = fs.statSync(file);
    const cached = this.fileHashes.get(file);
    if (cached && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs) return cached.hash;
    const hash = sha256(fs.readFileSync(file));
    this.fileHashes.set(file, { size: stat.size, mtimeMs: stat.mtimeMs, hash });
    return hash;
  }

  private ensureParentIsFolder(uri: string, target: string): void {
    const bucketDir = path.join(this.root, parseS3Uri(uri).bucket);
    let dir = path.dirname(target);
    while (dir.startsWith(bucketDir) && dir !== bucketDir) {
      if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) {
        const conflicting = formatS3Uri(parseS3Uri(uri).bucket, path.relative(bucketDir, dir).split(path.sep).join('/'));
        throw new Error(
          `Cannot put an object at "${uri}": local S3 already holds the object ${conflicting}, ` +
            'and a local folder cannot be both an object and a prefix; choose another key',
        );
      }
      dir = path.dirname(dir);
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
  }

  private missingMessage(uri: string): string {
    const similar = this.list(uri).slice(0, 3).map((o) => o.uri);
    const hint = similar.length > 0 ? ` Objects under that prefix: ${similar.join(', ')}.` : '';
    return (
      `No object at ${uri} in local S3 (${this.pathFor(uri)}). ` +
      `Upload it first (LocalS3.putObject / putFile) or fix the URI.${hint}`
    );
  }
}
