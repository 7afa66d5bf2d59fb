/**
 * The data flow and monitoring parts of a local run's summary: what each rule delivered to which handler and how it
 * ended, the ETL run's rows (in, out, set aside by reason), and each notification the run would have sent.
 */
import { formatTable } from './text';

/** One delivery of an event to a handler, and how the invocation ended. */
export interface FlowDelivery {
  readonly rule: string;
  readonly detailType: string;
  readonly functionName: string;
  /** `started ETL run jr_…`, `rejected: …`, `published "…"`, or the error. */
  readonly outcome: string;
  readonly ok: boolean;
  readonly durationMs: number;
}

/** An ETL run, from its job run and its `etl_report` line. */
export interface EtlRunSummary {
  readonly jobName: string;
  readonly jobRunId: string;
  readonly state: string;
  readonly executionSeconds: number;
  readonly sourceUri?: string;
  readonly outputUri?: string;
  readonly quarantineUri?: string;
  readonly errorMessage?: string;
  readonly rowsIn?: number;
  readonly rowsOut?: number;
  readonly rowsQuarantined?: number;
  readonly quarantinedByReason?: Readonly<Record<string, number>>;
  readonly schemaSource?: string;
}

/** A message published to the notification topic. */
export interface NotificationSummary {
  readonly subject?: string;
  readonly kind?: string;
}

/** Widest outcome cell; longer ones are cut, and failures repeated in full under the table. */
const MAX_OUTCOME = 100;

function indent(lines: string[]): string[] {
  return lines.map((line) => `  ${line}`);
}

/** The chain of events and handler invocations. */
export function flowLines(deliveries: readonly FlowDelivery[]): string[] {
  if (deliveries.length === 0) return [];
  const short = (text: string) => (text.length > MAX_OUTCOME ? `${text.slice(0, MAX_OUTCOME - 1)}…` : text);
  const rows = deliveries.map((d) => [d.detailType, d.rule, d.functionName, short(`${d.ok ? '' : 'FAILED: '}${d.outcome}`)]);
  const lines = ['', 'Data flow (event → rule → handler → outcome):', ...indent(formatTable(['event', 'rule', 'handler', 'outcome'], rows).split('\n'))];
  for (const d of deliveries.filter((x) => !x.ok && x.outcome.length > MAX_OUTCOME)) lines.push(`  ${d.functionName} (${d.rule}): ${d.outcome}`);
  return lines;
}

/** The ETL run: state, rows in / out / set aside by reason, and where the output went. */
export function etlLines(etl: EtlRunSummary | undefined): string[] {
  if (!etl) return [];
  const lines = ['', `ETL run:       ${etl.jobName} ${etl.jobRunId.slice(0, 15)}…  ${etl.state} in ${etl.executionSeconds} s`];
  if (etl.sourceUri) lines.push(`               from ${etl.sourceUri}`);
  if (etl.rowsIn !== undefined) {
    const reconciles = etl.rowsIn === (etl.rowsOut ?? 0) + (etl.rowsQuarantined ?? 0);
    lines.push(
      `Rows:          ${etl.rowsIn} in = ${etl.rowsOut ?? 0} out + ${etl.rowsQuarantined ?? 0} set aside` +
        `${reconciles ? '' : '  (DOES NOT RECONCILE)'}${etl.schemaSource ? `; schema ${etl.schemaSource}` : ''}`,
    );
    const reasons = Object.entries(etl.quarantinedByReason ?? {});
    if (reasons.length > 0) {
      lines.push('Set aside by reason:', ...indent(formatTable(['reason', 'rows'], reasons.map(([r, n]) => [r, String(n)]), ['left', 'right']).split('\n')));
    }
  }
  if (etl.errorMessage) lines.push(`Error:         ${etl.errorMessage}`);
  return lines;
}

/** Each message the notification topic received. */
export function notificationLines(topicArn: string, notifications: readonly NotificationSummary[]): string[] {
  const lines = ['', `Notifications: ${notifications.length} to ${topicArn}${notifications.length === 0 ? '' : ':'}`];
  for (const n of notifications) lines.push(`  - ${n.subject ?? '(no subject)'}${n.kind ? `  [${n.kind}]` : ''}`);
  return lines;
}
