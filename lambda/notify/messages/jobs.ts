import type { TrainingJobStateChangeEvent, TuningJobStateChangeEvent } from '../event';
import { facts, formatNumber, formatTime, messageBody, section, subjectLine } from '../format';
import * as links from '../links';
import type { Notification } from '../notification';
import { endedText, footer, lastSegment } from './common';

/** A training job failed or was stopped (a tuning trial says whose): its FailureReason, logs and console links. */
export function trainingJobMessage(event: TrainingJobStateChangeEvent): Notification {
  const { detail, region } = event;
  const name = detail.TrainingJobName;
  const failed = detail.TrainingJobStatus === 'Failed';
  const tuningJob = detail.TuningJobArn === undefined ? undefined : lastSegment(detail.TuningJobArn);
  const trial = tuningJob === undefined ? '' : ` (a trial of tuning job ${tuningJob})`;
  const maxRuntime = detail.StoppingCondition?.MaxRuntimeInSeconds;
  const secondary = detail.SecondaryStatus;
  const statusText =
    secondary !== undefined && secondary !== detail.TrainingJobStatus
      ? `${detail.TrainingJobStatus} (${secondary})`
      : detail.TrainingJobStatus;

  let why: string;
  if (detail.FailureReason !== undefined && detail.FailureReason.trim() !== '') {
    why = detail.FailureReason.trim();
  } else if (secondary === 'MaxRuntimeExceeded') {
    why = `It ran longer than its stopping condition allows (MaxRuntimeInSeconds ${maxRuntime ?? 'unknown'}).`;
  } else if (failed) {
    why = 'SageMaker gave no failure reason; the job\'s logs hold the error.';
  } else {
    why = 'Someone or something called StopTrainingJob on it (or stopped the pipeline that started it).';
  }

  const next: string[] = failed
    ? [
        '- Read the job\'s logs (link below). "AlgorithmError" points at the training script or its data,',
        '  "ClientError" at the job\'s settings or inputs; an "InternalServerError" is on SageMaker\'s side: run it',
        '  again.',
        ...(tuningJob === undefined
          ? []
          : [
              `- One failed trial does not end tuning job ${tuningJob}; it fails when too many trials fail, and then`,
              '  the training pipeline\'s Tune step fails with it (a separate message).',
            ]),
      ]
    : [
        '- If the stop was intended, nothing.',
        secondary === 'MaxRuntimeExceeded'
          ? '- Otherwise give the job more time (its MaxRuntimeInSeconds) or less data, then run it again.'
          : '- Otherwise run it again (for a pipeline step: retry the pipeline execution).',
      ];

  const status = failed ? 'FAILED' : 'STOPPED';
  return {
    kind: failed ? 'training-job-failed' : 'training-job-stopped',
    subject: subjectLine(`${status}: SageMaker ${tuningJob === undefined ? 'training job' : 'tuning trial'} ${name}`),
    message: messageBody([
      `SageMaker training job ${name}${trial} ${failed ? 'failed' : 'was stopped'}.`,
      facts([
        ['Training job', `${name}${detail.TrainingJobArn ? `\n${detail.TrainingJobArn}` : ''}`],
        ['Tuning job', tuningJob],
        ['Status', statusText],
        ['Account', event.account],
        ['Region', region],
        ['Created', formatTime(detail.CreationTime)],
        ['Started', formatTime(detail.TrainingStartTime)],
        ['Ended', endedText(detail.TrainingStartTime, detail.TrainingEndTime ?? event.time)],
      ]),
      section('Why', why.split('\n')),
      section('What to do next', next),
      section('Links', [
        `Training job: ${links.trainingJobUrl(region, name)}`,
        `Its logs: ${links.sageMakerJobLogsUrl(region, 'TrainingJobs', name)}`,
        tuningJob === undefined ? undefined : `Tuning job ${tuningJob}: ${links.tuningJobUrl(region, tuningJob)}`,
      ]),
      footer(event),
    ]),
  };
}

/** A tuning job failed or was stopped: its FailureReason, its trials' counts and the best one so far. */
export function tuningJobMessage(event: TuningJobStateChangeEvent): Notification {
  const { detail, region } = event;
  const name = detail.HyperParameterTuningJobName;
  const failed = detail.HyperParameterTuningJobStatus === 'Failed';
  const counters = detail.TrainingJobStatusCounters;
  const trials =
    counters === undefined
      ? undefined
      : [
          `${counters.Completed ?? 0} completed`,
          `${counters.InProgress ?? 0} in progress`,
          `${counters.RetryableError ?? 0} failed with a retryable error`,
          `${counters.NonRetryableError ?? 0} failed with a non-retryable error`,
          `${counters.Stopped ?? 0} stopped`,
        ].join(', ');
  const best = detail.BestTrainingJob;
  const objective = best?.FinalHyperParameterTuningJobObjectiveMetric;
  const bestText =
    best?.TrainingJobName === undefined
      ? undefined
      : best.TrainingJobName +
        (objective?.Value === undefined
          ? ''
          : ` (${objective.MetricName ?? 'objective'} ${formatNumber(objective.Value)})`);
  const why =
    detail.FailureReason !== undefined && detail.FailureReason.trim() !== ''
      ? detail.FailureReason.trim()
      : failed
        ? 'SageMaker gave no failure reason; the failed training jobs of the tuning job hold the errors.'
        : 'Someone or something called StopHyperParameterTuningJob on it (or stopped the pipeline that started it).';
  const status = failed ? 'FAILED' : 'STOPPED';
  return {
    kind: failed ? 'tuning-job-failed' : 'tuning-job-stopped',
    subject: subjectLine(`${status}: SageMaker tuning job ${name}`),
    message: messageBody([
      `SageMaker hyperparameter tuning job ${name} ${failed ? 'failed' : 'was stopped'}.`,
      facts([
        ['Tuning job', `${name}${detail.HyperParameterTuningJobArn ? `\n${detail.HyperParameterTuningJobArn}` : ''}`],
        ['Status', detail.HyperParameterTuningJobStatus],
        ['Training jobs', trials],
        ['Best so far', bestText],
        ['Account', event.account],
        ['Region', region],
        ['Created', formatTime(detail.CreationTime)],
        ['Ended', endedText(detail.CreationTime, detail.HyperParameterTuningEndTime ?? event.time)],
      ]),
      section('Why', why.split('\n')),
      section(
        'What to do next',
        failed
          ? [
              '- Open the tuning job (link below), then its failed training jobs: their failure reasons and logs name',
              '  the error (often the training script, its data, or a hyperparameter range it cannot train with).',
              '- If the training pipeline started it, its Tune step failed too (a separate message); retry that',
              '  execution once the cause is fixed.',
            ]
          : ['- If the stop was intended, nothing; otherwise run the tuning (or its pipeline execution) again.'],
      ),
      section('Links', [`Tuning job and its training jobs: ${links.tuningJobUrl(region, name)}`]),
      footer(event),
    ]),
  };
}
