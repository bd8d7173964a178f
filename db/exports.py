"""Bulk reads for `kam export`: each kind's rows, in id order, streamed in blocks from the
driver's cursor (a server-side cursor on PostgreSQL), never as ORM objects.

Each query names a customer by its code, or by its name when it has none (what `kam import`
looks up first), people by their login, and dates as `YYYY-MM-DD` text on both engines.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlmodel import Session

#: Rows fetched from the cursor at a time.
BLOCK = 20_000

_CUSTOMER_KEY = "COALESCE(NULLIF(c.code, ''), c.name)"


def _day(column: str, sqlite: bool) -> str:
    """A date column as ISO text (SQLite stores it so already)."""
    return column if sqlite else f"to_char({column}, 'YYYY-MM-DD')"


def _cents(column: str, sqlite: bool) -> str:
    """Money as text rounded to cents ("1200.50", never "-0.00"); NULL stays NULL."""
    if sqlite:
        cents = f"printf('%.2f', round({column}, 2) + 0.0)"
        return f"CASE WHEN {column} IS NULL THEN NULL ELSE {cents} END"
    return f"round(CAST({column} AS numeric), 2)::text"


def _plain(column: str, sqlite: bool) -> str:
    """A number as text: a whole number without ".0"; NULL stays NULL."""
    whole = "CAST({c} AS INTEGER)" if sqlite else "CAST({c} AS bigint)"
    whole = whole.format(c=column)
    real = f"CAST({column} AS TEXT)" if sqlite else f"CAST({column} AS text)"
    return (
        f"CASE WHEN {column} IS NULL THEN NULL WHEN {column} = {whole} "
        f"THEN CAST({whole} AS TEXT) ELSE {real} END"
    )


def _flag(column: str) -> str:
    return f"CASE WHEN {column} THEN 'true' ELSE 'false' END"


def _line(order: str, key: str) -> str:
    """The line number a sales line's key holds (`ORDER/LINE`); NULL for a line without an
    order, whose key is a hash of its content."""
    return (
        f"CASE WHEN {order} IS NOT NULL AND {order} <> '' AND "
        f"substr({key}, 1, length({order}) + 1) = {order} || '/' "
        f"THEN substr({key}, length({order}) + 2) END"
    )


def _queries(sqlite: bool, text: bool) -> dict[str, str]:
    """Each kind's query; `text`: money, numbers and flags as the CSV writes them."""
    day = lambda c: _day(c, sqlite)  # noqa: E731
    money = (lambda c: _cents(c, sqlite)) if text else (lambda c: c)  # noqa: E731
    number = (lambda c: _plain(c, sqlite)) if text else (lambda c: c)  # noqa: E731
    flag = _flag if text else (lambda c: c)
    return {
        "customers": (
            "SELECT name, code, industry, region, status, lifecycle_stage, loyalty_type, "
            f"{money('estimated_wallet')} FROM customer ORDER BY id"
        ),
        "transactions": (
            f"SELECT {_CUSTOMER_KEY}, {day('s.sold_on')}, {money('s.revenue')}, "
            f"{money('s.cost_of_goods')}, {number('s.quantity')}, s.product, s.order_id, "
            f"{_line('s.order_id', 's.line_key')} "
            "FROM sales_line s JOIN customer c ON c.id = s.customer_id ORDER BY s.id"
        ),
        "costs": (
            f"SELECT {_CUSTOMER_KEY}, {day('k.incurred_on')}, k.category, {money('k.amount')}, "
            "k.note FROM service_cost k JOIN customer c ON c.id = k.customer_id ORDER BY k.id"
        ),
        "contacts": (
            f"SELECT {_CUSTOMER_KEY}, p.name, p.job_title, p.email, p.phone, p.buying_role, "
            "p.communication_style, p.relationship_strength, boss.name, p.influence, p.stance, "
            "u.login, p.cadence_days "
            "FROM contact p JOIN customer c ON c.id = p.customer_id "
            "LEFT JOIN contact boss ON boss.id = p.reports_to_id "
            "LEFT JOIN user_account u ON u.id = p.owner_id ORDER BY p.id"
        ),
        "accounts": (
            f"SELECT {_CUSTOMER_KEY}, a.status, m.login, s.login, {day('a.nominated_on')}, "
            f"{day('a.admitted_on')}, {day('a.retired_on')}, {day('a.next_review_on')}, "
            f"a.reason, {flag('a.admitted_by_override')}, {number('a.retention_override')}, "
            f"{money('a.margin_override')}, a.version "
            "FROM key_account a JOIN customer c ON c.id = a.customer_id "
            "LEFT JOIN user_account m ON m.id = a.manager_id "
            "LEFT JOIN user_account s ON s.id = a.sponsor_id ORDER BY a.id"
        ),
    }


KINDS = ("customers", "transactions", "costs", "contacts", "accounts")


def count_rows(session: Session, kind: str) -> int:
    """How many rows an export of `kind` writes."""
    table = {"customers": "customer", "transactions": "sales_line", "costs": "service_cost",
             "contacts": "contact", "accounts": "key_account"}[kind]  # fmt: skip
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(f"SELECT count(*) FROM {table}")
        row = cursor.fetchone()
        assert row is not None
        return int(row[0])
    finally:
        cursor.close()


def export_rows(
    session: Session, kind: str, *, text: bool = False
) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of `kind` in id order, in blocks of up to BLOCK rows: tuples of text, numbers,
    booleans and None, dates as ISO text; with `text`, money as text rounded to cents, other
    numbers as text (whole ones without ".0") and flags as true/false, as a CSV holds them."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    query = _queries(sqlite, text)[kind]
    connection = session.connection().connection
    # A named (server-side) cursor streams on PostgreSQL; SQLite's cursor streams anyway.
    cursor = connection.cursor() if sqlite else connection.cursor(name="kam_export")
    try:
        cursor.execute(query)
        while block := cursor.fetchmany(BLOCK):
            yield list(block)
    finally:
        cursor.close()
