import * as http from 'http';
import { LocalAwsError, startLocalAwsEndpoint, type LocalAwsBackends, type LocalAwsEndpoint, type LocalAwsEndpointOptions } from '../../../local/aws';

export const REGION = 'eu-west-1';
export const ACCOUNT = '111122223333';
export const JOB_RUN_ID = 'jr_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
export const EXECUTION_ARN = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:pipeline/mlops-training/execution/abc123def456`;
export const MODEL_PACKAGE_ARN = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model-package/house-prices/3`;

/** What the fake backends were called with, by method. */
export type BackendCalls = Record<string, Record<string, unknown>[]>;

/**
 * Backends that record their calls and answer as Glue and SageMaker would for one job run and one execution;
 * unknown ids raise the services' not-found errors.
 */
export function fakeBackends(): { backends: LocalAwsBackends; calls: BackendCalls } {
  const calls: BackendCalls = {};
  const record = (method: string, request: Record<string, unknown>) => (calls[method] ??= []).push(request);
  const started = new Date('2026-01-02T03:04:05.678Z');
  const backends: LocalAwsBackends = {
    glue: {
      startJobRun: async (request) => {
        record('startJobRun', request);
        return { JobRunId: JOB_RUN_ID };
      },
      getJobRun: async (request) => {
        record('getJobRun', request);
        if (request.RunId !== JOB_RUN_ID) {
          throw new LocalAwsError('EntityNotFoundException', `Job run ${String(request.RunId)} not found`);
        }
        return {
          JobRun: { Id: JOB_RUN_ID, JobName: request.JobName, JobRunState: 'SUCCEEDED', StartedOn: started, Arguments: { '--run_id': 'r1' } },
        };
      },
    },
    sagemaker: {
      startPipelineExecution: async (request) => {
        record('startPipelineExecution', request);
        return { PipelineExecutionArn: EXECUTION_ARN };
      },
      describePipelineExecution: async (request) => {
        record('describePipelineExecution', request);
        if (request.PipelineExecutionArn !== EXECUTION_ARN) {
          throw new LocalAwsError('ResourceNotFound', `Pipeline execution ${String(request.PipelineExecutionArn)} does not exist`);
        }
        return { PipelineExecutionArn: EXECUTION_ARN, PipelineExecutionStatus: 'Executing', CreationTime: started };
      },
      listPipelineExecutionSteps: async (request) => {
        record('listPipelineExecutionSteps', request);
        return { PipelineExecutionSteps: [{ StepName: 'Preprocess', StepStatus: 'Succeeded', StartTime: started.toISOString() }] };
      },
      describeModelPackage: async (request) => {
        record('describeModelPackage', request);
        return {
          ModelPackageName: 'house-prices',
          ModelPackageArn: MODEL_PACKAGE_ARN,
          ModelPackageVersion: 3,
          CreationTime: started,
          ModelPackageStatus: 'Completed',
          ModelPackageStatusDetails: { ValidationStatuses: [] },
          ModelApprovalStatus: 'Approved',
        };
      },
    },
  };
  return { backends, calls };
}

/** Starts an endpoint with `backends` (default: the fakes) in the test region and account. */
export function startTestEndpoint(
  backends: LocalAwsBackends = fakeBackends().backends,
  options: Partial<LocalAwsEndpointOptions> = {},
): Promise<LocalAwsEndpoint> {
  return startLocalAwsEndpoint({ backends, region: REGION, account: ACCOUNT, ...options });
}

/** The configuration of an SDK client for the endpoint (one attempt, dummy credentials). */
export function clientConfig(endpoint: LocalAwsEndpoint) {
  return {
    endpoint: endpoint.url,
    region: REGION,
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
    maxAttempts: 1,
  };
}

/** A raw HTTP answer. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** Sends a raw HTTP request (for what no SDK client sends), signed for `service` unless told otherwise. */
export function rawRequest(
  endpoint: LocalAwsEndpoint,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; service?: string | null },
): Promise<RawAnswer> {
  const service = options.service === undefined ? 'glue' : options.service;
  const headers: Record<string, string> = {
    ...(service !== null && {
      authorization: `AWS4-HMAC-SHA256 Credential=AKID/20260101/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=00`,
    }),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const request = http.request(`${endpoint.url}${options.path ?? '/'}`, { method: options.method ?? 'POST', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf-8') }));
    });
    request.on('error', reject);
    request.end(options.body);
  });
}
