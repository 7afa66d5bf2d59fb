import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { inferencePipelineDefinition, SOURCE_DIR_FILES } from '../../../lib/sagemaker-pipelines';
import { createTarGz } from '../../../lib/util/tar';
import { executePipeline, type PipelineDefinitionJson } from '../../../local/executor';
import { LocalModelRegistry } from '../../../local/registry';
import { LocalS3 } from '../../../local/s3';
import { METRIC_DEFINITIONS, PYTHON, REPO, removeTemporaryFolders, temporaryFolder } from './helpers';

afterAll(removeTemporaryFolders);

const BUCKET = 'local-artifacts';
const IMAGE = '000000000000.dkr.ecr.local.amazonaws.com/sagemaker-xgboost:1.7-1';
const SOURCE_DIR = `s3://${BUCKET}/code/sourcedir.tar.gz`;

const SPLIT = `
import sys
import pandas as pd
frame = pd.read_csv(sys.argv[1])
label = frame.pop("target")
data = pd.concat([label, frame], axis=1)
data.iloc[:200].to_csv(sys.argv[2], header=False, index=False)
data.iloc[200:260].to_csv(sys.argv[3], header=False, index=False)
frame.iloc[260:270].to_csv(sys.argv[4], header=False, index=False)
`;

/** Training step (real train.py) → RegisterModel, as a small hand-written pipeline. */
function trainAndRegister(): PipelineDefinitionJson {
  const channel = (name: string) => ({
    ChannelName: name,
    ContentType: 'text/csv',
    DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/data/${name}`, S3DataDistributionType: 'FullyReplicated' } },
  });
  return {
    Version: '2020-12-01',
    Metadata: {},
    Parameters: [],
    Steps: [
      {
        Name: 'Train',
        Type: 'Training',
        Arguments: {
          AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File', MetricDefinitions: METRIC_DEFINITIONS },
          RoleArn: 'arn:aws:iam::000000000000:role/local',
          OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/training` },
          ResourceConfig: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 30 },
          StoppingCondition: { MaxRuntimeInSeconds: 600 },
          InputDataConfig: [channel('train'), channel('validation')],
          HyperParameters: {
            objective: 'reg:squarederror',
            num_round: '8',
            max_depth: '3',
            sagemaker_program: '"train.py"',
            sagemaker_submit_directory: JSON.stringify(SOURCE_DIR),
          },
        },
      },
      {
        Name: 'Register',
        Type: 'RegisterModel',
        Arguments: {
          ModelPackageGroupName: 'inference-test',
          ModelApprovalStatus: 'Approved',
          InferenceSpecification: {
            Containers: [
              {
                Image: IMAGE,
                ModelDataUrl: { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' },
                Environment: { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_SUBMIT_DIRECTORY: SOURCE_DIR },
              },
            ],
            SupportedContentTypes: ['text/csv'],
            SupportedResponseMIMETypes: ['text/csv'],
          },
        },
      },
    ],
  };
}

