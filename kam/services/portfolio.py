"""The key accounts with what a manager sorts them by: health, CLV, profit, wallet share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from kam.views import View

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass(frozen=True)
class PortfolioRow(View):
    """One open key account with its standing and worth at a date."""

    id: int
    customer: str
    status: str
    health: str
    health_reasons: list[str]
    health_weekly: list[str | None]
    """Health over the last weeks, oldest first (None: nothing recorded that week)."""
    health_trend: str | None
    """Health since the last review, in one sentence (None without one)."""
    manager: str | None
    sponsor: str | None
    clv: float | None
    profit: float | None
    share_of_wallet: float | None
    next_review_on: date | None
    region: str
    version: int


def portfolio(session: Session, *, as_of: date) -> list[PortfolioRow]:
    """Every open key account, by customer name, with health, CLV, profit and wallet share."""
    from kam.figures.base import base_figures
    from kam.services.accounts import list_accounts
    from kam.services.health import known_p_alive, programme_health

    accounts = list_accounts(session)
    # The key accounts' own figures; the base is read only for its measured retention.
    figures = base_figures(session, as_of=as_of, customer_ids={a.customer_id for a in accounts})
    alive = known_p_alive(figures.clv["p_alive"])  # the model's, beside the CLV
    health = {h.account_id: h for h in programme_health(session, as_of=as_of, alive=alive)}

    def figure(frame_value: object) -> float | None:
        value = float(frame_value)  # type: ignore[arg-type]
        return None if value != value else value

    rows = []
    for a in accounts:
        known = a.customer_id in figures.profit.index
        h = health.get(a.id)
        rows.append(
            PortfolioRow(
                id=a.id,
                customer=a.customer,
                status=a.status,
                health=h.status if h else "",
                health_reasons=h.reasons if h else [],
                health_weekly=h.weekly if h else [],
                health_trend=h.trend if h else None,
                manager=a.manager,
                sponsor=a.sponsor,
                clv=figure(figures.clv.at[a.customer_id, "clv"]) if known else None,
                profit=figure(figures.profit.at[a.customer_id, "profit"]) if known else None,
                share_of_wallet=(
                    figure(figures.wallet.at[a.customer_id, "share"]) if known else None
                ),
                next_review_on=a.next_review_on,
                region=a.region,
                version=a.version,
            )
        )
    return rows
