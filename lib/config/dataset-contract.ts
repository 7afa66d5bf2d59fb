/**
 * The dataset contract: what the ETL job expects of an uploaded CSV and how it turns it into curated training
 * data. It travels to the Glue job as JSON (`--contract`), where `glue-scripts/curation/contract.py` reads it.
 */

/** What happens to a missing (empty or null) value of a column. */
export type NullPolicy =
  /** Set the row aside with reason `null_value:<column>`. */
  | 'quarantine'
  /** Numeric columns: the column's mean over the run's rows (recorded in the schema, reused at inference). */
  | 'impute-mean'
  /** Numeric columns: the column's median (recorded in the schema). */
  | 'impute-median'
  /** The most frequent value (recorded in the schema). */
  | 'impute-mode'
  /** This fixed value. */
  | { readonly impute: string | number };

/** How one column is read and checked. */
export interface ColumnContract {
  /**
   * `numeric`: cast to a number (rows whose value is not one are set aside); `categorical`: trimmed text, one-hot
   * encoded into one 0/1 column per category.
   */
  readonly type: 'numeric' | 'categorical';
  /**
   * What a missing value does.
   * @default - the label: `quarantine`; numeric features: `impute-median`; categorical features: `{ impute: 'missing' }`
   */
  readonly nulls?: NullPolicy;
  /**
   * Numeric columns: the smallest allowed value; smaller values set the row aside (`below_min:<column>`).
   * @default - no lower bound
   */
  readonly min?: number;
  /**
   * Numeric columns: the largest allowed value; larger values set the row aside (`above_max:<column>`).
   * @default - no upper bound
   */
  readonly max?: number;
  /**
   * Categorical columns: the allowed categories; other values set the row aside (`unknown_category:<column>`). Also
   * fixes the one-hot columns and their order. A fixed imputation value (by default `missing`) is a category too,
   * appended when it is not listed.
   * @default - the categories seen in the data (sorted), up to `maxCategories`
   */
  readonly values?: readonly string[];
}

/** The contract of the datasets a stage trains on. */
export interface DatasetContract {
  /**
   * Columns by name. Listed columns are required in every upload; others are inferred from the data (numeric when
   * every non-empty value parses as a number, else categorical when they have at most `maxCategories` distinct
   * values; else the run fails naming the column).
   * @default - every column inferred
   */
  readonly columns?: { readonly [name: string]: ColumnContract };
  /**
   * Columns dropped before anything else (identifiers, free text, leaks of the label).
   * @default - none
   */
  readonly dropColumns?: readonly string[];
  /**
   * Most distinct values an inferred categorical column may have.
   * @default 50
   */
  readonly maxCategories?: number;
  /**
   * Set exact duplicate rows aside (reason `duplicate`), keeping the first. Rows are compared on every source column
   * after trimming, dropped columns included.
   * @default true
   */
  readonly deduplicate?: boolean;
  /**
   * The run fails (after writing its quarantine and report) when more than this share of the rows is set aside: a
   * file that is mostly bad is a bad file, not a few bad rows.
   * @default 0.5
   */
  readonly maxQuarantinedFraction?: number;
  /**
   * Field delimiter of the uploaded CSV files.
   * @default ','
   */
  readonly delimiter?: string;
}

/** The contract as the Glue job receives it: the label and problem type come from the stage config. */
export interface DatasetContractDocument extends DatasetContract {
  /** Version of this document's format. */
  readonly version: 1;
  /** The label column (the stage's `labelColumn`). */
  readonly label: string;
  /** The stage's `problemType`: a classification label must be 0/1. */
  readonly problemType: string;
}

/** The contract document a stage's ETL job receives: the stage's dataset contract with its label and problem type. */
export function datasetContractDocument(config: {
  readonly labelColumn: string;
  readonly problemType: string;
  readonly dataset: DatasetContract;
}): DatasetContractDocument {
  return { version: 1, label: config.labelColumn, problemType: config.problemType, ...config.dataset };
}
