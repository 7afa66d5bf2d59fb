import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { createTar, createTarGz, extractTarGz, tarGzDirectory } from '../../../lib/util/tar';
import { removeTemporaryFolders, temporaryFolder } from '../../helpers/temporary-folders';

const PYTHON = path.resolve(__dirname, '../../../.venv/bin/python');

afterAll(removeTemporaryFolders);

function tmp(): string {
  return temporaryFolder('tar-test-');
}

describe('tar', () => {
  test('round-trips files, nested paths and binary data', () => {
    const binary = Buffer.from(Array.from({ length: 1500 }, (_, i) => i % 256));
    const archive = createTarGz([
      { name: 'train.py', data: Buffer.from('print("hi")\n') },
      { name: 'pkg/deep/inference.py', data: Buffer.from('x = 1\n'), mode: 0o755 },
      { name: 'blob.bin', data: binary },
      { name: 'empty.txt', data: Buffer.alloc(0) },
    ]);
    const dest = tmp();
    const files = extractTarGz(archive, dest);
    expect(files).toEqual(['train.py', 'pkg/deep/inference.py', 'blob.bin', 'empty.txt']);
    expect(fs.readFileSync(path.join(dest, 'train.py'), 'utf8')).toBe('print("hi")\n');
    expect(fs.readFileSync(path.join(dest, 'blob.bin')).equals(binary)).toBe(true);
    expect(fs.statSync(path.join(dest, 'empty.txt')).size).toBe(0);
    expect(fs.statSync(path.join(dest, 'pkg/deep/inference.py')).mode & 0o100).toBeTruthy();
  });

  test('is deterministic: same content gives the same bytes regardless of mtime or creation order', () => {
    const a = tmp();
    const b = tmp();
    fs.mkdirSync(path.join(a, 'sub'));
    fs.writeFileSync(path.join(a, 'z.txt'), 'z');
    fs.writeFileSync(path.join(a, 'sub', 'a.txt'), 'a');
    fs.writeFileSync(path.join(b, 'z.txt'), 'z');
    fs.mkdirSync(path.join(b, 'sub'));
    fs.writeFileSync(path.join(b, 'sub', 'a.txt'), 'a');
    fs.utimesSync(path.join(b, 'z.txt'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const first = tarGzDirectory(a);
    expect(tarGzDirectory(b).equals(first)).toBe(true);
    expect(tarGzDirectory(a).equals(first)).toBe(true);
    // gzip header timestamp (bytes 4..7) is zero
    expect(first.readUInt32LE(4)).toBe(0);
    const dest = tmp();
    expect(extractTarGz(first, dest)).toEqual(['sub/a.txt', 'z.txt']);
  });

  test('archives are readable by Python tarfile, and Python archives are readable by us', () => {
    const dir = tmp();
    const archivePath = path.join(dir, 'model.tar.gz');
    fs.writeFileSync(archivePath, createTarGz([{ name: 'xgboost-model', data: Buffer.from('model-bytes') }]));
    const listed = execFileSync(PYTHON, [
      '-c',
      'import sys, tarfile; t = tarfile.open(sys.argv[1]); print(",".join(t.getnames())); print(t.extractfile("xgboost-model").read().decode())',
      archivePath,
    ]).toString();
    expect(listed.trim().split('\n')).toEqual(['xgboost-model', 'model-bytes']);

    const pyArchive = path.join(dir, 'py.tar.gz');
    const longName = `${'d'.repeat(120)}/${'f'.repeat(90)}.txt`;
    execFileSync(PYTHON, [
      '-c',
      [
        'import io, sys, tarfile',
        'with tarfile.open(sys.argv[1], "w:gz") as t:',
        '    for name, body in [("a/b.txt", b"hello"), (sys.argv[2], b"long")]:',
        '        info = tarfile.TarInfo(name); info.size = len(body); t.addfile(info, io.BytesIO(body))',
      ].join('\n'),
      pyArchive,
      longName,
    ]);
    const dest = tmp();
    expect(extractTarGz(fs.readFileSync(pyArchive), dest)).toEqual(['a/b.txt', longName]);
    expect(fs.readFileSync(path.join(dest, longName), 'utf8')).toBe('long');
  });

  test('long names use the ustar prefix field', () => {
    const name = `${'p'.repeat(80)}/${'q'.repeat(80)}/file.txt`;
    const dest = tmp();
    expect(extractTarGz(createTarGz([{ name, data: Buffer.from('x') }]), dest)).toEqual([name]);
  });

  test('rejects absolute paths and ".." when writing and when extracting', () => {
    expect(() => createTarGz([{ name: '/etc/passwd', data: Buffer.from('') }])).toThrow(/must be relative.*\/etc\/passwd/);
    expect(() => createTarGz([{ name: 'a/../../b', data: Buffer.from('') }])).toThrow(/must not contain "\.\."/);

    // Hand-craft archives with unsafe names by patching a safe header.
    const craft = (name: string): Buffer => {
      const tar = createTar([{ name: 'x'.repeat(name.length), data: Buffer.from('evil') }]);
      tar.write(name, 0, 100, 'utf8');
      tar.fill(0x20, 148, 156);
      let sum = 0;
      for (let i = 0; i < 512; i++) sum += tar[i];
      tar.write(sum.toString(8).padStart(6, '0'), 148, 6, 'ascii');
      tar[154] = 0;
      return zlib.gzipSync(tar);
    };
    const dest = tmp();
    expect(() => extractTarGz(craft('../escape.txt'), dest)).toThrow(/Refusing to extract path with "\.\."/);
    expect(() => extractTarGz(craft('/tmp/abs.txt'), dest)).toThrow(/Refusing to extract absolute path "\/tmp\/abs.txt"/);
    expect(fs.existsSync(path.join(dest, '..', 'escape.txt'))).toBe(false);
  });

  test('gives a clear error for corrupt input', () => {
    const dest = tmp();
    const good = createTarGz([{ name: 'a.txt', data: Buffer.from('abc') }]);
    const truncated = good.subarray(0, good.length - 10);
    expect(() => extractTarGz(truncated, dest)).toThrow(/Corrupt gzip data/);
    expect(() => extractTarGz(Buffer.from('not an archive at all'), dest)).toThrow(/Corrupt tar archive/);
    const tar = createTar([{ name: 'a.txt', data: Buffer.from('abc') }]);
    tar[0] = 'b'.charCodeAt(0); // breaks the checksum
    expect(() => extractTarGz(tar, dest)).toThrow(/checksum mismatch/);
  });

  test('tarGzDirectory names the path when it is not a directory', () => {
    expect(() => tarGzDirectory('/nonexistent/dir')).toThrow(/"\/nonexistent\/dir": it is not a directory/);
  });
});
