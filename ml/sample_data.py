"""Deterministic synthetic customer data for trying the platform end to end.

Every row is a customer described by eight numeric features. The label column ``target`` is, depending on the
problem type, the customer's yearly spend (regression) or whether the customer churned (binary classification).
Both labels come from the same partly non-linear function of the features plus noise, so a good model learns a
lot from the data but cannot predict it perfectly. Two features carry (almost) no signal, as in real data.

Two formats:
  clean   (default) the label first, then the eight numeric features, no gaps: what preprocess reads.
  upload  what a real upload looks like, for the ETL job: two text category columns that matter (``plan``,
          ``region``), the label last, values with stray spaces, gaps (about 3% of ``income_k``, 2% of
          ``days_since_last_order`` and of ``plan``), and about 1% bad rows: text in a numeric column, a missing
          label, a row with an extra field, exact duplicates.

    python ml/sample_data.py --rows 2000 --seed 7 --problem-type regression --output data.csv
    python ml/sample_data.py --rows 2000 --seed 7 --problem-type regression --format upload --output upload.csv
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

import numpy as np
import pandas as pd

PROBLEM_TYPES = ("regression", "binary_classification")
FORMATS = ("clean", "upload")
LABEL_COLUMN = "target"
FEATURE_COLUMNS = (
    "age",
    "income_k",
    "tenure_months",
    "monthly_visits",
    "avg_order_value",
    "support_tickets",
    "discount_pct",
    "days_since_last_order",
)
MIN_ROWS = 10

# The upload format's category columns: values, how often each occurs, and its effect on engagement.
PLANS = {"basic": (0.5, -0.25), "plus": (0.3, 0.1), "pro": (0.2, 0.55)}
REGIONS = {"north": (0.3, 0.1), "south": (0.3, -0.15), "east": (0.2, 0.0), "west": (0.2, 0.05)}

# Centre and slope of the churn probability, chosen so that classes are roughly balanced and a good model reaches
# an AUC of about 0.9 (the noise-free probability caps what any model can reach).
_CHURN_CENTRE = -0.05
_CHURN_SLOPE = 3.2


def _features(rng: np.random.Generator, rows: int) -> pd.DataFrame:
    age = rng.uniform(18, 80, rows).round(0)
    income_k = np.exp(rng.normal(np.log(55), 0.45, rows)).round(1)
    tenure_months = rng.integers(0, 121, rows).astype(float)
    monthly_visits = rng.poisson(6, rows).astype(float)
    avg_order_value = rng.gamma(4.0, 12.5, rows).round(2)
    support_tickets = rng.poisson(1.2, rows).astype(float)
    discount_pct = rng.uniform(0, 30, rows).round(1)
    days_since_last_order = rng.exponential(30, rows).round(0)
    return pd.DataFrame(
        {
            "age": age,
            "income_k": income_k,
            "tenure_months": tenure_months,
            "monthly_visits": monthly_visits,
            "avg_order_value": avg_order_value,
            "support_tickets": support_tickets,
            "discount_pct": discount_pct,
            "days_since_last_order": days_since_last_order,
        }
    )


def _engagement(x: pd.DataFrame) -> np.ndarray:
    """Latent customer engagement, roughly standard normal: higher means more spend and less churn."""
    age_effect = -((x["age"] - 45.0) / 15.0) ** 2 * 0.35 + 0.35  # peaks in middle age
    income_effect = 0.6 * np.log(x["income_k"] / 55.0) / 0.45
    tenure_effect = 0.5 * (np.log1p(x["tenure_months"]) - 3.6)  # diminishing returns
    basket_effect = 0.25 * (x["monthly_visits"] - 6.0) / 2.45 * (x["avg_order_value"] / 50.0)  # interaction
    ticket_effect = np.where(x["support_tickets"] >= 3, -0.9, 0.0)  # a threshold effect
    recency_effect = 0.9 * np.exp(-x["days_since_last_order"] / 20.0) - 0.3
    return (
        age_effect + income_effect + tenure_effect + basket_effect + ticket_effect + recency_effect
    ).to_numpy(dtype=float)


def _check(rows: int, seed: int, problem_type: str) -> None:
    if problem_type not in PROBLEM_TYPES:
        raise ValueError(
            f"unknown problem type {problem_type!r}: use one of {', '.join(PROBLEM_TYPES)}"
        )
    if isinstance(rows, bool) or not isinstance(rows, (int, np.integer)):
        raise ValueError(f"rows must be an integer, got {rows!r}")
    if rows < MIN_ROWS:
        raise ValueError(
            f"rows must be at least {MIN_ROWS} so the data can be split into train/validation/test, got {rows}"
        )
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")


def _label(rng: np.random.Generator, engagement: np.ndarray, problem_type: str) -> pd.Series:
    if problem_type == "regression":
        spend = 1200.0 + 400.0 * engagement + rng.normal(0.0, 150.0, len(engagement))
        return pd.Series(spend.round(2), name=LABEL_COLUMN)
    churn_probability = 1.0 / (1.0 + np.exp(_CHURN_SLOPE * (engagement - _CHURN_CENTRE)))
    return pd.Series((rng.uniform(size=len(engagement)) < churn_probability).astype(int), name=LABEL_COLUMN)


def generate(rows: int, seed: int, problem_type: str) -> pd.DataFrame:
    """Return ``rows`` customers with the label column ``target`` first, reproducible for the same seed."""
    _check(rows, seed, problem_type)
    rng = np.random.default_rng(seed)
    features = _features(rng, int(rows))
    target = _label(rng, _engagement(features), problem_type)
    return pd.concat([target, features], axis=1)


def _categories(rng: np.random.Generator, spec: dict, rows: int) -> tuple[np.ndarray, np.ndarray]:
    names = list(spec)
    picked = rng.choice(len(names), size=rows, p=[spec[n][0] for n in names])
    return np.asarray(names, dtype=object)[picked], np.asarray([spec[n][1] for n in names])[picked]


def generate_upload(rows: int, seed: int, problem_type: str) -> list[str]:
    """Return the lines (header first) of an upload-like CSV of ``rows`` customers; see the module docstring."""
    _check(rows, seed, problem_type)
    rng = np.random.default_rng(seed)
    features = _features(rng, int(rows))
    plan, plan_effect = _categories(rng, PLANS, int(rows))
    region, region_effect = _categories(rng, REGIONS, int(rows))
    target = _label(rng, _engagement(features) + plan_effect + region_effect, problem_type)

    table = {name: features[name].map(lambda v: f"{v:g}").to_numpy(dtype=object) for name in FEATURE_COLUMNS}
    table["plan"] = plan.copy()
    table["region"] = region.copy()
    table[LABEL_COLUMN] = target.map(str).to_numpy(dtype=object)
    draw = lambda: rng.random(int(rows))  # noqa: E731 - one uniform draw per row
    table["income_k"][draw() < 0.03] = ""
    table["days_since_last_order"][draw() < 0.02] = ""
    table["plan"][draw() < 0.02] = ""
    spaced = draw() < 0.01
    table["region"][spaced] = [f" {v} " for v in table["region"][spaced]]
    bad = draw()
    table["age"][bad < 0.004] = "unknown"
    table[LABEL_COLUMN][(bad >= 0.004) & (bad < 0.007)] = ""
    columns = [*FEATURE_COLUMNS, "plan", "region", LABEL_COLUMN]
    lines = [",".join(str(table[c][i]) for c in columns) for i in range(int(rows))]
    for i in np.flatnonzero((bad >= 0.007) & (bad < 0.009)):
        lines[i] += ",extra"
    for i in np.flatnonzero((bad >= 0.009) & (bad < 0.012)):
        lines[i] = lines[i - 1] if i > 0 else lines[i]
    return [",".join(columns), *lines]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Write deterministic synthetic tabular data as CSV with a header.")
    parser.add_argument("--rows", type=int, required=True, help=f"number of rows (at least {MIN_ROWS})")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--problem-type", choices=PROBLEM_TYPES, required=True)
    parser.add_argument("--format", choices=FORMATS, default="clean", help="clean (default) or upload (see above)")
    parser.add_argument("--output", required=True, help="CSV file to write (parent folders are created)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if args.format == "upload":
            lines = generate_upload(args.rows, args.seed, args.problem_type)
        else:
            data = generate(args.rows, args.seed, args.problem_type)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    parent = os.path.dirname(os.path.abspath(args.output))
    os.makedirs(parent, exist_ok=True)
    if args.format == "upload":
        with open(args.output, "w", encoding="utf-8", newline="") as handle:
            handle.write("\n".join(lines) + "\n")
        print(f"wrote {len(lines) - 1} rows ({args.problem_type}, upload format) to {args.output}")
    else:
        data.to_csv(args.output, index=False)
        print(f"wrote {len(data)} rows x {data.shape[1]} columns ({args.problem_type}) to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
