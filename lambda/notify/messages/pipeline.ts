import {
  INFERENCE_PIPELINE_PARAMETERS,
  TRAINING_PIPELINE_PARAMETERS,
  TRAINING_PIPELINE_STEPS,
} from '../../../lib/sagemaker-pipelines/names';
import type { PipelineExecutionStatusChangeEvent } from '../event';
import { durationBetween, facts, formatTime, messageBody, section, subjectLine } from '../format';
import * as links from '../links';
import type { FormatOptions, Notification, PipelineStepSummary } from '../notification';
import { displayName, endedText, footer, lastSegment, sameSageMakerName } from './common';

/**
 * A pipeline execution failed (naming the failed steps and their reasons, the quality gate's own message first),
 * was stopped, or succeeded (short).
 */
export function pipelineMessage(
  event: PipelineExecutionStatusChangeEvent,
  steps: readonly PipelineStepSummary[] | undefined,
  options: FormatOptions,
): Notification {
  const { detail, region } = event;
  const status = detail.currentPipelineExecutionStatus;
  const pipeline = lastSegment(detail.pipelineArn);
  const executionId = lastSegment(detail.pipelineExecutionArn);
  const isTraining = !(options.inferencePipelineName === undefined
    ? /inference/i.test(pipeline)
    : sameSageMakerName(pipeline, options.inferencePipelineName));
  const role = isTraining ? 'training' : 'inference';
  const previous = detail.previousPipelineExecutionStatus;
  const failedSteps = (steps ?? []).filter((step) => step.StepStatus === 'Failed');
  const gateFailed = failedSteps.find((step) => isQualityGateStep(step));

  const where = facts([
    ['Pipeline', `${pipeline} (the ${role} pipeline)`],
    [
      'Execution',
      `${executionId}${displayName(detail.pipelineExecutionDisplayName, executionId)}\n${detail.pipelineExecutionArn}`,
    ],
    ['Description', detail.pipelineExecutionDescription],
    ['Status', `${status}${previous === undefined ? '' : ` (was ${previous})`}`],
    ['Account', event.account],
    ['Region', region],
    ['Started', formatTime(detail.executionStartTime)],
    ['Ended', endedText(detail.executionStartTime, detail.executionEndTime ?? event.time)],
  ]);
  const retry =
    `aws sagemaker retry-pipeline-execution --pipeline-execution-arn ${detail.pipelineExecutionArn} ` +
    `--region ${region}`;
  const startAgain = isTraining
    ? `aws sagemaker start-pipeline-execution --pipeline-name ${pipeline} --pipeline-parameters ` +
      `Name=${TRAINING_PIPELINE_PARAMETERS.inputDataUri},Value=<curated data URI> --region ${region}`
    : `aws sagemaker start-pipeline-execution --pipeline-name ${pipeline} --pipeline-parameters ` +
      `Name=${INFERENCE_PIPELINE_PARAMETERS.modelPackageArn},Value=<approved model version ARN> ` +
      `Name=${INFERENCE_PIPELINE_PARAMETERS.batchInputUri},Value=<batch input URI> --region ${region}`;
  const pipelineLinks = pipelineExecutionLinks(region, pipeline, executionId, options);

  if (status === 'Succeeded') {
    const what = isTraining
      ? `The model met the quality gate and was registered as a new version` +
        `${options.modelPackageGroupName ? ` in model package group ${options.modelPackageGroupName}` : ''}. ` +
        'If it awaits manual approval, a separate message asks for it.'
      : 'The batch transform wrote its predictions; the BatchTransform step names its transform job and output.';
    return {
      kind: 'pipeline-succeeded',
      subject: subjectLine(`Succeeded: ${role} pipeline ${pipeline}, execution ${executionId}`),
      message: messageBody([
        `The ${role} pipeline ${pipeline} finished execution ${executionId} successfully.`,
        what,
        where,
        section('Links', pipelineLinks),
        footer(event),
      ]),
    };
  }

  if (status === 'Stopped') {
    return {
      kind: 'pipeline-stopped',
      subject: subjectLine(`Stopped: ${role} pipeline ${pipeline}, execution ${executionId}`),
      message: messageBody([
        `Execution ${executionId} of the ${role} pipeline ${pipeline} was stopped before it finished.`,
        where,
        section('Why', [
          'Someone or something called StopPipelineExecution on it (or stopped the job of a running step); ' +
            'SageMaker records no reason. CloudTrail shows who: look for the StopPipelineExecution event.',
        ]),
        section('What to do next', [
          '- If the stop was intended, nothing.',
          '- Otherwise run it again: retry it (steps that succeeded are not run again)',
          `    ${retry}`,
          '  or start a new execution:',
          `    ${startAgain}`,
        ]),
        section('Links', pipelineLinks),
        footer(event),
      ]),
    };
  }

  // Failed
  const failedNames = failedSteps.map((step) => stepName(step));
  let subject: string;
  let headline: string;
  if (gateFailed !== undefined) {
    const reason = stepReason(gateFailed);
    const said = reason === undefined ? '' : ` - ${reason.replace(/^Quality gate failed:\s*/i, '')}`;
    subject = `FAILED quality gate: ${pipeline}${said}`;
    headline =
      `Execution ${executionId} of the ${role} pipeline ${pipeline} failed: the model did not pass the quality gate, ` +
      'so no model version was registered.';
  } else if (failedNames.length > 0) {
    const at = `${failedNames.length === 1 ? 'step' : 'steps'} ${failedNames.join(', ')}`;
    subject = `FAILED: ${role} pipeline ${pipeline} at ${at}`;
    headline = `Execution ${executionId} of the ${role} pipeline ${pipeline} failed at ${at}.`;
  } else {
    subject = `FAILED: ${role} pipeline ${pipeline}, execution ${executionId}`;
    headline = `Execution ${executionId} of the ${role} pipeline ${pipeline} failed.`;
  }

  const why =
    steps === undefined
      ? ['The execution\'s steps were not read, so the failed step is not named here.']
      : failedSteps.length === 0
        ? [
            'SageMaker lists no failed step: the execution failed before or between steps (for example a parameter ' +
              'value the definition rejects). Its FailureReason says why:',
            `  aws sagemaker describe-pipeline-execution --pipeline-execution-arn ${detail.pipelineExecutionArn} ` +
              `--region ${region}`,
          ]
        : failedSteps.map((step) => failedStepText(step, region));

  const next: string[] =
    gateFailed !== undefined
      ? [
          '- The model scored below the threshold the stage sets for its quality metric. Improve the data or the',
          '  features, or tune longer (the stage setting tuning.maxJobs). If the gate is stricter than the use case',
          '  needs, change the stage setting qualityGate.threshold (the pipeline\'s ' +
            `${TRAINING_PIPELINE_PARAMETERS.qualityThreshold} parameter).`,
          '- Then start a new execution:',
          `    ${startAgain}`,
        ]
      : [
          "- Read the failed step's job logs (links below): the error names the script, the data or the setting at " +
            'fault.',
          '- After fixing it, retry the execution (steps that succeeded are not run again):',
          `    ${retry}`,
          '  or start a new execution:',
          `    ${startAgain}`,
        ];

  return {
    kind: 'pipeline-failed',
    subject: subjectLine(subject),
    message: messageBody([
      headline,
      where,
      section('Why', why),
      section('Steps', (steps ?? []).map((step) => stepLine(step))),
      section('What to do next', next),
      section('Links', [...pipelineLinks, ...failedSteps.flatMap((step) => stepJobLinks(step, region))]),
      footer(event),
    ]),
  };
}

