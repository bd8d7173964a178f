"""The light table handles (db.tables) and the reads on Core alone that use them: the same
columns as the models, and the same accounts and users as the ORM reads give."""

from __future__ import annotations

from datetime import timedelta
from enum import Enum
from typing import Any

import pytest
from sqlalchemy import Enum as EnumType
from sqlalchemy import TypeDecorator

import db.models
from db.enums import AccountStatus, Door
from db.tables import MODELS
from kam.database import Database
from kam.errors import NotFound, PermissionDenied
from kam.identity import identify
from kam.rules import lifecycle
from kam.services import accounts, vetting
from kam.views import AccountView
from tests.support import Cast


def _kind(column: Any) -> type:
    """What a column reads as: an enum column reads as its stored text."""
    stored = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    if isinstance(stored, EnumType):
        return str
    kind = stored.python_type
    return str if isinstance(kind, type) and issubclass(kind, Enum) else kind


@pytest.mark.parametrize("model", sorted(MODELS))
def test_each_light_handle_has_its_models_columns_and_what_they_read_as(model: str) -> None:
    table = getattr(db.models, model).__table__
    handle = MODELS[model]

    assert handle.name == table.name
    assert [c.name for c in handle.columns] == [c.name for c in table.columns]
    assert {c.name: _kind(c) for c in handle.columns} == {c.name: _kind(c) for c in table.columns}
    timezones = {c.name: getattr(c.type, "timezone", None) for c in table.columns}
    assert {c.name: getattr(c.type, "timezone", None) for c in handle.columns} == timezones


def _orm_list(database: Database, **filters: Any) -> list[AccountView]:
    """The list as the ORM reads it: the accounts, then their views (accounts._views)."""
    from sqlmodel import col, select

    from db.models import Customer, KeyAccount

    status = filters.get("status")
    query = select(KeyAccount).join(Customer).order_by(Customer.name, col(KeyAccount.id))
    if status is not None:
        query = query.where(KeyAccount.status == status)
    elif not filters.get("include_closed"):
        query = query.where(col(KeyAccount.status).in_(lifecycle.OPEN))
    with database.reading() as s:
        return [accounts.account_view(s, a) for a in s.exec(query).all()]


@pytest.mark.today("2026-03-02")
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"include_closed": True},
        {"status": AccountStatus.NOMINATED},
        {"status": AccountStatus.REJECTED},
        {"status": AccountStatus.ACTIVE},
    ],
    ids=str,
)
def test_listing_on_a_bare_connection_gives_the_views_the_orm_gives(
    database: Database, cast: Cast, filters: dict[str, Any]
) -> None:
    with database.writing() as s:
        accounts.update_account(
            s, cast.manager, cast.customer, reason="Q3 plan", retention_override=0.8,
            next_review_on="2025-07-01",
        )  # fmt: skip
        accounts.create_account(s, cast.admin, customer=cast.plain_customer, reason="Big")
        vetting.reject(s, cast.admin, cast.plain_customer, rationale="Too small")

    with database.connected() as connection:
        listed = accounts.list_accounts(connection, **filters)

    assert listed == _orm_list(database, **filters)
    with database.reading() as s:  # through a session, the same
        assert accounts.list_accounts(s, **filters) == listed
    if not filters:
        acme = listed[0]
        assert (acme.customer, acme.manager, acme.sponsor_name, acme.updated_by) == (
            cast.customer, "mia", "Eve Executive", "mia",
        )  # fmt: skip
        assert (acme.version, acme.updated_at.utcoffset()) == (2, timedelta(0))


def test_identifying_on_a_bare_connection_is_identifying_in_a_session(
    database: Database, cast: Cast
) -> None:
    for login, act_as in [("mia", None), ("ada", "val"), ("ada", None)]:
        with database.connected() as connection:
            bare = identify(connection, door=Door.CLI, login=login, act_as=act_as)
        with database.reading() as s:
            assert identify(s, door=Door.CLI, login=login, act_as=act_as) == bare
    with database.connected() as connection:
        with pytest.raises(PermissionDenied, match="kam user add mallory"):
            identify(connection, door=Door.CLI, login="mallory")
        with pytest.raises(PermissionDenied, match="'mia' is a manager"):
            identify(connection, door=Door.CLI, login="mia", act_as="ada")
        with pytest.raises(NotFound, match="'nobody'"):
            identify(connection, door=Door.CLI, login="ada", act_as="nobody")
