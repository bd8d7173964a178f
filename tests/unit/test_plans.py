"""Account plans: progress computed from kam figures or typed by hand, rolled up to goals
and the plan by the written rule, with roles, history and audit.

Acme, as of 2026-06-30 (tests.support.add_small_base): T12M revenue 1,500, gross margin
650, cost to serve 150, profit 500. The fiscal year is the calendar year (2026-01-01 to
2026-12-31); 180 of its days have passed on 2026-06-30.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from db.enums import PlanFigure
from db.models import AccountPlan, AuditEvent
from kam.database import Database
from kam.errors import InvalidData, PermissionDenied, RuleError
from kam.services import plans
from kam.services.programme import set_setting
from tests.support import Cast, add_small_base

pytestmark = pytest.mark.today("2026-06-30")
ACME = "Acme [/b] Ltd"


@pytest.fixture
def plan(database: Database, cast: Cast) -> plans.PlanView:
    """Goal 1 with three objectives: profit from 300 to 700 by year end (a figure), a
    roadmap signed by 2026-06-01 (never updated), four workshops by 2026-09-30 (one held)."""
    add_small_base(database)
    with database.writing() as s:
        view = plans.add_goal(s, cast.manager, ACME, title="Grow profit", owner="mia")
        goal = view.goals[0].id
        plans.add_objective(s, cast.manager, goal, title="T12M profit to 700", target=700,
                            baseline=300, due_on=date(2026, 12, 31),
                            figure=PlanFigure.T12M_PROFIT)  # fmt: skip
        plans.add_objective(s, cast.manager, goal, title="Roadmap signed", target=1,
                            due_on=date(2026, 6, 1))  # fmt: skip
        view = plans.add_objective(s, cast.manager, goal, title="Workshops held", target=4,
                                   due_on=date(2026, 9, 30))  # fmt: skip
        workshops = next(o.id for o in view.objectives if o.title == "Workshops held")
        return plans.update_objective(s, cast.manager, workshops, current=1,
                                      comment="Kick-off in Lyon")  # fmt: skip


def test_progress_is_computed_from_figures_and_updates_by_hand(plan: plans.PlanView) -> None:
    by_title = {o.title: o for o in plan.objectives}
    profit = by_title["T12M profit to 700"]
    # (500 - 300) / (700 - 300) = 0.5; the time passed is 180 / 364 = 0.4945: on track
    assert (profit.current, profit.progress, profit.state) == (500.0, 0.5, "on track")
    roadmap = by_title["Roadmap signed"]
    assert (roadmap.current, roadmap.progress, roadmap.state) == (None, 0.0, "overdue")
    workshops = by_title["Workshops held"]
    # 1 of 4 = 0.25; 180 / 272 days passed = 0.6618, less 10 points is 0.5618: behind
    assert (workshops.progress, workshops.state, workshops.comment) == (0.25, "behind",
                                                                        "Kick-off in Lyon")  # fmt: skip
    assert workshops.updated_on == date(2026, 6, 30)
    # The goal: (0.5 + 0 + 0.25) / 3 = 0.25; one goal is an incomplete plan
    assert plan.goals[0].progress == pytest.approx(0.25)
    assert (plan.progress, plan.complete, plan.period) == (pytest.approx(0.25), False, "2026")


def test_a_plan_rolls_up_its_goals_and_is_complete_with_two(
    database: Database, cast: Cast, plan: plans.PlanView
) -> None:
    with database.writing() as s:
        view = plans.add_goal(s, cast.manager, ACME, title="Win the CFO")
        view = plans.add_objective(s, cast.manager, view.goals[1].id, title="Meet 3 people",
                                   target=3, due_on=date(2026, 12, 31),
                                   figure=PlanFigure.CONTACTS_MET_90D)  # fmt: skip
    met = view.goals[1].objectives[0]
    assert (met.baseline, met.current, met.progress) == (0.0, 0.0, 0.0)  # nobody met yet
    assert view.progress == pytest.approx((0.25 + 0.0) / 2) and view.complete


def test_a_figure_without_a_value_leaves_progress_unknown(
    database: Database, cast: Cast, plan: plans.PlanView
) -> None:
    with database.writing() as s:
        view = plans.add_objective(s, cast.manager, plan.goals[0].id, title="Satisfied",
                                   target=1.2, baseline=1.0, due_on=date(2026, 12, 31),
                                   figure=PlanFigure.SATISFACTION)  # fmt: skip
    satisfied = next(o for o in view.objectives if o.title == "Satisfied")
    assert (satisfied.current, satisfied.progress) == (None, None)
    assert view.goals[0].progress == pytest.approx(0.25)  # unknown does not count


def test_an_objective_added_by_mistake_is_dropped_counts_in_no_progress_and_is_audited(
    database: Database, cast: Cast, plan: plans.PlanView
) -> None:
    roadmap = next(o.id for o in plan.objectives if o.title == "Roadmap signed")
    with database.writing() as s:
        view = plans.update_objective(s, cast.manager, roadmap, dropped=True)
    dropped = next(o for o in view.objectives if o.id == roadmap)
    assert (dropped.state, dropped.dropped_on) == ("dropped", date(2026, 6, 30))
    # The goal: (0.5 + 0.25) / 2 = 0.375 (the dropped roadmap's 0 left out), and so the plan
    assert view.goals[0].progress == pytest.approx(0.375)
    assert view.progress == pytest.approx(0.375)
    assert len(view.objectives) == 3  # it stays in the plan's history
    with database.reading() as s:
        events = s.exec(
            select(AuditEvent).where(
                AuditEvent.entity == "plan_objective", AuditEvent.entity_id == roadmap
            )
        ).all()
        assert [(e.field, e.old, e.new) for e in events][-1] == (
            "dropped_on",
            None,
            "2026-06-30",
        )
    for who in (cast.other_manager, cast.executive, cast.viewer):
        with pytest.raises(PermissionDenied), database.writing() as s:
            plans.update_objective(s, who, roadmap, dropped=False)
    with database.writing() as s:
        view = plans.update_objective(s, cast.manager, roadmap, dropped=False)
    again = next(o for o in view.objectives if o.id == roadmap)
    assert (again.state, again.dropped_on) == ("overdue", None)
    assert view.goals[0].progress == pytest.approx(0.25)  # (0.5 + 0 + 0.25) / 3


def test_open_actions_past_their_date_under_a_dropped_objective_or_goal_are_not_overdue(
    database: Database, cast: Cast, plan: plans.PlanView, capsys: pytest.CaptureFixture[str]
) -> None:
    """Three open actions past their date on 2026-06-30: one under the roadmap, one under the
    workshops, one under a second goal. Dropping the roadmap leaves 2 overdue, dropping the
    second goal 1, in every count: the plan, the sheet's line, the review's snapshot, the
    dashboard's alerts and kam plan show. The actions stay in the plan."""
    from kam.cli.plan import print_plan
    from kam.services.dashboard import programme_overview
    from kam.services.reviews import plan_snapshot
    from kam.sheet import plan_headline

    by_title = {o.title: o.id for o in plan.objectives}
    with database.writing() as s:
        plans.add_action(s, cast.manager, by_title["Roadmap signed"], title="Draft the roadmap",
                         owner="mia", due_on=date(2026, 6, 10))  # fmt: skip
        plans.add_action(s, cast.manager, by_title["Workshops held"], title="Book the venue",
                         owner="mia", due_on=date(2026, 6, 20))  # fmt: skip
        view = plans.add_goal(s, cast.manager, ACME, title="Win the CFO")
        cfo = view.goals[1].id
        view = plans.add_objective(s, cast.manager, cfo, title="Meet the CFO", target=1,
                                   due_on=date(2026, 12, 31))  # fmt: skip
        plans.add_action(s, cast.manager, view.goals[1].objectives[0].id, title="Ask for a call",
                         owner="mia", due_on=date(2026, 6, 25))  # fmt: skip

    def counts() -> tuple[list[str], str, int, list[str], str]:
        with database.reading() as s:
            view = plans.get_plan(s, ACME)
            alerts = programme_overview(s, as_of=date(2026, 6, 30)).alerts
        print_plan(view)
        shown = [line for line in capsys.readouterr().out.splitlines() if "OVERDUE" in line]
        return (
            [a.title for a in view.actions if a.overdue],
            plan_headline(view).rsplit(", ", 1)[1],
            plan_snapshot(view)["overdue_actions"],
            [a.text.rsplit(": ", 1)[1] for a in alerts if a.kind == "plan"],
            " | ".join(line.split(": ", 1)[1].split(" — ")[0] for line in shown),
        )

    everything = ["Draft the roadmap", "Book the venue", "Ask for a call"]
    assert counts() == (everything, "3 actions overdue.", 3, everything,
                        " | ".join(everything))  # fmt: skip
    with database.writing() as s:
        plans.update_objective(s, cast.manager, by_title["Roadmap signed"], dropped=True)
    assert counts() == (everything[1:], "2 actions overdue.", 2, everything[1:],
                        "Book the venue | Ask for a call")  # fmt: skip
    with database.writing() as s:
        view = plans.update_goal(s, cast.manager, cfo, status="dropped")
    assert counts() == (["Book the venue"], "1 action overdue.", 1, ["Book the venue"],
                        "Book the venue")  # fmt: skip
    assert len(view.actions) == 3  # still in the plan, as they were
    assert [a.status for a in view.actions] == ["planned"] * 3


