/**
 * The ETL section of `npm run bench`: throughput of the stage's ETL job as local mode runs it (the Glue entry point
 * in its own Python process on local Spark, JVM start included, with the stage's contract and default arguments,
 * its catalog update through the local AWS endpoint), on generated uploads with text categories, gaps and about 1%
 * bad rows. Reports rows per second at each size and how time grows with rows; fails when the largest size misses
 * the target.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DATA_LAYOUT, ETL_JOB_ARGUMENTS, etlRunLocation, loadStageConfig } from '../../lib/config';
import { startLocalAwsEndpoint } from '../aws';
import { generateSampleData, PYTHON } from '../cli/data';
import { localEtl } from '../flow/platform';
import { formatTable } from '../report';
import { LocalS3 } from '../s3';
import { prepareLocalStage } from '../stage';
import type { BenchOptions, BenchSectionResult } from './usage';

/** Seconds the largest size (1,000,000 rows by default) may take. */
export const ETL_TARGET_SECONDS = 30;

/** One size's measurement. */
export interface EtlMeasurement {
  readonly rows: number;
  readonly seconds: number;
  readonly rowsOut: number;
  readonly rowsQuarantined: number;
  /** The job's own phase timings (report.json `timings`), seconds. */
  readonly phases: Readonly<Record<string, number>>;
}

/** Rows per second of a measurement. */
export function rowsPerSecond(m: Pick<EtlMeasurement, 'rows' | 'seconds'>): number {
  return Math.round(m.rows / m.seconds);
}

/**
 * How time grows with rows between the smallest and largest size: the exponent k of time ∝ rows^k (1 is linear;
 * below 1, fixed costs such as the JVM start still weigh).
 */
export function growthExponent(measurements: readonly Pick<EtlMeasurement, 'rows' | 'seconds'>[]): number | undefined {
  if (measurements.length < 2) return undefined;
  const first = measurements[0];
  const last = measurements[measurements.length - 1];
  return Math.log(last.seconds / first.seconds) / Math.log(last.rows / first.rows);
}

export async function etlBench(options: BenchOptions, workDir: string, log: (line: string) => void): Promise<BenchSectionResult> {
  const config = loadStageConfig('dev');
  const s3 = new LocalS3({ root: path.join(workDir, 's3') });
  const stage = prepareLocalStage(config, s3);
  const environment: Record<string, string> = {};
  const etl = localEtl(stage, { s3, python: PYTHON, workDir, awsEnvironment: () => environment, onEvent: () => undefined });
  const endpoint = await startLocalAwsEndpoint({
    backends: {
      glue: {
        startJobRun: (r) => etl.glue.startJobRun(r),
        getJobRun: (r) => etl.glue.getJobRun(r),
        getTable: (r) => etl.catalog.getTable(r),
        updateTable: (r) => etl.catalog.updateTable(r),
      },
    },
    region: config.region,
    account: config.account,
  });
  Object.assign(environment, endpoint.environment);
  log(`\n== etl: the ${stage.names.etlJob} job on uploads of ${options.etlRows.map((n) => n.toLocaleString('en-US')).join(' and ')} rows`);
  const measurements: EtlMeasurement[] = [];
  try {
    for (const rows of options.etlRows) {
      const file = path.join(workDir, 'data', `upload-${rows}.csv`);
      generateSampleData({ rows, seed: options.seed, problemType: config.problemType, format: 'upload' }, file);
      const key = `${DATA_LAYOUT.rawPrefix}upload-${rows}.csv`;
      const sourceUri = `s3://${stage.resources.buckets.raw}/${key}`;
      s3.putFile(sourceUri, file);
      fs.rmSync(file);
      const runId = `bench-${rows}`;
      const location = etlRunLocation(stage.resources.buckets.processed, runId);
      const started = Date.now();
      // The arguments start-etl passes for an upload (lambda/start-etl).
      const { JobRunId } = await etl.glue.startJobRun({
        JobName: stage.names.etlJob,
        Arguments: {
          [ETL_JOB_ARGUMENTS.sourceUri]: sourceUri,
          [ETL_JOB_ARGUMENTS.sourceVersionId]: 'null',
          [ETL_JOB_ARGUMENTS.runId]: runId,
          [ETL_JOB_ARGUMENTS.outputUri]: location.outputUri,
          [ETL_JOB_ARGUMENTS.quarantineUri]: location.quarantineUri,
        },
      });
      await etl.glue.idle();
      const seconds = (Date.now() - started) / 1000;
      const run = etl.glue.jobRuns.find((r) => r.Id === JobRunId);
      if (run?.JobRunState !== 'SUCCEEDED') {
        throw new Error(`the ETL run of ${rows} rows ended ${run?.JobRunState}: ${run?.ErrorMessage ?? ''} (log: ${run?.logFile})`);
      }
      const report = JSON.parse(s3.getText(location.reportUri)) as { rows: { out: number; quarantined: number }; timings: Record<string, number> };
      const measurement = { rows, seconds, rowsOut: report.rows.out, rowsQuarantined: report.rows.quarantined, phases: report.timings };
      measurements.push(measurement);
      log(`  ${rows.toLocaleString('en-US')} rows: ${seconds.toFixed(1)} s (${rowsPerSecond(measurement).toLocaleString('en-US')} rows/s), ` +
        `${report.rows.out} out, ${report.rows.quarantined} set aside`);
      s3.deletePrefix(`s3://${stage.resources.buckets.processed}/`);
    }
  } finally {
    await endpoint.close();
  }
  log('');
  log(formatTable(
    ['rows', 'seconds', 'rows/s', 'out', 'set aside', 'job phases (s)'],
    measurements.map((m) => [
      m.rows.toLocaleString('en-US'),
      m.seconds.toFixed(1),
      rowsPerSecond(m).toLocaleString('en-US'),
      String(m.rowsOut),
      String(m.rowsQuarantined),
      Object.entries(m.phases).filter(([k]) => k !== 'totalSeconds').map(([k, v]) => `${k.replace(/Seconds$/, '')} ${v}`).join(', '),
    ]),
    ['right', 'right', 'right', 'right', 'right', 'left'],
  ));
  const k = growthExponent(measurements);
  if (k !== undefined) {
    const [first, last] = [measurements[0], measurements[measurements.length - 1]];
    log(`time grows as rows^${k.toFixed(2)}: ${(last.rows / first.rows).toFixed(0)}× the rows took ${(last.seconds / first.seconds).toFixed(1)}× the time`);
  }
  const largest = measurements[measurements.length - 1];
  const ok = largest.seconds < ETL_TARGET_SECONDS;
  return {
    name: 'etl',
    ok,
    verdict: `${largest.rows.toLocaleString('en-US')} rows in ${largest.seconds.toFixed(1)} s (${rowsPerSecond(largest).toLocaleString('en-US')} rows/s); ` +
      `target < ${ETL_TARGET_SECONDS} s`,
  };
}
