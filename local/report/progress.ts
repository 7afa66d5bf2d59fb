import type { ExecutionEventListener } from '../executor/types';
import { formatDuration, formatNumber } from './html';
import { objectiveDirectionOf } from './render';

/** `[  12.3 s]`: time since `t0`, for progress lines. */
export function elapsedLabel(t0: number, now: number = Date.now()): string {
  return `[${((now - t0) / 1000).toFixed(1).padStart(6)} s]`;
}

/** The first non-empty line of a (possibly multi-line) message, at most 300 characters. */
export function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/**
 * An executor event listener that writes one progress line per event: steps started / done (with durations) /
 * cached / failed / skipped, condition outcomes, and each finished tuning trial with the best objective so far.
 */
export function progressPrinter(write: (line: string) => void, t0: number = Date.now()): ExecutionEventListener {
  let best: number | undefined;
  return (event) => {
    const at = elapsedLabel(t0);
    switch (event.type) {
      case 'executionStarted':
        write(`${at} ${event.pipelineName}: execution ${event.executionId} started`);
        best = undefined;
        break;
      case 'stepStarted':
        write(`${at}   start    ${event.step} (${event.stepType}${event.attempt > 1 ? `, attempt ${event.attempt}` : ''})`);
        break;
      case 'stepSucceeded':
        write(`${at}   done     ${event.step} in ${formatDuration(event.durationMs)}`);
        break;
      case 'stepCached':
        write(`${at}   cached   ${event.step} (reused execution ${event.cacheHit.sourceExecutionId})`);
        break;
      case 'stepFailed':
        write(
          `${at}   FAILED   ${event.step}: ${firstLine(event.failureReason)}` +
            (event.willRetry ? ` (retrying in ${event.retryInSeconds ?? 0} s)` : ''),
        );
        break;
      case 'stepNotExecuted':
        write(`${at}   skipped  ${event.step}: ${event.reason}`);
        break;
      case 'stepWarning':
        write(`${at}   warning  ${event.step}: ${firstLine(event.message)}`);
        break;
      case 'conditionEvaluated':
        write(`${at}            ${event.step} evaluated ${event.outcome}`);
        break;
      case 'tuningTrialFinished': {
        const t = event.trial;
        let objective = t.failureReason ? `failed: ${firstLine(t.failureReason)}` : 'no objective value';
        if (t.objective) {
          const direction = objectiveDirectionOf(t.objective.metricName) ?? 'Minimize';
          if (best === undefined || (direction === 'Minimize' ? t.objective.value < best : t.objective.value > best)) {
            best = t.objective.value;
          }
          objective = `${t.objective.metricName} = ${formatNumber(t.objective.value, 6)} (best ${formatNumber(best, 6)})`;
        }
        write(
          `${at}            trial ${event.finished}/${event.total} (#${t.index}) ${t.status.toLowerCase()} in ` +
            `${formatDuration(t.durationMs)}: ${objective}`,
        );
        break;
      }
      case 'executionFinished':
        write(
          `${at} execution ${event.status.toLowerCase()} in ${formatDuration(event.durationMs)}` +
            (event.failureReason ? `: ${firstLine(event.failureReason)}` : ''),
        );
        break;
    }
  };
}
