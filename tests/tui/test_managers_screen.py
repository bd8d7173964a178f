"""Managers: the skills matrix with weak scores in red, training and load; admins score
skills and record training through forms, everyone else reads."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Static

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
