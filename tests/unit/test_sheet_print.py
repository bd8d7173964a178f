"""The printed sheet reads as a board paper: labels instead of identifiers (one table with the
TUI), the programme's currency on every amount and amounts right-aligned, profit by year as a
chart and a table, and a page-fill rule that says what yields."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import text

from kam.database import Database
from kam.figures.worth import YearFigures
from kam.services.programme import set_setting
from kam.sheet import (
    CHART_HEIGHT,
    amount,
    build_sheet,
    fit_page,
    profit_chart,
    render_html,
    render_markdown,
)
from kam.text import label, words
from screens.formatting import words as screen_words
from tests.support import add_small_base, make_cast

pytestmark = pytest.mark.today("2026-06-30")


def test_one_vocabulary_labels_the_sheet_and_the_tui() -> None:
    assert label("under_review") == "Under review"
    assert label("profit_contribution") == "Profit contribution"
    assert label("forward_clv") == "Forward CLV" and label("clv") == "CLV"
    assert words("decision_maker") == "decision maker" and words("t12m_profit") == "T12M profit"
    for value in ("under_review", "forward_clv", "supply_chain", "contacts_met_90d"):
        assert screen_words(value) == words(value)


def test_amounts_carry_the_currency_and_a_true_minus() -> None:
    assert amount(1234.5, "EUR") == "EUR 1,234"  # round half to even: 1,234
    assert amount(-1200.4, "USD") == "USD −1,200"
    assert amount(999.6, "") == "1,000" and amount(None, "EUR") == "—"


def test_the_sheet_names_the_currency_on_every_amount_right_aligned(
    sqlite_database: Database,
) -> None:
    cast = make_cast(sqlite_database)
    add_small_base(sqlite_database)  # Acme T12M: revenue 1,500, margin 650, cost 150, profit 500
    with sqlite_database.engine.begin() as conn:
        conn.execute(text("UPDATE key_account SET status = 'under_review' WHERE customer_id = 1"))
    with sqlite_database.writing() as s:
        set_setting(s, cast.admin, "currency", "USD")
    with sqlite_database.reading() as s:
        sheet = build_sheet(s, cast.customer, as_of=date(2026, 6, 30))
    page = render_html(sheet)
    assert "<td class=n>USD 500</td>" in page  # profit after cost to serve, right-aligned
    assert "<td class=n>USD 1,500</td>" in page and "<td class=n>USD 150</td>" in page
    assert "Under review" in page and "under_review" not in page
    markdown = render_markdown(sheet)
    assert "| | amount | |\n|---|---:|---|" in markdown
    assert "| Profit after cost to serve | USD 500 | T12M |" in markdown
    assert "| Status | Under review |" in markdown and "under\\_review" not in markdown
    # Profit by year: 2024 200 − 100 = 100; 2025 1,000 − 600 = 400; 2026 to date
    # (500 − 250) − 150 = 100; both renderers show the table, the page the chart too.
    assert "|---|---:|---:|---:|" in markdown
    assert "| 2025 | USD 400 | USD 0 | USD 400 |" in markdown
    assert "| 2026 (to date) | USD 250 | USD 150 | USD 100 |" in markdown
    assert page.count("<rect ") == 3 and "<svg class=chart" in page and "<script" not in page


def test_the_chart_draws_a_bar_per_year_losses_below_the_axis() -> None:
    years = [
        YearFigures(2023, 1000, 500, 200, 300, False),
        YearFigures(2024, 800, 300, 400, -100, False),
        YearFigures(2025, 600, 400, 200, 200, True),
    ]
    svg = profit_chart(years)
    bars = re.findall(
        r"<rect class='([a-z ]+)' data-year='(\d+)' data-profit='([-\d.]+)' x='[\d.]+' "
        r"y='([\d.]+)' width='[\d.]+' height='([\d.]+)'/>",
        svg,
    )
    axis = float(re.search(r"y1='([\d.]+)'", svg).group(1))  # type: ignore[union-attr]
    # From +300 to −100 the plot's 74 units span 400: the axis 14 + 300 / 400 × 74 = 69.5 down.
    assert axis == 69.5
    assert bars == [
        ("pos", "2023", "300.00", "14.0", "55.5"),  # 300 / 400 × 74 = 55.5, up from the axis
        ("neg", "2024", "-100.00", "69.5", "18.5"),  # 100 / 400 × 74 = 18.5, down from it
        ("pos partial", "2025", "200.00", "32.5", "37.0"),  # the year not over: lighter
    ]
    assert "−100" in svg and ">300<" in svg and f"y='{CHART_HEIGHT - 2}'>2025<" in svg
    assert "<script" not in svg and "http" not in svg


def test_when_the_page_is_full_older_years_yield_first_then_the_lowest_ranked_items() -> None:
    wanted = {"years": 6, "criteria": 9, "findings": 3, "complaints": 1, "people": 5,
              "promises": 2, "goals": 2}  # fmt: skip
    caps = {"years": 5, "criteria": 8, "findings": 3, "complaints": 1, "people": 5,
            "promises": 2, "goals": 2}  # fmt: skip
    # At the caps: years 5 + "… and 1 earlier" = 6, criteria 8 + 1 = 9, findings 3 × 2 = 6,
    # complaints 1 × 2 = 2, people 5, promises 2, goals 2 × 2 = 4: 34 lines, 74 with 40 fixed.
    assert fit_page(wanted, budget=74, fixed=40) == caps
    # Two lines short: two older years go (5 → 3), nothing else.
    assert fit_page(wanted, budget=72, fixed=40) == caps | {"years": 3}
    # Five short: years to 3 (72), then one of each list in turn: criteria 7 (71), findings
    # 2 + "… and 1 more" (70), complaints at their floor, people 4 + "… and 1 more" (70),
    # promises and goals under their floors; again: criteria 6 (69).
    assert fit_page(wanted, budget=69, fixed=40) == {
        "years": 3, "criteria": 6, "findings": 2, "complaints": 1, "people": 4, "promises": 2,
        "goals": 2,
    }  # fmt: skip
    # However short the page, no part goes below its floor.
    assert fit_page(wanted, budget=10, fixed=40) == {
        "years": 3, "criteria": 4, "findings": 2, "complaints": 1, "people": 4, "promises": 2,
        "goals": 2,
    }  # fmt: skip
