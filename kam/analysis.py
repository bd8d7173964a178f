"""Metrics over the database: load the frames once, then call the pure functions in kam.metrics.

Imports pandas; only the commands and screens that show numbers import this module.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from kam import metrics
from kam.views import View

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass(frozen=True)
class Frames:
    """What the metrics are computed from."""

    sales: pd.DataFrame
    costs: pd.DataFrame
    customers: pd.DataFrame
    overrides: pd.DataFrame
    """Open key accounts' retention_override and margin_override, by customer_id."""


def _frame(session: Session, sql: str, columns: list[str], params: dict[str, Any]) -> pd.DataFrame:
    """Run a query and return its rows as a frame (no ORM objects on this path)."""
    from sqlalchemy import bindparam, text

    statement = text(sql)
    if "cids" in params:
        statement = statement.bindparams(bindparam("cids", expanding=True))
    result = session.connection().execute(statement, params)
    # Plain tuples: pandas probes each SQLAlchemy Row for attributes, which costs seconds.
    return pd.DataFrame.from_records([tuple(row) for row in result], columns=columns)


def _dates(frame: pd.DataFrame, column: str) -> None:
    frame[column] = pd.to_datetime(frame[column], format="ISO8601")


def load_frames(
    session: Session,
    *,
    customer_id: int | None = None,
    customer_ids: Collection[int] | None = None,
    since: date | None = None,
) -> Frames:
    """Read sales, costs, customers and overrides (for one customer, some, or all), as frames."""
    where: list[str] = []
    params: dict[str, Any] = {}
    if customer_id is not None:
        customer_ids = [customer_id]
    if customer_ids is not None:
        where.append("customer_id IN :cids")
        params["cids"] = list(customer_ids) or [-1]
    sales_where = where + (["sold_on >= :since"] if since else [])
    cost_where = where + (["incurred_on >= :since"] if since else [])
    if since:
        params["since"] = since

    def clause(parts: list[str]) -> str:
        return f" WHERE {' AND '.join(parts)}" if parts else ""

    sales = _frame(
        session,
        "SELECT customer_id, sold_on, revenue, cost_of_goods, order_id FROM sales_line"
        + clause(sales_where),
        ["customer_id", "sold_on", "revenue", "cost_of_goods", "order_id"],
        params,
    )
    _dates(sales, "sold_on")
    costs = _frame(
        session,
        "SELECT customer_id, incurred_on, category, amount FROM service_cost" + clause(cost_where),
        ["customer_id", "incurred_on", "category", "amount"],
        params,
    )
    _dates(costs, "incurred_on")
    customer_where = ["id IN :cids"] if customer_ids is not None else []
    customers = _frame(
        session,
        "SELECT id, name, estimated_wallet FROM customer" + clause(customer_where),
        ["customer_id", "name", "estimated_wallet"],
        {"cids": params["cids"]} if customer_ids is not None else {},
    )
    customers["estimated_wallet"] = customers["estimated_wallet"].astype(float)
    overrides = _frame(
        session,
        "SELECT customer_id, retention_override, margin_override FROM key_account "
        "WHERE status NOT IN ('retired', 'rejected')",
        ["customer_id", "retention_override", "margin_override"],
        {},
    ).set_index("customer_id")
    return Frames(sales, costs, customers, overrides.astype(float))


def base_retention(session: Session, as_of: date) -> float | None:
    """The whole base's trailing retention at `as_of` (customer and date of the last 2 years)."""
    from sqlalchemy import text

    since = as_of - timedelta(days=731)
    rows = session.connection().execute(
        text("SELECT customer_id, sold_on FROM sales_line WHERE sold_on >= :since"),
        {"since": since},
    )
    sales = pd.DataFrame.from_records([tuple(r) for r in rows], columns=["customer_id", "sold_on"])
    _dates(sales, "sold_on")
    return metrics.trailing_retention(sales, as_of=as_of)


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


def _number(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)


def customer_worth(session: Session, customer: str, *, as_of: date) -> Worth:
    """The worth of one customer at `as_of`, every CLV input beside the result."""
    from kam.programme import load_settings
    from kam.services.common import customer_by_name

    target = customer_by_name(session, customer)
    assert target.id is not None
    frames = load_frames(session, customer_id=target.id)
    settings = load_settings(session)
    profit = metrics.profit_table(frames.sales, frames.costs, frames.customers, as_of=as_of)
    base = base_retention(session, as_of)
    clv = metrics.clv_table(
        profit,
        base_retention=base if base is not None else 0.0,
        overrides=frames.overrides.reindex([target.id]),
        discount_rate=settings.discount_rate,
        horizon=settings.horizon,
    ).iloc[0]
    wallet = metrics.share_of_wallet(
        profit["revenue"], frames.customers.set_index("customer_id")["estimated_wallet"]
    ).iloc[0]
    row = profit.iloc[0]
    years = metrics.profit_by_year(frames.sales, frames.costs, frames.customers, as_of=as_of)
    return Worth(
        customer=target.name,
        as_of=as_of,
        revenue=float(row["revenue"]),
        gross_margin=float(row["gross_margin"]),
        cost_to_serve=float(row["cost_to_serve"]),
        cost_to_serve_by_category={
            c: float(row[f"cts_{c}"]) for c in metrics.COST_CATEGORIES if row[f"cts_{c}"]
        },
        profit=float(row["profit"]),
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
        profit_by_year={
            int(y): float(p) for y, p in zip(years["year"], years["profit"], strict=True)
        },
    )