describe('Training, RegisterModel, Model and Transform steps with the real scripts', () => {
  test('a registered model package runs through the inference pipeline definition', async () => {
    const root = temporaryFolder('inference-pipeline-');
    const s3 = new LocalS3({ root: path.join(root, 's3') });
    const workDir = path.join(root, 'work');
    const registry = new LocalModelRegistry({ root: path.join(workDir, 'registry') });
    const ml = path.join(REPO, 'ml');
    s3.putObject(SOURCE_DIR, createTarGz(SOURCE_DIR_FILES.map((name) => ({ name, data: fs.readFileSync(path.join(ml, name)) }))));
    const csv = path.join(root, 'data.csv');
    execFileSync(PYTHON, [path.join(ml, 'sample_data.py'), '--rows', '270', '--seed', '3', '--problem-type', 'regression', '--output', csv]);
    const files = ['train.csv', 'validation.csv', 'batch.csv'].map((f) => path.join(root, f));
    execFileSync(PYTHON, ['-c', SPLIT, csv, ...files]);
    s3.putFile(`s3://${BUCKET}/data/train/train.csv`, files[0]);
    s3.putFile(`s3://${BUCKET}/data/validation/validation.csv`, files[1]);
    s3.putFile(`s3://${BUCKET}/batch/in/part-1.csv`, files[2]);
    s3.putFile(`s3://${BUCKET}/batch/in/more/part-2.csv`, files[2]);

    // GIVEN a model trained by a Training step and registered as Approved
    const training = await executePipeline({
      definition: trainAndRegister(),
      pipelineName: 'train-register',
      s3,
      registry,
      workDir,
      python: PYTHON,
      executionId: 'train-1',
    });
    expect(training.failureReason).toBeUndefined();
    const train = training.steps[0];
    expect(train.properties).toMatchObject({
      TrainingJobName: 'pipelines-train-1-Train',
      TrainingJobStatus: 'Completed',
      ModelArtifacts: { S3ModelArtifacts: `s3://${BUCKET}/training/pipelines-train-1-Train/output/model.tar.gz` },
    });
    const finalMetrics = train.properties!.FinalMetricDataList as { MetricName: string; Value: number }[];
    expect(finalMetrics.map((m) => m.MetricName)).toEqual(['train:rmse', 'validation:rmse']);
    expect(train.metrics!.find((m) => m.name === 'validation:rmse')!.final).toBe(finalMetrics[1].Value);
    const packageArn = String(training.steps[1].properties!.ModelPackageArn);
    expect(registry.latestApproved('inference-test')!.ModelPackageArn).toBe(packageArn);

    // WHEN the inference pipeline runs it over a batch prefix
    const record = await executePipeline({
      definition: inferencePipelineDefinition({ roleArn: 'arn:aws:iam::000000000000:role/local', artifactBucketName: BUCKET }),
      pipelineName: 'inference',
      parameters: { ModelPackageArn: packageArn, BatchInputUri: `s3://${BUCKET}/batch/in/` },
      s3,
      registry,
      workDir,
      python: PYTHON,
      executionId: 'infer-1',
    });

    // THEN every input file has a .out with one prediction per record
    expect(record.failureReason).toBeUndefined();
    expect(record.steps.map((s) => [s.name, s.status])).toEqual([
      ['CreateModel', 'Succeeded'],
      ['BatchTransform', 'Succeeded'],
    ]);
    const model = record.steps[0].properties!;
    expect((model.PrimaryContainer as Record<string, unknown>).ModelDataUrl).toBe(
      (train.properties!.ModelArtifacts as Record<string, unknown>).S3ModelArtifacts,
    );
    const outputPath = String(((record.steps[1].properties!.TransformOutput as Record<string, unknown>).S3OutputPath));
    const outputs = s3.list(outputPath).map((o) => o.key);
    expect(outputs.some((k) => k.endsWith('part-1.csv.out'))).toBe(true);
    expect(outputs.some((k) => k.endsWith('more/part-2.csv.out'))).toBe(true);
    const predictions = s3
      .getText(s3.list(outputPath).find((o) => o.key.endsWith('part-1.csv.out'))!.uri)
      .trim()
      .split('\n');
    expect(predictions).toHaveLength(10);
    for (const p of predictions) expect(Number.isFinite(Number(p))).toBe(true);
    // the definition's AssembleWith Line reaches the runner: one line per record, each ending with a newline
    expect(fs.readFileSync(record.steps[1].logFiles[0], 'utf8')).toMatch(/--assemble-with Line/);
    expect(s3.getText(s3.list(outputPath).find((o) => o.key.endsWith('part-1.csv.out'))!.uri)).toMatch(/\n$/);

    // without AssembleWith, SageMaker's default None is used
    const noAssemble = JSON.parse(
      JSON.stringify(inferencePipelineDefinition({ roleArn: 'arn:aws:iam::000000000000:role/local', artifactBucketName: BUCKET })),
    ) as PipelineDefinitionJson;
    const transformStep = noAssemble.Steps.find((s) => s.Type === 'Transform') as unknown as { Arguments: { TransformOutput: Record<string, unknown> } };
    expect(transformStep.Arguments.TransformOutput.AssembleWith).toBe('Line');
    delete transformStep.Arguments.TransformOutput.AssembleWith;
    const concatenated = await executePipeline({
      definition: noAssemble,
      pipelineName: 'inference',
      parameters: { ModelPackageArn: packageArn, BatchInputUri: `s3://${BUCKET}/batch/in/` },
      s3,
      registry,
      workDir,
      python: PYTHON,
      executionId: 'infer-none',
    });
    expect(concatenated.failureReason).toBeUndefined();
    expect(fs.readFileSync(concatenated.steps[1].logFiles[0], 'utf8')).toMatch(/--assemble-with None/);

    // a malformed record fails the transform with the runner's message
    s3.putObject(`s3://${BUCKET}/batch/bad/rows.csv`, '1,2,3\nnot,a,number\n');
    const bad = await executePipeline({
      definition: inferencePipelineDefinition({ roleArn: 'arn:aws:iam::000000000000:role/local', artifactBucketName: BUCKET }),
      pipelineName: 'inference',
      parameters: { ModelPackageArn: packageArn, BatchInputUri: `s3://${BUCKET}/batch/bad/` },
      s3,
      registry,
      workDir,
      python: PYTHON,
      executionId: 'infer-bad',
    });
    expect(bad.failedStep).toBe('BatchTransform');
    expect(bad.failureReason).toMatch(/Transform job pipelines-infer-bad-BatchTransform \(step "BatchTransform"\) exited with code 1/);
    expect(bad.failureReason).toMatch(/rows\.csv/);

    // and an unknown model package fails the Model step with a clear message
    const missing = await executePipeline({
      definition: inferencePipelineDefinition({ roleArn: 'arn:aws:iam::000000000000:role/local', artifactBucketName: BUCKET }),
      pipelineName: 'inference',
      parameters: {
        ModelPackageArn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/inference-test/99',
        BatchInputUri: `s3://${BUCKET}/batch/in/`,
      },
      s3,
      registry,
      workDir,
      python: PYTHON,
      executionId: 'infer-2',
    });
    expect(missing.failedStep).toBe('CreateModel');
    expect(missing.failureReason).toMatch(/model-package\/inference-test\/99 is not in the local registry/);
  });
});