def test_a_figure_objective_is_not_updated_by_hand(
    database: Database, cast: Cast, plan: plans.PlanView
) -> None:
    by_title = {o.title: o.id for o in plan.objectives}
    with pytest.raises(RuleError, match="its progress is computed"), database.writing() as s:
        plans.update_objective(s, cast.manager, by_title["T12M profit to 700"], current=650,
                               comment="x")  # fmt: skip
    with pytest.raises(InvalidData, match="comment"), database.writing() as s:
        plans.update_objective(s, cast.manager, by_title["Workshops held"], current=2)


@pytest.mark.parametrize("number", [float("inf"), float("-inf"), float("nan")])
def test_an_objective_s_numbers_are_finite(
    database: Database, cast: Cast, plan: plans.PlanView, number: float
) -> None:
    """nan used to reach the database (NOT NULL failed) and inf was stored."""
    goal = plan.goals[0].id
    workshops = next(o.id for o in plan.objectives if o.title == "Workshops held")
    with pytest.raises(InvalidData, match=rf"target: {number} is not a finite number"):
        with database.writing() as s:
            plans.add_objective(s, cast.manager, goal, title="X", target=number,
                                due_on=date(2026, 12, 31))  # fmt: skip
    with pytest.raises(InvalidData, match=rf"baseline: {number} is not a finite number"):
        with database.writing() as s:
            plans.add_objective(s, cast.manager, goal, title="X", target=1, baseline=number,
                                due_on=date(2026, 12, 31))  # fmt: skip
    with pytest.raises(InvalidData, match=rf"current: {number} is not a finite number"):
        with database.writing() as s:
            plans.update_objective(s, cast.manager, workshops, current=number, comment="x")
    with database.reading() as s:
        after = plans.get_plan(s, ACME)
    assert [
        (o.title, o.current) for o in after.objectives if o.title in ("X", "Workshops held")
    ] == [("Workshops held", 1.0)]


