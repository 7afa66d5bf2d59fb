import { z } from 'zod';
import { envSchemas, readEnvironment } from '../shared/environment';
import { DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS } from '../shared/idempotency';
import { START_ETL_ENVIRONMENT } from './environment';

/** Object sizes up to 1 GiB start a run unless `MAX_OBJECT_BYTES` says otherwise. */
export const DEFAULT_MAX_OBJECT_BYTES = 1024 ** 3;

/** How the events encode object keys. */
export const OBJECT_KEY_ENCODINGS = ['none', 'url'] as const;

/** How `detail.object.key` is encoded in the events (see `START_ETL_ENVIRONMENT.objectKeyEncoding`). */
export type ObjectKeyEncoding = (typeof OBJECT_KEY_ENCODINGS)[number];

const suffixList = z
  .string()
  .transform((text) => text.split(',').map((suffix) => suffix.trim().toLowerCase()).filter((suffix) => suffix !== ''))
  .pipe(
    z
      .array(z.string().regex(/^\.[a-z0-9][a-z0-9._-]*$/, "each suffix starts with '.' then letters or digits"))
      .min(1),
  )
  .default(['.csv'])
  .describe("the allowed suffixes: a comma-separated list such as '.csv,.csv.gz' (default .csv)");

/** The validated settings of the start-etl handler. */
export type StartEtlSettings = ReturnType<typeof readStartEtlSettings>;

/** Reads the start-etl handler's environment; throws naming every missing or invalid variable. */
export function readStartEtlSettings(environment: NodeJS.ProcessEnv = process.env) {
  return readEnvironment(
    START_ETL_ENVIRONMENT,
    {
      rawBucketName: envSchemas.bucketName('the raw bucket'),
      processedBucketName: envSchemas.bucketName('the processed bucket'),
      etlJobName: envSchemas.name('the Glue ETL job name'),
      idempotencyTableName: envSchemas.name('the idempotency DynamoDB table name'),
      allowedSuffixes: suffixList,
      maxObjectBytes: envSchemas.positiveInteger('the largest object in bytes', DEFAULT_MAX_OBJECT_BYTES),
      objectKeyEncoding: envSchemas.oneOf('the object key encoding of the events', OBJECT_KEY_ENCODINGS, 'none'),
      idempotencyExpirySeconds: envSchemas.positiveInteger(
        'the idempotency record expiry in seconds',
        DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS,
      ),
    },
    environment,
  );
}
