import type { ActionExecutionDetail, PipelineExecution } from '@aws-sdk/client-codepipeline';
import failedSample from '../../fixtures/events/aws.codepipeline/codepipeline-pipeline-execution-state-change-failed.json';
import startedSample from '../../fixtures/events/aws.codepipeline/codepipeline-pipeline-execution-state-change-started.json';
import stoppingSample from '../../fixtures/events/aws.codepipeline/codepipeline-pipeline-execution-state-change-stopping.json';
import succeededSample from '../../fixtures/events/aws.codepipeline/codepipeline-pipeline-execution-state-change-succeeded.json';
import { variant } from '../helpers';

/**
 * The deployment pipeline's events (AWS's published CodePipeline samples, for the platform's pipeline) and what
 * CodePipeline answers about one execution of it: the stages and actions lib/stacks/deployment-stack.ts declares.
 */

export const DEPLOYMENT_PIPELINE = 'mlops-test-deployment';
export const EXECUTION_ID = succeededSample.detail['execution-id'];
export const GROUP = 'mlops-test-models';
export const VERSION_ARN = `arn:aws:sagemaker:us-east-1:123456789012:model-package/${GROUP}/7`;
export const SYSTEM_TEST_EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:mlops-test-system-test:5f0c1d2e-aaaa-bbbb-cccc-0123456789ab';
export const REVIEWER = 'arn:aws:sts::123456789012:assumed-role/Admin/jane';

export { failedSample, startedSample, stoppingSample, succeededSample };

const SAMPLES = { SUCCEEDED: succeededSample, FAILED: failedSample, STOPPING: stoppingSample, STARTED: startedSample };

/** A sample for the deployment pipeline in `state` (STOPPED and others: the STOPPING sample, whose fields it has). */
export function deploymentEvent(state: string, pipeline = DEPLOYMENT_PIPELINE) {
  const sample = SAMPLES[state as keyof typeof SAMPLES] ?? stoppingSample;
  return variant(sample as typeof stoppingSample, (e) => {
    e.resources = [`arn:aws:codepipeline:${e.region}:${e.account}:${pipeline}`];
    e.detail.pipeline = pipeline;
    e.detail.state = state;
  });
}

/** GetPipelineExecution's answer, started by the model-approved rule. */
export function pipelineExecution(status: PipelineExecution['status'], extra: Partial<PipelineExecution> = {}): { pipelineExecution: PipelineExecution } {
  return {
    pipelineExecution: {
      pipelineName: DEPLOYMENT_PIPELINE,
      pipelineVersion: 3,
      pipelineExecutionId: EXECUTION_ID,
      status,
      trigger: { triggerType: 'CloudWatchEvent', triggerDetail: 'arn:aws:events:us-east-1:123456789012:rule/mlops-test-deployment-ModelApproved' },
      executionMode: 'SUPERSEDED',
      ...extra,
    },
  };
}

const at = (minute: number) => new Date(Date.UTC(2020, 0, 24, 22, minute, 0));

function action(
  stageName: string,
  actionName: string,
  category: string,
  provider: string,
  minutes: [number, number],
  extra: Partial<ActionExecutionDetail> = {},
): ActionExecutionDetail {
  return {
    pipelineExecutionId: EXECUTION_ID,
    actionExecutionId: `${stageName}-${actionName}`.toLowerCase(),
    pipelineVersion: 3,
    stageName,
    actionName,
    startTime: at(minutes[0]),
    lastUpdateTime: at(minutes[1]),
    status: 'Succeeded',
    ...extra,
    input: { actionTypeId: { category, owner: 'AWS', provider, version: '1' }, configuration: {}, ...extra.input },
    output: { ...extra.output },
  } as ActionExecutionDetail;
}

export const RESOLVE_VARIABLES = {
  ModelPackageArn: VERSION_ARN,
  ModelPackageGroupName: GROUP,
  ModelPackageVersion: '7',
  ModelSummary: `${GROUP} version 7, registered 2020-01-24T20:00:00Z, gate r2 >= 0.6`,
};
export const TEST_SUMMARY = 'r2 0.8123 (>= 0.6) and p95 41 ms (<= 200 ms) on 1000 held-out rows';

/** Every action of a successful run, newest first (as ListActionExecutions lists them). */
export function succeededActions(): ActionExecutionDetail[] {
  return [
    action('Production', 'DeployProductionEndpoint', 'Deploy', 'CloudFormation', [40, 52], { input: { configuration: { StackName: 'mlops-test-endpoint-production', ActionMode: 'CREATE_UPDATE' } } }),
    action('Approval', 'ApproveProduction', 'Approval', 'Manual', [20, 39], {
      updatedBy: REVIEWER,
      output: { executionResult: { externalExecutionSummary: 'Metrics look good' } },
    }),
    action('SystemTest', 'TestReport', 'Invoke', 'Lambda', [19, 20], {
      input: { configuration: { FunctionName: 'mlops-test-DeployTestReport' } },
      output: { outputVariables: { Summary: TEST_SUMMARY, MetricName: 'r2' } },
    }),
    action('SystemTest', 'SystemTest', 'Invoke', 'StepFunctions', [12, 19], {
      output: { outputVariables: { ExecutionArn: SYSTEM_TEST_EXECUTION, StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:mlops-test-system-test' } },
    }),
    action('Staging', 'DeployStagingEndpoint', 'Deploy', 'CloudFormation', [3, 12], { input: { configuration: { StackName: 'mlops-test-endpoint-staging' } } }),
    action('ResolveModel', 'LatestApprovedVersion', 'Invoke', 'Lambda', [2, 3], {
      input: { configuration: { FunctionName: 'mlops-test-DeployResolveModel', UserParameters: `{"modelPackageGroupName":"${GROUP}"}` } },
      output: { outputVariables: RESOLVE_VARIABLES, executionResult: { externalExecutionSummary: `Deploying ${RESOLVE_VARIABLES.ModelSummary}` } },
    }),
    action('Source', 'EndpointTemplates', 'Source', 'S3', [1, 2]),
  ];
}

/** The actions of a run that failed at `stage`/`name` (the failed action with `failure`; later ones never ran). */
export function failedActions(stage: string, name: string, failure: Partial<ActionExecutionDetail>): ActionExecutionDetail[] {
  const all = succeededActions();
  const index = all.findIndex((a) => a.stageName === stage && a.actionName === name);
  if (index < 0) throw new Error(`no action ${stage}/${name}`);
  const failed = {
    ...all[index],
    ...failure,
    status: 'Failed' as const,
    output: { ...failure.output },
  };
  return [failed, ...all.slice(index + 1)];
}
