"""The frames the metrics are computed from, read from the database (kam.figures.metrics is
pure: it never reads).

Imports pandas; only the commands and screens that show numbers import this module.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from db import aggregates
from kam.figures import metrics
from kam.rules import lifecycle

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


def _frame(rows: list[tuple[Any, ...]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=columns)


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
    if customer_id is not None:
        customer_ids = [customer_id]
    conn = session.connection()
    sales = _frame(
        aggregates.sales_lines(conn, customer_ids=customer_ids, since=since),
        aggregates.SALES_COLUMNS,
    )
    _dates(sales, "sold_on")
    costs = _frame(
        aggregates.cost_lines(conn, customer_ids=customer_ids, since=since),
        aggregates.COST_COLUMNS,
    )
    _dates(costs, "incurred_on")
    customers = _frame(
        aggregates.customers(conn, customer_ids=customer_ids), aggregates.CUSTOMER_COLUMNS
    )
    customers["estimated_wallet"] = customers["estimated_wallet"].astype(float)
    overrides = _frame(
        aggregates.account_overrides(conn, statuses=[s.value for s in lifecycle.OPEN]),
        aggregates.OVERRIDE_COLUMNS,
    ).set_index("customer_id")
    return Frames(sales, costs, customers, overrides.astype(float))


def base_retention(session: Session, as_of: date) -> float | None:
    """The whole base's trailing retention at `as_of` (customer and date of the last 2 years)."""
    since = as_of - timedelta(days=731)
    sales = _frame(
        aggregates.buying_days(session.connection(), since=since), ["customer_id", "sold_on"]
    )
    _dates(sales, "sold_on")
    return metrics.trailing_retention(sales, as_of=as_of)
