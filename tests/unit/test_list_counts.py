"""The lists that stop at a limit count every match, with the same filters, in the database."""

from __future__ import annotations

import pytest

from kam.database import Database
from kam.services import accounts, customers
from kam.services.audit import count_events, list_events
from tests.support import Cast


@pytest.mark.parametrize(
    "where",
    [
        {},
        {"search": "l"},
        {"search": "燕京"},
        {"search": "100%"},
        {"region": "West"},
        {"industry": "Retail", "search": "acme"},
    ],  # fmt: skip
    ids=str,
)
def test_the_customer_count_matches_the_unlimited_list(
    database: Database, cast: Cast, where: dict[str, str]
) -> None:
    with database.reading() as s:
        every = customers.list_customers(s, **where, limit=None)
        assert customers.count_customers(s, **where) == len(every)
        assert len(customers.list_customers(s, **where, limit=1)) == min(1, len(every))


def test_the_customer_count_ignores_the_limit(database: Database, cast: Cast) -> None:
    with database.reading() as s:
        assert len(customers.list_customers(s, limit=2)) == 2
        assert customers.count_customers(s) == 3


def test_the_audit_count_matches_the_unlimited_list(database: Database, cast: Cast) -> None:
    with database.writing() as s:
        accounts.update_account(s, cast.admin, cast.customer, reason="a")
        accounts.update_account(s, cast.admin, cast.customer, reason="b")
        accounts.update_account(s, cast.admin, cast.other_customer, reason="c")
    with database.reading() as s:
        acme = customers.get_customer(s, cast.customer).id
        assert count_events(s) == len(list_events(s, limit=None)) == 3
        assert count_events(s, customer_id=acme) == 2
        assert count_events(s, entity="key_account", customer_id=acme) == 2
        assert count_events(s, entity="customer") == 0
        assert len(list_events(s, limit=1)) == 1
