"""A minimal local stand-in for AWS Glue's ``awsglue`` library: just what glue-scripts/curate_dataset.py uses.

Used ONLY by local mode and the tests, to run the unchanged Glue entry point on a local SparkSession. It is not
Glue: no DynamicFrames, no catalog, no job bookmarks. Put ``local/glue`` on PYTHONPATH (never in the Glue job).

  context.GlueContext     wraps a SparkContext; ``.spark_session``
  job.Job                 ``init(name, args)`` / ``commit()``
  utils.getResolvedOptions  Glue's argument parsing: required names, ``--name value`` and ``--name=value``

On Glue the runtime supplies the Spark master and resources. Here, importing this package sets a default
``PYSPARK_SUBMIT_ARGS`` (unless the caller set one) before the entry point's ``SparkContext.getOrCreate()`` starts
the JVM: all local cores, 2 GB of driver memory, no Spark UI, few shuffle partitions (the data fits on one machine;
adaptive execution coalesces them further) and quiet logs. Override it with the environment variable
``LOCAL_GLUE_SPARK_ARGS`` (extra spark-submit options appended) or set ``PYSPARK_SUBMIT_ARGS`` yourself.
"""

from __future__ import annotations

import os

DEFAULT_SPARK_ARGS = (
    "--master local[*] --driver-memory 2g "
    "--conf spark.ui.enabled=false --conf spark.ui.showConsoleProgress=false "
    "--conf spark.sql.shuffle.partitions=8 --conf spark.log.level=ERROR "
    "--conf spark.sql.session.timeZone=UTC"
)

if "PYSPARK_SUBMIT_ARGS" not in os.environ:
    extra = os.environ.get("LOCAL_GLUE_SPARK_ARGS", "")
    os.environ["PYSPARK_SUBMIT_ARGS"] = f"{DEFAULT_SPARK_ARGS} {extra} pyspark-shell"
