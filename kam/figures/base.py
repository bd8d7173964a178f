"""The whole base's figures at one date, from one load: profit, CLV and wallet share.

The dashboard, the candidates ranking, the criteria and the reports all start here, so a
figure has one computation however many screens show it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from kam.figures import frames, metrics, value
from kam.rules.programme import load_settings

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.figures.value import Fit, Lifetime


@dataclass(frozen=True)
class BaseFigures:
    """The whole base's figures at one date, computed from one load of the data."""

    as_of: date
    customers: pd.DataFrame
    """customer_id, name, estimated_wallet."""
    t12m: frames.Window
    """The trailing twelve months' sums the profit comes from."""
    profit: pd.DataFrame
    """metrics.profit_table: T12M revenue, margin, cost to serve by category, profit."""
    clv: pd.DataFrame
    """metrics.clv_table with the accounts' overrides and the programme's d and H, and the
    lifetime-value model's figures beside it (value.combine): `clv` is the probabilistic
    CLV where the model speaks for the customer."""
    wallet: pd.DataFrame
    """metrics.share_of_wallet, one row per customer of `profit`."""
    base_retention: float | None
    discount_rate: float
    horizon: int
    fit: Fit | None = None
    """The lifetime-value fit the CLV comes from (None: the simple CLV only was asked)."""


def base_figures(
    session: Session,
    *,
    as_of: date,
    customer_ids: Collection[int] | None = None,
    lifetime: Lifetime | None = None,
    model: bool = True,
    clv: bool = True,
) -> BaseFigures:
    """Profit, CLV and wallet share at `as_of` for every customer, or only for some (one
    load, one rule). The CLV's base retention is always the whole base's; the probabilistic
    CLV comes from `lifetime`, else the stored fit, else a fit made now (`model=False`
    keeps to the simple CLV, for callers that do not show CLV; `clv=False` skips the CLV and
    the base retention it needs, for reports of profit and wallet alone)."""
    customers = frames.customers(session, customer_ids=customer_ids)
    sums = frames.t12m(session, as_of, customer_ids=customer_ids)
    settings = load_settings(session)
    profit = metrics.profit_from(sums.sales, sums.costs, customers)
    wallet = metrics.share_of_wallet(
        profit["revenue"], customers.set_index("customer_id")["estimated_wallet"]
    ).reindex(profit.index)
    rate, horizon = settings.discount_rate, settings.horizon
    if not clv:
        none = pd.DataFrame(index=profit.index)
        return BaseFigures(as_of, customers, sums, profit, none, wallet, None, rate, horizon)
    base = frames.base_retention(session, as_of)
    overrides = frames.overrides(session)
    table = metrics.clv_table(
        profit,
        base_retention=base,  # None: not measurable, no buyers the year before
        overrides=overrides,
        discount_rate=rate,
        horizon=horizon,
    )
    fit = None
    if model:
        figures = lifetime or value.current(session, as_of)
        table = value.combine(table, figures, overrides.dropna(how="all").index)
        fit = figures.fit
    return BaseFigures(as_of, customers, sums, profit, table, wallet, base, rate, horizon, fit)


def base_metrics(session: Session, *, as_of: date) -> pd.DataFrame:
    """Per customer at `as_of`: profit, revenue, clv, headroom, share_of_wallet, buying (T12M).

    What the metric criteria score from: one customer's value placed against the current key
    accounts' (or the base's top customers') values (kam.services.criteria). `clv` is the
    probabilistic CLV where the model speaks for the customer, so the CLV criterion measures
    expected future margin rather than restating T12M profit.
    """
    return metric_frame(base_figures(session, as_of=as_of, model=True))


def metric_frame(figures: BaseFigures) -> pd.DataFrame:
    """The per-customer columns the criteria and the review benchmarks read."""
    profit = figures.profit
    return pd.DataFrame(
        {
            "profit": profit["profit"],
            "revenue": profit["revenue"],
            "clv": figures.clv["clv"],
            "headroom": figures.wallet["headroom"],
            "share_of_wallet": figures.wallet["share"],
            "buying": profit["revenue"] != 0,
        },
        index=profit.index,
    )
