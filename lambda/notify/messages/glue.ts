import type { GlueJobRunStatusEvent, GlueJobStateChangeEvent } from '../event';
import { durationBetween, facts, formatNumber, formatTime, messageBody, section, subjectLine } from '../format';
import * as links from '../links';
import type { Notification } from '../notification';
import { footer } from './common';

/** An ETL run ended FAILED, TIMEOUT or STOPPED: Glue's message, and how to run it again. */
export function glueStateMessage(event: GlueJobStateChangeEvent): Notification {
  const { detail, region } = event;
  const { jobName, jobRunId, state } = detail;
  const outcome = state === 'TIMEOUT' ? 'timed out' : state === 'STOPPED' ? 'was stopped' : 'failed';
  const next: Record<string, string[]> = {
    FAILED: [
      '- Open the run (link below): its error message and logs name the cause, for example a file that does not',
      '  match the dataset contract, or a permission of the job\'s role.',
      '- Fix it, then upload the file again under raw/: each new object version starts a new ETL run.',
    ],
    TIMEOUT: [
      '- The run took longer than the job\'s timeout: the input may be larger than usual, or the run was stuck.',
      '- Look at the run\'s logs (link below); raise the job\'s timeout or its workers if the data grew, then upload',
      '  the file again under raw/ (each new object version starts a new ETL run).',
    ],
    STOPPED: [
      '- If the stop was intended, nothing.',
      '- Otherwise upload the file again under raw/ (each new object version starts a new ETL run).',
    ],
  };
  return {
    kind: state === 'TIMEOUT' ? 'glue-job-timeout' : state === 'STOPPED' ? 'glue-job-stopped' : 'glue-job-failed',
    subject: subjectLine(`${state === 'TIMEOUT' ? 'TIMED OUT' : state}: Glue ETL job ${jobName}`),
    message: messageBody([
      `A run of the Glue ETL job ${jobName} ${outcome}. No training starts from it (training starts only after a ` +
        'run that SUCCEEDED).',
      facts([
        ['Glue job', jobName],
        ['Run', jobRunId],
        ['State', `${state}${detail.severity ? ` (severity ${detail.severity})` : ''}`],
        ['Account', event.account],
        ['Region', region],
        ['When', formatTime(event.time)],
      ]),
      section('Why', [
        detail.message !== undefined && detail.message.trim() !== ''
          ? detail.message.trim()
          : 'Glue gave no message; the run\'s error and logs hold the cause.',
      ]),
      section('What to do next', next[state] ?? next.FAILED),
      section('Links', [`The run in Glue Studio: ${links.glueJobRunUrl(region, jobName, jobRunId)}`]),
      footer(event),
    ]),
  };
}

/** A run is still going past its job's notify delay ("Glue Job Run Status"): how long, and how to stop it. */
export function glueLateMessage(event: GlueJobRunStatusEvent): Notification {
  const { detail, region } = event;
  const { jobName, jobRunId, state } = detail;
  const delay = detail.notificationCondition?.NotifyDelayAfter;
  const elapsed = durationBetween(detail.startedOn, event.time);
  const delayText = delay === undefined ? undefined : `${formatNumber(delay)} min`;
  return {
    kind: 'glue-job-late',
    subject: subjectLine(`LATE: Glue ETL job ${jobName} still ${state}${elapsed ? ` after ${elapsed}` : ''}`),
    message: messageBody([
      `A run of the Glue ETL job ${jobName} is still ${state}` +
        `${elapsed ? ` ${elapsed} after it started` : ''}, longer than the job's notify delay` +
        `${delayText ? ` of ${delayText}` : ''}.`,
      facts([
        ['Glue job', jobName],
        ['Run', jobRunId],
        ['State', state],
        ['Started', formatTime(detail.startedOn)],
        ['Notify delay', delayText],
        ['Account', event.account],
        ['Region', region],
        ['When', formatTime(event.time)],
      ]),
      section('Why', [
        `${detail.message?.trim() || `The run is in state ${state}`}; Glue reports runs that take longer than the ` +
          "job's notify delay (NotifyDelayAfter).",
      ]),
      section('What to do next', [
        '- Look at the run\'s progress and logs (link below).',
        '- If it is stuck, stop it:',
        `    aws glue batch-stop-job-run --job-name ${jobName} --job-run-ids ${jobRunId} --region ${region}`,
        '- If runs simply take longer now (more data), raise the job\'s notify delay.',
      ]),
      section('Links', [`The run in Glue Studio: ${links.glueJobRunUrl(region, jobName, jobRunId)}`]),
      footer(event),
    ]),
  };
}