/** The training pipeline's Fail step after CheckQuality (its message starts "Quality gate failed:"). */
function isQualityGateStep(step: PipelineStepSummary): boolean {
  return (
    step.StepName === TRAINING_PIPELINE_STEPS.qualityGateFailed ||
    /^Quality gate failed/i.test(step.Metadata?.Fail?.ErrorMessage ?? '')
  );
}

function stepName(step: PipelineStepSummary): string {
  return step.StepDisplayName ?? step.StepName ?? '(unnamed step)';
}

/** The step's own message: a Fail step's ErrorMessage, else SageMaker's FailureReason. */
function stepReason(step: PipelineStepSummary): string | undefined {
  const reason = step.Metadata?.Fail?.ErrorMessage ?? step.FailureReason;
  return reason === undefined || reason.trim() === '' ? undefined : reason.trim();
}

function failedStepText(step: PipelineStepSummary, region: string): string {
  const reason = stepReason(step) ?? '(SageMaker gave no failure reason)';
  const job = stepJob(step);
  const attempts =
    step.AttemptCount !== undefined && step.AttemptCount > 1 ? `, after ${step.AttemptCount} attempts` : '';
  const lines = [`Step ${stepName(step)} failed${attempts}${step.EndTime ? ` at ${formatTime(step.EndTime)}` : ''}:`];
  lines.push(...reason.split('\n').map((line) => `  ${line}`));
  if (job !== undefined) {
    lines.push(`  Its ${job.label}: ${job.name} (${job.url(region)})`);
  }
  return lines.join('\n');
}

