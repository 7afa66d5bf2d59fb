/** Text helpers for the messages: times, durations, numbers, aligned facts, SNS's subject rules. */

/** SNS takes subjects of "less than 100 characters", without line breaks or control characters. */
export const MAX_SUBJECT_LENGTH = 99;

/** SNS messages are at most 256 KiB of UTF-8; the body stays well below, whatever the failure reasons hold. */
export const MAX_MESSAGE_LENGTH = 100_000;

/** A time as AWS's events and APIs give it: a Date, ISO-8601 text, or epoch seconds/milliseconds (number or text). */
export type TimeValue = Date | string | number;

/** The time `value` stands for, or undefined when it is missing or unreadable. */
export function parseTime(value: TimeValue | undefined): Date | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? undefined : value;
  }
  const text = String(value).trim();
  let millis: number;
  if (/^\d+(\.\d+)?$/.test(text)) {
    const numeric = Number(text);
    // SageMaker's events carry epoch milliseconds as text ("1583831889050"), some fields epoch seconds.
    millis = numeric >= 1e11 ? numeric : numeric * 1000;
  } else {
    millis = Date.parse(text);
  }
  return Number.isFinite(millis) ? new Date(millis) : undefined;
}

/** `2021-03-15 16:10:11 UTC`, or undefined. */
export function formatTime(value: TimeValue | undefined): string | undefined {
  const date = parseTime(value);
  return date === undefined ? undefined : date.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

/** `6 min 57 s`, `2 h 5 min`, `45 s` (whole seconds); undefined for a negative or unknown span. */
export function formatDuration(milliseconds: number | undefined): string | undefined {
  if (milliseconds === undefined || !Number.isFinite(milliseconds) || milliseconds < 0) {
    return undefined;
  }
  const seconds = Math.round(milliseconds / 1000);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours > 0) {
    return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  }
  if (minutes > 0) {
    return rest > 0 ? `${minutes} min ${rest} s` : `${minutes} min`;
  }
  return `${rest} s`;
}

/** The time from `start` to `end`, formatted; undefined when either is unknown. */
export function durationBetween(start: TimeValue | undefined, end: TimeValue | undefined): string | undefined {
  const from = parseTime(start);
  const to = parseTime(end);
  return from === undefined || to === undefined ? undefined : formatDuration(to.getTime() - from.getTime());
}

/** A metric value for people: at most 6 significant digits, no float noise (`0.11`, not `0.10999999999999999`). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) {
    return String(value);
  }
  return String(Number.parseFloat(value.toPrecision(6)));
}

/**
 * A subject SNS accepts: control characters and line breaks become spaces, runs of spaces one, and text beyond
 * {@link MAX_SUBJECT_LENGTH} characters is cut with '...'.
 */
export function subjectLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim();
  const characters = Array.from(flat);
  return characters.length <= MAX_SUBJECT_LENGTH
    ? flat
    : `${characters.slice(0, MAX_SUBJECT_LENGTH - 3).join('').trimEnd()}...`;
}

/** `label: value` lines with the values aligned; entries whose value is undefined are left out. */
export function facts(entries: readonly (readonly [label: string, value: string | undefined])[]): string {
  const present = entries.filter((entry): entry is readonly [string, string] => entry[1] !== undefined);
  const width = Math.max(0, ...present.map(([label]) => label.length)) + 2;
  return present
    .map(([label, value]) => {
      const [first, ...more] = value.split('\n');
      const pad = ' '.repeat(width);
      return [`${`${label}:`.padEnd(width)}${first}`, ...more.map((line) => `${pad}${line}`)].join('\n');
    })
    .join('\n');
}

/** `text` with every line indented by `spaces`. */
export function indent(text: string, spaces = 2): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `${pad}${line}`))
    .join('\n');
}

/** A titled section: the title, then its lines indented; undefined when there are no lines. */
export function section(title: string, lines: readonly (string | undefined)[]): string | undefined {
  const present = lines.filter((line): line is string => line !== undefined && line !== '');
  return present.length === 0 ? undefined : `${title}\n${indent(present.join('\n'))}`;
}

/** The message body: the parts that are present, separated by blank lines, cut at {@link MAX_MESSAGE_LENGTH}. */
export function messageBody(parts: readonly (string | undefined)[]): string {
  const body = parts.filter((part): part is string => part !== undefined && part !== '').join('\n\n');
  if (body.length <= MAX_MESSAGE_LENGTH) {
    return `${body}\n`;
  }
  return `${body.slice(0, MAX_MESSAGE_LENGTH)}\n\n[message cut at ${MAX_MESSAGE_LENGTH} characters]\n`;
}

/** `"text"`, cut to `max` characters with '...', for quoting values a person or a system wrote. */
export function quoted(text: string, max = 300): string {
  const shown = text.length > max ? `${text.slice(0, max - 3)}...` : text;
  return JSON.stringify(shown);
}
