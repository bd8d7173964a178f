"""The frames the metrics are computed from: sums the database computed (db.aggregates), for
one window or per year, so pandas sees customers and periods, never every sales line
(kam.figures.metrics is pure: it never reads).

Imports pandas; only the commands and screens that show numbers import this module.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from db import aggregates
from kam.figures import metrics
from kam.rules import lifecycle

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass(frozen=True)
class Window:
    """Sums over one date window."""

    sales: pd.DataFrame
    """Per customer: revenue, cost_of_goods, and with detail orders, last_sold_on (datetime64)."""
    costs: pd.DataFrame
    """Per customer and category: amount."""

    def profit_rows(self) -> Iterable[tuple[Any, ...]]:
        """The sales sums as db.aggregates reads them without detail (WINDOW_PROFIT_COLUMNS
        rows)."""
        return self.sales[aggregates.WINDOW_PROFIT_COLUMNS].itertuples(index=False, name=None)


def _frame(rows: list[tuple[Any, ...]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=columns)


def _days(value: pd.Timestamp | date) -> date:
    return value.date() if isinstance(value, pd.Timestamp) else value


def window(
    session: Session,
    first: pd.Timestamp | date,
    last: pd.Timestamp | date,
    *,
    customer_ids: Collection[int] | None = None,
    detail: bool = True,
) -> Window:
    """Sales and cost sums over [first, last], for some customers or all (without `detail`,
    the sales without orders and last_sold_on: what profit needs)."""
    conn = session.connection()
    rows = aggregates.window_sales(
        conn, _days(first), _days(last), customer_ids=customer_ids, detail=detail
    )
    if detail:
        sales = _frame(rows, aggregates.WINDOW_SALES_COLUMNS)
        sales = sales.astype({"revenue": float, "cost_of_goods": float, "orders": "int64"})
        sales["last_sold_on"] = pd.to_datetime(sales["last_sold_on"], format="ISO8601")
    else:
        sales = _frame(rows, aggregates.WINDOW_PROFIT_COLUMNS)
        sales = sales.astype({"revenue": float, "cost_of_goods": float})
    costs = _frame(
        aggregates.window_costs(conn, _days(first), _days(last), customer_ids=customer_ids),
        aggregates.WINDOW_COST_COLUMNS,
    ).astype({"amount": float})
    return Window(sales, costs)


def t12m(session: Session, as_of: date, *, customer_ids: Collection[int] | None = None) -> Window:
    """The sums of the trailing twelve months ending on `as_of` (what profit needs)."""
    first, last = metrics.t12m_window(as_of)
    return window(session, first, last, customer_ids=customer_ids, detail=False)


def yearly(
    session: Session, until: date, *, customer_ids: Collection[int] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sales and cost sums per customer and calendar year up to `until`."""
    sales = _frame(
        aggregates.yearly_sales(session.connection(), until, customer_ids=customer_ids),
        aggregates.YEAR_SALES_COLUMNS,
    ).astype({"year": "int64", "revenue": float, "cost_of_goods": float})
    return sales, yearly_costs(session, until, customer_ids=customer_ids)


def yearly_costs(
    session: Session, until: date, *, customer_ids: Collection[int] | None = None
) -> pd.DataFrame:
    """Cost-to-serve sums per customer and calendar year up to `until`."""
    return _frame(
        aggregates.yearly_costs(session.connection(), until, customer_ids=customer_ids),
        aggregates.YEAR_COST_COLUMNS,
    ).astype({"year": "int64", "amount": float})


def buying_years(session: Session, until: date) -> pd.DataFrame:
    """Each (customer_id, year) in which the customer bought, up to `until`."""
    return _frame(
        aggregates.buying_years(session.connection(), until), aggregates.BUYING_YEAR_COLUMNS
    ).astype({"year": "int64"})


def customers(session: Session, *, customer_ids: Collection[int] | None = None) -> pd.DataFrame:
    """Customers (customer_id, name, estimated_wallet), some or all."""
    frame = _frame(
        aggregates.customers(session.connection(), customer_ids=customer_ids),
        aggregates.CUSTOMER_COLUMNS,
    )
    frame["estimated_wallet"] = frame["estimated_wallet"].astype(float)
    return frame


def overrides(session: Session) -> pd.DataFrame:
    """Open key accounts' retention_override and margin_override, by customer_id."""
    frame = _frame(
        aggregates.account_overrides(
            session.connection(), statuses=[s.value for s in lifecycle.OPEN]
        ),
        aggregates.OVERRIDE_COLUMNS,
    ).set_index("customer_id")
    return frame.astype(float)


def base_retention(session: Session, as_of: date) -> float | None:
    """The whole base's trailing retention at `as_of`: of the customers who bought in the 12
    months before the T12M window, the share who bought in it (counted in the database)."""
    before_first, first, last = metrics.retention_windows(as_of)
    bought_before, bought_again = aggregates.retention_counts(
        session.connection(), _days(before_first), _days(first), _days(last)
    )
    return bought_again / bought_before if bought_before else None