function stepLine(step: PipelineStepSummary): string {
  const notes: string[] = [];
  if (step.CacheHitResult?.SourcePipelineExecutionArn) {
    notes.push(`reused from execution ${lastSegment(step.CacheHitResult.SourcePipelineExecutionArn)}`);
  }
  if (step.Metadata?.Condition?.Outcome !== undefined) {
    notes.push(`outcome ${step.Metadata.Condition.Outcome}`);
  }
  const took = durationBetween(step.StartTime, step.EndTime);
  if (took !== undefined) {
    notes.push(took);
  }
  const said = notes.length > 0 ? ` (${notes.join(', ')})` : '';
  return `${stepName(step).padEnd(20)} ${step.StepStatus ?? 'unknown'}${said}`;
}

interface StepJob {
  readonly label: string;
  readonly name: string;
  readonly url: (region: string) => string;
  readonly logs?: (region: string) => string;
}

/** The SageMaker job behind a step, from its metadata (job ARNs end in `<type>/<name>`). */
function stepJob(step: PipelineStepSummary): StepJob | undefined {
  const metadata = step.Metadata;
  if (metadata?.ProcessingJob?.Arn) {
    const name = lastSegment(metadata.ProcessingJob.Arn);
    return {
      label: 'processing job',
      name,
      url: (region) => links.processingJobUrl(region, name),
      logs: (region) => links.sageMakerJobLogsUrl(region, 'ProcessingJobs', name),
    };
  }
  if (metadata?.TrainingJob?.Arn) {
    const name = lastSegment(metadata.TrainingJob.Arn);
    return {
      label: 'training job',
      name,
      url: (region) => links.trainingJobUrl(region, name),
      logs: (region) => links.sageMakerJobLogsUrl(region, 'TrainingJobs', name),
    };
  }
  if (metadata?.TuningJob?.Arn) {
    const name = lastSegment(metadata.TuningJob.Arn);
    return { label: 'tuning job', name, url: (region) => links.tuningJobUrl(region, name) };
  }
  if (metadata?.TransformJob?.Arn) {
    const name = lastSegment(metadata.TransformJob.Arn);
    return {
      label: 'transform job',
      name,
      url: (region) => links.transformJobUrl(region, name),
      logs: (region) => links.sageMakerJobLogsUrl(region, 'TransformJobs', name),
    };
  }
  return undefined;
}

function stepJobLinks(step: PipelineStepSummary, region: string): string[] {
  const job = stepJob(step);
  if (job === undefined) {
    return [];
  }
  const lines = [`Step ${stepName(step)}, ${job.label} ${job.name}: ${job.url(region)}`];
  if (job.logs !== undefined) {
    lines.push(`Step ${stepName(step)}, its logs: ${job.logs(region)}`);
  }
  return lines;
}

function pipelineExecutionLinks(
  region: string,
  pipeline: string,
  executionId: string,
  options: FormatOptions,
): string[] {
  const lines: string[] = [];
  if (options.studioDomainId !== undefined) {
    const url = links.studioPipelineExecutionUrl(region, options.studioDomainId, pipeline, executionId);
    lines.push(`Execution in SageMaker Studio: ${url}`);
  }
  lines.push(
    `SageMaker Studio (open Studio, then Pipelines > ${pipeline} > Executions > ${executionId}): ` +
      links.studioLandingUrl(region),
  );
  return lines;
}
