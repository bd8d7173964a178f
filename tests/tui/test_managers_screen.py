"""Managers: the skills matrix with weak scores in red, training and load; admins score
skills and record training through forms, everyone else reads."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from db.models import ManagerSkill, TrainingRecord
from kam.database import Database
from kam.identity import Actor
from screens.app import KamApp, create_app
from screens.areas.managers import ManagersScreen
from screens.forms.skills_form import SkillsForm
from screens.forms.training_form import TrainingForm
from tests.support import Cast, make_cast
from tests.tui.support import keys, notices, rows, settle, text_of, tui

pytestmark = pytest.mark.today("2026-06-30")  # the day these stories happen

SIZE = (120, 40)
AS_OF = date(2026, 6, 30)


@pytest.fixture
def managers_cast(sqlite_database: Database) -> Cast:
    return make_cast(sqlite_database)


def managers_app(database: Database, actor: Actor) -> KamApp:
    return create_app(database, tui(actor), as_of=AS_OF, area="accounts")


async def open_managers(app: KamApp, pilot) -> ManagersScreen:  # type: ignore[no-untyped-def]
    await settle(app, pilot)
    app.push_screen(ManagersScreen())
    await settle(app, pilot)
    assert isinstance(app.screen, ManagersScreen)
    return app.screen


def skills(database: Database, user_id: int) -> tuple[int | None, ...]:
    with database.reading() as s:
        row = s.get(ManagerSkill, user_id)
        assert row is not None
        return (row.finance, row.consulting, row.planning, row.interpersonal, row.influence)


async def test_an_admin_scores_a_managers_skills_and_weak_ones_show_in_red(
    sqlite_database: Database, managers_cast: Cast
) -> None:
    app = managers_app(sqlite_database, managers_cast.admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_managers(app, pilot)
        table = screen.query_one(DataTable)
        assert rows(table) == [
            ["Mia Manager", "1/5", "–", "–", "–", "–", "–", "none"],
            ["Otto Other", "1/5", "–", "–", "–", "–", "–", "none"],
        ]
        assert "unscored" in text_of(screen.query_one("#detail", Static))
        assert keys(app)["e"] == "edit_skills" and keys(app)["t"] == "add_training"
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, SkillsForm)
        await pilot.press("7")
        assert "7 is outside 1 to 5." in text_of(form.query_one("#finance-problem", Static))
        await pilot.press("backspace", "4", "tab", "2", "tab", "5", "tab", "3", "tab", "4")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        assert skills(sqlite_database, managers_cast.manager.id) == (4, 2, 5, 3, 4)
        assert "Skills of Mia Manager saved." in notices(app)
        assert rows(table)[0] == ["Mia Manager", "1/5", "4", "2", "5", "3", "4", "none"]
        assert table.get_row_at(0)[3].style == "bold red"  # consulting 2: under 3
        assert table.get_row_at(0)[2].style == ""
        assert "consulting 2" in text_of(screen.query_one("#detail", Static))

        await pilot.press("e", "backspace", "ctrl+s")  # a score cannot be emptied
        assert isinstance(app.screen, SkillsForm)
        assert "Was 4" in text_of(app.screen.query_one("#finance-problem", Static))
        await pilot.press("escape")


@pytest.mark.parametrize("when", ["before the form opens", "while the form is open"])
async def test_a_score_another_admin_set_after_the_read_is_not_put_back_by_the_skills_form(
    sqlite_database: Database, managers_cast: Cast, when: str
) -> None:
    """The form sent every score it showed: another admin's finance 2 went back to 4."""
    from kam.services.managers import set_skills

    mia = managers_cast.manager.login
    with sqlite_database.writing() as s:
        set_skills(s, managers_cast.admin, mia, finance=4, consulting=3)
    app = managers_app(sqlite_database, managers_cast.admin)
    async with app.run_test(size=SIZE) as pilot:
        await open_managers(app, pilot)
        if when == "before the form opens":
            with sqlite_database.writing() as s:
                set_skills(s, managers_cast.admin, mia, finance=2)
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, SkillsForm)
        if when == "while the form is open":
            with sqlite_database.writing() as s:
                set_skills(s, managers_cast.admin, mia, finance=2)
        form.query_one("#planning", Input).value = "5"
        await pilot.press("ctrl+s")
        await settle(app, pilot)

        assert app.screen is form
        assert form.query_one("#planning", Input).value == "5"
        assert any("changed this manager profile (finance)" in n for n in notices(app))
        assert skills(sqlite_database, managers_cast.manager.id) == (2, 3, None, None, None)
        await pilot.press("ctrl+s")  # again, knowing: theirs goes
        await settle(app, pilot)
        assert app.screen is not form
        assert skills(sqlite_database, managers_cast.manager.id) == (4, 3, 5, None, None)


