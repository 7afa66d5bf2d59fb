import type * as StartEtlModule from '../../../lambda/start-etl';
import type { LocalAwsEndpoint } from '../../../local/aws';
import { etlRunId } from '../../../lambda/start-etl/decide';
import { START_ETL_ENVIRONMENT } from '../../../lambda/start-etl/environment';
import sample from '../../fixtures/events/aws.s3/object-created.json';
import { lambdaContext, variant } from '../../lambda/helpers';
import { fakeBackends, JOB_RUN_ID, startTestEndpoint, type BackendCalls } from './helpers';


const savedEnvironment = { ...process.env };
let endpoint: LocalAwsEndpoint;
let calls: BackendCalls;
let handler: typeof StartEtlModule.handler;

/** The sample upload, moved under raw/ as a CSV in the raw bucket of the handler's environment. */
const upload = variant(sample, (event) => {
  event.detail.bucket.name = 'mlops-local-raw';
  event.detail.object.key = 'raw/house-prices.csv';
});

beforeAll(async () => {
  const fakes = fakeBackends();
  calls = fakes.calls;
  endpoint = await startTestEndpoint(fakes.backends);
  Object.assign(process.env, endpoint.environment, {
    [START_ETL_ENVIRONMENT.rawBucketName]: 'mlops-local-raw',
    [START_ETL_ENVIRONMENT.processedBucketName]: 'mlops-local-processed',
    [START_ETL_ENVIRONMENT.etlJobName]: 'mlops-local-etl',
    [START_ETL_ENVIRONMENT.idempotencyTableName]: 'mlops-local-idempotency',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  // The handler reads its environment and creates its clients at module scope: load it after setting both.
  jest.isolateModules(() => {
    handler = (jest.requireActual('../../../lambda/start-etl') as typeof StartEtlModule).handler;
  });
});

afterAll(async () => {
  await endpoint.close();
  process.env = savedEnvironment;
});

test('GIVEN the real start-etl handler and SDK clients WHEN an upload arrives twice THEN one Glue job run, recorded in DynamoDB', async () => {
  const context = lambdaContext('start-etl');

  const first = await handler(upload, context);
  const second = await handler(structuredClone(upload), context);

  const versionId = sample.detail.object['version-id'];
  const runId = etlRunId('mlops-local-raw', 'raw/house-prices.csv', versionId);
  expect(first).toEqual({
    status: 'started',
    jobRunId: JOB_RUN_ID,
    runId,
    sourceUri: 's3://mlops-local-raw/raw/house-prices.csv',
    outputUri: `s3://mlops-local-processed/curated/${runId}/`,
  });
  expect(second).toEqual(first);
  expect(calls.startJobRun).toEqual([
    {
      JobName: 'mlops-local-etl',
      Arguments: {
        '--source_uri': 's3://mlops-local-raw/raw/house-prices.csv',
        '--source_version_id': versionId,
        '--run_id': runId,
        '--output_uri': `s3://mlops-local-processed/curated/${runId}/`,
        '--quarantine_uri': `s3://mlops-local-processed/quarantine/${runId}/`,
      },
    },
  ]);
  expect(endpoint.requests.map((r) => `${r.service} ${r.operation} ${r.status}`)).toEqual([
    'DynamoDB PutItem 200',
    'Glue StartJobRun 200',
    'DynamoDB UpdateItem 200',
    'DynamoDB PutItem 400',
  ]);
});