def test_a_share_of_wallet_target_is_a_fraction(
    database: Database, cast: Cast, plan: plans.PlanView
) -> None:
    """75 meant as 75 % was taken as 7,500 % of the wallet: 0 % of the way there forever."""
    goal = plan.goals[0].id
    with pytest.raises(InvalidData, match=r"target: 75 is out of range; share of wallet is a fraction from 0 to 1 \(0\.75 for 75 %\)"):  # fmt: skip
        with database.writing() as s:
            plans.add_objective(s, cast.manager, goal, title="SOW", target=75,
                                due_on=date(2026, 12, 31), figure=PlanFigure.SHARE_OF_WALLET)  # fmt: skip
    with database.writing() as s:
        view = plans.add_objective(s, cast.manager, goal, title="SOW", target=0.75,
                                   due_on=date(2026, 12, 31), figure=PlanFigure.SHARE_OF_WALLET)  # fmt: skip
        sow = next(o.id for o in view.objectives if o.title == "SOW")
    with pytest.raises(InvalidData, match="target: 80 is out of range"), database.writing() as s:
        plans.update_objective(s, cast.manager, sow, target=80)
    with pytest.raises(InvalidData, match="baseline: 40 is out of range"), database.writing() as s:
        plans.add_objective(s, cast.manager, goal, title="SOW 2", target=0.75, baseline=40,
                            due_on=date(2026, 12, 31), figure=PlanFigure.SHARE_OF_WALLET)  # fmt: skip
    with database.writing() as s:  # other figures take any finite target
        plans.add_objective(s, cast.manager, goal, title="Workshops", target=75,
                            due_on=date(2026, 12, 31))  # fmt: skip


