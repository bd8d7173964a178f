"""`kam snapshot` (for cron) and `kam account health [ACCOUNT --history]`: health kept day by
day and read back.

On the small base (tests/support.py), as of 2026-06-30 both open accounts are red: Acme
(profit 500, up from 100) has had no sponsor visit in the 531 days since its admission on
2025-01-15, and 北京燕京啤酒's T12M profit is negative (-40, down from 100).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from db.models import HealthSnapshot, ValueFit
from kam.database import Database
from tests.cli.conftest import Kam
from tests.cli.support import count, listed, ok, parsed, refused, usage_error
from tests.support import add_small_base

ACME = "Acme [/b] Ltd"
TODAY = "2026-06-30"
SCORES = [f"--{kind}={name}={value}" for name in
          ("strategic_fit", "advocacy", "relationship_loyalty")
          for kind, value in (("score", "3"), ("comment", "Steady"))]  # fmt: skip

pytestmark = pytest.mark.today(TODAY)


@pytest.fixture
def base(cli_db: Database) -> Database:
    add_small_base(cli_db)
    return cli_db


def kept(database: Database) -> int:
    return count(database, HealthSnapshot)


def test_kam_snapshot_records_every_open_account_once_a_day(kam: Kam, base: Database) -> None:
    first = parsed(kam("snapshot", "--json"))
    assert first["as_of"] == TODAY and first["dry_run"] is False
    fitted, step = first["steps"]
    assert (fitted["step"], fitted["counts"]["kept"]) == ("values", 1)  # the simple model's
    assert step["step"] == "health"
    assert step["counts"] == {"accounts": 2, "new": 2, "rewritten": 0,
                              "green": 0, "amber": 0, "red": 2}  # fmt: skip

    again = ok(kam("snapshot"))
    said = again.stderr.splitlines()
    assert said[0].startswith("Lifetime value at 2026-06-30: the kept fit still holds; simple: ")
    assert said[1:] == [
        "Health of 2 key accounts at 2026-06-30: 0 green, 0 amber, 2 red; "
        "recorded 0 new, rewrote 2."
    ]
    assert again.stdout == "" and kept(base) == 2

    ok(kam("snapshot", "--as-of", "2026-06-01"))
    assert kept(base) == 4


def test_kam_snapshot_dry_run_writes_nothing(kam: Kam, base: Database) -> None:
    result = ok(kam("snapshot", "--dry-run"))
    assert (
        "would record 2 new" in result.stderr and "Dry run: nothing was written." in result.stderr
    )
    assert kept(base) == 0 and count(base, ValueFit) == 0


def test_a_viewer_may_not_take_snapshots(kam: Kam, base: Database) -> None:
    said = refused(kam("snapshot", as_user="val"), 1)
    assert said == (
        "Only admins or managers or executives may store computed figures (viewers compute "
        "them on the fly); you (val) are a viewer."
    )
    assert kept(base) == 0


def test_looking_at_health_keeps_today_for_writers_only(kam: Kam, base: Database) -> None:
    ok(kam("account", "health", as_user="val"))
    ok(kam("account", "health", "--as-of", "2026-06-01"))  # another day: shown, not kept
    assert kept(base) == 0
    ok(kam("account", "health"))
    assert kept(base) == 2


def test_the_history_marks_the_review_and_the_trend_gives_the_profit_change(
    kam: Kam, base: Database
) -> None:
    ok(kam("snapshot", "--as-of", "2026-06-01"))
    review = parsed(kam("review", "record", ACME, "--perceived", "8", "--expected", "7",
                        "--decision", "retain", "--date", "2026-06-15", *SCORES, "--json"))  # fmt: skip
    with base.engine.begin() as conn:  # after the review: profit 500 - 145 = 355
        conn.execute(text(
            "INSERT INTO service_cost (customer_id, incurred_on, category, amount, note, line_key)"
            " VALUES (1, :d, 'support', 145, '', 'after-review')"), {"d": date(2026, 6, 20)})  # fmt: skip

    data = parsed(kam("account", "health", ACME, "--history", "--json"))

    # (355 - 500) / 500 = -29 %; red before (no sponsor visit) and red now.
    assert data["trend"] == "since the last review (2026-06-15): still red (T12M profit −29 %)"
    assert (data["customer"], data["as_of"], data["total"]) == (ACME, TODAY, 3)
    assert [(r["taken_on"], r["status"], r["profit"], r["review_id"]) for r in data["rows"]] == [
        (TODAY, "red", 355, None),
        ("2026-06-15", "red", 500, review["id"]),
        ("2026-06-01", "red", 500, None),
    ]
    assert data["rows"][0]["reasons"] == [
        "no sponsor visit in the 531 days since admission (due every 90)"]  # fmt: skip
    assert set(data["rows"][0]) == {"taken_on", "status", "profit", "p_alive", "review_id",
                                    "reasons"}  # fmt: skip

    shown = ok(kam("account", "health", ACME, "--history")).stdout
    lines = shown.splitlines()
    assert lines[0] == f"{ACME}: health by day, newest first (to {TODAY})"
    assert lines[1] == data["trend"]
    assert lines[3].split() == ["Date", "Health", "Profit", "T12M", "Review", "Why"]  # no P(alive)
    assert lines[6].startswith("2026-06-15  red     500.00       review")

    people = ok(kam("account", "health")).stdout
    assert f"{ACME}: {data['trend']}" in people
    # The weeks, oldest first: red kept 29 days back (week 4 back), 15 days back (week 2
    # back), and red now; nothing kept in the others.
    assert "·······▂·▂·▂" in people


def test_history_needs_an_account(kam: Kam, base: Database) -> None:
    assert "give the account whose history to show" in usage_error(
        kam("account", "health", "--history")
    )


def test_the_history_of_a_fresh_account_is_today_alone(kam: Kam, base: Database) -> None:
    rows = listed(kam("account", "health", ACME, "--history", "--json", as_user="val"))
    assert [(r["taken_on"], r["status"]) for r in rows] == [(TODAY, "red")]
    assert kept(base) == 0  # a viewer keeps nothing


def test_the_sheet_shows_the_weeks_and_the_trend_in_markdown_and_html(
    kam: Kam, base: Database
) -> None:
    ok(kam("review", "record", ACME, "--perceived", "8", "--expected", "7",
           "--decision", "retain", "--date", "2026-06-15", *SCORES))  # fmt: skip

    markdown = ok(kam("sheet", ACME, "--as-of", TODAY)).stdout

    # The review's day (15 days back: two weeks back) was kept; nothing else.
    assert (
        "| Last 12 weeks | ·········▂·▂ (oldest first; ▇ green, ▄ amber, ▂ red, · none kept) |"
        in markdown
    )
    assert ("| Trend | since the last review (2026-06-15): still red (T12M profit unchanged) |"
            in markdown)  # fmt: skip
    page = ok(kam("sheet", ACME, "--as-of", TODAY, "--format", "html")).stdout
    assert ("<span class=weeks>" + "<span class=none title='none kept'>·</span>" * 9
            + "<span class=red title=red>▂</span>") in page  # fmt: skip
    assert "since the last review (2026-06-15): still red (T12M profit unchanged)" in page
