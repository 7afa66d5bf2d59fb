/**
 * The ETL run's report as metrics. The job logs one JSON line per run, `{"event": "etl_report", "rowsIn": ...}`
 * (glue-scripts/curate_dataset.py); the monitoring stack's metric filters turn its fields into these metrics, and
 * local mode reads the same fields from the same line.
 */

/** The namespace of the metrics the filters publish. */
export const ETL_METRICS_NAMESPACE = 'MLOps/ETL';

/** The `event` field of the report line (the filters match `{ $.event = "etl_report" }`). */
export const ETL_REPORT_EVENT = 'etl_report';

/** Metric name → numeric field of the report line. */
export const ETL_REPORT_METRICS = {
  RowsIn: 'rowsIn',
  RowsOut: 'rowsOut',
  RowsQuarantined: 'rowsQuarantined',
} as const;
