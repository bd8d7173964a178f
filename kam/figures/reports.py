"""The reports `kam metrics` offers: one over the whole base per name, from one load."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from kam.figures import frames, metrics
from kam.figures.base import base_figures

if TYPE_CHECKING:
    from sqlmodel import Session

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
    """One metrics report: rows (customer per row, best first) and a summary.

    A customer's row holds `customer_id` and `customer` (the name) before its figures.
    """

    name: str
    as_of: date
    rows: pd.DataFrame
    summary: dict[str, Any]


def metrics_report(
    session: Session, name: str, *, as_of: date, customer_id: int | None = None
) -> Report:
    """Compute one report over the whole base as of `as_of` (one customer's row if given)."""
    if name not in REPORTS:
        raise ValueError(f"unknown report {name}")
    figures = base_figures(
        session, as_of=as_of, model=name == "clv", clv=name in ("clv", "retention")
    )
    profit = figures.profit
    names = figures.customers.set_index("customer_id")["name"]
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
        first, last = metrics.rfm_window(as_of)
        stats = frames.window(session, first, last).sales
        rows = metrics.rfm_from(stats, as_of=as_of).sort_values(
            ["r_score", "f_score", "m_score", "monetary"], ascending=False
        )
        rows.insert(0, "name", names.reindex(rows.index))
        summary |= {"active_customers": len(rows)}
    elif name == "retention":
        year_sales, _costs = frames.yearly(session, as_of)
        rows = metrics.retention_from(year_sales, as_of=as_of).set_index("year")
        summary |= {"trailing_retention": figures.base_retention}
    else:
        rows = figures.clv.sort_values("clv", ascending=False)
        rows.insert(0, "name", names.reindex(rows.index))
        summary |= {
            "base_retention": figures.base_retention,
            "discount_rate": figures.discount_rate,
            "horizon": figures.horizon,
            "total_clv": float(rows["clv"].sum()),
        }
    if customer_id is not None and name != "retention":
        rows = rows[rows.index == customer_id]
    # A row names its customer as every other list does: `customer_id` and `customer`.
    return Report(name, as_of, rows.rename(columns={"name": "customer"}), summary)
