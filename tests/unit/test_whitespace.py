"""Whitespace: each key account's T12M gross margin per product category, and the
opportunity where its peers buy more for their size. Worked out by hand on
tests.support.add_whitespace_base (as of 2026-06-30; every line in the window is dated
2026-05-31).

Acme [/b] Ltd (Retail, wallet 1,000,000): its peers are the ten Retail customers who bought
(Idle Retail bought nothing: not a peer), 10 = MIN_PEERS, so its industry. Rates (margin ÷
wallet 100,000): Bolts 0.01·k for k = 1..10, median (0.05 + 0.06) / 2 = 0.055; Glue 0.005
for four and 0 for six, median 0; TAPE 0 for four and 0.02 for six, median 0.02.

北京燕京啤酒 (Food, no wallet: size = T12M revenue 4,000): no other Food customer, so the
whole base's other buyers: Acme (size 1,000,000: Bolts 0.004), Plain (size = revenue 1,000:
TAPE 0.5) and the ten Retail peers, 12 in all.
"""

from __future__ import annotations

from datetime import date

import pytest

from kam.database import Database
from kam.services.whitespace import account_whitespace
from tests.support import Cast, add_whitespace_base

AS_OF = date(2026, 6, 30)
pytestmark = pytest.mark.today("2026-07-01")


def cells(row: object) -> dict[str, tuple[float, float | None, float]]:
    return {c.category: (c.margin, c.expected, c.opportunity) for c in row.cells}  # type: ignore[attr-defined]


def test_the_matrix_scales_the_peers_median_to_each_accounts_size(
    database: Database, cast: Cast
) -> None:
    add_whitespace_base(database, AS_OF)
    with database.reading() as s:
        view = account_whitespace(s, as_of=AS_OF)

    # Categories: the mapped ones, and TAPE as itself.
    assert view.categories == ["Bolts", "Glue", "TAPE"]
    acme, beijing = view.rows  # the largest total opportunity first
    assert (acme.customer, beijing.customer) == ("Acme [/b] Ltd", "北京燕京啤酒")

    assert (acme.peers, acme.compared_with, acme.size, acme.size_basis) == (
        10, "industry", 1_000_000, "wallet",
    )  # fmt: skip
    assert cells(acme) == {
        "Bolts": (4_000, pytest.approx(0.055 * 1_000_000), pytest.approx(55_000 - 4_000)),
        "Glue": (0, 0, 0),  # its Glue is older than the window; the peers' median is 0
        "TAPE": (0, pytest.approx(0.02 * 1_000_000), pytest.approx(20_000)),
    }
    assert acme.opportunity == pytest.approx(51_000 + 20_000)
    # Margin rate 4,000 / 10,000; headroom 1,000,000 - 10,000.
    assert acme.margin_rate == pytest.approx(0.4)
    assert acme.headroom == 990_000
    assert acme.headroom_margin == pytest.approx(990_000 * 0.4)

    assert (beijing.peers, beijing.compared_with, beijing.size, beijing.size_basis) == (
        12, "base", 2_000 + 2_000, "revenue",
    )  # fmt: skip
    # Bolts: 0, 0.004, 0.01..0.10 -> the 6th and 7th of 12: (0.04 + 0.05) / 2 = 0.045.
    # Glue: eight zeros and four 0.005 -> 0; it buys 1,000 there: no opportunity.
    # TAPE: five zeros (Acme, peers 1-4), six 0.02, Plain's 0.5 -> (0.02 + 0.02) / 2.
    assert cells(beijing) == {
        "Bolts": (0, pytest.approx(0.045 * 4_000), pytest.approx(180)),
        "Glue": (1_000, 0, 0),
        "TAPE": (0, pytest.approx(0.02 * 4_000), pytest.approx(80)),
    }
    assert beijing.opportunity == pytest.approx(180 + 80)
    # Gross margin 1,000 + 500 (the line without a product counts here) over revenue 4,000;
    # no wallet, so no headroom.
    assert beijing.margin_rate == pytest.approx(1_500 / 4_000)
    assert (beijing.headroom, beijing.headroom_margin) == (None, None)


def test_one_account_and_its_top_opportunities(database: Database, cast: Cast) -> None:
    from kam.services.whitespace import top_opportunities

    add_whitespace_base(database, AS_OF)
    with database.reading() as s:
        (acme,) = account_whitespace(s, as_of=AS_OF, customer="acme [/b] ltd").rows
        top = top_opportunities(s, acme.customer_id, as_of=AS_OF)  # its industry is read
        beijing = top_opportunities(s, 2, as_of=AS_OF)  # the whole base is read
    assert acme.opportunity == pytest.approx(71_000)
    assert top == [("Bolts", pytest.approx(51_000)), ("TAPE", pytest.approx(20_000))]
    assert beijing == [("Bolts", pytest.approx(180)), ("TAPE", pytest.approx(80))]


def test_without_products_the_matrix_is_empty(database: Database, cast: Cast) -> None:
    with database.reading() as s:
        view = account_whitespace(s, as_of=AS_OF)
    assert view.categories == []
    assert [r.opportunity for r in view.rows] == [0, 0]


def test_the_sheets_line_of_opportunities_keeps_to_one_printed_line() -> None:
    from kam.sheet import WIDTH, opportunity_line, width

    three = [("Drives & motors", 61_857.0), ("Bearings", 34_047.0), ("Spare parts", 18_562.0)]
    # "Drives & motors 61.9k · Bearings 34.0k" is 38 wide; the third would make 56.
    assert opportunity_line(three) == "Drives & motors 61.9k · Bearings 34.0k (+1)"
    assert width(opportunity_line(three).removesuffix(" (+1)")) <= WIDTH["opportunities"]
    long = [("Extraordinarily long category name", 1_234_567.0)]
    assert opportunity_line(long) == "Extraordinarily l… 1.2M"
    assert opportunity_line([]) == "none against its peers"
    assert opportunity_line(three, printed=False) == (
        "Drives & motors 61.9k · Bearings 34.0k · Spare parts 18.6k"
    )
