"""The reports `kam metrics` offers: one over the whole base per name, from one load."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from db import aggregates
from kam.figures import frames, metrics
from kam.figures.base import base_figures

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.figures.value import Lifetime

#: The reports `kam metrics` offers, with what each shows.
REPORTS = {
    "profit": "T12M revenue, gross margin, cost to serve by category and profit per customer",
    "pareto": "customers by profit with cumulative share; who makes 80 %; who is below break-even",
    "wallet": "share of wallet and headroom per customer",
    "rfm": "recency, frequency, monetary value and their quintile scores",
    "retention": "year-over-year retention of the customer base",
    "clv": "forward CLV per customer with every input, and which model gave it",
    "churn": "customers at risk of churning (P(alive), purchase gap, decline), most value first",
    "tiers": "value tiers A/B/C by cumulative share of positive CLV; negative CLV is 'loss'",
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


#: Reports that show the lifetime-value model's figures.
MODELLED = ("clv", "churn", "tiers")


def metrics_report(
    session: Session,
    name: str,
    *,
    as_of: date,
    customer_id: int | None = None,
    lifetime: Lifetime | None = None,
    key_accounts: bool = False,
) -> Report:
    """Compute one report over the whole base as of `as_of` (one customer's row if given;
    the churn report of key accounts only with `key_accounts`). The modelled reports use
    `lifetime`, else the stored fit, else a fit made now."""
    if name not in REPORTS:
        raise ValueError(f"unknown report {name}")
    if name == "retention":  # the base's buying by year: no T12M sums, costs or CLV
        retention = metrics.retention_from(frames.buying_years(session, as_of), as_of=as_of)
        facts = {
            "as_of": as_of.isoformat(),
            "customers": aggregates.customer_count(session.connection()),
            "trailing_retention": frames.base_retention(session, as_of),
        }
        return Report(name, as_of, retention.set_index("year"), facts)
    modelled = name in MODELLED
    figures = base_figures(session, as_of=as_of, model=modelled, clv=modelled, lifetime=lifetime)
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
        first, last = metrics.t12m_window(as_of)  # the window profit and CLV read
        stats = frames.window(session, first, last).sales
        rows = metrics.rfm_from(stats, as_of=as_of).sort_values(
            ["r_score", "f_score", "m_score", "monetary"], ascending=False
        )
        rows.insert(0, "name", names.reindex(rows.index))
        summary |= {"active_customers": len(rows)}
    elif name == "clv":
        rows = figures.clv.sort_values("clv", ascending=False)
        rows.insert(0, "name", names.reindex(rows.index))
        rows["tier"] = _tiers(session, rows["clv"])
        summary |= _model_summary(figures) | {
            "base_retention": figures.base_retention,
            "discount_rate": figures.discount_rate,
            "horizon": figures.horizon,
            "total_clv": float(rows["clv"].sum()),
            "by_model": {k: int(v) for k, v in rows["model"].value_counts().items()},
        }
    elif name == "tiers":
        rows = figures.clv[["clv", "model"]].sort_values("clv", ascending=False)
        rows.insert(0, "name", names.reindex(rows.index))
        rows["tier"] = _tiers(session, rows["clv"])
        positive = rows["clv"].clip(lower=0)
        rows["cum_share"] = positive.cumsum() / positive.sum() if positive.sum() > 0 else 0.0
        rows.loc[rows["clv"] < 0, "cum_share"] = float("nan")
        summary |= _model_summary(figures) | {
            "tiers": {
                tier: {"customers": int(len(group)), "clv": float(group["clv"].sum())}
                for tier, group in rows.groupby("tier", sort=True)
            }
        }
    else:
        rows = _churn(session, figures, names, key_accounts=key_accounts)
        summary |= _model_summary(figures) | {
            "at_risk": len(rows),
            "key_accounts_only": key_accounts,
            "clv_at_risk": float(rows["clv"].clip(lower=0).sum()),
        }
    if customer_id is not None:
        rows = rows[rows.index == customer_id]
    # A row names its customer as every other list does: `customer_id` and `customer`.
    return Report(name, as_of, rows.rename(columns={"name": "customer"}), summary)


def _model_summary(figures: Any) -> dict[str, Any]:
    """Which model the figures come from and why, with the fit's parameters."""
    fit = figures.fit
    if fit is None:
        return {}
    return {
        "model": fit.model, "why": fit.why, "calibration_end": fit.calibration_end.isoformat(),
        "period": fit.period, "parameters": fit.parameters,
    }  # fmt: skip


def _tiers(session: Session, clv: pd.Series) -> pd.Series:
    """Each customer's value tier (kam.rules.outlook.tiers) under the programme's shares."""
    from kam.rules.outlook import tiers
    from kam.rules.programme import load_settings

    settings = load_settings(session)
    found = tiers(
        zip(clv.index.tolist(), clv.astype(float).tolist(), strict=True),
        a_share=settings.tier_a_share,
        b_share=settings.tier_b_share,
    )
    return pd.Series(found, dtype=object).reindex(clv.index)


def _churn(session: Session, figures: Any, names: pd.Series, *, key_accounts: bool) -> pd.DataFrame:
    """The customers at risk of churning, the most CLV first, with their reasons."""
    from db import aggregates
    from kam.figures.outlook import outlooks
    from kam.rules.lifecycle import MEMBERS
    from kam.rules.programme import load_settings

    ids = (
        aggregates.member_ids(session.connection(), [s.value for s in MEMBERS])
        if key_accounts
        else None
    )
    p_alive = figures.clv["p_alive"] if "p_alive" in figures.clv else pd.Series(dtype=float)
    found = outlooks(
        session, figures.as_of, p_alive=p_alive.dropna().to_dict(),
        churn_p_alive=load_settings(session).churn_p_alive, customer_ids=ids,
        t12m=figures.t12m.profit_rows(),
    )  # fmt: skip
    risky = {cid: o for cid, o in found.items() if o.at_risk}
    index = pd.Index(list(risky), name="customer_id")
    rows = pd.DataFrame(
        {
            "name": names.reindex(index),
            "stage": [str(o.stage) for o in risky.values()],
            "p_alive": p_alive.reindex(index).astype(float),
            "days_since_purchase": [o.gap_days for o in risky.values()],
            "margin_change": [o.margin_change for o in risky.values()],
            "profit": figures.profit["profit"].reindex(index).fillna(0.0),
            "clv": figures.clv["clv"].reindex(index).fillna(0.0),
            "reasons": [list(o.reasons) for o in risky.values()],
        },
        index=index,
    )
    return rows.sort_values(["clv", "profit"], ascending=False)
