import sample from '../../fixtures/events/aws.s3/object-created.json';
import { variant } from '../helpers';
import { decideStartEtl, decodeObjectKey, etlRunId, type StartEtlRules } from '../../../lambda/start-etl/decide';
import { type ObjectCreatedEvent, ObjectCreatedEventSchema } from '../../../lambda/start-etl/event';
import { ETL_RUN_ID_PATTERN } from '../../../lib/config/data-layout';

const RULES: StartEtlRules = {
  rawBucketName: 'amzn-s3-demo-bucket1',
  processedBucketName: 'mlops-test-processed',
  allowedSuffixes: ['.csv'],
  maxObjectBytes: 1000,
  objectKeyEncoding: 'none',
};
const VERSION = sample.detail.object['version-id'];

/** The sample event, parsed, with `key` as its object key. */
function objectCreated(key: string): ObjectCreatedEvent {
  return ObjectCreatedEventSchema.parse(variant(sample, (e) => (e.detail.object.key = key)));
}

describe('decideStartEtl', () => {
  test('GIVEN an accepted upload THEN the decision names the run, the source and the output locations', () => {
    expect(decideStartEtl(objectCreated('raw/house-prices.csv'), RULES)).toEqual({
      status: 'start',
      bucket: 'amzn-s3-demo-bucket1',
      key: 'raw/house-prices.csv',
      versionId: VERSION,
      runId: 'house-prices-f6ed16032346',
      sourceUri: 's3://amzn-s3-demo-bucket1/raw/house-prices.csv',
      outputUri: 's3://mlops-test-processed/curated/house-prices-f6ed16032346/',
      quarantineUri: 's3://mlops-test-processed/quarantine/house-prices-f6ed16032346/',
    });
  });

  test('GIVEN URL-encoded keys (OBJECT_KEY_ENCODING=url) THEN + is a space and %xx escapes are UTF-8', () => {
    const rules = { ...RULES, objectKeyEncoding: 'url' as const };
    const decision = decideStartEtl(objectCreated('raw/2024/donn%C3%A9es+%C3%A9t%C3%A9+%2B+%28v2%29.csv'), rules);

    expect(decision).toMatchObject({
      status: 'start',
      key: 'raw/2024/données été + (v2).csv',
      sourceUri: 's3://amzn-s3-demo-bucket1/raw/2024/données été + (v2).csv',
      runId: expect.stringMatching(/^donnees-ete-v2-[0-9a-f]{12}$/),
    });
  });

  test('GIVEN OBJECT_KEY_ENCODING=url THEN an escaped control character is still rejected after decoding', () => {
    const decision = decideStartEtl(objectCreated('raw/a%0Ab.csv'), { ...RULES, objectKeyEncoding: 'url' });

    expect(decision).toEqual({ status: 'rejected', reason: expect.stringContaining('unsafe character U+000A') });
  });

  test('GIVEN OBJECT_KEY_ENCODING=url and a broken escape THEN rejected, naming the key and the setting', () => {
    const decision = decideStartEtl(objectCreated('raw/100%.csv'), { ...RULES, objectKeyEncoding: 'url' });

    expect(decision).toEqual({
      status: 'rejected',
      reason: expect.stringMatching(/^key "raw\/100%.csv" is not valid URL encoding .* check OBJECT_KEY_ENCODING/),
    });
  });

  test('GIVEN OBJECT_KEY_ENCODING=none THEN %xx and + are taken literally, as S3 stores them', () => {
    expect(decideStartEtl(objectCreated('raw/a+b%20c.csv'), RULES)).toMatchObject({ key: 'raw/a+b%20c.csv' });
  });

  test('GIVEN suffixes in another case or several allowed suffixes THEN matched case-insensitively', () => {
    expect(decideStartEtl(objectCreated('raw/DATA.CSV'), RULES)).toMatchObject({ status: 'start' });
    const rules = { ...RULES, allowedSuffixes: ['.csv', '.csv.gz'] };
    expect(decideStartEtl(objectCreated('raw/data.csv.gz'), rules)).toMatchObject({ status: 'start' });
    expect(decideStartEtl(objectCreated('raw/data.gz'), rules)).toEqual({
      status: 'rejected',
      reason: 'key "raw/data.gz" does not end with an allowed suffix (.csv, .csv.gz)',
    });
  });

  test('GIVEN an object of exactly the limit THEN accepted; one byte more THEN rejected', () => {
    const sized = (size: number) => ObjectCreatedEventSchema.parse(
      variant(sample, (e) => Object.assign(e.detail.object, { key: 'raw/a.csv', size })),
    );
    expect(decideStartEtl(sized(1000), RULES)).toMatchObject({ status: 'start' });
    expect(decideStartEtl(sized(1001), RULES)).toMatchObject({ status: 'rejected' });
  });
});

describe('decodeObjectKey', () => {
  test.each([
    ['raw/a+b.csv', 'raw/a b.csv'],
    ['raw/a%2Bb.csv', 'raw/a+b.csv'],
    ['raw/%E6%95%B0%E6%8D%AE.csv', 'raw/数据.csv'],
    ['raw/10%3A47%3A07.csv', 'raw/10:47:07.csv'],
    ['raw/plain.csv', 'raw/plain.csv'],
  ])('url: %s → %s', (encoded, decoded) => {
    expect(decodeObjectKey(encoded, 'url')).toEqual({ key: decoded });
  });

  test('none: returns the key unchanged', () => {
    expect(decodeObjectKey('raw/a+b%2B.csv', 'none')).toEqual({ key: 'raw/a+b%2B.csv' });
  });
});

describe('etlRunId', () => {
  test('is deterministic for bucket + key + version, and differs when any of them changes', () => {
    const id = etlRunId('b', 'raw/x.csv', 'v1');
    expect(etlRunId('b', 'raw/x.csv', 'v1')).toBe(id);
    expect(new Set([id, etlRunId('b2', 'raw/x.csv', 'v1'), etlRunId('b', 'raw/y/x.csv', 'v1'), etlRunId('b', 'raw/x.csv', 'v2')]).size).toBe(4);
  });

  test.each([
    ['raw/house-prices.csv', /^house-prices-[0-9a-f]{12}$/],
    ['raw/2024/Données été (v2).CSV', /^donnees-ete-v2-[0-9a-f]{12}$/],
    ['raw/数据.csv', /^upload-[0-9a-f]{12}$/],
    ['raw/__.csv', /^upload-[0-9a-f]{12}$/],
    [`raw/${'very-long-name-'.repeat(10)}.csv`, /^very-long-name-(very-long-name-){2}very-[0-9a-f]{12}$/],
  ])('%s → %s, within ETL_RUN_ID_PATTERN', (key, expected) => {
    const id = etlRunId('amzn-s3-demo-bucket1', key, 'v1');
    expect(id).toMatch(expected);
    expect(id).toMatch(ETL_RUN_ID_PATTERN);
  });
});
