"""The Plan tab: this fiscal year's plan as a tree of goals, objectives and actions, built and
kept by the account's manager through forms, commented on by executives, read by viewers;
every key offered exactly where it acts and only to those the rule allows.

The story happens on AS_OF (2025-06-30): the plan of 2025 is this year's, so editable.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select
from textual.widgets import Checkbox, Input, Select, Static, TextArea, Tree

from db.models import AuditEvent, PlanAction, PlanComment
from kam.database import Database
from kam.services.plans import get_plan
from screens.sheet.goal_form import GoalForm
from screens.sheet.objective_form import ObjectiveForm
from screens.sheet.plan_action_form import PlanActionForm
from screens.sheet.plan_comment_form import PlanCommentForm
from screens.sheet.plan_tab import PlanTab
from screens.sheet.progress_form import ProgressForm
from screens.sheet.screen import AccountSheetScreen
from tests.support import Cast
from tests.tui.support import add_plan, keys, make_app, notices, settle, text_of

pytestmark = pytest.mark.today("2025-06-30")

SIZE = (120, 40)
ACME = "Acme [/b] Ltd"
EDIT_KEYS = {"a", "e", "u", "d", "s"}


async def open_plan(app: Any, pilot: Any) -> PlanTab:
    app.open_account(ACME)
    await settle(app, pilot)
    assert isinstance(app.screen, AccountSheetScreen)
    await pilot.press("2")
    await settle(app, pilot)
    return app.screen.query_one(PlanTab)


def tree_of(tab: PlanTab) -> Tree[Any]:
    return tab.query_one("#plan-tree", Tree)


def labels(tab: PlanTab) -> list[str]:
    """Every line of the tree, as plain text, in order (the root first)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        found.append(str(node.label))
        for child in node.children:
            walk(child)

    walk(tree_of(tab).root)
    return found


async def to(tab: PlanTab, pilot: Any, title: str | None) -> None:
    """Put the cursor on the node with this title (None: the plan itself)."""
    tree = tree_of(tab)

    def find(node: Any) -> Any:
        if title is None or getattr(node.data, "title", None) == title:
            return node
        return next((f for c in node.children if (f := find(c)) is not None), None)

    tree.move_cursor(find(tree.root))
    await pilot.pause()


