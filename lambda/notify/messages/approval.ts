import { INFERENCE_PIPELINE_PARAMETERS } from '../../../lib/sagemaker-pipelines/names';
import { checkQualityGate, type GateCheck, parseEvaluationReport, qualityGateOf } from '../evaluation';
import type { ModelPackageStateChangeEvent } from '../event';
import { facts, formatNumber, formatTime, messageBody, quoted, section, subjectLine } from '../format';
import * as links from '../links';
import type { FormatOptions, Notification, NotificationDetails } from '../notification';
import { footer, lastSegment } from './common';

/**
 * A model version awaits approval: its metrics against the quality gate it records (passed, by how much, or not
 * met), the commands to approve or reject it, and links. What could not be read is said, not skipped.
 */
export function approvalMessage(
  event: ModelPackageStateChangeEvent,
  details: NotificationDetails,
  options: FormatOptions,
): Notification {
  const { region } = event;
  const modelPackage = details.modelPackage ?? {};
  const arn = modelPackage.ModelPackageArn ?? event.detail.ModelPackageArn;
  const group = modelPackage.ModelPackageGroupName ?? event.detail.ModelPackageGroupName;
  const version = modelPackage.ModelPackageVersion ?? event.detail.ModelPackageVersion ?? Number(lastSegment(arn));
  const gate = qualityGateOf(modelPackage.CustomerMetadataProperties);

  const evaluationUri = modelPackage.ModelMetrics?.ModelQuality?.Statistics?.S3Uri;
  const file = details.evaluation;
  let reportProblem: string | undefined;
  let parsed: ReturnType<typeof parseEvaluationReport> | undefined;
  if (details.modelPackage === undefined) {
    reportProblem = 'the model version was not described, so its evaluation report is unknown';
  } else if (file === undefined) {
    reportProblem =
      evaluationUri === undefined
        ? 'the version records no evaluation report (ModelMetrics.ModelQuality.Statistics)'
        : `its evaluation report ${evaluationUri} was not read`;
  } else if (file.status === 'not-found') {
    reportProblem = `its evaluation report ${file.uri} does not exist (S3 NoSuchKey): it was deleted or moved`;
  } else if (file.status === 'too-large') {
    reportProblem = `its evaluation report ${file.uri} has ${file.bytes} bytes, too large to be an evaluation.json`;
  } else if (file.status === 'not-s3') {
    reportProblem = `its evaluation report ${quoted(file.uri)} is not an s3:// URI`;
  } else {
    parsed = parseEvaluationReport(file.text, gate.problemType);
    if ('error' in parsed) {
      reportProblem = `its evaluation report ${file.uri} cannot be read: ${parsed.error}`;
    }
  }
  const report = parsed !== undefined && 'report' in parsed ? parsed.report : undefined;
  const check = checkQualityGate(gate, report, reportProblem);

  const subjectGate =
    check.status === 'unknown'
      ? 'gate result unknown'
      : `${check.metric} ${formatNumber(check.value)} ${comparison(check)} ${formatNumber(check.threshold)}` +
        (check.status === 'failed' ? ', gate NOT met' : '');
  const approve =
    `aws sagemaker update-model-package --model-package-arn ${arn} --model-approval-status Approved --region ${region}`;
  const reject =
    `aws sagemaker update-model-package --model-package-arn ${arn} --model-approval-status Rejected ` +
    `--approval-description "<why it is rejected>" --region ${region}`;

  const container = modelPackage.InferenceSpecification?.Containers?.[0];
  const generatedBy = modelPackage.MetadataProperties?.GeneratedBy;
  const problemType =
    gate.problemType === undefined
      ? undefined
      : `${gate.problemType}${gate.labelColumn ? ` (label column ${gate.labelColumn})` : ''}`;

  const metricsSection =
    report === undefined
      ? section('Test metrics', [`Not available: ${reportProblem}.`])
      : section(`Test metrics (${report.reportKey} in ${file?.uri})`, [
          ...metricLines(report.metrics),
          ...(report.otherEntries.length > 0 ? [`also in the file: ${report.otherEntries.join(', ')}`] : []),
          ...(report.baseline !== undefined && report.baseline.metrics.length > 0
            ? [
                `Baseline${report.baseline.strategy ? ` (${report.baseline.strategy})` : ''}: ` +
                  report.baseline.metrics.map((metric) => `${metric.name} ${formatNumber(metric.value)}`).join(', '),
              ]
            : []),
        ]);

  const nextSteps = [
    check.status === 'failed'
      ? '- This version does NOT meet its quality gate: reject it unless you know why it should be used anyway.'
      : check.status === 'unknown'
        ? '- The gate result is unknown (see above): check the metrics yourself before approving.'
        : '- Review the metrics, then approve or reject this version.',
    '- Approve:',
    `    ${approve}`,
    '- Reject:',
    `    ${reject}`,
    ...(options.inferencePipelineName === undefined
      ? []
      : [
          '- After approval, run batch inference with it:',
          `    aws sagemaker start-pipeline-execution --pipeline-name ${options.inferencePipelineName} ` +
            '--pipeline-parameters ' +
            `Name=${INFERENCE_PIPELINE_PARAMETERS.modelPackageArn},Value=${arn} ` +
            `Name=${INFERENCE_PIPELINE_PARAMETERS.batchInputUri},Value=<batch input URI> --region ${region}`,
        ]),
  ];

  const studioLinks = [
    ...(options.studioDomainId === undefined
      ? []
      : [`Model versions in SageMaker Studio: ${links.studioModelVersionsUrl(region, options.studioDomainId, group)}`]),
    `SageMaker Studio (open Studio, then Models > Registered models > ${group} > version ${version}): ` +
      links.studioLandingUrl(region),
  ];
  if (generatedBy !== undefined && /:pipeline\/[^/]+\/execution\/[^/]+$/.test(generatedBy)) {
    const pipeline = lastSegment(generatedBy.replace(/\/execution\/[^/]+$/, ''));
    if (options.studioDomainId !== undefined) {
      const url = links.studioPipelineExecutionUrl(region, options.studioDomainId, pipeline, lastSegment(generatedBy));
      studioLinks.push(`The execution that registered it: ${url}`);
    }
  }

  return {
    kind: 'approval-requested',
    subject: subjectLine(`Approval needed: ${group} version ${version} (${subjectGate})`),
    message: messageBody([
      `Version ${version} of model package group ${group} awaits your approval.`,
      gateSentence(check),
      facts([
        ['Model version', `${group}, version ${version}\n${arn}`],
        ['Account', event.account],
        ['Region', region],
        ['Registered', formatTime(modelPackage.CreationTime ?? event.detail.CreationTime ?? event.time)],
        ['Problem type', problemType],
        ['Registered by', generatedBy],
        ['Model data', container?.ModelDataUrl],
        ['Description', modelPackage.ModelPackageDescription],
      ]),
      section('Quality gate', gateLines(gate, check)),
      metricsSection,
      section('What to do next', nextSteps),
      section('Links', studioLinks),
      footer(event),
    ]),
  };
}

