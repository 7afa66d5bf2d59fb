import * as path from 'path';
import type { LocalModelRegistry } from '../registry';
import { parseModelPackageArn } from '../registry';
import type { ExecutionRecord } from '../executor/types';
import {
  formatPredictions,
  formatRunSummary,
  writeReport,
  type BatchCheck,
  type DeploymentSummary,
  type EtlRunSummary,
  type FlowDelivery,
  type NotificationSummary,
  type ReportEvaluation,
  type ReportPrediction,
} from '../report';
import type { LocalS3 } from '../s3';
import type { LocalStage } from '../stage';
import type { ConfigOverride } from './args';
import type { CliIo } from './run';

/** What the run produced so far: writes the HTML report and prints the text summary from it. */
export class RunState {
  training?: ExecutionRecord;
  inference?: ExecutionRecord;
  evaluation?: ReportEvaluation;
  evaluationFile?: string;
  modelPackageArn?: string;
  predictions: ReportPrediction[] = [];
  predictionsUri?: string;
  batchCheck?: BatchCheck;
  /** Endpoint answers for raw rows that equal those for the same rows encoded. */
  encodingCheck?: { rows: number; agree: number };
  flow: FlowDelivery[] = [];
  etl?: EtlRunSummary;
  /** The ETL run's schema.json and report.json. */
  etlFiles: { label: string; uri: string }[] = [];
  notifications?: { topicArn: string; messages: NotificationSummary[]; journal?: string };
  catalogTableFile?: string;
  /** Staging, the system test, the promotion and production's data quality. */
  deployment?: DeploymentSummary;

  constructor(
    private readonly io: CliIo,
    private readonly s3: LocalS3,
    private readonly registry: LocalModelRegistry,
    private readonly workDir: string,
    private readonly stage: LocalStage,
    private readonly overridden: readonly ConfigOverride[],
  ) {}

  printPredictions(): void {
    this.io.out('');
    this.io.out('Local endpoint predictions on held-out rows:');
    this.io.out(formatPredictions(this.predictions));
    if (this.encodingCheck) {
      this.io.out(
        `  raw rows and the same rows encoded by the ETL job: ${this.encodingCheck.agree} of ${this.encodingCheck.rows} predictions identical`,
      );
    }
    this.io.out('');
  }

  /** Labelled local paths of everything the run wrote (S3 objects with their URIs). */
  artifacts(reportPath?: string): { label: string; path: string }[] {
    const out: { label: string; path: string }[] = [];
    for (const file of this.etlFiles) {
      if (this.s3.exists(file.uri)) out.push({ label: file.label, path: `${this.s3.pathFor(file.uri)}  (${file.uri})` });
    }
    if (this.etl?.quarantineUri && this.etl.rowsQuarantined) {
      out.push({ label: 'Rows set aside', path: `${this.s3.pathFor(this.etl.quarantineUri)}  (${this.etl.quarantineUri})` });
    }
    if (this.catalogTableFile) out.push({ label: 'Catalog table', path: this.catalogTableFile });
    if (this.notifications?.journal) out.push({ label: 'Notification journal', path: this.notifications.journal });
    if (this.modelPackageArn) {
      const pkg = this.registry.describeModelPackage(this.modelPackageArn);
      const modelUri = pkg.InferenceSpecification?.Containers?.[0]?.ModelDataUrl;
      if (modelUri) out.push({ label: 'Model', path: `${this.s3.pathFor(modelUri)}  (${modelUri})` });
    }
    if (this.evaluationFile && this.s3.exists(this.evaluationFile)) {
      out.push({ label: 'evaluation.json', path: this.s3.pathFor(this.evaluationFile) });
    }
    if (this.predictionsUri) out.push({ label: 'Batch predictions', path: this.s3.pathFor(this.predictionsUri) });
    if (this.deployment?.dataQuality) out.push({ label: 'Data-quality report', path: this.deployment.dataQuality.reportPath });
    if (this.modelPackageArn) {
      const { group, version } = parseModelPackageArn(this.modelPackageArn);
      out.push({
        label: 'Registry entry',
        path: `${path.join(this.registry.root, group, `${version}.json`)}  (${this.modelPackageArn}, Approved)`,
      });
    }
    for (const record of [this.training, this.inference]) {
      if (record) {
        out.push({ label: `Execution record (${record.pipelineName})`, path: path.join(record.executionDir, 'execution.json') });
      }
    }
    if (reportPath) out.push({ label: 'HTML report', path: reportPath });
    return out;
  }

  /** Writes the HTML report, prints the summary, returns the report's path. */
  writeAndPrint(): string {
    const id = this.training?.executionId ?? new Date().toISOString().replace(/[:.]/g, '-');
    const file = path.join(this.workDir, 'reports', `run-${id}.html`);
    const records = [this.training, this.inference].filter((r): r is ExecutionRecord => r !== undefined);
    writeReport(file, records, {
      title: `npm run local (stage ${this.stage.config.stageName})`,
      evaluation: this.evaluation,
      predictions: this.predictions,
      deployment: this.deployment,
      artifacts: this.artifacts(file),
    });
    this.io.out(
      formatRunSummary({
        stage: {
          name: this.stage.config.stageName,
          overridden: this.overridden,
          ignored: records.flatMap((r) => (r.ignoredSettings ?? []).map((issue) => ({ pipeline: r.pipelineName, issue }))),
        },
        training: this.training,
        inference: this.inference,
        evaluation: this.evaluation,
        batchCheck: this.batchCheck,
        flow: this.flow,
        etl: this.etl,
        notifications: this.notifications,
        deployment: this.deployment,
        artifacts: this.artifacts(file),
      }),
    );
    return file;
  }
}
