"""Column statistics of the data-quality baseline: what ml/baseline.py writes as statistics.json, and what the local
data-quality stand-in (local/monitor) computes for captured requests, from the same code.

A column is a list of cells (``Cell``: None when missing, a float for a number, a str for text), described by
``profile_column`` as a ``ColumnProfile``; ``statistics_document`` turns profiles into statistics.json.

statistics.json (``version`` 0), per feature:
  name, inferred_type  ``Integral`` when every present value is a whole number, ``Fractional`` for other numbers,
                       ``String`` as soon as one value is not a number, ``Unknown`` when nothing is present or the
                       column cannot be decoded (a raw column whose encoded features preprocess left out).
                       Types come from values, not from their formatting: ``37.0`` is Integral here.
  numerical_statistics common.num_present / num_missing, mean, sum, std_dev (population), min, max, and
                       distribution.kll: 10 equal-width ``buckets`` from min to max (exact counts, the last bucket
                       includes max; one bucket when all values are equal) and the ``sketch``: parameters c (0.64)
                       and k (2048), and ``data``, one list per level, level h holding items of weight 2^h. It is
                       a valid KLL sketch: items are compacted level by level (sort, keep every other item from a
                       random offset, promote them) whenever the sketch outgrows its capacity, so the weights add
                       up to num_present exactly and every level fits its capacity max(2, ceil(k * c^(levels - 1 -
                       h))). Up to k = 2048 values nothing is compacted: the sketch is exact (every value at level
                       0). The coin flips are seeded: the same data always gives the same file.
  string_statistics    common counts, distinct_count (exact), distribution.categorical.buckets: value and count of
                       every distinct value, most frequent first.
dataset.item_count is the number of rows.

Shipped beside baseline.py: the Baseline step gives it to the Processing job as its own input (``code-lib``), and
baseline.py imports it (see there). Runs under Python 3.9 and the scikit-learn 1.2-1 image's libraries, as
baseline.py does: stdlib and numpy only.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np

FORMAT_VERSION = 0
INTEGRAL, FRACTIONAL, STRING, UNKNOWN = "Integral", "Fractional", "String", "Unknown"
NUMERIC_TYPES = (INTEGRAL, FRACTIONAL)

# Deequ's KLL defaults, which the Model Monitor analyzer's own baselines carry.
KLL_K = 2048
KLL_C = 0.64
HISTOGRAM_BUCKETS = 10

# Numbers as text: what Model Monitor's CSV reader would call Integral or Fractional.
_INTEGRAL_TEXT = re.compile(r"[+-]?[0-9]+")
_FRACTIONAL_TEXT = re.compile(r"[+-]?([0-9]+[.][0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[+-]?[0-9]+[eE][+-]?[0-9]+")

# A cell: None when missing, a float for a number, a str for text (numeric-looking text counts as a number).
Cell = Union[None, float, str]


# --- describing one column: types, statistics, the KLL sketch --------------------------------------------------------


def cell_kind(cell: Cell) -> Optional[str]:
    """Integral / Fractional / String for a present cell, None for a missing one."""
    if cell is None:
        return None
    if isinstance(cell, str):
        if _INTEGRAL_TEXT.fullmatch(cell):
            return INTEGRAL
        if _FRACTIONAL_TEXT.fullmatch(cell):
            number = float(cell)
            if not math.isfinite(number):
                return STRING
            return INTEGRAL if number.is_integer() else FRACTIONAL
        return STRING
    number = float(cell)
    if math.isnan(number):
        return None
    if math.isinf(number):
        return STRING
    return INTEGRAL if number.is_integer() else FRACTIONAL


def cell_text(cell: Cell) -> str:
    """How a present cell appears in categorical buckets: text as is, numbers without a needless '.0'."""
    if isinstance(cell, str):
        return cell
    number = float(cell)  # type: ignore[arg-type]
    return str(int(number)) if number.is_integer() and abs(number) < 2**53 else repr(number)


@dataclass
class ColumnProfile:
    """What is known about one column: every statistic and check starts from this."""

    name: str
    rows: int
    missing: int
    kinds: Dict[str, int]  # Integral / Fractional / String -> present cells of that kind
    numbers: np.ndarray  # the values of the numeric cells, in row order
    texts: Counter  # text of every present cell -> count
    described: bool = True  # False: the column exists but its values are not known (nothing is described)

    @property
    def present(self) -> int:
        return self.rows - self.missing

    @property
    def completeness(self) -> float:
        return self.present / self.rows if self.rows else 1.0

    @property
    def inferred_type(self) -> str:
        """Deequ's rule: nothing present -> Unknown; any text -> String; any fraction -> Fractional; else Integral."""
        if not self.described or self.present == 0:
            return UNKNOWN
        if self.kinds.get(STRING):
            return STRING
        if self.kinds.get(FRACTIONAL):
            return FRACTIONAL
        return INTEGRAL


