"""Curation of uploaded CSV files into training data: the logic of the Glue job ``glue-scripts/curate_dataset.py``.

Pure PySpark (``DataFrame -> DataFrame`` transforms and small helpers); nothing here imports ``awsglue``, so every
part runs and is tested on a plain local SparkSession. Modules, in the order a run uses them:

  contract     the dataset contract (``--contract``): parse and validate
  expressions  what counts as missing, as a number, as a category (shared with ml/inference.py's encoder)
  reader       the raw CSV: header checks, rows as text (ragged rows kept with their raw line)
  infer        profile the rows, infer column types, learn imputation values and categories
  clean        classify rows: a quarantine reason per bad row (stable reason codes), de-duplication
  encode       imputation, one-hot encoding, label first
  schema       the schema a run used (schema.json), also pinned by later runs
  report       report.json and the JSON log line
  catalog      the Glue Data Catalog table over the curated data: its columns follow the latest run
  job          one run, start to end
  storage      local paths, file:// and s3:// for the small JSON files
"""

from .errors import ContractError, CurationError, SchemaError, SourceFileError
from .job import JobArguments, optional_arguments_present, run_curation

__all__ = [
    "ContractError",
    "CurationError",
    "JobArguments",
    "SchemaError",
    "SourceFileError",
    "optional_arguments_present",
    "run_curation",
]
