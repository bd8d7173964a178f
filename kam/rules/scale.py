"""The continuous scale a metric criterion without a threshold scores on, and its reference.

A candidate's figure (T12M profit, revenue, CLV, wallet headroom or share of wallet) scores
against a reference group's figures:

- 1 at or below the group's minimum,
- 3 at the group's median,
- 5 at or above the group's top quartile (its 75th percentile),
- linear in between (minimum → median: 1 → 3; median → top quartile: 3 → 5),

rounded half up to one decimal (so 2.45 reads 2.5, and the total is worked from the scores
shown). Where points coincide (ties in the group), the higher score applies: a figure equal
to a group whose values are all the same is at its top quartile, so it scores 5.

The reference group is the current key accounts (active or under review) whose figure is
known. With fewer than `MIN_MEMBERS` of them, it is the `TOP_N` customers of the whole base
with the highest figure at the assessment date (every customer whose figure is known, in a
smaller base): the candidate is then measured against the best customers there are.

Percentiles interpolate linearly between closest ranks (numpy's default method, "linear";
Hyndman and Fan's type 7): of n values sorted x[0] ≤ … ≤ x[n−1], the p-th percentile lies
at position h = p × (n − 1) and is x[⌊h⌋] + (h − ⌊h⌋) × (x[⌊h⌋+1] − x[⌊h⌋]). So the median
of 1, 2, 3, 4 is 2.5 and their top quartile 3.25.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

#: With fewer key accounts than this, the reference group is the base's top customers.
MIN_MEMBERS = 5
#: How many of the base's top customers form the reference group then.
TOP_N = 25
#: The scale's points: the score at the reference's minimum, median and top quartile.
LOW, MIDDLE, HIGH = 1.0, 3.0, 5.0

#: What the reference group is, as the scores' explanations say it.
MEMBERS_GROUP = "key accounts"
TOP_GROUP = "top customers"


def percentile(values: Iterable[float], share: float) -> float | None:
    """The `share` percentile (0.5 the median, 0.75 the top quartile) by linear
    interpolation between closest ranks; None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = share * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Reference:
    """The points a figure is scored against, and the group they come from."""

    group: str
    """MEMBERS_GROUP or TOP_GROUP."""
    size: int
    """How many figures the group holds."""
    minimum: float
    median: float
    top_quartile: float


def reference(members: Iterable[float], base: Iterable[float]) -> Reference | None:
    """The reference group: the key accounts' known figures, or with fewer than MIN_MEMBERS
    of them the TOP_N highest of the whole base's known figures; None when both are empty."""
    known = [v for v in members if not math.isnan(v)]
    group = MEMBERS_GROUP
    if len(known) < MIN_MEMBERS:
        known = sorted((v for v in base if not math.isnan(v)), reverse=True)[:TOP_N]
        group = TOP_GROUP
    if not known:
        return None
    median, top = percentile(known, 0.5), percentile(known, 0.75)
    assert median is not None and top is not None
    return Reference(group, len(known), min(known), median, top)


def score(value: float, ref: Reference | None) -> float:
    """The figure's score on the scale (1-5, one decimal); 1 with no reference at all."""
    if ref is None:
        return LOW
    if value >= ref.top_quartile:
        return HIGH
    if value >= ref.median:  # and under the top quartile, so the two differ
        raw = MIDDLE + (HIGH - MIDDLE) * (value - ref.median) / (ref.top_quartile - ref.median)
    elif value > ref.minimum:  # and under the median, so the two differ
        raw = LOW + (MIDDLE - LOW) * (value - ref.minimum) / (ref.median - ref.minimum)
    else:
        return LOW
    return one_decimal(raw)


def one_decimal(value: float) -> float:
    """Rounded half up to one decimal (2.45 → 2.5; Python's round would give 2.4)."""
    return math.floor(value * 10 + 0.5 + 1e-9) / 10
