import pipelineSample from '../../fixtures/events/aws.sagemaker/sagemaker-model-building-pipeline-execution-status-change.json';
import trainingSample from '../../fixtures/events/aws.sagemaker/sagemaker-training-job-state-change.json';
import tuningSample from '../../fixtures/events/aws.sagemaker/sagemaker-hyperparameter-tuning-job-state-change.json';
import packageSample from '../../fixtures/events/aws.sagemaker/sagemaker-model-package-state-change.json';
import { variant } from '../helpers';

/**
 * The notify tests' events: AWS's published samples (test/fixtures/events), changed only where a test needs the
 * platform's names or another state, so each keeps the real envelope.
 */

export const ACCOUNT = '123456789012';
export const TRAINING_PIPELINE = 'mlops-test-training';
export const INFERENCE_PIPELINE = 'mlops-test-inference';
export const GROUP = 'mlops-test-models';
export const EXECUTION_ID = 'p4jn9xou8a8s';

/** The pipeline sample for one of the platform's pipelines, in `status`. */
export function pipelineEvent(status: string, pipeline = TRAINING_PIPELINE) {
  const pipelineArn = `arn:aws:sagemaker:us-east-1:${ACCOUNT}:pipeline/${pipeline}`;
  const executionArn = `${pipelineArn}/execution/${EXECUTION_ID}`;
  return variant(pipelineSample, (e) => {
    e.resources = [pipelineArn, executionArn];
    e.detail.pipelineArn = pipelineArn;
    e.detail.pipelineExecutionArn = executionArn;
    e.detail.currentPipelineExecutionStatus = status;
    e.detail.pipelineExecutionDisplayName = 'etl-house-prices-f6ed16032346';
    e.detail.pipelineExecutionDescription = 'Curated data of ETL run house-prices-f6ed16032346';
  });
}

export const EXECUTION_ARN = pipelineEvent('Failed').detail.pipelineExecutionArn;

/** The training-job sample in `status`, with its failure reason. */
export function trainingJobEvent(status: string, extra: Record<string, unknown> = {}) {
  return variant(trainingSample, (e) => {
    e.detail.TrainingJobStatus = status;
    e.detail.SecondaryStatus = status;
    Object.assign(e.detail, extra);
  });
}

/** The tuning-job sample (published with the placeholder status "status") in `status`. */
export function tuningJobEvent(status: string, extra: Record<string, unknown> = {}) {
  return variant(tuningSample, (e) => {
    e.detail.HyperParameterTuningJobStatus = status;
    Object.assign(e.detail, extra);
  });
}

export const PACKAGE_ARN = `arn:aws:sagemaker:us-east-2:${ACCOUNT}:model-package/${GROUP}/2`;

/**
 * The model-package sample for the platform's group, in `approval` status. AWS published it with "source" twice
 * (JSON.parse keeps the second, a list); EventBridge delivers a string, so the variant has the string.
 */
export function packageEvent(approval = 'PendingManualApproval', edit: (e: typeof packageSample) => void = () => undefined) {
  return variant(packageSample, (e) => {
    Object.assign(e, { source: 'aws.sagemaker' });
    e.resources = [PACKAGE_ARN];
    e.detail.ModelPackageGroupName = GROUP;
    e.detail.ModelPackageArn = PACKAGE_ARN;
    e.detail.ModelApprovalStatus = approval;
    edit(e);
  });
}

export { packageSample };

export const EVALUATION_URI = 's3://mlops-test-artifacts/pipelines/training/4r83jejmhorv/evaluation/evaluation.json';
export const REGISTERING_EXECUTION = `arn:aws:sagemaker:us-east-2:${ACCOUNT}:pipeline/${TRAINING_PIPELINE}/execution/4r83jejmhorv`;

/** The quality gate a regression version records (quality-gate.ts writes these keys). */
export const R2_GATE = {
  ProblemType: 'regression',
  LabelColumn: 'price',
  QualityMetric: 'r2',
  QualityMetricDirection: 'Maximize',
  QualityThreshold: '0.6',
};

/** DescribeModelPackage's answer for the version, with `metadata` as its CustomerMetadataProperties. */
/** `evaluationUri` null: the version records no ModelMetrics. */
export function describedPackage(metadata: Record<string, string> = R2_GATE, evaluationUri: string | null = EVALUATION_URI) {
  return {
    ModelPackageGroupName: GROUP,
    ModelPackageVersion: 2,
    ModelPackageArn: PACKAGE_ARN,
    ModelPackageName: `${GROUP}/2`,
    CreationTime: new Date('2021-02-24T17:00:14Z'),
    ModelPackageStatus: 'Completed' as const,
    ModelPackageStatusDetails: { ValidationStatuses: [] },
    ModelApprovalStatus: 'PendingManualApproval' as const,
    MetadataProperties: { GeneratedBy: REGISTERING_EXECUTION },
    InferenceSpecification: {
      Containers: [
        {
          Image: '683313688378.dkr.ecr.us-east-2.amazonaws.com/sagemaker-xgboost:1.7-1',
          ModelDataUrl: 's3://mlops-test-artifacts/pipelines/training/4r83jejmhorv/tune/best/output/model.tar.gz',
        },
      ],
      SupportedContentTypes: ['text/csv', 'application/json'],
      SupportedResponseMIMETypes: ['text/csv', 'application/json'],
    },
    ...(evaluationUri === null
      ? {}
      : { ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: evaluationUri } } } }),
    CustomerMetadataProperties: metadata,
  };
}

/** evaluation.json as ml/evaluate.py writes it for a regression model. */
export const REGRESSION_REPORT = {
  regression_metrics: {
    mse: { value: 12.25, standard_deviation: 4.5 },
    rmse: { value: 3.5 },
    mae: { value: 2.1, standard_deviation: 1.2 },
    r2: { value: 0.71 },
  },
  baseline: { strategy: 'predict the mean label', metrics: { mse: 42.2, rmse: 6.5, mae: 5.1, r2: 0 } },
};

/** What SNS refuses in a subject: line breaks and other control characters. */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
