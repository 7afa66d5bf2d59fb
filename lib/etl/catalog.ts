/**
 * The Glue Data Catalog table over the curated data, as Glue's `TableInput` (the shape CloudFormation's
 * `AWS::Glue::Table` and the Glue API share). The ETL construct deploys it; local mode's catalog creates it from the
 * same function; the ETL job replaces its columns with its run's on every run.
 */
import type { TableInput } from '@aws-sdk/client-glue';
import { DATA_LAYOUT, ETL_OUTPUT_FILES } from '../config/data-layout';
import { ETL_CATALOG_TABLE, ETL_RUN_PARTITION_KEY } from './job-arguments';

/** What the table is over. */
export interface CuratedTableProps {
  /** The processed bucket (a token in the cloud). */
  readonly processedBucketName: string;
  /** The label column: the table's one column until the first run sets the run's columns. */
  readonly label: string;
}

/**
 * The curated table: CSV with a header (label first, then the encoded features, all numbers), partitioned by run id
 * and projected (`curated/<run id>/data/`), so queries name a run and nothing registers partitions.
 */
export function curatedTableInput(props: CuratedTableProps): TableInput {
  const curated = `s3://${props.processedBucketName}/${DATA_LAYOUT.curatedPrefix}`;
  return {
    Name: ETL_CATALOG_TABLE,
    Description: 'Curated data of every ETL run (label first, then the encoded features); each run sets the columns to its own',
    TableType: 'EXTERNAL_TABLE',
    Parameters: {
      classification: 'csv',
      'skip.header.line.count': '1',
      has_encrypted_data: 'true',
      'projection.enabled': 'true',
      [`projection.${ETL_RUN_PARTITION_KEY}.type`]: 'injected',
      'storage.location.template': `${curated}\${${ETL_RUN_PARTITION_KEY}}/${ETL_OUTPUT_FILES.dataFolder}`,
    },
    PartitionKeys: [{ Name: ETL_RUN_PARTITION_KEY, Type: 'string', Comment: 'the ETL run id' }],
    StorageDescriptor: {
      Columns: [{ Name: props.label, Type: 'double', Comment: 'the label' }],
      Location: curated,
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      SerdeInfo: {
        SerializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
        Parameters: { 'field.delim': ',' },
      },
      Compressed: false,
      StoredAsSubDirectories: false,
    },
  };
}
