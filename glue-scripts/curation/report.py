"""The run report (``<output>/report.json``) and the one-line JSON log event that CloudWatch metric filters read.

report.json, format version 1::

    {
      "reportVersion": 1,
      "status": "succeeded" | "failed",
      "error": null | "<the message the run failed with>",
      "runId": "...",
      "source": {"uri": "s3://raw/raw/x.csv", "versionId": "3HL4kqtJ..." | null},
      "outputs": {"outputUri", "dataUri", "schemaUri", "reportUri", "quarantineUri"},
      "rows": {"in": 1000, "out": 990, "quarantined": 10, "quarantinedFraction": 0.01,
               "maxQuarantinedFraction": 0.5, "quarantinedByReason": {"not_numeric:age": 4, ...}},
      "schemaSource": "inferred" | "pinned",
      "pinnedSchemaUri": null | "s3://.../schema.json",
      "ignoredColumns": [...],   # header columns a pinned schema does not describe (left out)
      "catalog": null | {"database", "table", "replacedVersion", "columns"},  # the table whose columns were set
      "warnings": [...],         # e.g. a column inferred categorical although nearly all its values are numbers
      "schema": {... schema.json ...},
      "contract": {... the contract with its defaults ...},
      "timings": {"<phase>Seconds": ..., "totalSeconds": ...},
      "startedAt": "2026-12-01T10:00:00Z", "finishedAt": "...",
      "sparkVersion": "3.5.4"
    }

``rows.in == rows.out + rows.quarantined`` always. ``rows.out`` counts the rows that passed every check; on a failed
run (too many rows set aside) no curated data is written, and it says how many rows would have been.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Mapping

REPORT_VERSION = 1
LOG_EVENT = "etl_report"
FAILURE_EVENT = "etl_failed"


def utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@dataclass
class Timings:
    """Wall-clock seconds per phase, in the order the phases ran."""

    clock: Any = time.monotonic
    phases: dict[str, float] = field(default_factory=dict)
    started: float = 0.0
    _last: float = 0.0

    def __post_init__(self) -> None:
        self.started = self._last = self.clock()

    def lap(self, phase: str) -> None:
        now = self.clock()
        self.phases[f"{phase}Seconds"] = round(now - self._last, 3)
        self._last = now

    def to_json(self) -> dict[str, float]:
        return {**self.phases, "totalSeconds": round(self.clock() - self.started, 3)}


def row_counts(rows_in: int, by_reason: Mapping[str, int], rows_out: int, max_fraction: float) -> dict[str, Any]:
    quarantined = sum(by_reason.values())
    return {
        "in": rows_in,
        "out": rows_out,
        "quarantined": quarantined,
        "quarantinedFraction": round(quarantined / rows_in, 6) if rows_in else 0.0,
        "maxQuarantinedFraction": max_fraction,
        # Largest first, then by code: the first entry is what to fix first.
        "quarantinedByReason": dict(sorted(by_reason.items(), key=lambda item: (-item[1], item[0]))),
    }


def log_event(report: Mapping[str, Any]) -> str:
    """One JSON line for CloudWatch Logs.

    Fields: ``event`` ("etl_report"), ``runId``, ``status``, ``rowsIn``, ``rowsOut``, ``rowsQuarantined``,
    ``quarantinedFraction``, ``quarantinedByReason`` (object: reason code -> rows), ``schemaSource``,
    ``durationSeconds``. A metric filter such as ``{ $.event = "etl_report" }`` with metric value ``$.rowsQuarantined``
    publishes the counts.
    """
    rows = report["rows"]
    return json.dumps(
        {
            "event": LOG_EVENT,
            "runId": report["runId"],
            "status": report["status"],
            "rowsIn": rows["in"],
            "rowsOut": rows["out"],
            "rowsQuarantined": rows["quarantined"],
            "quarantinedFraction": rows["quarantinedFraction"],
            "quarantinedByReason": rows["quarantinedByReason"],
            "schemaSource": report["schemaSource"],
            "durationSeconds": report["timings"]["totalSeconds"],
        },
        sort_keys=False,
    )


def failure_event(run_id: str, error: BaseException) -> str:
    """One JSON line for a run that ended without a report: ``event`` ("etl_failed"), ``runId``, ``errorType``,
    ``error`` (the message)."""
    return json.dumps({"event": FAILURE_EVENT, "runId": run_id, "errorType": type(error).__name__, "error": str(error)})
