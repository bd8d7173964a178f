"""What one customer is worth: computed once per request from one load of its lines, and
shared by the account sheet (TUI and exports), `kam account show` and the reviews."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from kam.figures import frames, metrics, value
from kam.rules.programme import load_settings
from kam.views import View

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.rules.outlook import Outlook


@dataclass(frozen=True)
class YearFigures(View):
    """Revenue, gross margin, cost to serve and profit of one customer in one calendar year."""

    year: int
    revenue: float
    gross_margin: float
    cost_to_serve: float
    profit: float
    partial: bool
    """True for the year of `as_of`, which is not over yet."""


@dataclass(frozen=True)
class Worth(View):
    """What one customer is worth: T12M profit after cost to serve, wallet share, forward CLV."""

    customer: str
    as_of: date
    revenue: float
    gross_margin: float
    cost_to_serve: float
    cost_to_serve_by_category: dict[str, float]
    profit: float
    previous_profit: float
    """Profit of the twelve months before the T12M window (for the trend and health)."""
    estimated_wallet: float | None
    share_of_wallet: float | None
    headroom: float | None
    clv: float
    clv_margin: float
    clv_margin_source: str
    clv_cost_to_serve: float
    clv_retention: float
    clv_retention_source: str
    discount_rate: float
    horizon: int
    profit_by_year: dict[int, float]
    clv_model: str = "simple"
    """'probabilistic' (BG/NBD and Gamma-Gamma) or 'simple' (margin less cost to serve at
    a retention); `clv_note` says why a customer has the simple one."""
    clv_note: str = ""
    clv_why: str = ""
    """Why the base's figures use this model (the fit's account of itself)."""
    simple_clv: float | None = None
    p_alive: float | None = None
    purchases_12m: float | None = None
    margin_per_purchase: float | None = None
    cost_per_purchase: float | None = None
    tier: str = "C"
    """Value tier among the whole base (A, B, C or loss; kam.rules.outlook.tiers)."""
    stage: str | None = None
    """Derived lifecycle stage (kam.rules.outlook); None if the customer never bought."""
    at_risk: bool = False
    risk_reasons: tuple[str, ...] = ()
    """Why the customer is at risk of churning (kam.rules.outlook), as sentences."""
    years: list[YearFigures] = field(default_factory=list)
    """Every calendar year up to `as_of`, oldest first (the last partial)."""


def _number(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)


def previous_window(as_of: date) -> tuple[date, date]:
    """The twelve months just before the T12M window ending on `as_of`: (first, last)."""
    first, _last = metrics.t12m_window(as_of)
    previous_end = (first - timedelta(days=1)).date()
    return metrics.t12m_window(previous_end)[0].date(), previous_end


def customer_worth(session: Session, customer_id: int, *, as_of: date) -> Worth:
    """The worth of one customer at `as_of`, every CLV input beside the result."""
    ids = [customer_id]
    customers = frames.customers(session, customer_ids=ids)
    if customers.empty:
        raise LookupError(f"no customer with id {customer_id}")
    settings = load_settings(session)
    now = frames.t12m(session, as_of, customer_ids=ids)
    profit = metrics.profit_from(now.sales, now.costs, customers)
    start, end = previous_window(as_of)
    earlier = frames.window(session, start, end, customer_ids=ids, detail=False)
    before = metrics.profit_from(earlier.sales, earlier.costs, customers)
    base = frames.base_retention(session, as_of)
    overrides = frames.overrides(session).reindex(ids)
    simple = metrics.clv_table(
        profit,
        base_retention=base,
        overrides=overrides,
        discount_rate=settings.discount_rate,
        horizon=settings.horizon,
    )
    figures = value.current(session, as_of, customer_ids=ids)
    clv = value.combine(simple, figures, overrides.dropna(how="all").index).iloc[0]
    wallet = metrics.share_of_wallet(
        profit["revenue"], customers.set_index("customer_id")["estimated_wallet"]
    ).iloc[0]
    row = profit.iloc[0]
    tier, seen = _outlook(session, customer_id, as_of, figures, clv)
    year_sales, year_costs = frames.yearly(session, as_of, customer_ids=ids)
    table = metrics.by_year_from(year_sales, year_costs, customers)
    years = [
        YearFigures(
            year=int(y.year),
            revenue=float(y.revenue),
            gross_margin=float(y.gross_margin),
            cost_to_serve=float(y.cost_to_serve),
            profit=float(y.profit),
            partial=int(y.year) == as_of.year,
        )
        for y in table.itertuples(index=False)
    ]
    return Worth(
        customer=str(row["name"]),
        as_of=as_of,
        revenue=float(row["revenue"]),
        gross_margin=float(row["gross_margin"]),
        cost_to_serve=float(row["cost_to_serve"]),
        cost_to_serve_by_category={
            c: float(row[f"cts_{c}"]) for c in metrics.COST_CATEGORIES if row[f"cts_{c}"]
        },
        profit=float(row["profit"]),
        previous_profit=float(before.iloc[0]["profit"]),
        estimated_wallet=_number(wallet["wallet"]),
        share_of_wallet=_number(wallet["share"]),
        headroom=_number(wallet["headroom"]),
        clv=float(clv["clv"]),
        clv_margin=float(clv["margin"]),
        clv_margin_source=str(clv["margin_source"]),
        clv_cost_to_serve=float(clv["cost_to_serve"]),
        clv_retention=float(clv["retention"]),
        clv_retention_source=str(clv["retention_source"]),
        discount_rate=float(clv["discount_rate"]),
        horizon=int(clv["horizon"]),
        profit_by_year={y.year: y.profit for y in years},
        years=years,
        clv_model=str(clv["model"]),
        clv_note=str(clv["note"]),
        clv_why=figures.fit.why,
        simple_clv=float(clv["simple_clv"]),
        p_alive=_number(clv["p_alive"]),
        purchases_12m=_number(clv["purchases_12m"]),
        margin_per_purchase=_number(clv["margin_per_purchase"]),
        cost_per_purchase=_number(clv["cost_per_purchase"]),
        tier=tier,
        stage=None if seen.stage is None else seen.stage.value,
        at_risk=seen.at_risk,
        risk_reasons=seen.reasons,
    )


def _outlook(
    session: Session, customer_id: int, as_of: date, figures: value.Lifetime, clv: pd.Series
) -> tuple[str, Outlook]:
    """The customer's value tier among the base's CLV (its own as the sheet shows it) and its
    outlook (stage, churn risk)."""
    from kam.figures.outlook import outlooks
    from kam.rules.outlook import tier_of

    settings = load_settings(session)
    own = float(clv["clv"])
    before, others = figures.standing(customer_id, own, session)
    tier = tier_of(own, before, others + max(own, 0.0),
                   a_share=settings.tier_a_share, b_share=settings.tier_b_share)  # fmt: skip
    p = _number(clv["p_alive"])
    seen = outlooks(
        session, as_of, p_alive={customer_id: p} if p is not None else {},
        churn_p_alive=settings.churn_p_alive, customer_ids=[customer_id],
    )[customer_id]  # fmt: skip
    return tier, seen