#: The reports `kam metrics` offers, with what each shows.
REPORTS = {
    "profit": "T12M revenue, gross margin, cost to serve by category and profit per customer",
    "pareto": "customers by profit with cumulative share; who makes 80 %; who is below break-even",
    "wallet": "share of wallet and headroom per customer",
    "rfm": "recency, frequency, monetary value and their quintile scores",
    "retention": "year-over-year retention of the customer base",
    "clv": "forward CLV per customer with every input",
}


@dataclass(frozen=True)
class Report:
    """One metrics report: rows (customer per row, best first) and a summary."""

    name: str
    as_of: date
    rows: pd.DataFrame
    summary: dict[str, Any]


def metrics_report(
    session: Session, name: str, *, as_of: date, customer: str | None = None
) -> Report:
    """Compute one report over the whole base as of `as_of` (one customer's row if named)."""
    from kam.services.common import customer_by_name

    if name not in REPORTS:
        raise ValueError(f"unknown report {name}")
    figures = base_figures(session, as_of=as_of)
    frames, profit = figures.frames, figures.profit
    names = frames.customers.set_index("customer_id")["name"]
    summary: dict[str, Any] = {"as_of": as_of.isoformat(), "customers": len(profit)}
    if name == "profit":
        rows = profit.sort_values("profit", ascending=False)
        summary |= {
            k: float(profit[k].sum())
            for k in ("revenue", "gross_margin", "cost_to_serve", "profit")
        }
    elif name == "pareto":
        result = metrics.pareto(profit["profit"])
        rows = result.table.set_index("customer_id")
        rows.insert(0, "name", names.reindex(rows.index))
        summary |= {
            "total_profit": result.total_profit,
            "customers_for_80": result.customers_for_80,
            "share_for_80": result.share_for_80,
            "below_break_even": len(result.below_break_even),
            "loss_from_below_break_even": float(
                profit.loc[result.below_break_even, "profit"].sum()
            ),
        }
    elif name == "wallet":
        rows = figures.wallet.sort_values("headroom", ascending=False)
        rows.insert(0, "name", names.reindex(rows.index))
        summary |= {"revenue": float(rows["revenue"].sum()), "wallet": float(rows["wallet"].sum())}
    elif name == "rfm":
        rows = metrics.rfm(frames.sales, as_of=as_of).sort_values(
            ["r_score", "f_score", "m_score", "monetary"], ascending=False
        )
        rows.insert(0, "name", names.reindex(rows.index))
        summary |= {"active_customers": len(rows)}
    elif name == "retention":
        rows = metrics.retention(frames.sales, as_of=as_of).set_index("year")
        summary |= {"trailing_retention": metrics.trailing_retention(frames.sales, as_of=as_of)}
    else:
        rows = figures.clv.sort_values("clv", ascending=False)
        rows.insert(0, "name", names.reindex(rows.index))
        summary |= {
            "base_retention": figures.base_retention,
            "discount_rate": figures.discount_rate,
            "horizon": figures.horizon,
            "total_clv": float(rows["clv"].sum()),
        }
    if customer is not None and name != "retention":
        target = customer_by_name(session, customer)
        rows = rows[rows.index == target.id]
    return Report(name, as_of, rows, summary)


@dataclass(frozen=True)
class BaseFigures:
    """The whole base's figures at one date, computed from one load of the data."""

    frames: Frames
    profit: pd.DataFrame
    """metrics.profit_table: T12M revenue, margin, cost to serve by category, profit."""
    clv: pd.DataFrame
    """metrics.clv_table with the accounts' overrides and the programme's d and H."""
    wallet: pd.DataFrame
    """metrics.share_of_wallet, one row per customer of `profit`."""
    base_retention: float | None
    discount_rate: float
    horizon: int


def base_figures(
    session: Session, *, as_of: date, customer_ids: Collection[int] | None = None
) -> BaseFigures:
    """Profit, CLV and wallet share at `as_of` for every customer, or only for some (one
    load, one rule). The CLV's base retention is always the whole base's."""
    from kam.programme import load_settings

    frames = load_frames(session, customer_ids=customer_ids)
    settings = load_settings(session)
    profit = metrics.profit_table(frames.sales, frames.costs, frames.customers, as_of=as_of)
    if customer_ids is None:
        base = metrics.trailing_retention(frames.sales, as_of=as_of)
    else:
        base = base_retention(session, as_of)
    clv = metrics.clv_table(
        profit,
        # Without a measurable base retention (no buyers the year before), assume none.
        base_retention=base if base is not None else 0.0,
        overrides=frames.overrides,
        discount_rate=settings.discount_rate,
        horizon=settings.horizon,
    )
    wallet = metrics.share_of_wallet(
        profit["revenue"], frames.customers.set_index("customer_id")["estimated_wallet"]
    ).reindex(profit.index)
    return BaseFigures(frames, profit, clv, wallet, base, settings.discount_rate, settings.horizon)


def base_metrics(session: Session, *, as_of: date) -> pd.DataFrame:
    """Per customer at `as_of`: profit, revenue, clv, headroom, share_of_wallet, active (T12M).

    What the metric criteria score from: one customer's value ranked against the active base.
    """
    figures = base_figures(session, as_of=as_of)
    profit = figures.profit
    return pd.DataFrame(
        {
            "profit": profit["profit"],
            "revenue": profit["revenue"],
            "clv": figures.clv["clv"],
            "headroom": figures.wallet["headroom"],
            "share_of_wallet": figures.wallet["share"],
            "active": profit["revenue"] != 0,
        },
        index=profit.index,
    )
