"""Retention what-if, worked out by hand on three customers.

tests.support.add_small_base as of 2026-06-30: T12M profit (M - C) Acme 650 - 150 = 500,
北京 0 - 40 = -40, Plain 70 - 0 = 70; the base's retention 2/3 (all three bought the year
before, Acme and Plain bought again). Acme is the only active key account (北京 is nominated).
"""

from __future__ import annotations

from datetime import date

import pytest

from kam.database import Database
from kam.figures.whatif import MAX_RETENTION, retention_what_if
from tests.support import Cast, add_small_base

AS_OF = date(2026, 6, 30)


def _clv(yearly: float, r: float, d: float = 0.10) -> float:
    """The simple CLV over H = 5 years, term by term."""
    return (
        yearly / 1.1
        + yearly * r / 1.1**2
        + yearly * r**2 / 1.1**3
        + yearly * r**3 / 1.1**4
        + yearly * r**4 / 1.1**5
    )


def test_five_more_points_of_retention_raise_profit_and_clv(database: Database, cast: Cast) -> None:
    add_small_base(database)
    with database.reading() as s:
        found = retention_what_if(s, as_of=AS_OF, points=5)
    r, moved = 2 / 3, 2 / 3 + 0.05
    assert found.base_retention == pytest.approx(r)
    assert found.base_retention_then == pytest.approx(moved)
    assert found.clamped == 0
    base, keys = found.base, found.key_accounts
    assert (base.customers, keys.customers) == (3, 1)
    assert base.t12m_profit == pytest.approx(500 - 40 + 70)
    # Profit over five years, undiscounted: (M - C) x (1 + r + r^2 + r^3 + r^4).
    assert base.profit_now == pytest.approx(530 * (81 + 54 + 36 + 24 + 16) / 81)  # r = 2/3
    assert base.profit_then == pytest.approx(530 * (1 + moved + moved**2 + moved**3 + moved**4))
    assert base.clv_now == pytest.approx(_clv(530, r))
    assert base.clv_then == pytest.approx(_clv(530, moved))
    assert keys.clv_now == pytest.approx(_clv(500, r))
    assert keys.clv_then == pytest.approx(_clv(500, moved))
    # The first year counts whatever r: +5 points add 500 x 0.05 / 1.1^2 and more.
    assert keys.clv_then - keys.clv_now > 500 * 0.05 / 1.1**2
    shares = found.to_dict()["key_accounts"]["clv"]
    assert shares["change_share"] == pytest.approx(_clv(500, moved) / _clv(500, r) - 1)


def test_retention_is_kept_within_zero_and_its_ceiling(database: Database, cast: Cast) -> None:
    add_small_base(database)
    with database.reading() as s:
        up = retention_what_if(s, as_of=AS_OF, points=40)  # 2/3 + 0.40 > 1
        down = retention_what_if(s, as_of=AS_OF, points=-70)  # 2/3 - 0.70 < 0
    assert up.clamped == down.clamped == 3
    assert up.base_retention_then == MAX_RETENTION == 0.99
    assert up.base.clv_then == pytest.approx(_clv(530, 0.99))
    assert down.base_retention_then == 0
    assert down.base.clv_then == pytest.approx(530 / 1.1)  # only the first year
    assert down.base.profit_then == pytest.approx(530)


def test_the_what_if_refuses_more_than_a_hundred_points(database: Database, cast: Cast) -> None:
    with database.reading() as s, pytest.raises(ValueError, match="between -100 and \\+100"):
        retention_what_if(s, as_of=AS_OF, points=101)