def test_a_share_of_wallet_objective_shows_as_percentages(
    database: Database, cast: Cast, plan: plans.PlanView, capsys: pytest.CaptureFixture[str]
) -> None:
    from kam.cli.plan import print_plan
    from screens.sheet.plan_nodes import objective_label

    with database.writing() as s:
        view = plans.add_objective(s, cast.manager, plan.goals[0].id, title="SOW", target=0.35,
                                   baseline=0.2, due_on=date(2026, 12, 31),
                                   figure=PlanFigure.SHARE_OF_WALLET)  # fmt: skip
    sow = next(o for o in view.objectives if o.title == "SOW")
    print_plan(view)
    # Acme's share of wallet: T12M revenue 1,500 of a 1,000,000 wallet = 0.15 %
    assert "SOW — 0.1 % of 35.0 % (from 20.0 %)" in capsys.readouterr().out
    assert "0.1 % of 35.0 % by" in objective_label(sow, wide=True).plain
    from rich.console import Console

    from screens.sheet.plan_nodes import objective_detail

    console = Console(width=100, record=True)
    console.print(objective_detail(sow))
    shown = console.export_text()
    lines = [" ".join(line.split()) for line in shown.splitlines()]
    assert {"From 20.0 %", "Now 0.1 %", "Target 35.0 % by 2026-12-31"} <= set(lines)


def test_a_plan_year_outside_1900_to_2999_is_refused_naming_the_field(
    database: Database, cast: Cast, plan: plans.PlanView
) -> None:
    """Year 99999 was an unexpected ValueError (year out of range)."""
    goal = plan.goals[0].id
    for refused_as, write in [
        ("year: 99999", lambda s: plans.add_goal(s, cast.manager, ACME, title="G",
                                                 fiscal_year=99999)),
        ("to_year: 99999", lambda s: plans.carry_goals(s, cast.manager, ACME, goals=[goal],
                                                       to_year=99999)),
        ("year: 1899", lambda s: plans.comment_plan(s, cast.manager, ACME, text="x",
                                                    fiscal_year=1899)),
        ("year: 3000", lambda s: plans.get_plan(s, ACME, fiscal_year=3000)),
    ]:  # fmt: skip
        with pytest.raises(
            InvalidData, match=rf"^{refused_as} is not a plausible year \(1900 to 2999\)\.$"
        ):
            with database.writing() as s:
                write(s)
    with database.reading() as s:
        assert plans.get_plan(s, ACME).goals[0].status == "open"


def test_a_plan_has_at_most_five_goals(database: Database, cast: Cast) -> None:
    with database.writing() as s:
        for n in range(5):
            plans.add_goal(s, cast.manager, ACME, title=f"Goal {n}")
    with pytest.raises(RuleError, match="5 goals, the most"), database.writing() as s:
        plans.add_goal(s, cast.manager, ACME, title="One too many")


