"""Names are matched without regard to case in every script, on SQLite as on PostgreSQL:
SQLite's own lower() folds ASCII letters only, so 'ñandú retail' did not find 'Ñandú
Retail', and a customer of that name could be added twice (db.folding)."""

from __future__ import annotations

import pytest

from kam.database import Database
from kam.errors import InvalidData
from kam.services import customers, practices
from kam.services.common import customer_by_name
from tests.support import Cast

NANDU = "Ñandú Retail B.V."


@pytest.fixture
def named(database: Database, cast: Cast) -> Cast:
    with database.writing() as s:
        customers.create_customer(s, cast.admin, name=NANDU)
        customers.create_customer(s, cast.admin, name="Château Brun AB")
        practices.add_practice(s, cast.admin, title="Über-Workshop mit dem Kunden")
    return cast


def test_a_name_is_found_in_any_case_of_any_script(database: Database, named: Cast) -> None:
    with database.reading() as s:
        assert customer_by_name(s, "ñandú retail b.v.").name == NANDU
        assert customer_by_name(s, "CHÂTEAU BRUN AB").name == "Château Brun AB"
        found = practices.practice_by_title(s, "über-workshop mit dem kunden")
        assert found.title == "Über-Workshop mit dem Kunden"


def test_the_same_name_in_another_case_is_refused_as_a_duplicate(
    database: Database, named: Cast
) -> None:
    with pytest.raises(InvalidData, match="already exists"), database.writing() as s:
        customers.create_customer(s, named.admin, name="ÑANDÚ RETAIL B.V.")
    with pytest.raises(InvalidData, match="already recorded"), database.writing() as s:
        practices.add_practice(s, named.admin, title="ÜBER-WORKSHOP MIT DEM KUNDEN")


def test_a_search_finds_a_name_in_any_case(database: Database, named: Cast) -> None:
    with database.reading() as s:
        for search in ("ñandú", "ÑANDÚ", "Ñandú"):
            assert [c.name for c in customers.list_customers(s, search=search)] == [NANDU]
        assert customers.count_customers(s, search="château") == 1


@pytest.mark.parametrize(
    "disguised",
    [
        "N\u0303andu\u0301 Retail B.V.",  # decomposed: N + combining tilde, u + combining acute
        "Ñandú\u200b Retail B.V.",  # a zero-width space inside
        "\ufeffÑandú Retail B.V.",  # a byte order mark in front
        "Ñandú Retail\u2060 B.V.",  # a word joiner
    ],
)
def test_a_name_that_reads_the_same_is_refused_as_a_duplicate(
    database: Database, named: Cast, disguised: str
) -> None:
    with pytest.raises(InvalidData, match="already exists"), database.writing() as s:
        customers.create_customer(s, named.admin, name=disguised)


def test_a_decomposed_name_is_stored_composed_and_found_by_what_is_typed(
    database: Database, named: Cast
) -> None:
    with database.writing() as s:
        customers.create_customer(s, named.admin, name="Bjo\u0308rk\u200b Oy")
    with database.reading() as s:
        assert customer_by_name(s, "Björk Oy").name == "Björk Oy"
        assert [c.name for c in customers.list_customers(s, search="björk")] == ["Björk Oy"]


def test_a_line_break_or_tab_in_a_name_reads_as_a_space(database: Database, named: Cast) -> None:
    with database.writing() as s:
        added = customers.create_customer(s, named.admin, name="Acme Holdings\r\n\tGmbH")
    assert added.name == "Acme Holdings GmbH"


def test_a_name_pasted_decomposed_or_with_invisible_characters_finds_the_customer(
    database: Database, named: Cast
) -> None:
    """`kam customer show` given the name as another program wrote it (n + combining tilde,
    a zero-width space) said no customer was named so."""
    with database.reading() as s:
        for pasted in ("N\u0303andu\u0301 Retail B.V.", "Ñandú\u200b Retail B.V."):
            assert customer_by_name(s, pasted).name == NANDU
            assert customer_by_name(s, pasted.lower()).name == NANDU
