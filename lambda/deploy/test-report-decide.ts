import { z } from 'zod';
import { describeValue, parseEvent } from '../shared/events';
import { cut, jobFailed, type JobOutcome } from './job';
import { TEST_REPORT_VARIABLES as VARIABLES } from './variables';

/**
 * The decisions of `deploy/test-report` (pure): its UserParameters, and what the system test's execution says.
 * The handler reads the execution; these functions only interpret it.
 */

/** What the action's UserParameters look like in the pipeline definition (CodePipeline substitutes the variable). */
export const TEST_REPORT_USER_PARAMETERS_EXAMPLE = '{"executionArn":"#{SystemTest.ExecutionArn}"}';

/** A standard workflow's execution: `arn:aws:states:<region>:<account>:execution:<state machine>:<name>`. */
const EXECUTION_ARN_PATTERN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):execution:([^:\s]+):([^:\s]+)$/;

/** The action's UserParameters: the system test's execution. Unknown keys are refused (typos). */
export const TestReportUserParametersSchema = z.strictObject({
  executionArn: z
    .string()
    .refine((arn) => !arn.includes('#{'), {
      message:
        'an unresolved CodePipeline variable: this action must run after the Step Functions action whose ' +
        'variable namespace the reference names, in a later stage or with a higher runOrder',
      abort: true,
    })
    .refine((arn) => !/^arn:aws[a-z-]*:states:[^:]*:\d*:express:/.test(arn), {
      message: 'the ARN of an Express workflow execution, which DescribeExecution cannot read: use a Standard workflow',
      abort: true,
    })
    .regex(
      EXECUTION_ARN_PATTERN,
      'not a Step Functions execution ARN (arn:aws:states:<region>:<account>:execution:<state machine>:<name>)',
    ),
});

/** The output of the system test's state machine (its evaluate step writes exactly this). */
export const SystemTestOutputSchema = z.object({
  /** Held-out rows sent to the endpoint. */
  rows: z.number().int().nonnegative(),
  /** Requests those rows took. */
  requests: z.number().int().nonnegative(),
  metric: z.object({
    name: z.string().min(1),
    value: z.number(),
    threshold: z.number(),
    direction: z.enum(['Maximize', 'Minimize']),
  }),
  latency: z.object({
    p50Ms: z.number().nonnegative(),
    p95Ms: z.number().nonnegative(),
    p99Ms: z.number().nonnegative(),
    maxMs: z.number().nonnegative(),
    /** The largest p95 the test allows. */
    maxP95Ms: z.number().positive(),
  }),
});

export type SystemTestOutput = z.output<typeof SystemTestOutputSchema>;

/** An execution as DescribeExecution describes it, reduced to what the decision reads. */
export interface DescribedExecution {
  readonly executionArn?: string;
  readonly name?: string;
  readonly status?: string;
  readonly stopDate?: Date;
  readonly output?: string;
  readonly outputDetails?: { readonly included?: boolean };
  readonly error?: string;
  readonly cause?: string;
}

/** The execution does not exist (DescribeExecution's ExecutionDoesNotExist). */
export function decideMissingExecution(executionArn: string, said: string): JobOutcome {
  return jobFailed(
    'ConfigurationError',
    `The system test execution ${executionArn} does not exist (Step Functions: ${said}). This action's ` +
      `UserParameters must name the execution the system test action started, as ${TEST_REPORT_USER_PARAMETERS_EXAMPLE}.`,
    executionArn,
  );
}

/**
 * Decides from the execution: it must have SUCCEEDED, with an output matching {@link SystemTestOutputSchema} whose
 * numbers pass their own thresholds; then the output variables and the approval message's summary line.
 */
