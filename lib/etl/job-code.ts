/**
 * Where the ETL job's code is: the Glue entry point and the package it imports. The ETL construct deploys them from
 * here (the script, and the package zipped as an extra Python file); local mode runs the same entry point with the
 * package on PYTHONPATH.
 */
import * as path from 'path';

/** The folder of the Glue job's code. */
export const GLUE_SCRIPTS_DIR = path.join(__dirname, '..', '..', 'glue-scripts');

/** The entry point: the only module that imports `awsglue`. */
export const ETL_ENTRY_POINT = path.join(GLUE_SCRIPTS_DIR, 'curate_dataset.py');

/** The package of the transforms (a folder of GLUE_SCRIPTS_DIR), importable without `awsglue`. */
export const ETL_PACKAGE = 'curation';