async def test_an_admin_records_a_managers_training(
    sqlite_database: Database, managers_cast: Cast
) -> None:
    app = managers_app(sqlite_database, managers_cast.admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_managers(app, pilot)
        await pilot.press("down", "t")
        form = app.screen
        assert isinstance(form, TrainingForm)
        await pilot.press("ctrl+s")
        assert "A course is required." in text_of(form.query_one("#course-problem", Static))
        await pilot.press(*"Negotiation [advanced]", "tab", *"2026-05-04", "ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        with sqlite_database.reading() as s:
            [record] = [(t.user_id, t.course, t.taken_on) for t in s.exec(select(TrainingRecord))]
        assert record == (
            managers_cast.other_manager.id,
            "Negotiation [advanced]",
            date(2026, 5, 4),
        )
        assert rows(screen.query_one(DataTable))[1][-1] == "1 · 2026-05-04 Negotiation [advanced]"
        assert "Negotiation [advanced]" in text_of(screen.query_one("#detail", Static))


async def test_everyone_but_admins_reads_the_matrix_without_editing_keys(
    sqlite_database: Database, managers_cast: Cast
) -> None:
    for actor in (managers_cast.viewer, managers_cast.manager, managers_cast.executive):
        app = managers_app(sqlite_database, actor)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_managers(app, pilot)
            assert "Read-only" in text_of(screen.query_one("#access", Static))
            assert "e" not in keys(app) and "t" not in keys(app)
            await pilot.press("e", "t")
            assert app.screen is screen


def _factor(r: float) -> float:
    """sum over t = 1..5 of r^(t-1) / 1.1^t: the simple CLV's years, d 10 %, H 5."""
    return sum(r ** (t - 1) / 1.1**t for t in range(1, 6))


@pytest.fixture
def scored_cast(sqlite_database: Database) -> Cast:
    """The cast with tests.support.add_small_base's lines: as of 2026-06-30 Acme (mia's, active
    since 2025-01-15, never visited nor reviewed) made 500 (100 the year before); 北京 (otto's
    nominee) -40 (100 the year before); the base's retention 2/3, a year before none."""
    from tests.support import add_small_base

    cast = make_cast(sqlite_database)
    add_small_base(sqlite_database)
    return cast


async def test_an_executive_sees_every_managers_scorecard(
    sqlite_database: Database, scored_cast: Cast
) -> None:
    app = managers_app(sqlite_database, scored_cast.executive)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_managers(app, pilot)
        caption = text_of(screen.query_one("#scorecard-caption", Static))
        assert "every manager's" in caption
        table = screen.query_one("#scorecard", DataTable)
        assert [str(c.label) for c in table.columns.values()] == [
            "Manager", "Accts", "CLV", "CLV ±", "Profit", "Profit ±", "G/A/R", "Overdue c.",
            "Overdue v.", "Reviews on time",
        ]  # fmt: skip
        acme_clv, acme_before = 500 * _factor(2 / 3), 100 / 1.1  # a year before: r unknown, 0
        beer_clv = -40 * _factor(2 / 3)
        assert rows(table) == [
            # Acme: red (never visited in 531 days); its first review, due 2025-07-14, is late.
            ["Mia Manager", "1", "1,059", f"{(acme_clv / acme_before - 1) * 100:+.1f} %", "500",
             "+400.0 %", "0/0/1", "0", "1", "0/1 0 %"],
            # 北京: red (a loss); a nominee: no visit or review due.
            ["Otto Other", "1", "-85", f"{(beer_clv / acme_before - 1) * 100:+.1f} %", "-40",
             "-140.0 %", "0/0/1", "0", "0", "none due"],
        ]  # fmt: skip
        assert "Scorecard: 1 open account; CLV 1,059" in text_of(
            screen.query_one("#detail", Static)
        )


async def test_a_manager_sees_only_their_own_scorecard_and_is_told(
    sqlite_database: Database, scored_cast: Cast
) -> None:
    app = managers_app(sqlite_database, scored_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_managers(app, pilot)
        caption = text_of(screen.query_one("#scorecard-caption", Static))
        assert "yours only: executives and admins see every manager's" in caption
        assert [r[0] for r in rows(screen.query_one("#scorecard", DataTable))] == ["Mia Manager"]


async def test_a_viewer_is_told_scorecards_are_not_theirs(
    sqlite_database: Database, scored_cast: Cast
) -> None:
    app = managers_app(sqlite_database, scored_cast.viewer)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_managers(app, pilot)
        caption = text_of(screen.query_one("#scorecard-caption", Static))
        assert "Only executives or admins may see every manager's" in caption
        assert not screen.query_one("#scorecard", DataTable).display


async def test_at_80_columns_the_scorecard_keeps_whole_numbers_in_fewer_columns(
    sqlite_database: Database, scored_cast: Cast
) -> None:
    app = managers_app(sqlite_database, scored_cast.admin)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_managers(app, pilot)
        table = screen.query_one("#scorecard", DataTable)
        assert rows(table)[0] == ["mia", "1", "1.1k", "500", "+400.0 %", "0/0/1", "0/1", "0/1 0 %"]
        widths = sum(c.get_render_width(table) for c in table.columns.values())
        assert widths <= 80


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_snapshot_of_the_managers_with_their_scorecards(
    snap_compare: Any, sqlite_database: Database, scored_cast: Cast, size: tuple[int, int]
) -> None:
    app = managers_app(sqlite_database, scored_cast.executive)

    async def loaded(pilot: Pilot[None]) -> None:
        await open_managers(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=loaded)