def profile_column(name: str, cells: Sequence[Cell]) -> ColumnProfile:
    kinds: Counter = Counter()
    numbers: List[float] = []
    texts: Counter = Counter()
    missing = 0
    for cell in cells:
        kind = cell_kind(cell)
        if kind is None:
            missing += 1
            continue
        kinds[kind] += 1
        texts[cell_text(cell)] += 1
        if kind != STRING:
            numbers.append(float(cell))  # type: ignore[arg-type]
    return ColumnProfile(
        name=name, rows=len(cells), missing=missing, kinds=dict(kinds), numbers=np.asarray(numbers, dtype=float),
        texts=texts,
    )


def undescribed_column(name: str, rows: int) -> ColumnProfile:
    return ColumnProfile(name=name, rows=rows, missing=0, kinds={}, numbers=np.zeros(0), texts=Counter(),
                         described=False)


def kll_capacity(level: int, levels: int, k: int = KLL_K, c: float = KLL_C) -> int:
    """Items level ``level`` (0 = lowest, weight 1) may hold in a sketch of ``levels`` levels."""
    return max(2, int(math.ceil(k * c ** (levels - 1 - level))))


def kll_sketch(values: Sequence[float], k: int = KLL_K, c: float = KLL_C, seed: int = 0) -> List[List[float]]:
    """A KLL sketch of ``values``: levels[h] holds items of weight 2^h; each level sorted. Exact when len <= k."""
    coin = random.Random(seed)
    levels: List[List[float]] = [[]]

    def capacity(level: int) -> int:
        return kll_capacity(level, len(levels), k, c)

    def compact(level: int) -> None:
        if level + 1 == len(levels):
            levels.append([])
        items = sorted(levels[level])
        # An odd item stays behind, so no weight is lost: 2m items become m items of twice the weight.
        kept = items[len(items) - len(items) % 2:]
        pairs = items[: len(items) - len(items) % 2]
        levels[level + 1].extend(pairs[coin.randint(0, 1)::2])
        levels[level] = kept

    pending = [float(v) for v in values]
    position = 0
    while position < len(pending):
        room = sum(capacity(h) for h in range(len(levels))) - sum(len(items) for items in levels)
        if room > 0:
            levels[0].extend(pending[position:position + room])
            position += room
        else:
            # Full: compact the lowest level that has reached its capacity (one has, since the sketch is full).
            compact(next(h for h in range(len(levels)) if len(levels[h]) >= capacity(h)))
    # Leave no level over its capacity (compacting one level may overfill the next).
    while True:
        over = [h for h in range(len(levels)) if len(levels[h]) > capacity(h)]
        if not over:
            break
        compact(over[0])
    return [sorted(items) for items in levels]


def histogram_buckets(values: np.ndarray, buckets: int = HISTOGRAM_BUCKETS) -> List[Dict[str, float]]:
    """Equal-width buckets from min to max with exact counts; [lower, upper) except the last, which holds max."""
    low, high = float(values.min()), float(values.max())
    if low == high:
        return [{"lower_bound": low, "upper_bound": high, "count": float(len(values))}]
    edges = np.linspace(low, high, buckets + 1)
    counts, _ = np.histogram(values, bins=edges)
    return [
        {"lower_bound": float(edges[i]), "upper_bound": float(edges[i + 1]), "count": float(counts[i])}
        for i in range(buckets)
    ]


def _common(profile: ColumnProfile) -> Dict[str, int]:
    return {"num_present": profile.present, "num_missing": profile.missing}


def feature_statistics(profile: ColumnProfile) -> Dict[str, Any]:
    """One entry of statistics.json's ``features``."""
    kind = profile.inferred_type
    feature: Dict[str, Any] = {"name": profile.name, "inferred_type": kind}
    if kind in NUMERIC_TYPES:
        values = profile.numbers
        feature["numerical_statistics"] = {
            "common": _common(profile),
            "mean": float(values.mean()),
            "sum": float(values.sum()),
            "std_dev": float(values.std()),  # population, as Deequ computes it
            "min": float(values.min()),
            "max": float(values.max()),
            "distribution": {
                "kll": {
                    "buckets": histogram_buckets(values),
                    "sketch": {"parameters": {"c": KLL_C, "k": float(KLL_K)}, "data": kll_sketch(values)},
                }
            },
        }
    elif kind == STRING:
        ordered = sorted(profile.texts.items(), key=lambda item: (-item[1], item[0]))
        feature["string_statistics"] = {
            "common": _common(profile),
            "distinct_count": float(len(ordered)),
            "distribution": {
                "categorical": {"buckets": [{"value": value, "count": float(count)} for value, count in ordered]}
            },
        }
    return feature


def statistics_document(profiles: Sequence[ColumnProfile], item_count: int) -> Dict[str, Any]:
    return {
        "version": FORMAT_VERSION,
        "dataset": {"item_count": item_count},
        "features": [feature_statistics(profile) for profile in profiles],
    }
