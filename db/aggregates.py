"""Read queries for the figures: the raw SQL kam's metrics read, in plain tuples.

The figures layer (`kam.figures`) turns these rows into pandas frames. Every statement
takes its filters as bound parameters (statuses included), so no caller spells SQL.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Connection

SALES_COLUMNS = ["customer_id", "sold_on", "revenue", "cost_of_goods", "order_id"]
COST_COLUMNS = ["customer_id", "incurred_on", "category", "amount"]
CUSTOMER_COLUMNS = ["customer_id", "name", "estimated_wallet"]
OVERRIDE_COLUMNS = ["customer_id", "retention_override", "margin_override"]


def _rows(
    conn: Connection, sql: str, params: dict[str, Any], expanding: Sequence[str] = ()
) -> list[tuple[Any, ...]]:
    """Run a statement and return its rows as plain tuples (pandas probes Row objects slowly)."""
    from sqlalchemy import bindparam, text

    statement = text(sql)
    for name in expanding:
        statement = statement.bindparams(bindparam(name, expanding=True))
    return [tuple(row) for row in conn.execute(statement, params)]


def _where(parts: list[str]) -> str:
    return f" WHERE {' AND '.join(parts)}" if parts else ""


def sales_lines(
    conn: Connection, *, customer_ids: Collection[int] | None = None, since: date | None = None
) -> list[tuple[Any, ...]]:
    """Sales lines (SALES_COLUMNS) of some customers (all when None), from `since` on."""
    where: list[str] = []
    params: dict[str, Any] = {}
    expanding: list[str] = []
    if customer_ids is not None:
        where.append("customer_id IN :cids")
        params["cids"] = list(customer_ids) or [-1]
        expanding.append("cids")
    if since is not None:
        where.append("sold_on >= :since")
        params["since"] = since
    sql = "SELECT " + ", ".join(SALES_COLUMNS) + " FROM sales_line" + _where(where)
    return _rows(conn, sql, params, expanding)


def cost_lines(
    conn: Connection, *, customer_ids: Collection[int] | None = None, since: date | None = None
) -> list[tuple[Any, ...]]:
    """Cost-to-serve lines (COST_COLUMNS) of some customers (all when None), from `since` on."""
    where: list[str] = []
    params: dict[str, Any] = {}
    expanding: list[str] = []
    if customer_ids is not None:
        where.append("customer_id IN :cids")
        params["cids"] = list(customer_ids) or [-1]
        expanding.append("cids")
    if since is not None:
        where.append("incurred_on >= :since")
        params["since"] = since
    sql = "SELECT " + ", ".join(COST_COLUMNS) + " FROM service_cost" + _where(where)
    return _rows(conn, sql, params, expanding)


def customers(
    conn: Connection, *, customer_ids: Collection[int] | None = None
) -> list[tuple[Any, ...]]:
    """Customers (CUSTOMER_COLUMNS), some or all."""
    if customer_ids is None:
        return _rows(conn, "SELECT id, name, estimated_wallet FROM customer", {})
    return _rows(
        conn,
        "SELECT id, name, estimated_wallet FROM customer WHERE id IN :cids",
        {"cids": list(customer_ids) or [-1]},
        ["cids"],
    )


def account_overrides(conn: Connection, *, statuses: Sequence[str]) -> list[tuple[Any, ...]]:
    """CLV overrides (OVERRIDE_COLUMNS) of the key accounts in `statuses`."""
    return _rows(
        conn,
        "SELECT customer_id, retention_override, margin_override FROM key_account "
        "WHERE status IN :statuses",
        {"statuses": list(statuses)},
        ["statuses"],
    )


def buying_days(conn: Connection, *, since: date) -> list[tuple[Any, ...]]:
    """(customer_id, sold_on) of every sale from `since` on (for the base's retention)."""
    sql = "SELECT customer_id, sold_on FROM sales_line WHERE sold_on >= :since"
    return _rows(conn, sql, {"since": since})