export function decideTestReport(executionArn: string, execution: DescribedExecution): JobOutcome {
  const name = execution.name ?? executionArn.slice(executionArn.lastIndexOf(':') + 1);
  const what = `System test execution ${name}`;
  const open = `Open it: ${executionConsoleUrl(executionArn)}`;
  const fail = (message: string) => jobFailed('JobFailed', message, executionArn);
  const status = execution.status ?? 'of unknown status';

  if (status === 'RUNNING' || status === 'PENDING_REDRIVE') {
    return fail(
      `${what} is still ${status}: the system test action waits for its execution to end, so this is probably not ` +
        `the execution this pipeline run started. Check this action's UserParameters ` +
        `(${TEST_REPORT_USER_PARAMETERS_EXAMPLE}). ${open}`,
    );
  }
  if (status !== 'SUCCEEDED') {
    const error = execution.error?.trim() ? ` with error ${execution.error.trim()}` : '';
    const cause = causeText(execution.cause);
    const when = execution.stopDate === undefined ? '' : ` at ${execution.stopDate.toISOString()}`;
    return fail(
      `${what} ended ${status}${error}${when}: ${cause ?? 'Step Functions recorded no cause'}. The staging ` +
        `endpoint did not pass its system test, so the model is not promoted. ${open}`,
    );
  }
  if (execution.output === undefined) {
    const why = execution.outputDetails?.included === false ? ' (outputDetails.included is false)' : '';
    return fail(
      `${what} SUCCEEDED but DescribeExecution returned no output${why}, so there is no result to report. ${open}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(execution.output);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return fail(`${what} SUCCEEDED but its output is not JSON (${why}): got ${describeValue(execution.output)}. ${open}`);
  }
  const parsed = parseEvent(SystemTestOutputSchema, json, 'the system test result ({rows, requests, metric, latency})');
  if (!parsed.success) {
    return fail(
      `${what} SUCCEEDED but its output is ${parsed.reason}. The state machine's evaluate step must write ` +
        '{"rows", "requests", "metric": {"name", "value", "threshold", "direction"}, ' +
        `"latency": {"p50Ms", "p95Ms", "p99Ms", "maxMs", "maxP95Ms"}}. ${open}`,
    );
  }
  const result = parsed.data;
  const breaches = breachesOf(result);
  if (breaches.length > 0) {
    return fail(
      `${what} SUCCEEDED, but its own numbers show ${breaches.join(' and ')}: the state machine should have failed. ` +
        `The model is not promoted. ${open}`,
    );
  }

  const summary = summaryLine(result);
  return {
    status: 'succeeded',
    outputVariables: {
      [VARIABLES.metricName]: result.metric.name,
      [VARIABLES.metricValue]: formatNumber(result.metric.value, 6),
      [VARIABLES.metricThreshold]: formatNumber(result.metric.threshold, 6),
      [VARIABLES.metricDirection]: result.metric.direction,
      [VARIABLES.p95LatencyMs]: formatMs(result.latency.p95Ms),
      [VARIABLES.maxP95LatencyMs]: formatMs(result.latency.maxP95Ms),
      [VARIABLES.rows]: String(result.rows),
      [VARIABLES.requests]: String(result.requests),
      [VARIABLES.summary]: summary,
    },
    summary: `System test passed: ${summary}`,
    externalExecutionId: executionArn,
  };
}

/** `r2 0.8123 (>= 0.6) and p95 41 ms (<= 200 ms) on 1000 held-out rows` */
export function summaryLine(result: SystemTestOutput): string {
  const { metric, latency, rows } = result;
  const op = metric.direction === 'Maximize' ? '>=' : '<=';
  return (
    `${metric.name} ${formatNumber(metric.value, 4)} (${op} ${formatNumber(metric.threshold, 6)}) and ` +
    `p95 ${formatMs(latency.p95Ms)} ms (<= ${formatMs(latency.maxP95Ms)} ms) on ${rows} held-out ` +
    `${rows === 1 ? 'row' : 'rows'}`
  );
}

/** What in `result` breaks its own thresholds (nothing was tested, metric, latency), one phrase each. */
function breachesOf(result: SystemTestOutput): string[] {
  const { metric, latency } = result;
  const breaches: string[] = [];
  if (result.rows === 0 || result.requests === 0) {
    breaches.push(`${result.rows} rows in ${result.requests} requests (nothing was tested)`);
  }
  const passed = metric.direction === 'Maximize' ? metric.value >= metric.threshold : metric.value <= metric.threshold;
  if (!passed) {
    const op = metric.direction === 'Maximize' ? '<' : '>';
    const value = formatNumber(metric.value, 6);
    breaches.push(`${metric.name} ${value} ${op} its threshold ${formatNumber(metric.threshold, 6)}`);
  }
  if (latency.p95Ms > latency.maxP95Ms) {
    breaches.push(`a p95 latency of ${formatMs(latency.p95Ms)} ms > the allowed ${formatMs(latency.maxP95Ms)} ms`);
  }
  return breaches;
}

/** A Lambda task's cause is JSON with `errorMessage`: show that; otherwise the text, cut. */
function causeText(cause: string | undefined): string | undefined {
  const text = cause?.trim();
  if (text === undefined || text === '') {
    return undefined;
  }
  try {
    const json = JSON.parse(text) as { errorMessage?: unknown; errorType?: unknown };
    if (typeof json.errorMessage === 'string' && json.errorMessage.trim() !== '') {
      const type = typeof json.errorType === 'string' ? `${json.errorType}: ` : '';
      return cut(`${type}${json.errorMessage.trim()}`, 1500);
    }
  } catch {
    // Not JSON: the cause is plain text.
  }
  return cut(text, 1500);
}

/** The execution in the Step Functions console (the region is the ARN's). */
export function executionConsoleUrl(executionArn: string): string {
  const region = EXECUTION_ARN_PATTERN.exec(executionArn)?.[1] ?? 'us-east-1';
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

/** At most `digits` significant digits, without float noise (`0.8123`, not `0.81230000001`). */
function formatNumber(value: number, digits: number): string {
  return String(Number.parseFloat(value.toPrecision(digits)));
}

/** Milliseconds to one decimal place (`41`, `41.5`). */
function formatMs(value: number): string {
  return String(Math.round(value * 10) / 10);
}
