"""Reads on SQLAlchemy Core alone, over the light handles of db.tables: they run on a
Connection (a command that never builds the ORM) or through a Session (which first flushes
what it holds), and return rows.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from db.tables import CUSTOMER, KEY_ACCOUNT, PROGRAMME_SETTING, USER_ACCOUNT

if TYPE_CHECKING:
    from sqlalchemy import Connection, Executable, Row
    from sqlalchemy.orm import Session


def connection_of(source: Connection | Session) -> Connection:
    """The connection a read runs on: `source` itself, or the session's."""
    from sqlalchemy import Connection

    return source if isinstance(source, Connection) else source.connection()


def setting_values(source: Connection | Session) -> dict[str, str]:
    """The programme settings stored (key -> value as text)."""
    s = PROGRAMME_SETTING.c
    return {row.key: row.value for row in _all(source, select(s.key, s.value))}


def _all(source: Connection | Session, statement: Executable) -> Sequence[Row[Any]]:
    return source.execute(statement).all()


def user_by_login(source: Connection | Session, login: str) -> Row[Any] | None:
    """The user with this login: id, login, display_name, role (its text) and active."""
    u = USER_ACCOUNT.c
    found = _all(
        source, select(u.id, u.login, u.display_name, u.role, u.active).where(u.login == login)
    )
    return found[0] if found else None


def account_rows(
    source: Connection | Session, *, statuses: Collection[str] | None = None
) -> Sequence[Row[Any]]:
    """Key accounts by customer name (then id), each with its customer's name, industry
    and region and the logins and display names of its manager, sponsor and last editor;
    only those whose status is one of `statuses`, when given.

    The columns are named as kam.views.AccountView names its fields: id, customer_id,
    customer, industry, region, status (its text), manager, manager_name, manager_id,
    sponsor, sponsor_name, sponsor_id, nominated_on, admitted_on, retired_on,
    next_review_on, reason, retention_override, margin_override, admitted_by_override,
    version, updated_at, updated_by.
    """
    k, c = KEY_ACCOUNT.c, CUSTOMER.c
    manager, sponsor, editor = (USER_ACCOUNT.alias(name) for name in ("m", "s", "e"))
    query = (
        select(
            k.id,
            k.customer_id,
            c.name.label("customer"),
            c.industry,
            c.region,
            k.status,
            manager.c.login.label("manager"),
            manager.c.display_name.label("manager_name"),
            k.manager_id,
            sponsor.c.login.label("sponsor"),
            sponsor.c.display_name.label("sponsor_name"),
            k.sponsor_id,
            k.nominated_on,
            k.admitted_on,
            k.retired_on,
            k.next_review_on,
            k.reason,
            k.retention_override,
            k.margin_override,
            k.admitted_by_override,
            k.version,
            k.updated_at,
            editor.c.login.label("updated_by"),
        )
        .select_from(
            KEY_ACCOUNT.join(CUSTOMER, c.id == k.customer_id)
            .outerjoin(manager, manager.c.id == k.manager_id)
            .outerjoin(sponsor, sponsor.c.id == k.sponsor_id)
            .outerjoin(editor, editor.c.id == k.updated_by_id)
        )
        .order_by(c.name, k.id)
    )
    if statuses is not None:
        query = query.where(k.status.in_(list(statuses)))
    return _all(source, query)
