/**
 * The ETL job's own arguments (its default arguments in the cloud; what local mode's Glue runner passes besides a
 * run's): the dataset contract and where the curated table is. One function, so both pass the same.
 */
import { ETL_JOB_ARGUMENTS } from '../config/data-layout';
import type { DatasetContractDocument } from '../config/dataset-contract';

/** The catalog table over the curated data, in the stage's database. */
export const ETL_CATALOG_TABLE = 'curated';

/** The partition key of the curated table: a run's id (`curated/<run id>/data/`). */
export const ETL_RUN_PARTITION_KEY = 'run_id';

/** The job-level arguments of the ETL job: its contract (as JSON) and its catalog table. */
export function etlJobArguments(props: { readonly contract: DatasetContractDocument; readonly databaseName: string }): Record<string, string> {
  return {
    [ETL_JOB_ARGUMENTS.contract]: JSON.stringify(props.contract),
    [ETL_JOB_ARGUMENTS.catalogDatabase]: props.databaseName,
    [ETL_JOB_ARGUMENTS.catalogTable]: ETL_CATALOG_TABLE,
  };
}
