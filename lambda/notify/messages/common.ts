import type { NotifyEvent } from '../event';
import { durationBetween, formatTime, type TimeValue } from '../format';

/** The last lines of every message: which event it answers. */
export function footer(event: NotifyEvent): string {
  return (
    `--\nSent by the MLOps platform's notify function for EventBridge event ${event.id} ` +
    `("${event['detail-type']}" at ${formatTime(event.time) ?? event.time}).`
  );
}

/** `<end time> (after <duration>)`, or undefined without an end time. */
export function endedText(start: TimeValue | undefined, end: TimeValue | undefined): string | undefined {
  const ended = formatTime(end);
  const took = durationBetween(start, end);
  return ended === undefined ? undefined : `${ended}${took === undefined ? '' : ` (after ${took})`}`;
}

/** ` ("<display name>")` when an execution has one other than its id. */
export function displayName(name: string | undefined, executionId: string): string {
  return name === undefined || name === executionId ? '' : ` ("${name}")`;
}

/** SageMaker names are unique without regard to case, and some ARNs carry them in lower case. */
export function sameSageMakerName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The text after the last '/' (a name or id at the end of an ARN). */
export function lastSegment(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}
