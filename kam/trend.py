"""One customer's figures per calendar year, for trend charts (read-only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from kam.views import View

if TYPE_CHECKING:
    from sqlmodel import Session


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


def yearly_figures(session: Session, customer: str, *, as_of: date) -> list[YearFigures]:
    """The customer's figures per calendar year up to `as_of`, oldest first."""
    from kam import metrics
    from kam.analysis import load_frames
    from kam.services.common import customer_by_name

    target = customer_by_name(session, customer)
    assert target.id is not None
    frames = load_frames(session, customer_id=target.id)
    table = metrics.profit_by_year(frames.sales, frames.costs, frames.customers, as_of=as_of)
    return [
        YearFigures(
            year=int(row.year),
            revenue=float(row.revenue),
            gross_margin=float(row.gross_margin),
            cost_to_serve=float(row.cost_to_serve),
            profit=float(row.profit),
            partial=int(row.year) == as_of.year,
        )
        for row in table.itertuples(index=False)
    ]
