"""The break-even work list: who loses money after cost to serve, and what drives it."""

from __future__ import annotations

import pandas as pd
import pytest

from kam.database import Database
from kam.figures.breakeven import break_even, size_bands
from kam.services.programme import set_setting
from tests.data.break_even import AS_OF, add_break_even_base
from tests.support import Cast, make_cast

pytestmark = pytest.mark.today("2026-06-30")


@pytest.fixture
def base(sqlite_database: Database) -> tuple[Database, Cast]:
    cast = make_cast(sqlite_database)
    add_break_even_base(sqlite_database)
    return sqlite_database, cast


def test_size_bands_are_deciles_of_revenue_and_ties_share_the_lower_band() -> None:
    revenue = pd.Series([0.0, 1_000, 1_000, 1_000, 5_000, 5_000, -20.0])
    # Five buyers (revenue > 0); rank_min 1, 1, 1, 4, 4: ceil(10 × 1 / 5) = 2, ceil(10 × 4 / 5)
    # = 8; no revenue (0, or net returns) is band 0.
    assert size_bands(revenue).tolist() == [0, 2, 2, 2, 8, 8, 0]


def test_the_list_names_who_is_below_break_even_biggest_loss_first_with_the_drivers(
    base: tuple[Database, Cast],
) -> None:
    database, cast = base
    with database.writing() as session:
        set_setting(session, cast.admin, "min_order_size", "200")
    with database.reading() as session:
        found = break_even(session, as_of=AS_OF)

    # Profit = revenue × 40 % − cost to serve: Acme 2,000 − 2,400 = −400; Small One
    # 400 − 530 = −130; Costs Only 0 − 80 = −80; the others at or above 0.
    assert [(r.customer, r.profit) for r in found.rows] == [
        ("Acme [/b] Ltd", pytest.approx(-400)),
        ("Small One", pytest.approx(-130)),
        ("Costs Only", pytest.approx(-80)),
    ]
    assert (found.customers, found.below) == (8, 3)
    assert found.loss == pytest.approx(-400 - 130 - 80)
    acme, small, costs_only = found.rows
    assert acme.key_account and not small.key_account

    # Bands: the 5,000s rank 4 of 5 buyers → band 8 (with Big Two); the 1,000s rank 1 →
    # band 2 (with Small Two and Three); no revenue → band 0 (with 北京 and Plain).
    assert (acme.size_band, small.size_band, costs_only.size_band) == (8, 2, 0)

    # Acme against Big Two: sales median (1,500 + 500) / 2 = 1,000 → 1.5×, excess 500;
    # custom work median (700 + 0) / 2 = 350 → 2.0×, excess 350; logistics 200 = median.
    by = {c.category: c for c in acme.costs}
    assert (by["sales"].median, by["sales"].ratio) == (pytest.approx(1_000), pytest.approx(1.5))
    assert [(d.category, d.ratio) for d in acme.drivers] == [
        ("sales", pytest.approx(1.5)),
        ("custom_work", pytest.approx(2.0)),
    ]
    assert acme.driver_texts == [
        "sales 1.5×, custom work 2.0× the median for customers of this revenue"
    ]
    # Small One against Small Two and Three: logistics median(450, 150, 100) = 150 → 3.0×;
    # support 50 under median(50, 100, 100) = 100; terms median(30, 0, 0) = 0.
    assert [(d.category, d.median) for d in small.drivers] == [
        ("logistics", pytest.approx(150)),
        ("terms", pytest.approx(0)),
    ]
    assert {c.category: c.median for c in small.costs}["support"] == pytest.approx(100)
    # Orders: 10 a year of 1,000 / 10 = 100 each, under the minimum 200; the band's median
    # average order is median(100, 1,000 / 2 = 500, 1,000 / 4 = 250) = 250.
    assert (small.orders, small.average_order) == (10, pytest.approx(100))
    assert small.band_average_order == pytest.approx(250)
    assert small.small_orders and not acme.small_orders  # Acme: 5,000 / 5 = 1,000
    assert small.driver_texts == [
        "logistics 3.0× the median for customers of this revenue",
        "terms 30 where the median for customers of this revenue is 0",
        "average order 100 under the minimum",
    ]
    # Costs Only: other 80 against median(80, 0, 0) = 0; no orders, no average.
    assert (costs_only.orders, costs_only.average_order) == (0, None)
    assert costs_only.driver_texts == [
        "other 80 where the median for customers of this revenue is 0"
    ]


def test_no_minimum_order_size_flags_nobody(base: tuple[Database, Cast]) -> None:
    database, _cast = base
    with database.reading() as session:
        found = break_even(session, as_of=AS_OF)
    assert found.min_order_size == 0
    assert not any(r.small_orders for r in found.rows)
