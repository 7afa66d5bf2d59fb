import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

/** One file to put into an archive. */
export interface TarEntry {
  /** Path inside the archive, with forward slashes (e.g. `code/train.py`). */
  readonly name: string;
  readonly data: Buffer;
  /** Unix permission bits. @default 0o644 */
  readonly mode?: number;
}

const BLOCK = 512;

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  // length - 1 octal digits, then a NUL terminator.
  const text = value.toString(8).padStart(length - 1, '0');
  if (text.length > length - 1) {
    throw new Error(`Value ${value} does not fit in a ${length}-byte tar header field`);
  }
  header.write(text, offset, length - 1, 'ascii');
  header[offset + length - 1] = 0;
}

function splitName(name: string): { prefix: string; base: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', base: name };
  // ustar: split at a slash so that prefix <= 155 bytes and name <= 100 bytes.
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== '/') continue;
    const prefix = name.slice(0, i);
    const base = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(base) <= 100 && base.length > 0) {
      return { prefix, base };
    }
  }
  throw new Error(`Archive entry name is too long for a ustar header: "${name}" (use a shorter path)`);
}

function validateEntryName(name: string): string {
  const normalized = name.replace(/\\/g, '/');
  if (normalized.length === 0) throw new Error('Archive entry name is empty');
  if (normalized.startsWith('/') || /^[A-Za-z]:/.test(normalized)) {
    throw new Error(`Archive entry name must be relative, got "${name}"`);
  }
  if (normalized.split('/').includes('..')) {
    throw new Error(`Archive entry name must not contain "..", got "${name}"`);
  }
  return normalized;
}

function header(name: string, size: number, mode: number, type: '0' | '5'): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  const { prefix, base } = splitName(name);
  h.write(base, 0, 100, 'utf8');
  writeOctal(h, 100, 8, mode & 0o7777);
  writeOctal(h, 108, 8, 0); // uid
  writeOctal(h, 116, 8, 0); // gid
  writeOctal(h, 124, 12, size);
  writeOctal(h, 136, 12, 0); // mtime: fixed for reproducible archives
  h.fill(0x20, 148, 156); // checksum computed with spaces
  h.write(type, 156, 1, 'ascii');
  h.write('ustar\u0000', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write('root', 265, 32, 'ascii');
  h.write('root', 297, 32, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of h) sum += byte;
  const checksum = sum.toString(8).padStart(6, '0');
  h.write(checksum, 148, 6, 'ascii');
  h[154] = 0;
  h[155] = 0x20;
  return h;
}

/** Builds an uncompressed ustar archive; entries are written in the given order. */
export function createTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const name = validateEntryName(entry.name);
    if (seen.has(name)) throw new Error(`Duplicate archive entry "${name}"`);
    seen.add(name);
    parts.push(header(name, entry.data.length, entry.mode ?? 0o644, '0'));
    parts.push(entry.data);
    const pad = (BLOCK - (entry.data.length % BLOCK)) % BLOCK;
    if (pad > 0) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(parts);
}

/**
 * Deterministic `.tar.gz`: the same entries always give the same bytes (mtime 0, uid/gid 0, no gzip
 * timestamp), so archives can be content-hashed.
 */
export function createTarGz(entries: readonly TarEntry[]): Buffer {
  return zlib.gzipSync(createTar(entries), { level: 9 });
}

function collectFiles(root: string, rel: string, out: TarEntry[]): void {
  const dir = path.join(root, rel);
  const names = fs.readdirSync(dir).sort();
  for (const name of names) {
    const relPath = rel ? `${rel}/${name}` : name;
    const full = path.join(root, relPath);
    const stat = fs.statSync(full);
    if (stat.isDirectory()) {
      collectFiles(root, relPath, out);
    } else if (stat.isFile()) {
      out.push({ name: relPath, data: fs.readFileSync(full), mode: stat.mode & 0o111 ? 0o755 : 0o644 });
    }
  }
}

/** Archives every regular file under `dir` (paths relative to `dir`, sorted) as a deterministic `.tar.gz`. */
export function tarGzDirectory(dir: string): Buffer {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new Error(`Cannot archive "${dir}": it is not a directory`);
  }
  const entries: TarEntry[] = [];
  collectFiles(dir, '', entries);
  // Sort by full path so output does not depend on directory traversal order.
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return createTarGz(entries);
}

