"""Retention what-if: the whole base's and the key accounts' profit and CLV if every
customer's retention rose (or fell) by N points.

Retention is explicit only in the simple CLV model (DESIGN.md):

    CLV = sum over t = 1..H of (M - C) * r**(t-1) / (1 + d)**t

with M the T12M gross margin (or the account's margin override), C the T12M cost to serve,
r the retention (the account's override, else the base's measured retention), d the discount
rate and H the horizon. The what-if moves each customer's r by N points, kept within
[0, MAX_RETENTION], and evaluates the same formula; the probabilistic model (BG/NBD) has no
retention to move, so it is not used here, and its CLV (shown elsewhere where it is fitted)
differs from these.

Profit means, in the same model, the profit over the horizon, undiscounted:
sum over t = 1..H of (M - C) * r**(t-1): what the customers are expected to make over the
next H years if a share r of them stays each year. The first year counts in full whatever r
(every customer is assumed to buy next year), so retention moves the profit of the years
after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from kam.figures.headline import discount_factor

if TYPE_CHECKING:
    import pandas as pd
    from sqlmodel import Session

#: Retention is kept below 1 (nobody ever leaving is not a scenario): at most 99 %.
MAX_RETENTION = 0.99
#: The what-if moves retention by at most this many points either way.
MAX_POINTS = 100.0

MODEL_NOTE = (
    "simple CLV model (retention is explicit in it); the probabilistic model has no "
    "retention to move and is not used for the what-if"
)


@dataclass(frozen=True)
class Outcome:
    """A group of customers' profit over the horizon and CLV, now and at the moved retention."""

    customers: int
    t12m_profit: float
    """T12M profit after cost to serve (M - C summed): a fact, not moved."""
    profit_now: float
    profit_then: float
    clv_now: float
    clv_then: float

    def to_dict(self) -> dict[str, Any]:
        """Both figures with their change and its share of now (None when now is not
        positive)."""

        def pair(now: float, then: float) -> dict[str, float | None]:
            change = then - now
            return {"now": now, "then": then, "change": change,
                    "change_share": change / now if now > 0 else None}  # fmt: skip

        return {
            "customers": self.customers,
            "t12m_profit": self.t12m_profit,
            "profit": pair(self.profit_now, self.profit_then),
            "clv": pair(self.clv_now, self.clv_then),
        }


@dataclass(frozen=True)
class RetentionWhatIf:
    """The what-if's result with every input beside it."""

    as_of: date
    points: float
    """The move asked for, in percentage points (negative: retention falls)."""
    base_retention: float | None
    """The base's measured retention (None: not measurable, taken as 0)."""
    clamped: int
    """Customers whose moved retention left [0, MAX_RETENTION] and was kept at its edge."""
    discount_rate: float
    horizon: int
    base: Outcome
    key_accounts: Outcome
    """Active and under-review key accounts."""

    @property
    def base_retention_then(self) -> float:
        """The base's retention moved by the points, within [0, MAX_RETENTION]."""
        return moved(self.base_retention or 0.0, self.points)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: inputs, the model used and why, and both groups' outcomes."""
        return {
            "as_of": self.as_of.isoformat(),
            "points": self.points,
            "model": "simple",
            "note": MODEL_NOTE,
            "base_retention": self.base_retention,
            "base_retention_then": self.base_retention_then,
            "retention_range": [0.0, MAX_RETENTION],
            "clamped_customers": self.clamped,
            "discount_rate": self.discount_rate,
            "horizon": self.horizon,
            "profit_means": f"profit over the next {self.horizon} years, undiscounted: "
            "sum over t of (M - C) * r^(t-1)",
            "base": self.base.to_dict(),
            "key_accounts": self.key_accounts.to_dict(),
        }


def moved(retention: float, points: float) -> float:
    """`retention` moved by `points` percentage points, kept within [0, MAX_RETENTION]."""
    return min(max(retention + points / 100.0, 0.0), MAX_RETENTION)


def outcome(
    table: pd.DataFrame, points: float, *, discount_rate: float, horizon: int
) -> tuple[Outcome, int]:
    """(the outcome, how many retentions were clamped) for the customers of `table`, a
    metrics.clv_table (margin, cost_to_serve, retention per customer)."""
    import numpy as np

    yearly = (table["margin"] - table["cost_to_serve"]).to_numpy(dtype=float)
    now = table["retention"].to_numpy(dtype=float)
    wanted = now + points / 100.0
    then = np.clip(wanted, 0.0, MAX_RETENTION)
    clamped = int(np.sum(wanted != then))

    def factors(retention: np.ndarray, rate: float) -> np.ndarray:
        distinct, where = np.unique(retention, return_inverse=True)
        values = [discount_factor(float(r), rate, horizon) for r in distinct]
        return np.asarray(values, dtype=float)[where].reshape(retention.shape)

    return (
        Outcome(
            customers=len(table),
            t12m_profit=float(yearly.sum()),
            profit_now=float((yearly * factors(now, 0.0)).sum()),
            profit_then=float((yearly * factors(then, 0.0)).sum()),
            clv_now=float((yearly * factors(now, discount_rate)).sum()),
            clv_then=float((yearly * factors(then, discount_rate)).sum()),
        ),
        clamped,
    )


def retention_what_if(session: Session, *, as_of: date, points: float) -> RetentionWhatIf:
    """The base's and the key accounts' profit and simple CLV at `as_of`, now and with every
    customer's retention moved by `points` percentage points."""
    from db import aggregates
    from kam.figures.base import base_figures
    from kam.rules import lifecycle

    if not -MAX_POINTS <= points <= MAX_POINTS:
        raise ValueError(f"points must be between -{MAX_POINTS:g} and +{MAX_POINTS:g}")
    figures = base_figures(session, as_of=as_of, model=False)
    table = figures.clv
    members = aggregates.member_ids(session.connection(), [s.value for s in lifecycle.MEMBERS])
    rate, horizon = figures.discount_rate, figures.horizon
    base, clamped = outcome(table, points, discount_rate=rate, horizon=horizon)
    keys, _ = outcome(
        table.loc[table.index.isin(members)], points, discount_rate=rate, horizon=horizon
    )
    return RetentionWhatIf(
        as_of=as_of,
        points=points,
        base_retention=figures.base_retention,
        clamped=clamped,
        discount_rate=rate,
        horizon=horizon,
        base=base,
        key_accounts=keys,
    )
