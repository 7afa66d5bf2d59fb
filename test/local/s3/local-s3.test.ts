import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { joinS3, LocalS3, parseS3Uri } from '../../../local/s3';
import { removeTemporaryFolders, temporaryFolder } from '../../helpers/temporary-folders';

afterAll(removeTemporaryFolders);

function newS3(): LocalS3 {
  return new LocalS3({ root: temporaryFolder('local-s3-') });
}

describe('parseS3Uri', () => {
  test('splits bucket and key', () => {
    expect(parseS3Uri('s3://my-bucket/a/b.csv')).toEqual({ bucket: 'my-bucket', key: 'a/b.csv' });
    expect(parseS3Uri('s3://my-bucket')).toEqual({ bucket: 'my-bucket', key: '' });
    expect(parseS3Uri('s3://my-bucket/')).toEqual({ bucket: 'my-bucket', key: '' });
  });

  test.each([
    ['https://bucket/key', /Malformed S3 URI "https:\/\/bucket\/key"/],
    ['bucket/key', /Malformed S3 URI "bucket\/key"/],
    ['s3://Bad_Bucket/key', /bucket "Bad_Bucket" is not a valid bucket name/],
    ['s3:///key', /bucket "" is not a valid/],
    ['s3://bucket/a/../b', /"\." and "\.\." are not supported/],
  ])('rejects %s naming the value', (uri, message) => {
    expect(() => parseS3Uri(uri)).toThrow(message);
  });

  test('joinS3 uses exactly one slash', () => {
    expect(joinS3('s3://bkt/x/', '/y', 'z.csv')).toBe('s3://bkt/x/y/z.csv');
    expect(joinS3('s3://bkt/x', '')).toBe('s3://bkt/x');
  });
});