async def test_a_manager_builds_a_goal_an_objective_and_an_action_through_the_forms(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        tab = await open_plan(app, pilot)
        assert labels(tab) == ["No plan for 2025 yet · press a to add the first goal"]
        assert keys(app)["a"] == "add_goal" and "e" not in keys(app)

        await pilot.press("a")
        assert isinstance(app.screen, GoalForm)
        await pilot.press(*"Grow [b]share[/b]", "tab", *"mia", "ctrl+s")
        await settle(app, pilot)
        assert "Goal added." in notices(app)
        assert tab.highlighted() is tab.plan.goals[0]  # type: ignore[union-attr]  # the new goal
        assert keys(app)["a"] == "add_objective" and keys(app)["e"] == "edit_goal"

        await pilot.press("a")
        assert isinstance(app.screen, ObjectiveForm)
        await pilot.press(*"Workshops held", "tab", *"4", "tab", *"2025-09-30", "ctrl+s")
        await settle(app, pilot)
        assert getattr(tab.highlighted(), "title", None) == "Workshops held"  # the new one
        assert {keys(app)[k] for k in "aeu"} == {"add_action", "edit_objective", "update_progress"}

        await pilot.press("a")
        assert isinstance(app.screen, PlanActionForm)
        await pilot.press(*"Book the venue", "tab", *"2025-06-15", "tab", *"mia", "ctrl+s")
        await settle(app, pilot)
        root, goal, objective, action = labels(tab)
        assert root.startswith("Plan 2025") and "1 goal (incomplete: fewer than 2)" in root
        assert goal.startswith("GOAL Grow [b]share[/b]")  # literally, never markup
        assert "0 %" in objective and "overdue" not in objective
        assert "of 4 by 2025-09-30" in objective and "by hand" in objective
        assert "Book the venue · mia · due 2025-06-15 · planned" in action
        assert action.rstrip().endswith("OVERDUE")
        assert getattr(tab.highlighted(), "title", None) == "Book the venue"  # the new action
        assert keys(app)["d"] == "complete_action"

        await pilot.press("up", "u")  # progress by hand on the objective
        assert isinstance(app.screen, ProgressForm)
        await pilot.press(*"1", "ctrl+s")
        assert "Say what happened" in text_of(app.screen.query_one("#comment-problem", Static))
        await pilot.press(*"Kick-off in Lyon", "ctrl+s")  # the form went to the comment
        await settle(app, pilot)
        objective = labels(tab)[2]
        # 1 of 4 = 25 %; 180 of the 272 days to 2025-09-30 have passed (66 %, less 10): behind
        assert "25 % behind · 1 of 4" in objective
        assert "Kick-off in Lyon" in text_of(tab.query_one("#plan-detail", Static))

        await pilot.press("down")  # the action
        assert keys(app)["d"] == "complete_action"
        await pilot.press("d")
        await settle(app, pilot)
        assert "Action done." in notices(app)
        action = labels(tab)[3]
        assert "done 2025-06-30" in action and "OVERDUE" not in action
        assert "d" not in keys(app)  # done: nothing left to mark
    with sqlite_database.reading() as s:
        assert s.exec(select(PlanAction)).one().status == "done"
        doors = {(e.entity, e.door) for e in s.exec(select(AuditEvent)).all()}
        assert {("plan_goal", "tui"), ("plan_objective", "tui"), ("plan_action", "tui")} <= doors


async def test_a_figure_objective_is_not_updated_by_hand_and_the_situation_is_written(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    add_plan(sqlite_database, sheet_cast.manager)
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        tab = await open_plan(app, pilot)
        text = text_of(tab.query_one("#plan-text", Static))
        assert "Consolidating suppliers [TODO]" in text and "S: Service; Range" in text
        await to(tab, pilot, "T12M profit to 80,000")
        assert "e" in keys(app) and "u" not in keys(app)  # computed from the figure
        # T12M profit as of AS_OF is 62,000: (62,000 - 50,000) / 30,000 = 40 %
        [profit] = [line for line in labels(tab) if line.startswith("T12M profit")]
        assert "40 %" in profit and "62,000 of 80,000" in profit
        assert profit.endswith("follows T12M profit")
        await to(tab, pilot, None)
        await pilot.press("s")
        app.screen.query_one("#situation", TextArea).text = "Two plants, one buyer"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "Situation and SWOT saved." in notices(app)
        assert tab.plan is not None and tab.plan.situation == "Two plants, one buyer"
        assert tab.plan.strengths == ["Service", "Range"]  # untouched parts stay


async def test_a_situation_changed_meanwhile_is_told_the_typed_text_stays_and_saving_again_wins(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    """The situation/SWOT form closed on a conflict: what was typed was lost."""
    from kam.services.plans import set_plan_text

    add_plan(sqlite_database, sheet_cast.manager)
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        tab = await open_plan(app, pilot)
        with sqlite_database.writing() as s:  # the admin writes the SWOT meanwhile
            set_plan_text(s, sheet_cast.admin, ACME, situation="Admin's view", strengths=["Speed"])
        await to(tab, pilot, None)
        await pilot.press("s")
        form = app.screen
        form.query_one("#situation", TextArea).text = "Two plants, one buyer"
        await pilot.press("ctrl+s")
        await settle(app, pilot)

        assert app.screen is form
        assert form.query_one("#situation", TextArea).text == "Two plants, one buyer"
        told = [n for n in notices(app) if "changed since you read it" in n]
        assert len(told) == 1 and "save again to replace their change" in told[0]
        with sqlite_database.reading() as s:
            assert get_plan(s, ACME).situation == "Admin's view"
        await pilot.press("ctrl+s")  # again, knowing
        await settle(app, pilot)
        assert app.screen is not form
        assert "Situation and SWOT saved." in notices(app)
        assert tab.plan is not None and tab.plan.situation == "Two plants, one buyer"
        assert tab.plan.strengths == ["Speed"]  # theirs, in a part not typed in, stays


async def test_an_objective_added_by_mistake_is_dropped_on_its_form_and_leaves_the_progress(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    add_plan(sqlite_database, sheet_cast.manager)
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        tab = await open_plan(app, pilot)
        # The goal: (40 % for profit + 25 % for workshops) / 2 = 32.5 %
        assert tab.plan is not None and tab.plan.goals[0].progress == pytest.approx(0.325)
        await to(tab, pilot, "Workshops held")
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, ObjectiveForm)
        assert form.query_one("#dropped", Checkbox).value is False
        await pilot.press("tab", "tab", "tab", "space", "ctrl+s")
        await settle(app, pilot)
        assert app.screen is not form and "Objective saved." in notices(app)
        # Only the profit objective counts now: 40 %, for the goal and the plan
        assert tab.plan.goals[0].progress == pytest.approx(0.4)
        assert tab.plan.progress == pytest.approx(0.4)
        root, goal, workshops, _action, _profit = labels(tab)
        assert "40 %" in root and "40 %" in goal
        assert "25 % dropped · 1 of 4" in workshops and "behind" not in goal
        assert "Dropped" in text_of(tab.query_one("#plan-detail", Static))
        await pilot.press("e")  # taken up again on the same form
        assert app.screen.query_one("#dropped", Checkbox).value is True
        await pilot.press("tab", "tab", "tab", "space", "ctrl+s")
        await settle(app, pilot)
        assert tab.plan.goals[0].progress == pytest.approx(0.325)
    with sqlite_database.reading() as s:
        changes = [(e.field, e.door) for e in s.exec(select(AuditEvent)).all()
                   if e.entity == "plan_objective" and e.field == "dropped_on"]  # fmt: skip
        assert changes == [("dropped_on", "tui"), ("dropped_on", "tui")]


async def test_an_executive_comments_on_the_plan_but_has_no_editing_key(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    add_plan(sqlite_database, sheet_cast.manager)
    app = make_app(sqlite_database, sheet_cast.executive)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        tab = await open_plan(app, pilot)
        for title in (None, "Grow profit", "Workshops held", "Book the next"):
            await to(tab, pilot, title)
            assert not EDIT_KEYS & keys(app).keys()
            assert keys(app)["c"] == "comment"
        await pilot.press("c")
        assert isinstance(app.screen, PlanCommentForm)
        await pilot.press(*"Push the [b]roadmap[/b]", "ctrl+s")
        await settle(app, pilot)
        await to(tab, pilot, None)
        detail = text_of(tab.query_one("#plan-detail", Static))
        assert "Eve Executive, " in detail and "Push the [b]roadmap[/b]" in detail
        assert "1 comment" in labels(tab)[0]
    with sqlite_database.reading() as s:
        assert s.exec(select(PlanComment)).one().text == "Push the [b]roadmap[/b]"


async def test_a_viewer_reads_the_plan_without_any_key_and_past_years_are_history(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    add_plan(sqlite_database, sheet_cast.manager)
    for actor in (sheet_cast.viewer, sheet_cast.manager):
        app = make_app(sqlite_database, actor)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            tab = await open_plan(app, pilot)
            if actor is sheet_cast.viewer:
                for title in (None, "Grow profit", "Workshops held", "Book the next"):
                    await to(tab, pilot, title)
                    assert not (EDIT_KEYS | {"c"}) & keys(app).keys()
                continue
            await pilot.press("left_square_bracket")  # the manager looks at last year
            await settle(app, pilot)
            assert labels(tab) == ["No plan for 2024 yet · history, read-only"]
            assert not (EDIT_KEYS | {"c"}) & keys(app).keys()
            await pilot.press("right_square_bracket")
            await settle(app, pilot)
            assert labels(tab)[0].startswith("Plan 2025") and keys(app)["a"] == "add_goal"


async def test_a_refused_goal_says_why_and_the_form_stays_open(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_plan(app, pilot)
        await pilot.press("a", *"Grow", "tab", *"nobody", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, GoalForm)
        assert "No kam user has the login 'nobody'." in notices(app)


def test_progress_reads_as_a_bar_with_its_percentage_and_measures_as_people_write_them() -> None:
    from screens.sheet.plan_nodes import bar, number

    assert str(bar(0.25)) == "██░░░░░░░░  25 %" and str(bar(None, 0)) == "    –"
    assert (number(201_058.89), number(12.5), number(4.0), number(None)) == (
        "201,059", "12.5", "4", "–")  # fmt: skip


async def test_a_plan_with_five_goals_offers_no_key_to_add_a_sixth_until_one_is_dropped(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    from kam.services import plans
    from tests.tui.support import tui

    with sqlite_database.writing() as s:
        for n in range(5):
            view = plans.add_goal(s, tui(sheet_cast.manager), ACME, title=f"Goal {n}")
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_plan(app, pilot)
        assert "a" not in keys(app) and keys(app)["s"] == "edit_text"
        with sqlite_database.writing() as s:
            plans.update_goal(s, tui(sheet_cast.manager), view.goals[0].id, status="dropped")
        await pilot.press("r")
        await settle(app, pilot)
        assert keys(app)["a"] == "add_goal"


async def test_an_action_is_handed_to_a_person_outside_kam_and_back_on_its_edit_form(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    add_plan(sqlite_database, sheet_cast.manager)
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        tab = await open_plan(app, pilot)
        while keys(app).get("e") != "edit_action":
            await pilot.press("down")  # to the action "Book the next", owned by mia
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, PlanActionForm)
        # The same choice as when adding: a kam login, or a named person and their department.
        form.query_one("#owner", Input).value = ""
        form.query_one("#owner_name", Input).value = "Bob [b]Outsider[/b]"
        form.query_one("#owner_department", Select).value = "finance"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "Action saved." in notices(app)
        with sqlite_database.reading() as s:
            action = s.exec(select(PlanAction)).one()
            assert (action.owner_id, action.owner_name, action.owner_department) == (
                None, "Bob [b]Outsider[/b]", "finance")  # fmt: skip
        assert any("Book the next · Bob [b]Outsider[/b] (finance)" in x for x in labels(tab))
        await pilot.press("e")
        form = app.screen
        assert form.query_one("#owner_name", Input).value == "Bob [b]Outsider[/b]"
        assert form.query_one("#owner_department", Select).value == "finance"
        form.query_one("#owner_name", Input).value = ""
        form.query_one("#owner", Input).value = "mia"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        with sqlite_database.reading() as s:
            action = s.exec(select(PlanAction)).one()
            assert (action.owner_name, action.owner_department) == ("", None)
            assert action.owner_id is not None


async def test_an_action_changed_after_the_plan_was_read_is_not_put_back_by_its_form(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    """The form shows the action as the tab read it: saving it put back the old due date."""
    from datetime import date

    from kam.services.plans import update_action

    add_plan(sqlite_database, sheet_cast.manager)
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        tab = await open_plan(app, pilot)
        with sqlite_database.writing() as s:  # the admin moves the action meanwhile
            action_id = s.exec(select(PlanAction)).one().id
            update_action(s, sheet_cast.admin, action_id, due_on=date(2025, 8, 1))
        while keys(app).get("e") != "edit_action":
            await pilot.press("down")
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, PlanActionForm)
        form.query_one("#owner", Input).value = ""
        form.query_one("#owner_name", Input).value = "Bob"
        form.query_one("#owner_department", Select).value = "finance"
        await pilot.press("ctrl+s")
        await settle(app, pilot)

        assert app.screen is form
        assert any("changed this plan action (due_on)" in n for n in notices(app))
        with sqlite_database.reading() as s:
            action = s.exec(select(PlanAction)).one()
            assert (action.due_on, action.owner_name) == (date(2025, 8, 1), "")
        assert tab.plan is not None
