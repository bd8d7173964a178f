"""Sponsors: executives with their accounts against the limit and the visit cadence, overdue
visits first and in red; a sponsor records a visit to their own account, an admin to any."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update
from sqlmodel import select
from textual.widgets import DataTable, Static

from db.enums import Role
from db.models import Customer, Interaction, KeyAccount, User
from kam.database import Database
from kam.identity import Actor
from screens.app import KamApp, create_app
from screens.areas.sponsors import SponsorsScreen
from screens.forms.visit_form import VisitForm
from tests.support import Cast, add_small_base, make_cast
from tests.tui.support import keys, notices, rows, settle, text_of, tui

SIZE = (120, 40)
AS_OF = date(2026, 6, 30)

#: The story happens on this day, whatever the real date.
pytestmark = pytest.mark.today("2026-06-30")
ACME = "Acme [/b] Ltd"
BEIJING = "北京燕京啤酒"


@pytest.fixture
def sponsors_cast(sqlite_database: Database) -> Cast:
    """The cast and small base; 北京 is active too, admitted 2026-06-01 and sponsored by Xena."""
    cast = make_cast(sqlite_database)
    add_small_base(sqlite_database)
    with sqlite_database.writing() as s:
        xena = User(login="xena", display_name="Xena [CFO]", title="CFO", role=Role.EXECUTIVE)
        s.add(xena)
        s.flush()
        beijing = s.exec(select(Customer).where(Customer.name == BEIJING)).one()
        s.exec(
            update(KeyAccount.__table__)  # type: ignore[call-overload]
            .where(KeyAccount.__table__.c.customer_id == beijing.id)
            .values(status="active", sponsor_id=xena.id, admitted_on=date(2026, 6, 1))
        )
    return cast


def sponsors_app(database: Database, actor: Actor) -> KamApp:
    return create_app(database, tui(actor), as_of=AS_OF, area="accounts")


async def open_sponsors(app: KamApp, pilot) -> SponsorsScreen:  # type: ignore[no-untyped-def]
    await settle(app, pilot)
    app.push_screen(SponsorsScreen())
    await settle(app, pilot)
    assert isinstance(app.screen, SponsorsScreen)
    return app.screen


def visits(database: Database) -> list[tuple[str, date, str, str]]:
    """Every sponsor visit: (kind, day, our people, summary)."""
    with database.reading() as s:
        return [
            (i.kind.value, i.happened_on, i.our_people, i.summary)
            for i in s.exec(select(Interaction)).all()
        ]


async def test_an_executive_sees_the_overdue_visit_and_records_one_on_their_own_account(
    sqlite_database: Database, sponsors_cast: Cast
) -> None:
    app = sponsors_app(sqlite_database, sponsors_cast.executive)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sponsors(app, pilot)
        assert "due every 90 days" in text_of(screen.query_one("#rules", Static))
        assert "1 overdue" in text_of(screen.query_one("#rules", Static))
        # The scorecards, by hand (tests.support.add_small_base): Acme's profit 500 against
        # 100 the year before (+400 %), CLV 500 x 2.119 (retention 2/3, d 10 %, H 5) = 1.1k;
        # red (never visited); its one visit due is overdue: 0 of 1 on time. 北京: profit -40
        # against 100 (-140 %), CLV -40 x 2.119 = -85, red (a loss); admitted 2026-06-01,
        # its first visit is not due yet.
        assert rows(screen.query_one("#sponsors", DataTable)) == [
            ["Eve Executive (eve)  you", "1/3", "1", "0/1 0 %", "0/0/1", "1.1k", "500",
             "+400.0 %", ACME, ""],
            ["Xena [CFO] (xena)", "1/3", "0", "none due", "0/0/1", "-85", "-40", "-140.0 %",
             BEIJING, "CFO"],
        ]  # fmt: skip
        table = screen.query_one("#visits", DataTable)
        # Acme was admitted 2025-01-15 and never visited: due 2025-04-15, 441 days ago.
        assert rows(table) == [
            [ACME, "overdue 441 days", "2025-04-15", "never", "Eve Executive", "active"],
            [BEIJING, "due in 61 days", "2026-08-30", "never", "Xena [CFO]", "active"],
        ]
        assert table.get_row_at(0)[0].style == "bold red"  # overdue stands out
        assert keys(app)["v"] == "record_visit"
        await pilot.press("v")
        form = app.screen
        assert isinstance(form, VisitForm)
        await pilot.press("tab")
        await pilot.press("ctrl+s")
        assert "Say what was discussed" in text_of(form.query_one("#notes-problem", Static))
        await pilot.press(*"QBR: [TODO] pricing")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        assert visits(sqlite_database) == [
            ("executive_visit", AS_OF, "Eve Executive (executive sponsor)", "QBR: [TODO] pricing")
        ]
        assert f"Sponsor visit to {ACME} on 2026-06-30 recorded." in notices(app)
        assert rows(table)[1] == [
            ACME, "due in 90 days", "2026-09-28", "2026-06-30", "Eve Executive", "active"
        ]  # fmt: skip
        assert "none overdue" in text_of(screen.query_one("#rules", Static))
        await pilot.press("up")  # 北京: Xena's, not Eve's: v says whose it is
        assert table.cursor_row == 0
        await pilot.press("v")
        assert app.screen is screen
        assert notices(app)[-1] == (
            f"{BEIJING} is sponsored by Xena [CFO]: only they or an admin record its visits."
        )


async def test_viewers_and_managers_have_no_visit_key_and_an_admin_records_for_any_sponsor(
    sqlite_database: Database, sponsors_cast: Cast
) -> None:
    for actor in (sponsors_cast.viewer, sponsors_cast.manager):
        app = sponsors_app(sqlite_database, actor)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_sponsors(app, pilot)
            assert "Read-only" in text_of(screen.query_one("#access", Static))
            for _ in range(2):
                assert "v" not in keys(app)
                await pilot.press("v", "down")
            assert app.screen is screen

    app = sponsors_app(sqlite_database, sponsors_cast.admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sponsors(app, pilot)
        await pilot.press("down")
        assert keys(app)["v"] == "record_visit"
        await pilot.press("v")
        assert isinstance(app.screen, VisitForm)
        await pilot.press(*"2026-06-15", "tab", *"Met the board", "ctrl+s")
        await settle(app, pilot)
        assert visits(sqlite_database) == [
            (
                "executive_visit",
                date(2026, 6, 15),
                "Xena [CFO] (executive sponsor)",
                "Met the board",
            )
        ]


async def test_a_manager_sees_the_sponsors_without_their_scorecards(
    sqlite_database: Database, sponsors_cast: Cast
) -> None:
    app = sponsors_app(sqlite_database, sponsors_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sponsors(app, pilot)
        assert "scorecards: executives and admins" in text_of(
            screen.query_one("#sponsors-caption", Static)
        )
        assert rows(screen.query_one("#sponsors", DataTable))[0] == [
            "Eve Executive (eve)", "1/3", "1", ACME, ""
        ]  # fmt: skip


async def test_at_80_columns_every_sponsor_number_fits_before_the_accounts(
    sqlite_database: Database, sponsors_cast: Cast
) -> None:
    app = sponsors_app(sqlite_database, sponsors_cast.admin)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_sponsors(app, pilot)
        table = screen.query_one("#sponsors", DataTable)
        labels = [str(c.label) for c in table.columns.values()]
        assert labels[:8] == [
            "Sponsor", "Accounts", "Overdue", "On time", "G/A/R", "CLV", "Profit", "Profit ±"
        ]  # fmt: skip
        assert rows(table)[0][:8] == [
            "eve",
            "1/3",
            "1",
            "0/1 0 %",
            "0/0/1",
            "1.1k",
            "500",
            "+400.0 %",
        ]
        numbers = list(table.columns.values())[:8]
        assert sum(c.get_render_width(table) for c in numbers) <= 80


async def test_at_120_columns_the_accounts_sponsored_wrap_whole_beside_the_scorecard(
    sqlite_database: Database, sponsors_cast: Cast
) -> None:
    long = "Acme [/b] Ltd, Rotterdam Harbour Logistics and Cold Storage"
    with sqlite_database.writing() as s:
        s.exec(update(Customer).where(Customer.name == ACME).values(name=long))  # type: ignore[call-overload]
    app = sponsors_app(sqlite_database, sponsors_cast.admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sponsors(app, pilot)
        await settle(app, pilot)
        table = screen.query_one("#sponsors", DataTable)
        assert rows(table)[0][8] == long
        widths = sum(c.get_render_width(table) for c in table.columns.values())
        assert widths <= table.size.width  # nothing cut at the right edge
        assert table.rows[table.coordinate_to_cell_key((0, 0)).row_key].height > 1  # it wraps
