"""Health with a history in the TUI: the last 12 weeks beside each key account, the weeks and
the change since the last review on the sheet, and today's health kept as the screens load
(by roles that write; a viewer keeps nothing).

As of AS_OF (2025-06-30) Acme is red: its T12M profit is 62,000 (up from 50,000) but its
sponsor has not visited in the 486 days since its admission on 2024-03-01.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Static

from db.enums import ReviewDecision
from db.models import HealthSnapshot, KeyAccount, Review, User
from kam.database import Database
from screens.sheet.screen import AccountSheetScreen
from tests.support import Cast
from tests.tui.support import AS_OF, SIZE, make_app, rows, settle, text_of

ACME = "Acme [/b] Ltd"


def keep(database: Database, days_back: int, status: str, profit: float,
         review_id: int | None = None) -> None:  # fmt: skip
    with database.writing() as s:
        account = s.exec(select(KeyAccount.id).where(KeyAccount.customer_id == 1)).one()
        s.add(HealthSnapshot(key_account_id=account, taken_on=AS_OF - timedelta(days=days_back),
                             status=status, profit=profit, review_id=review_id))  # fmt: skip


def review(database: Database, on: date) -> int:
    with database.writing() as s:
        account = s.exec(select(KeyAccount.id).where(KeyAccount.customer_id == 1)).one()
        admin = s.exec(select(User.id).where(User.login == "ada")).one()
        row = Review(key_account_id=account, reviewed_on=on, perceived=8, expected=8,
                     satisfaction=1.0, decision=ReviewDecision.RETAIN, reviewed_by_id=admin)  # fmt: skip
        s.add(row)
        s.flush()
        assert row.id is not None
        return row.id


def count(database: Database) -> int:
    with database.reading() as s:
        return len(s.exec(select(HealthSnapshot)).all())


async def test_the_list_shows_each_accounts_last_12_weeks(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    keep(sqlite_database, 8, "amber", 60_000)  # a week back
    keep(sqlite_database, 15, "green", 61_000)  # two weeks back
    app = make_app(sqlite_database, sheet_cast.viewer)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(DataTable)
        assert [str(c.label) for c in table.columns.values()][2:4] == ["Health", "8 weeks"]
        shown = {r[0]: r for r in rows(table)}
        assert shown[ACME][2:4] == ["red", "·····▇▄▂"]  # the last 8 of the 12 weeks
        # Nothing kept; red now (T12M profit 15,000, down 25 % from 20,000).
        assert shown["北京燕京啤酒"][2:4] == ["red", "·······▂"]


async def test_the_sheet_shows_the_weeks_and_the_change_since_the_last_review(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    kept_on = review(sqlite_database, date(2025, 4, 10))
    keep(sqlite_database, 81, "amber", 70_000, review_id=kept_on)  # 2025-04-10
    app = make_app(sqlite_database, sheet_cast.executive)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_account(ACME)
        await settle(app, pilot)
        assert isinstance(app.screen, AccountSheetScreen)
        standing = text_of(app.screen.query_one("#standing", Static))
        # (62,000 - 70,000) / 70,000 = -11.4 %; 81 days back is in the first of the 12 weeks.
        assert "since the last review (2025-04-10): amber → red (T12M profit −11 %)" in standing
        assert "▄··········▂  last 12 weeks" in standing


@pytest.mark.today("2025-06-30")
@pytest.mark.parametrize(("login", "kept"), [("mia", 2), ("eve", 2), ("val", 0)])
async def test_the_screens_keep_todays_health_for_roles_that_write(
    sqlite_database: Database, sheet_cast: Cast, login: str, kept: int
) -> None:
    actor = {"mia": sheet_cast.manager, "eve": sheet_cast.executive, "val": sheet_cast.viewer}
    app = make_app(sqlite_database, actor[login])
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)  # the list: both open accounts
        assert count(sqlite_database) == kept
        app.open_account(ACME)
        await settle(app, pilot)  # the sheet: Acme again, the same day
        assert count(sqlite_database) == kept
