"""`kam metrics break-even` and the settings it reads (min_order_size, currency), on the small
base of tests.data.break_even (its figures worked out there and in tests/unit/test_break_even.py).
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from kam.database import Database
from tests.cli.conftest import Kam
from tests.cli.support import listed, ok, parsed, refused
from tests.data.break_even import add_break_even_base

AS_OF = "2026-06-30"


@pytest.fixture
def base(cli_db: Database) -> Database:
    add_break_even_base(cli_db)
    return cli_db


def test_break_even_json_lists_the_losses_with_their_drivers(kam: Kam, base: Database) -> None:
    ok(kam("programme", "set", "min_order_size", "200"))
    data = parsed(kam("metrics", "break-even", "--as-of", AS_OF, "--json"))
    # Acme 5,000 × 40 % − 2,400 = −400; Small One 400 − 530 = −130; Costs Only −80.
    assert data["total"] == 3
    assert data["summary"] == {
        "customers": 8, "below_break_even": 3, "loss": -400 - 130 - 80, "min_order_size": 200,
    }  # fmt: skip
    acme, small, costs_only = data["rows"]
    assert (acme["customer"], acme["profit"], acme["size_band"]) == ("Acme [/b] Ltd", -400, 8)
    assert acme["drivers"] == [
        "sales 1.5×, custom work 2.0× the median for customers of this revenue"
    ]
    assert (acme["cost_sales"], acme["median_sales"], acme["ratio_sales"]) == (
        1_500, (1_500 + 500) / 2, 1_500 / 1_000,
    )  # fmt: skip
    assert (acme["cost_custom_work"], acme["median_custom_work"]) == (700, (700 + 0) / 2)
    # Small One: 10 orders of 1,000 / 10 = 100, under 200; its band's median (100, 500, 250).
    assert (small["orders"], small["average_order"], small["band_average_order"]) == (10, 100, 250)
    assert small["small_orders"] is True
    assert costs_only["average_order"] is None


def test_break_even_top_and_csv(kam: Kam, base: Database) -> None:
    assert [r["customer"] for r in listed(kam("metrics", "break-even", "--as-of", AS_OF,
                                              "--top", "1", "--json"))] == ["Acme [/b] Ltd"]  # fmt: skip
    result = ok(kam("metrics", "break-even", "--as-of", AS_OF, "--csv"))
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["customer"] for r in rows] == ["Acme [/b] Ltd", "Small One", "Costs Only"]
    # The drivers as JSON text; each category's ratio to its band's median (empty where the
    # median is 0).
    assert json.loads(rows[1]["drivers"]) == [
        "logistics 3.0× the median for customers of this revenue",
        "terms 30 where the median for customers of this revenue is 0",
    ]
    assert (rows[1]["ratio_logistics"], rows[1]["ratio_terms"]) == ("3.0", "")


def test_break_even_table_for_people_right_aligns_the_figures(kam: Kam, base: Database) -> None:
    out = ok(kam("metrics", "break-even", "--as-of", AS_OF)).stdout
    assert "below break even  3" in out
    lines = [line for line in out.splitlines() if line.startswith(("Acme", "Small One"))]
    # −400 and −130 end in the same column.
    assert lines[0].index("-400") + 4 == lines[1].index("-130") + 4


def test_currency_is_a_three_letter_code_or_none(kam: Kam, base: Database) -> None:
    assert parsed(kam("programme", "show", "--json"))["currency"] == "EUR"
    ok(kam("programme", "set", "currency", "usd"))
    assert parsed(kam("programme", "show", "--json"))["currency"] == "USD"
    said = refused(kam("programme", "set", "currency", "dollars"), 1)
    assert said == "currency: 'dollars' is not a three-letter currency code such as EUR, or ''."
    ok(kam("programme", "set", "currency", ""))
    assert parsed(kam("programme", "show", "--json"))["currency"] == ""
    ok(kam("programme", "set", "currency", "default"))
    assert parsed(kam("programme", "show", "--json"))["currency"] == "EUR"