describe('LocalS3', () => {
  test('maps URIs to files under the root and round-trips objects', () => {
    const s3 = newS3();
    s3.putObject('s3://bucket/data/x.csv', 'a,b\n1,2\n');
    expect(fs.readFileSync(path.join(s3.root, 'bucket', 'data', 'x.csv'), 'utf8')).toBe('a,b\n1,2\n');
    expect(s3.getText('s3://bucket/data/x.csv')).toBe('a,b\n1,2\n');
    expect(s3.exists('s3://bucket/data/x.csv')).toBe(true);
    expect(s3.exists('s3://bucket/data')).toBe(false);
  });

  test('defaults the root to <repo>/.local/s3', () => {
    expect(new LocalS3().root).toBe(path.resolve(__dirname, '../../../.local/s3'));
  });

  test('lists with S3 prefix semantics', () => {
    const s3 = newS3();
    s3.putObject('s3://bkt/data/x.csv', '1');
    s3.putObject('s3://bkt/data/sub/y.csv', '2');
    s3.putObject('s3://bkt/data-2.csv', '3');
    s3.putObject('s3://bkt/other.csv', '4');
    expect(s3.list('s3://bkt/data').map((o) => o.key)).toEqual(['data-2.csv', 'data/sub/y.csv', 'data/x.csv']);
    expect(s3.list('s3://bkt/data/').map((o) => o.key)).toEqual(['data/sub/y.csv', 'data/x.csv']);
    expect(s3.list('s3://bkt/data/s').map((o) => o.key)).toEqual(['data/sub/y.csv']);
    expect(s3.list('s3://bkt').map((o) => o.key)).toHaveLength(4);
    expect(s3.list('s3://missing-bucket/x')).toEqual([]);
    expect(s3.list('s3://bkt/nothing')).toEqual([]);
  });

  test('downloads a prefix keeping relative paths, and a single object by basename', () => {
    const s3 = newS3();
    s3.putObject('s3://bkt/out/train/train.csv', 't');
    s3.putObject('s3://bkt/out/train/nested/schema.json', '{}');
    s3.putObject('s3://bkt/code/preprocess.py', 'print(1)');
    const dest = temporaryFolder('dl-');

    s3.downloadTo('s3://bkt/out/train', path.join(dest, 'train'));
    expect(fs.readFileSync(path.join(dest, 'train', 'train.csv'), 'utf8')).toBe('t');
    expect(fs.readFileSync(path.join(dest, 'train', 'nested', 'schema.json'), 'utf8')).toBe('{}');

    // An S3Prefix that names one object (like a code input) lands under its basename.
    s3.downloadTo('s3://bkt/code/preprocess.py', path.join(dest, 'code'));
    expect(fs.readdirSync(path.join(dest, 'code'))).toEqual(['preprocess.py']);

    s3.downloadTo('s3://bkt/out/train/train.csv', path.join(dest, 'single'), 'S3Object');
    expect(fs.readdirSync(path.join(dest, 'single'))).toEqual(['train.csv']);
  });

  test('a prefix that is not on a folder boundary keeps paths relative to its folder', () => {
    const s3 = newS3();
    s3.putObject('s3://bkt/in/data/x.csv', '1');
    s3.putObject('s3://bkt/in/data-2.csv', '2');
    const dest = temporaryFolder('dl-');
    s3.downloadTo('s3://bkt/in/data', dest);
    expect(fs.readFileSync(path.join(dest, 'x.csv'), 'utf8')).toBe('1');
    expect(fs.readFileSync(path.join(dest, 'data-2.csv'), 'utf8')).toBe('2');
  });

  test('uploads a directory under a prefix', () => {
    const s3 = newS3();
    const dir = temporaryFolder('up-');
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'a.json'), 'A');
    fs.writeFileSync(path.join(dir, 'sub', 'b.txt'), 'B');
    expect(s3.uploadDirectory(dir, 's3://bkt/eval/')).toEqual(['s3://bkt/eval/a.json', 's3://bkt/eval/sub/b.txt']);
    expect(s3.getText('s3://bkt/eval/sub/b.txt')).toBe('B');
  });

  test('missing objects and empty prefixes give errors naming the URI and what to do', () => {
    const s3 = newS3();
    s3.putObject('s3://bkt/data/x.csv', '1');
    expect(() => s3.getObject('s3://bkt/data/y.csv')).toThrow(/No object at s3:\/\/bkt\/data\/y.csv.*Upload it first/);
    expect(() => s3.getObject('s3://bkt/data')).toThrow(/Objects under that prefix: s3:\/\/bkt\/data\/x.csv/);
    expect(() => s3.downloadTo('s3://bkt/nothing/', os.tmpdir())).toThrow(
      /No objects found under s3:\/\/bkt\/nothing\/ .*Upload the data first/,
    );
  });

  test('refuses keys that would make a file both an object and a prefix', () => {
    const s3 = newS3();
    s3.putObject('s3://bkt/a', '1');
    expect(() => s3.putObject('s3://bkt/a/b', '2')).toThrow(/already holds the object s3:\/\/bkt\/a/);
    s3.putObject('s3://bkt/c/d', '1');
    expect(() => s3.putObject('s3://bkt/c', '2')).toThrow(/already holds objects under "s3:\/\/bkt\/c\/"/);
    expect(() => s3.putObject('s3://bkt/dir/', '2')).toThrow(/must name an object/);
  });

  test('content hash changes when any object under the prefix changes', () => {
    const s3 = newS3();
    s3.putObject('s3://bkt/d/x.csv', '1');
    const first = s3.contentHash('s3://bkt/d');
    expect(s3.contentHash('s3://bkt/d')).toBe(first);
    s3.putObject('s3://bkt/d/y.csv', '2');
    const second = s3.contentHash('s3://bkt/d');
    expect(second).not.toBe(first);
    s3.putObject('s3://bkt/d/y.csv', '3');
    expect(s3.contentHash('s3://bkt/d')).not.toBe(second);
    expect(s3.deletePrefix('s3://bkt/d')).toBe(2);
    expect(s3.list('s3://bkt/d')).toEqual([]);
  });
});
