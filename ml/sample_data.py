"""Deterministic synthetic customer data for trying the platform end to end.

Every row is a customer described by eight numeric features. The label column ``target`` is, depending on the
problem type, the customer's yearly spend (regression) or whether the customer churned (binary classification).
Both labels come from the same partly non-linear function of the features plus noise, so a good model learns a
lot from the data but cannot predict it perfectly. Two features carry (almost) no signal, as in real data.

    python ml/sample_data.py --rows 2000 --seed 7 --problem-type regression --output data.csv
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

import numpy as np
import pandas as pd

PROBLEM_TYPES = ("regression", "binary_classification")
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


def generate(rows: int, seed: int, problem_type: str) -> pd.DataFrame:
    """Return ``rows`` customers with the label column ``target`` first, reproducible for the same seed."""
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

    rng = np.random.default_rng(seed)
    features = _features(rng, int(rows))
    engagement = _engagement(features)
    if problem_type == "regression":
        spend = 1200.0 + 400.0 * engagement + rng.normal(0.0, 150.0, len(features))
        target = pd.Series(spend.round(2), name=LABEL_COLUMN)
    else:
        churn_probability = 1.0 / (1.0 + np.exp(_CHURN_SLOPE * (engagement - _CHURN_CENTRE)))
        target = pd.Series((rng.uniform(size=len(features)) < churn_probability).astype(int), name=LABEL_COLUMN)
    return pd.concat([target, features], axis=1)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Write deterministic synthetic tabular data as CSV with a header.")
    parser.add_argument("--rows", type=int, required=True, help=f"number of rows (at least {MIN_ROWS})")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--problem-type", choices=PROBLEM_TYPES, required=True)
    parser.add_argument("--output", required=True, help="CSV file to write (parent folders are created)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        data = generate(args.rows, args.seed, args.problem_type)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    parent = os.path.dirname(os.path.abspath(args.output))
    os.makedirs(parent, exist_ok=True)
    data.to_csv(args.output, index=False)
    print(f"wrote {len(data)} rows x {data.shape[1]} columns ({args.problem_type}) to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
