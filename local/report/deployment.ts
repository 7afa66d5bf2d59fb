/**
 * The deployment part of a local run's summary and HTML report: the staging endpoint, its system test (metric and
 * latency against the stage's thresholds, the verdict and its cause), the promotion to production, and the data-quality
 * check of what production captured.
 */
import { escapeHtml as e, formatDuration, formatNumber } from './html';
import { formatTable } from './text';

/** The system test's measurements (the state machine's output) and verdict. */
export interface SystemTestSummary {
  readonly endpointName: string;
  readonly passed: boolean;
  /** The Fail state's error and cause, when it failed. */
  readonly error?: string;
  readonly cause?: string;
  readonly rows?: number;
  readonly requests?: number;
  readonly metric?: { readonly name: string; readonly value: number; readonly threshold: number; readonly direction: string };
  readonly latency?: { readonly p50Ms: number; readonly p95Ms: number; readonly p99Ms: number; readonly maxMs: number; readonly maxP95Ms: number };
  readonly durationMs: number;
}

/** What the deployment did. */
export interface DeploymentSummary {
  readonly modelPackageArn: string;
  readonly stagingEndpoint: string;
  readonly systemTest?: SystemTestSummary;
  /** Set when the model reached production. */
  readonly production?: {
    readonly endpointName: string;
    readonly requests: number;
    readonly capturedRequests: number;
    readonly capturePercent: number;
  };
  /** The data-quality check of production's captured requests against the baseline. */
  readonly dataQuality?: {
    readonly violations: readonly { readonly feature: string; readonly check: string; readonly description: string }[];
    readonly reportPath: string;
  };
}

function metricLine(test: SystemTestSummary): string | undefined {
  if (!test.metric) return undefined;
  const op = test.metric.direction === 'Minimize' ? '<=' : '>=';
  return `${test.metric.name} = ${formatNumber(test.metric.value, 6)} (required ${op} ${formatNumber(test.metric.threshold, 6)})`;
}

function latencyLine(test: SystemTestSummary): string | undefined {
  if (!test.latency) return undefined;
  const l = test.latency;
  return `p95 ${formatNumber(l.p95Ms, 4)} ms (limit ${formatNumber(l.maxP95Ms, 4)} ms); p50 ${formatNumber(l.p50Ms, 4)}, p99 ${formatNumber(l.p99Ms, 4)}, max ${formatNumber(l.maxMs, 4)} ms`;
}

/** The summary's deployment lines. */
export function deploymentLines(deployment: DeploymentSummary | undefined): string[] {
  if (!deployment) return [];
  const lines = ['', `Staging:       ${deployment.stagingEndpoint} serves ${deployment.modelPackageArn}`];
  const test = deployment.systemTest;
  if (test) {
    const measured = [metricLine(test), latencyLine(test)].filter((x) => x !== undefined).join('; ');
    const on = test.rows !== undefined ? ` on ${test.rows} held-out rows in ${test.requests} requests` : '';
    lines.push(`System test:   ${test.passed ? 'PASSED' : `FAILED (${test.error ?? 'error'})`} in ${formatDuration(test.durationMs)}${on}`);
    if (measured) lines.push(`               ${measured}`);
    if (!test.passed && test.cause) lines.push(`               ${test.cause}`);
  }
  if (deployment.production) {
    const p = deployment.production;
    lines.push(
      `Production:    promoted: ${p.endpointName} serves it; ${p.requests} requests, ${p.capturedRequests} captured (${p.capturePercent}% sampling)`,
    );
  } else {
    lines.push('Production:    not promoted: the model did not pass the system test, so production keeps what it served before');
  }
  if (deployment.dataQuality) {
    const v = deployment.dataQuality.violations;
    lines.push(`Data quality:  ${v.length === 0 ? 'no violations' : `${v.length} violation(s)`} of the training baseline in production's captured requests`);
    if (v.length > 0) {
      lines.push(...formatTable(['feature', 'check', 'description'], v.map((x) => [x.feature, x.check, x.description])).split('\n').map((l) => `  ${l}`));
    }
  }
  return lines;
}

/** The report's deployment section. */
export function renderDeploymentSection(deployment: DeploymentSummary | undefined): string {
  if (!deployment) return '';
  const test = deployment.systemTest;
  const verdict = test ? (test.passed ? 'pass' : 'fail') : 'unknown';
  const rows: [string, string][] = [['Model version', deployment.modelPackageArn], ['Staging endpoint', deployment.stagingEndpoint]];
  if (test) {
    rows.push(['System test', `${test.passed ? 'passed' : `failed: ${test.error ?? 'error'}`} in ${formatDuration(test.durationMs)}`]);
    if (test.rows !== undefined) rows.push(['Held-out rows', `${test.rows} in ${test.requests} requests`]);
    const metric = metricLine(test);
    if (metric) rows.push(['Metric', metric]);
    const latency = latencyLine(test);
    if (latency) rows.push(['Latency', latency]);
    if (!test.passed && test.cause) rows.push(['Cause', test.cause]);
  }
  rows.push([
    'Production',
    deployment.production
      ? `promoted: ${deployment.production.endpointName} (${deployment.production.requests} requests, ${deployment.production.capturedRequests} captured)`
      : 'not promoted',
  ]);
  if (deployment.dataQuality) {
    const v = deployment.dataQuality.violations;
    rows.push(['Data quality', v.length === 0 ? 'no violations of the baseline' : v.map((x) => `${x.feature} ${x.check}: ${x.description}`).join('; ')]);
  }
  return (
    `<section id="deployment"><h2>Deployment</h2>` +
    `<p id="system-test" class="gate-verdict ${verdict}" data-passed="${test ? String(test.passed) : ''}" data-promoted="${String(deployment.production !== undefined)}">` +
    `<span class="badge ${verdict}">${verdict === 'pass' ? 'PROMOTED' : verdict === 'fail' ? 'NOT PROMOTED' : 'UNKNOWN'}</span> ` +
    `system test of ${e(deployment.stagingEndpoint)}</p>` +
    `<table><tbody>${rows.map(([label, value]) => `<tr><th>${e(label)}</th><td>${e(value)}</td></tr>`).join('')}</tbody></table></section>`
  );
}