function readString(buf: Buffer, offset: number, length: number): string {
  const slice = buf.subarray(offset, offset + length);
  const end = slice.indexOf(0);
  return slice.subarray(0, end === -1 ? length : end).toString('utf8');
}

function readOctal(buf: Buffer, offset: number, length: number, what: string): number {
  const text = readString(buf, offset, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new Error(`Corrupt tar archive: ${what} field is "${text}"`);
  return parseInt(text, 8);
}

function safeTarget(destDir: string, name: string): string {
  const normalized = name.replace(/\\/g, '/').replace(/^\.\//, '');
  if (normalized.startsWith('/') || /^[A-Za-z]:/.test(normalized)) {
    throw new Error(`Refusing to extract absolute path "${name}" from archive`);
  }
  if (normalized.split('/').includes('..')) {
    throw new Error(`Refusing to extract path with ".." from archive: "${name}"`);
  }
  const target = path.resolve(destDir, normalized);
  const root = path.resolve(destDir);
  if (target !== root && !target.startsWith(root + path.sep)) {
    throw new Error(`Refusing to extract "${name}" outside "${destDir}"`);
  }
  return target;
}

function parsePaxRecords(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) break;
    const len = parseInt(data.subarray(pos, space).toString('ascii'), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return out;
}

/**
 * Extracts a `.tar.gz` (or plain `.tar`) into `destDir`: regular files and directories only
 * (symlinks and devices are skipped). Returns the extracted file paths relative to `destDir`.
 * Throws on absolute paths, `..` components or corrupt input.
 */
export function extractTarGz(data: Buffer, destDir: string): string[] {
  let tar: Buffer;
  if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b) {
    try {
      tar = zlib.gunzipSync(data);
    } catch (err) {
      throw new Error(`Corrupt gzip data (${(err as Error).message}); expected a .tar.gz archive`);
    }
  } else {
    tar = data;
  }
  if (tar.length < BLOCK || tar.length % BLOCK !== 0) {
    throw new Error(`Corrupt tar archive: length ${tar.length} is not a positive multiple of ${BLOCK} bytes`);
  }
  fs.mkdirSync(destDir, { recursive: true });
  const files: string[] = [];
  let offset = 0;
  let longName: string | undefined;
  let paxPath: string | undefined;
  let sawEnd = false;
  while (offset + BLOCK <= tar.length) {
    const h = tar.subarray(offset, offset + BLOCK);
    if (h.every((b) => b === 0)) {
      sawEnd = true;
      break;
    }
    const stored = readOctal(h, 148, 8, 'checksum');
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
    if (sum !== stored) {
      throw new Error(`Corrupt tar archive: header checksum mismatch at byte ${offset}`);
    }
    const size = readOctal(h, 124, 12, 'size');
    const type = String.fromCharCode(h[156] || 0x30);
    const magic = readString(h, 257, 6);
    const prefix = magic.startsWith('ustar') ? readString(h, 345, 155) : '';
    let name = readString(h, 0, 100);
    if (prefix) name = `${prefix}/${name}`;
    if (longName !== undefined) {
      name = longName;
      longName = undefined;
    }
    if (paxPath !== undefined) {
      name = paxPath;
      paxPath = undefined;
    }
    const dataStart = offset + BLOCK;
    const dataEnd = dataStart + size;
    if (dataEnd > tar.length) {
      throw new Error(`Corrupt tar archive: entry "${name}" is truncated`);
    }
    const body = tar.subarray(dataStart, dataEnd);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;

    if (type === 'L') {
      longName = readString(body, 0, body.length);
      continue;
    }
    if (type === 'x') {
      const records = parsePaxRecords(body);
      if (records.path !== undefined) paxPath = records.path;
      continue;
    }
    if (type === 'g') continue;
    if (type === '5') {
      fs.mkdirSync(safeTarget(destDir, name), { recursive: true });
      continue;
    }
    if (type === '0' || type === '7') {
      const target = safeTarget(destDir, name);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, body);
      const mode = readOctal(h, 100, 8, 'mode');
      if (mode & 0o111) fs.chmodSync(target, 0o755);
      files.push(path.relative(destDir, target).split(path.sep).join('/'));
      continue;
    }
    // Symlinks, hard links, devices: not needed for model or source archives; skip them.
  }
  if (!sawEnd && offset < tar.length) {
    throw new Error('Corrupt tar archive: ended inside a header');
  }
  return files;
}
