"""The data-quality checks: one function per Model Monitor check type, on a baseline column and what was captured."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from dq_baseline import BaselineColumn, MonitoringConfig, baseline_statistics

# Two-sample Kolmogorov-Smirnov critical value factor at the 5% level.
KS_FACTOR_5_PERCENT = 1.358


@dataclass(frozen=True)
class Violation:
    feature_name: str
    constraint_check_type: str
    description: str

    def to_json(self) -> dict[str, str]:
        return {"feature_name": self.feature_name, "constraint_check_type": self.constraint_check_type,
                "description": self.description}


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def _type_matches(expected: str, kind: str) -> bool:
    if expected == baseline_statistics.STRING:
        return True
    if expected == baseline_statistics.FRACTIONAL:
        return kind in baseline_statistics.NUMERIC_TYPES
    return kind == expected


def sketch_cdf(levels: Sequence[Sequence[float]]) -> tuple[np.ndarray, np.ndarray]:
    """Sorted items of a KLL sketch and the cumulative share of weight up to and including each."""
    items = np.concatenate([np.asarray(level, dtype=float) for level in levels]) if levels else np.zeros(0)
    weights = np.concatenate([np.full(len(level), 2.0**h) for h, level in enumerate(levels)]) if levels \
        else np.zeros(0)
    order = np.argsort(items, kind="stable")
    return items[order], np.cumsum(weights[order]) / weights.sum()


def cdf_distance(levels: Sequence[Sequence[float]], values: np.ndarray) -> float:
    """Largest |F_baseline(x) - F_captured(x)| over every x (both are step functions: their jumps suffice)."""
    items, cumulative = sketch_cdf(levels)
    captured = np.sort(values)
    points = np.union1d(items, captured)
    baseline_cdf = np.concatenate([[0.0], cumulative])[np.searchsorted(items, points, side="right")]
    captured_cdf = np.searchsorted(captured, points, side="right") / len(captured)
    return float(np.abs(baseline_cdf - captured_cdf).max())


def share_distance(baseline_shares: dict[str, float], texts: Counter) -> tuple[float, str]:
    """Largest difference between a value's baseline share and its captured share, and that value."""
    total = sum(texts.values())
    values = sorted(set(baseline_shares) | set(texts))
    gaps = {value: abs(baseline_shares.get(value, 0.0) - texts.get(value, 0) / total) for value in values}
    worst = max(values, key=lambda value: (gaps[value], value))
    return gaps[worst], worst


def noise_bound(baseline_count: int, captured_count: int) -> float:
    return KS_FACTOR_5_PERCENT * math.sqrt((baseline_count + captured_count) / (baseline_count * captured_count))


def _examples(values: Sequence[str]) -> str:
    return ", ".join(repr(v) for v in values[:3])


@dataclass(frozen=True)
class Observed:
    """One baseline column as the capture shows it."""

    label: str  # "_c1 (income_k)"
    profile: Any  # baseline_statistics.ColumnProfile of the captured cells
    absent: int  # rows that did not have the column at all
    rows: int
    baseline_columns: int


# One check = one function: (baseline column, what was observed, config) -> a description when violated, else None.


def missing_column(column: BaselineColumn, seen: Observed, config: MonitoringConfig) -> str | None:
    if not seen.absent:
        return None
    return (f"Column {seen.label} is missing from {seen.absent} of {seen.rows} captured rows (shorter rows or objects "
            f"without it); the baseline has {seen.baseline_columns} columns.")


def completeness(column: BaselineColumn, seen: Observed, config: MonitoringConfig) -> str | None:
    profile = seen.profile
    if column.completeness is None or profile.completeness >= column.completeness:
        return None
    return (f"Completeness of {seen.label} is {_percent(profile.completeness)} ({profile.missing} of {profile.rows} "
            f"values missing), below the baseline constraint {_percent(column.completeness)}.")


def data_type(column: BaselineColumn, seen: Observed, config: MonitoringConfig) -> str | None:
    profile, expected = seen.profile, column.inferred_type
    if expected == baseline_statistics.UNKNOWN or profile.present == 0:
        return None
    matching = sum(count for kind, count in profile.kinds.items() if _type_matches(expected, kind))
    if matching / profile.present >= config.type_threshold:
        return None
    others = sorted(text for text in profile.texts if not _type_matches(expected, baseline_statistics.cell_kind(text)))
    return (f"Data type of {seen.label}: expected {expected} for at least {_percent(config.type_threshold)} of "
            f"present values, observed {_percent(matching / profile.present)} ({profile.present - matching} of "
            f"{profile.present} are not, e.g. {_examples(others)}).")


def categorical_values(column: BaselineColumn, seen: Observed, config: MonitoringConfig) -> str | None:
    profile = seen.profile
    if column.inferred_type != baseline_statistics.STRING or column.domain is None or profile.present == 0:
        return None
    domain = set(column.domain)
    inside = sum(count for text, count in profile.texts.items() if text in domain)
    if inside / profile.present >= config.domain_threshold:
        return None
    unknown = sorted(text for text in profile.texts if text not in domain)
    return (f"Values of {seen.label}: expected at least {_percent(config.domain_threshold)} in the baseline domain "
            f"({', '.join(column.domain)}), observed {_percent(inside / profile.present)} "
            f"({profile.present - inside} outside it: {_examples(unknown)}).")


def baseline_drift(column: BaselineColumn, seen: Observed, config: MonitoringConfig) -> str | None:
    profile = seen.profile
    if not config.compare:
        return None
    if column.sketch is not None and profile.numbers.size:
        distance, count, threshold = cdf_distance(column.sketch, profile.numbers), int(profile.numbers.size), \
            config.threshold
        what = "cumulative distributions"
    elif column.shares is not None and profile.present:
        distance, value = share_distance(column.shares, profile.texts)
        count, threshold = profile.present, config.categorical_threshold
        what = f"value shares (largest for {value!r})"
    else:
        return None
    bound = noise_bound(column.present, count) if column.present else 0.0
    if distance <= threshold or (config.robust and distance <= bound):
        return None
    method = (f"Robust: also above the sampling noise {bound:.3f} of {column.present} baseline and {count} captured "
              "values") if config.robust else "Simple"
    return (f"Baseline drift of {seen.label}: distance {distance:.3f} between the baseline's and the captured {what} "
            f"exceeds the threshold {threshold:g} ({method}).")


CHECKS = (
    ("missing_column_check", missing_column),
    ("completeness_check", completeness),
    ("data_type_check", data_type),
    ("categorical_values_check", categorical_values),
    ("baseline_drift_check", baseline_drift),
)


def check_column(column: BaselineColumn, seen: Observed, config: MonitoringConfig) -> list[Violation]:
    violations = []
    for check_type, check in CHECKS:
        description = check(column, seen, config)
        if description is not None:
            violations.append(Violation(column.name, check_type, description))
    return violations