def test_managers_of_the_account_and_admins_write_executives_comment(
    database: Database, cast: Cast, plan: plans.PlanView
) -> None:
    for who in (cast.other_manager, cast.executive, cast.viewer):
        with pytest.raises(PermissionDenied), database.writing() as s:
            plans.add_goal(s, who, ACME, title="Not mine")
    with database.writing() as s:
        view = plans.comment_plan(s, cast.executive, ACME, text="Push the roadmap")
        plans.add_goal(s, cast.admin, ACME, title="Admin's goal")
    assert [(c.by, c.text) for c in view.comments] == [("eve", "Push the roadmap")]
    for who in (cast.viewer, cast.other_manager):
        with pytest.raises(PermissionDenied), database.writing() as s:
            plans.comment_plan(s, who, ACME, text="x")


def test_past_years_are_history_and_goals_carry_into_the_next(
    database: Database, cast: Cast, plan: plans.PlanView
) -> None:
    with database.writing() as s:
        plans.add_goal(s, cast.manager, ACME, title="Second")
        added = plans.add_objective(s, cast.manager, plan.goals[0].id, title="By mistake",
                                    target=1, due_on=date(2026, 12, 31))  # fmt: skip
        mistake = next(o.id for o in added.objectives if o.title == "By mistake")
        plans.update_objective(s, cast.manager, mistake, dropped=True)
    from kam.rules import clock

    with clock.frozen(date(2027, 1, 10)):
        with database.reading() as s:
            old = plans.get_plan(s, ACME, fiscal_year=2026)
            assert not old.editable and plans.get_plan(s, ACME).id is None
        with pytest.raises(RuleError, match="2026 plan .* is history"), database.writing() as s:
            plans.update_goal(s, cast.manager, old.goals[0].id, title="Rewritten")
        with database.writing() as s:
            new = plans.carry_goals(s, cast.manager, ACME, goals=[old.goals[0].id], to_year=2027)
    assert [g.title for g in new.goals] == ["Grow profit"]
    assert new.goals[0].carried_from_id == old.goals[0].id
    kept = [o.title for o in old.goals[0].objectives if o.title != "By mistake"]
    assert [o.title for o in new.objectives] == kept  # a dropped objective does not carry
    with database.reading() as s:
        assert plans.get_plan(s, ACME, fiscal_year=2026).goals[0].status == "carried"


def test_actions_name_a_kam_user_or_an_outside_person_and_are_audited(
    database: Database, cast: Cast, plan: plans.PlanView
) -> None:
    objective = next(o.id for o in plan.objectives if o.title == "Roadmap signed")
    with database.writing() as s:
        plans.add_action(s, cast.manager, objective, title="Draft the roadmap", owner="mia",
                         due_on=date(2026, 6, 15))  # fmt: skip
        view = plans.add_action(s, cast.manager, objective, title="Ship samples",
                                owner_name="Ana Ruiz", owner_department="supply_chain",
                                due_on=date(2026, 7, 15))  # fmt: skip
    roadmap = next(o for o in view.objectives if o.id == objective)
    draft, ship = roadmap.actions
    assert (draft.owner, draft.overdue) == ("mia", True)
    assert (ship.owner, ship.owner_department, ship.overdue) == ("Ana Ruiz", "supply_chain", False)
    with pytest.raises(InvalidData, match="owner_department"), database.writing() as s:
        plans.add_action(s, cast.manager, objective, title="x", owner_name="Bo",
                         due_on=date(2026, 7, 1))  # fmt: skip
    with database.writing() as s:
        done = plans.complete_action(s, cast.manager, draft.id)
    kept = next(a for a in done.actions if a.id == draft.id)
    assert (kept.status, kept.done_on) == ("done", date(2026, 6, 30))
    with database.reading() as s:
        entities = {e.entity for e in s.exec(select(AuditEvent)).all()}
        assert {"account_plan", "plan_goal", "plan_objective", "plan_action"} <= entities
        assert s.exec(select(AccountPlan)).one().fiscal_year == 2026


def test_the_fiscal_year_follows_the_programme_setting(database: Database, cast: Cast) -> None:
    with database.writing() as s:
        set_setting(s, cast.admin, "fiscal_year_start", "4")
        view = plans.add_goal(s, cast.manager, ACME, title="April plan")
    assert (view.fiscal_year, view.period, view.starts_on) == (2026, "2026/27", date(2026, 4, 1))
