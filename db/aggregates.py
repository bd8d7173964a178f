"""The figures' reads: sums the database computes (GROUP BY, the date window in WHERE), so
what reaches pandas scales with customers and periods, not with sales lines, and a team's
PostgreSQL carries the load.

Each function returns plain tuples, in the column order of its *_COLUMNS constant;
kam.figures turns them into frames. Dates arrive as `date` objects or ISO text (SQLite),
which the caller parses.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from sqlalchemy import Connection, Select, Table

WINDOW_SALES_COLUMNS = ["customer_id", "revenue", "cost_of_goods", "orders", "last_sold_on"]
WINDOW_COST_COLUMNS = ["customer_id", "category", "amount"]
YEAR_SALES_COLUMNS = ["customer_id", "year", "revenue", "cost_of_goods"]
YEAR_COST_COLUMNS = ["customer_id", "year", "amount"]
FLAG_COLUMNS = ["customer_id", "before", "during"]
CUSTOMER_COLUMNS = ["customer_id", "name", "estimated_wallet"]
OVERRIDE_COLUMNS = ["customer_id", "retention_override", "margin_override"]


def _table(model: type) -> Table:
    """A model's Core table (its columns are typed, unlike the model's attributes)."""
    from sqlalchemy import inspect

    return cast("Table", inspect(model).local_table)


def _rows(conn: Connection, statement: Select[Any]) -> list[tuple[Any, ...]]:
    """Every row as a plain tuple, fetched at once (no per-row Row objects kept)."""
    return [tuple(row) for row in conn.execute(statement).fetchall()]


def _some(statement: Select[Any], column: Any, ids: Collection[int] | None) -> Select[Any]:
    return statement if ids is None else statement.where(column.in_(list(ids) or [-1]))


def window_sales(
    conn: Connection, first: date, last: date, *, customer_ids: Collection[int] | None = None
) -> list[tuple[Any, ...]]:
    """Per customer, over [first, last]: revenue, cost of goods, orders (distinct order ids;
    a line without one is its own order) and the last day bought (WINDOW_SALES_COLUMNS)."""
    from sqlalchemy import case, func, select

    from db.models import Transaction

    T = _table(Transaction).c

    lone = func.sum(case(((T.order_id.is_(None)) | (T.order_id == ""), 1), else_=0))
    statement = (
        select(
            T.customer_id,
            func.sum(T.revenue),
            func.sum(T.cost_of_goods),
            func.count(func.distinct(func.nullif(T.order_id, ""))) + lone,
            func.max(T.sold_on),
        )
        .where(T.sold_on >= first, T.sold_on <= last)
        .group_by(T.customer_id)
    )
    return _rows(conn, _some(statement, T.customer_id, customer_ids))


def window_costs(
    conn: Connection, first: date, last: date, *, customer_ids: Collection[int] | None = None
) -> list[tuple[Any, ...]]:
    """Cost to serve per customer and category over [first, last] (WINDOW_COST_COLUMNS)."""
    from sqlalchemy import func, select

    from db.models import ServiceCost

    C = _table(ServiceCost).c

    statement = (
        select(C.customer_id, C.category, func.sum(C.amount))
        .where(C.incurred_on >= first, C.incurred_on <= last)
        .group_by(C.customer_id, C.category)
    )
    return [
        (cid, getattr(category, "value", category), amount)
        for cid, category, amount in _rows(conn, _some(statement, C.customer_id, customer_ids))
    ]


def yearly_sales(
    conn: Connection, until: date, *, customer_ids: Collection[int] | None = None
) -> list[tuple[Any, ...]]:
    """Revenue and cost of goods per customer and calendar year up to `until`
    (YEAR_SALES_COLUMNS)."""
    from sqlalchemy import Integer, cast, extract, func, select

    from db.models import Transaction

    T = _table(Transaction).c

    year = cast(extract("year", T.sold_on), Integer)
    statement = (
        select(T.customer_id, year, func.sum(T.revenue), func.sum(T.cost_of_goods))
        .where(T.sold_on <= until)
        .group_by(T.customer_id, year)
    )
    return _rows(conn, _some(statement, T.customer_id, customer_ids))


def yearly_costs(
    conn: Connection, until: date, *, customer_ids: Collection[int] | None = None
) -> list[tuple[Any, ...]]:
    """Cost to serve per customer and calendar year up to `until` (YEAR_COST_COLUMNS)."""
    from sqlalchemy import Integer, cast, extract, func, select

    from db.models import ServiceCost

    C = _table(ServiceCost).c

    year = cast(extract("year", C.incurred_on), Integer)
    statement = (
        select(C.customer_id, year, func.sum(C.amount))
        .where(C.incurred_on <= until)
        .group_by(C.customer_id, year)
    )
    return _rows(conn, _some(statement, C.customer_id, customer_ids))


def buying_flags(
    conn: Connection, before_first: date, first: date, last: date
) -> list[tuple[Any, ...]]:
    """Per customer who bought between before_first and last: whether they bought before
    `first`, and whether from `first` on (FLAG_COLUMNS) — the base's retention."""
    from sqlalchemy import case, func, select

    from db.models import Transaction

    T = _table(Transaction).c

    statement = (
        select(
            T.customer_id,
            func.max(case((T.sold_on < first, 1), else_=0)),
            func.max(case((T.sold_on >= first, 1), else_=0)),
        )
        .where(T.sold_on >= before_first, T.sold_on <= last)
        .group_by(T.customer_id)
    )
    return _rows(conn, statement)


def customers(
    conn: Connection, *, customer_ids: Collection[int] | None = None
) -> list[tuple[Any, ...]]:
    """Customers (CUSTOMER_COLUMNS), some or all."""
    from sqlalchemy import select

    from db.models import Customer

    c = _table(Customer).c
    statement = select(c.id, c.name, c.estimated_wallet)
    return _rows(conn, _some(statement, c.id, customer_ids))


def account_overrides(conn: Connection, *, statuses: Sequence[str]) -> list[tuple[Any, ...]]:
    """CLV overrides (OVERRIDE_COLUMNS) of the key accounts in `statuses`."""
    from sqlalchemy import select

    from db.models import KeyAccount

    k = _table(KeyAccount).c
    statement = select(k.customer_id, k.retention_override, k.margin_override).where(
        k.status.in_(list(statuses))
    )
    return _rows(conn, statement)
