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

    from kam.figures.value import Lifetime


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
    tier: str = "C"
    """Value tier: A, B, C or loss (kam.rules.outlook.tiers)."""
    stage: str | None = None
    """Derived lifecycle stage (kam.rules.outlook); None for a customer who never bought."""
    at_risk: bool = False
    """At risk of churning (kam.rules.outlook)."""
    p_alive: float | None = None
    """From the probabilistic model, where it speaks for the customer."""


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
    model: str = "simple"
    """The CLV model of the fit (probabilistic or simple)."""
    why: str = ""
    """Why that model."""


def rank_candidates(
    session: Session, *, as_of: date, lifetime: Lifetime | None = None
) -> tuple[list[CandidateView], RankingSummary]:
    """Every customer ranked by profit (Pareto report) and by CLV (CLV report), best first,
    with its value tier and derived stage (the CLV from `lifetime`, else the stored fit)."""
    import numpy as np
    from sqlmodel import col, select

    from db.models import KeyAccount
    from kam.figures import metrics
    from kam.figures.base import base_figures
    from kam.figures.outlook import outlooks
    from kam.rules import lifecycle
    from kam.rules.outlook import tiers
    from kam.rules.programme import load_settings

    figures = base_figures(session, as_of=as_of, lifetime=lifetime)  # one load for both
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
    settings = load_settings(session)
    tier = tiers(
        zip(clv_rows.index.tolist(), clv_rows["clv"].astype(float).tolist(), strict=True),
        a_share=settings.tier_a_share,
        b_share=settings.tier_b_share,
    )
    p_alive = clv_rows["p_alive"].dropna().astype(float).to_dict() if "p_alive" in clv_rows else {}
    outlook = outlooks(
        session, as_of, p_alive=p_alive, churn_p_alive=settings.churn_p_alive,
        t12m=figures.t12m.profit_rows(),
    )  # fmt: skip
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
        seen = outlook.get(int(cid))
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
                tier=tier[int(cid)],
                stage=None if seen is None or seen.stage is None else seen.stage.value,
                at_risk=seen is not None and seen.at_risk,
                p_alive=p_alive.get(int(cid)),
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
        model=figures.fit.model if figures.fit else "simple",
        why=figures.fit.why if figures.fit else "",
    )
    return views, summary
