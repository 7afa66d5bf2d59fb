"""Local stand-in for ``awsglue.job.Job``: ``init`` and ``commit`` (no bookmarks to commit locally)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:  # only for the annotation: keeps this module importable on its own
    from .context import GlueContext


class Job:
    """Tracks the job's name and state so that misuse (commit before init) fails as it would on Glue."""

    def __init__(self, glue_context: "GlueContext") -> None:
        self.glue_context = glue_context
        self.name: str | None = None
        self.arguments: dict[str, str] = {}
        self.committed = False

    def init(self, job_name: str, args: Mapping[str, str] | None = None) -> None:
        if not job_name:
            raise ValueError("Job.init needs the job name: pass args['JOB_NAME'] from getResolvedOptions")
        self.name = job_name
        self.arguments = dict(args or {})

    def commit(self) -> None:
        if self.name is None:
            raise RuntimeError("Job.commit() called before Job.init(name, args)")
        self.committed = True
