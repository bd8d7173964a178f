"""The customer base ranked for nomination: profit and CLV with Pareto positions (read-only).

Imports pandas through kam.figures; only the screens and commands that rank the base import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from db.enums import AccountStatus
from kam.views import View

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass(frozen=True)
class CandidateView(View):
    """One customer of the base with its rank by profit and by CLV."""

    customer_id: int
    name: str
    profit: float
    """T12M profit after cost to serve."""
    profit_rank: int
    profit_share: float | None
    """Cumulative share of the base's profit down to this customer (Pareto position)."""
    clv: float
    clv_rank: int
    clv_share: float | None
    """Cumulative share of the base's CLV down to this customer."""
    account_status: str | None
    """Status of the customer's open key account membership, if any."""


@dataclass(frozen=True)
class RankingSummary(View):
    """What the ranking says about the whole base."""

    as_of: date
    customers: int
    total_profit: float
    customers_for_80: int | None
    """How many customers (best first) make 80 % of the profit."""
    share_for_80: float | None
    below_break_even: int
    total_clv: float
    base_retention: float | None


def rank_candidates(session: Session, *, as_of: date) -> tuple[list[CandidateView], RankingSummary]:
    """Every customer ranked by profit (Pareto report) and by CLV (CLV report), best first."""
    import numpy as np
    from sqlmodel import col, select

    from db.models import KeyAccount
    from kam.figures import metrics
    from kam.figures.base import base_figures
    from kam.rules import lifecycle

    figures = base_figures(session, as_of=as_of)  # one load for both rankings
    status = {
        cid: AccountStatus(s).value
        for cid, s in session.exec(
            select(KeyAccount.customer_id, KeyAccount.status).where(
                col(KeyAccount.status).in_(lifecycle.OPEN)
            )
        ).all()
    }
    pareto = metrics.pareto(figures.profit["profit"])
    profit_rows = pareto.table.set_index("customer_id")
    profit_rows.insert(0, "name", figures.profit["name"].reindex(profit_rows.index))
    clv_rows = figures.clv.sort_values("clv", ascending=False)
    total_clv = float(clv_rows["clv"].sum())
    clv_values = clv_rows["clv"].to_numpy(dtype=float)
    clv_share = np.cumsum(clv_values) / total_clv if total_clv else np.full(len(clv_rows), np.nan)
    clv_by_id = {
        int(cid): (float(value), rank, float(share))
        for rank, (cid, value, share) in enumerate(
            zip(clv_rows.index, clv_values, clv_share, strict=True), start=1
        )
    }
    views = []
    for cid, name, profit, rank, share in zip(
        profit_rows.index,
        profit_rows["name"],
        profit_rows["profit"],
        profit_rows["rank"],
        profit_rows["cum_share"],
        strict=True,
    ):
        value, c_rank, c_share = clv_by_id[int(cid)]
        views.append(
            CandidateView(
                customer_id=int(cid),
                name=str(name),
                profit=float(profit),
                profit_rank=int(rank),
                profit_share=None if np.isnan(share) else float(share),
                clv=value,
                clv_rank=c_rank,
                clv_share=None if np.isnan(c_share) else c_share,
                account_status=status.get(int(cid)),
            )
        )
    summary = RankingSummary(
        as_of=as_of,
        customers=len(figures.profit),
        total_profit=pareto.total_profit,
        customers_for_80=pareto.customers_for_80,
        share_for_80=pareto.share_for_80,
        below_break_even=len(pareto.below_break_even),
        total_clv=total_clv,
        base_retention=figures.base_retention,
    )
    return views, summary