function comparison(check: Extract<GateCheck, { status: 'passed' | 'failed' }>): string {
  if (check.direction === 'Maximize') {
    return check.status === 'passed' ? '>=' : '<';
  }
  return check.status === 'passed' ? '<=' : '>';
}

function betterWord(direction: 'Maximize' | 'Minimize'): string {
  return direction === 'Maximize' ? 'higher is better' : 'lower is better';
}

function gateSentence(check: GateCheck): string {
  if (check.status === 'unknown') {
    return `Whether it passes its quality gate is unknown: ${check.reason}.`;
  }
  const verdict =
    check.status === 'passed'
      ? `It passed its quality gate by ${formatNumber(check.margin)}`
      : `It does NOT meet its quality gate: it misses it by ${formatNumber(check.margin)}`;
  return (
    `${verdict}: ${check.metric} = ${formatNumber(check.value)} ${comparison(check)} ` +
    `threshold ${formatNumber(check.threshold)} (${betterWord(check.direction)}).`
  );
}

function gateLines(gate: ReturnType<typeof qualityGateOf>, check: GateCheck): string[] {
  const lines = [
    facts([
      [
        'Metric',
        gate.metric === undefined
          ? 'not recorded'
          : `${gate.metric}${gate.direction ? ` (${betterWord(gate.direction)})` : ''}`,
      ],
      ['Threshold', gate.threshold === undefined ? 'not recorded' : formatNumber(gate.threshold)],
      ['Value', check.status === 'unknown' ? 'unknown' : formatNumber(check.value)],
      [
        'Result',
        check.status === 'unknown'
          ? `unknown: ${check.reason}`
          : check.status === 'passed'
            ? `PASSED (by ${formatNumber(check.margin)})`
            : `NOT MET (missed by ${formatNumber(check.margin)})`,
      ],
    ]),
  ];
  if (gate.problems.length > 0 && check.status !== 'unknown') {
    lines.push(`Note: ${gate.problems.join('; ')}.`);
  }
  return lines;
}

function metricLines(metrics: readonly { name: string; value: number; standardDeviation?: number }[]): string[] {
  if (metrics.length === 0) {
    return ['(no metric with a value)'];
  }
  const width = Math.max(...metrics.map((metric) => metric.name.length)) + 2;
  return metrics.map(
    (metric) =>
      `${metric.name.padEnd(width)}${formatNumber(metric.value)}` +
      (metric.standardDeviation === undefined ? '' : ` (standard deviation ${formatNumber(metric.standardDeviation)})`),
  );
}
