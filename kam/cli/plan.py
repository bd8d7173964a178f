"""`kam plan ...`: a key account's plan for the year: situation, SWOT, goals, objectives and
actions, progress computed from kam's figures where an objective follows one."""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from db.enums import ActionStatus, Department, GoalStatus, PlanFigure
from kam.cli import output
from kam.cli.context import reading, writing
from kam.cli.params import AsOfOption, DryRunOption, JsonOption, date_option, number_option
from kam.rules import limits

if TYPE_CHECKING:
    from kam.services.plans import PlanView

app = typer.Typer(
    help="Account plans: show, edit the situation and SWOT, goals, objectives, actions.",
    no_args_is_help=True,
)
goal = typer.Typer(help="A plan's goals (at most five).", no_args_is_help=True)
objective = typer.Typer(help="A goal's measurable objectives.", no_args_is_help=True)
action = typer.Typer(help="An objective's actions: who does what by when.", no_args_is_help=True)
app.add_typer(goal, name="goal")
app.add_typer(objective, name="objective")
app.add_typer(action, name="action")

Account = Annotated[str, typer.Argument(help="The key account's customer name.")]
Year = Annotated[
    int | None,
    typer.Option("--year", help="The fiscal year (the year it starts in); default: this one."),
]


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _number(value: float | None, figure: str | None = None) -> str:
    """A measure; a share (of wallet) as a percentage (30.7 %)."""
    if value is not None and figure in limits.SHARES:
        return f"{value * 100:.1f} %"
    return "—" if value is None else f"{value:,.2f}".rstrip("0").rstrip(".")


def print_plan(plan: PlanView) -> None:
    """A plan for people: its standing, the situation and SWOT, then goals as a tree."""
    from kam.rules.plans import MIN_GOALS
    from kam.text import for_terminal

    def line(text: str = "") -> None:
        sys.stdout.write(for_terminal(text) + "\n")

    state = "" if plan.editable else " (history: read-only)"
    if plan.id is None:
        line(f"{plan.customer}: no plan for {plan.period} yet{state}; "
             "add a goal with `kam plan goal add`.")  # fmt: skip
        return
    goals = len(plan.goals)
    short = "" if plan.complete else (
        f"; incomplete: {goals} goal{'' if goals == 1 else 's'} of the {MIN_GOALS} a plan needs"
    )  # fmt: skip
    line(f"{plan.customer} — plan {plan.period} ({plan.starts_on} to {plan.ends_on}){state}, "
         f"version {plan.version}")  # fmt: skip
    line(f"Progress {_percent(plan.progress)} as of {plan.as_of}{short}.")
    if plan.situation:
        line()
        line(f"Situation: {plan.situation}")
    swot = (("Strengths", plan.strengths), ("Weaknesses", plan.weaknesses),
            ("Opportunities", plan.opportunities), ("Threats", plan.threats))  # fmt: skip
    for title, items in swot:
        if items:
            line(f"{title}: " + "; ".join(items))
    for g in plan.goals:
        owner = f", owner {g.owner}" if g.owner else ""
        line()
        line(f"Goal {g.id}: {g.title} [{g.status}{owner}] {_percent(g.progress)}")
        for o in g.objectives:
            follows = f"follows {o.figure}" if o.figure else "updated by hand"
            line(f"  Objective {o.id}: {o.title} — {_number(o.current, o.figure)} of "
                 f"{_number(o.target, o.figure)} (from {_number(o.baseline, o.figure)}) by "
                 f"{o.due_on}, {_percent(o.progress)} "
                 f"{o.state}; {follows}")  # fmt: skip
            if o.comment:
                line(f"    note ({o.updated_on}): {o.comment}")
            for a in o.actions:
                late = " OVERDUE" if a.overdue else ""
                dept = f" ({a.owner_department})" if a.owner_department else ""
                about = f", with {a.contact}" if a.contact else ""
                line(f"    Action {a.id}: {a.title} — {a.owner or 'nobody'}{dept}, "
                     f"due {a.due_on}, {a.status}{late}{about}")  # fmt: skip
    for c in plan.comments:
        line()
        line(f"Comment by {c.by_name or c.by} ({c.at[:10]}): {c.text}")


def _show(plan: PlanView, json_: bool, said: str) -> None:
    output.show_written(plan, json_=json_, said=said)


@app.command("show")
def show(
    account: Account, year: Year = None, as_of: AsOfOption = None, json_: JsonOption = False
) -> None:
    """Show the account's plan: progress as of today (or --as-of), goals, objectives, actions."""
    from kam.services.plans import get_plan

    with reading() as (session, _actor):
        plan = get_plan(session, account, fiscal_year=year, as_of=as_of)
    output.show_record(plan, json_=json_, table=lambda: print_plan(plan))


@app.command("edit")
def edit(
    account: Account,
    situation: Annotated[
        str | None, typer.Option(help="The customer's strategy and priorities, in their words.")
    ] = None,
    strength: Annotated[list[str] | None, typer.Option(help="A strength (repeatable).")] = None,
    weakness: Annotated[list[str] | None, typer.Option(help="A weakness (repeatable).")] = None,
    opportunity: Annotated[
        list[str] | None, typer.Option(help="An opportunity (repeatable).")
    ] = None,
    threat: Annotated[list[str] | None, typer.Option(help="A threat (repeatable).")] = None,
    year: Year = None,
    if_version: Annotated[
        int | None, typer.Option(help="Refuse (exit 3) unless the plan is still at this version.")
    ] = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Write the plan's situation and SWOT lists; each list given replaces the stored one."""
    from kam.services.plans import set_plan_text

    fields = {
        k: v
        for k, v in (
            ("situation", situation),
            ("strengths", strength),
            ("weaknesses", weakness),
            ("opportunities", opportunity),
            ("threats", threat),
        )  # fmt: skip
        if v is not None
    }
    if not fields:
        raise typer.BadParameter(
            "nothing to change.",
            param_hint=["--situation", "--strength", "--weakness", "--opportunity", "--threat"],
        )
    with writing(dry_run=dry_run) as (session, actor):
        plan = set_plan_text(session, actor, account, fiscal_year=year,
                             expected_version=if_version, **fields)  # fmt: skip
    _show(plan, json_, f"Plan {plan.period} of '{plan.customer}' saved (version {plan.version}).")


@goal.command("add")
def goal_add(
    account: Account,
    title: Annotated[str, typer.Argument(help="What we want with this customer.")],
    owner: Annotated[str | None, typer.Option(help="The goal's owner (a kam login).")] = None,
    year: Year = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Add a goal to the account's plan (made on the first goal)."""
    from kam.services.plans import add_goal

    with writing(dry_run=dry_run) as (session, actor):
        plan = add_goal(session, actor, account, fiscal_year=year, title=title, owner=owner)
    _show(plan, json_, f"Goal {plan.goals[-1].id} added to the {plan.period} plan.")


@goal.command("edit")
def goal_edit(
    goal_id: Annotated[int, typer.Argument(help="The goal's id (see `kam plan show`).")],
    title: Annotated[str | None, typer.Option(help="A new title.")] = None,
    owner: Annotated[str | None, typer.Option(help="A new owner (a kam login).")] = None,
    status: Annotated[GoalStatus | None, typer.Option(help="Achieved, dropped...")] = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Change a goal's title, owner or status."""
    from kam.services.plans import update_goal

    fields = {k: v for k, v in (("title", title), ("owner", owner), ("status", status))
              if v is not None}  # fmt: skip
    if not fields:
        raise typer.BadParameter(
            "nothing to change.", param_hint=["--title", "--owner", "--status"]
        )
    with writing(dry_run=dry_run) as (session, actor):
        plan = update_goal(session, actor, goal_id, **fields)
    _show(plan, json_, f"Goal {goal_id} saved.")


@objective.command("add")
def objective_add(
    goal_id: Annotated[int, typer.Argument(help="The goal's id.")],
    title: Annotated[str, typer.Argument(help="What is measured.")],
    target: Annotated[
        float, number_option("The value to reach (a share of wallet as a fraction: 0.35 for 35 %).")
    ],
    due: Annotated[date, date_option("The date to reach it by.", "--due")],
    figure: Annotated[
        PlanFigure | None, typer.Option(help="A kam figure the progress follows.")
    ] = None,
    baseline: Annotated[
        float | None, number_option("Where it stands now (default: the figure now, or 0).")
    ] = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Add a measurable objective to a goal."""
    from kam.services.plans import add_objective

    with writing(dry_run=dry_run) as (session, actor):
        plan = add_objective(session, actor, goal_id, title=title, target=target, due_on=due,
                             figure=figure, baseline=baseline)  # fmt: skip
    _show(plan, json_, f"Objective added to goal {goal_id}.")


@objective.command("update")
def objective_update(
    objective_id: Annotated[int, typer.Argument(help="The objective's id.")],
    value: Annotated[
        float | None, number_option("Where it stands now (objectives without a figure).")
    ] = None,
    comment: Annotated[str | None, typer.Option(help="What happened (with --value).")] = None,
    target: Annotated[float | None, number_option("A new target.")] = None,
    due: Annotated[date | None, date_option("A new date.", "--due")] = None,
    title: Annotated[str | None, typer.Option(help="A new title.")] = None,
    dropped: Annotated[
        bool | None,
        typer.Option(
            "--drop/--restore",
            help="Mark it dropped (added by mistake, or no longer pursued: it stays in the plan "
            "and counts in no progress), or take a dropped one up again.",
        ),
    ] = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Record an objective's progress by hand, change its target, date or title, or drop it."""
    from kam.services.plans import update_objective

    fields = {k: v for k, v in (("current", value), ("comment", comment), ("target", target),
                                ("due_on", due), ("title", title), ("dropped", dropped))
              if v is not None}  # fmt: skip
    if not fields:
        raise typer.BadParameter(
            "nothing to change.",
            param_hint=["--value", "--target", "--due", "--title", "--drop", "--restore"],
        )
    with writing(dry_run=dry_run) as (session, actor):
        plan = update_objective(session, actor, objective_id, **fields)
    _show(plan, json_, f"Objective {objective_id} saved.")


#: An action's owner outside kam: a named person and their department.
OwnerNameOption = Annotated[
    str | None, typer.Option(help="Or: a named person outside kam (with --department).")
]
DepartmentOption = Annotated[Department | None, typer.Option(help="The named person's department.")]


@action.command("add")
def action_add(
    objective_id: Annotated[int, typer.Argument(help="The objective's id.")],
    title: Annotated[str, typer.Argument(help="What is to be done.")],
    due: Annotated[date, date_option("By when.", "--due")],
    owner: Annotated[str | None, typer.Option(help="Who does it (a kam login).")] = None,
    owner_name: OwnerNameOption = None,
    department: DepartmentOption = None,
    commitment: Annotated[
        int | None, typer.Option(help="The commitment to the customer this action keeps.")
    ] = None,
    contact: Annotated[
        int | None, typer.Option(help="The person at the customer it addresses (contact id).")
    ] = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Add an action to an objective."""
    from kam.services.plans import add_action

    with writing(dry_run=dry_run) as (session, actor):
        plan = add_action(session, actor, objective_id, title=title, due_on=due, owner=owner,
                          owner_name=owner_name, owner_department=department,
                          commitment=commitment, contact=contact)  # fmt: skip
    _show(plan, json_, f"Action added to objective {objective_id}.")


@action.command("update")
def action_update(
    action_id: Annotated[int, typer.Argument(help="The action's id.")],
    status: Annotated[ActionStatus | None, typer.Option(help="Its new status.")] = None,
    due: Annotated[date | None, date_option("A new date.", "--due")] = None,
    title: Annotated[str | None, typer.Option(help="A new title.")] = None,
    owner: Annotated[str | None, typer.Option(help="A new owner (a kam login).")] = None,
    owner_name: OwnerNameOption = None,
    department: DepartmentOption = None,
    contact: Annotated[int | None, typer.Option(help="The contact it addresses.")] = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Change an action's status, date, title, owner or the person it addresses."""
    from kam.services.plans import update_action

    given = (("status", status), ("due_on", due), ("title", title), ("owner", owner),
             ("owner_name", owner_name), ("owner_department", department),
             ("contact", contact))  # fmt: skip
    fields = {k: v for k, v in given if v is not None}
    if not fields:
        raise typer.BadParameter(
            "nothing to change.",
            param_hint=["--status", "--due", "--title", "--owner", "--owner-name"],
        )
    with writing(dry_run=dry_run) as (session, actor):
        plan = update_action(session, actor, action_id, **fields)
    _show(plan, json_, f"Action {action_id} saved.")


@action.command("done")
def action_done(
    action_id: Annotated[int, typer.Argument(help="The action's id.")],
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Mark an action done, today."""
    from kam.services.plans import complete_action

    with writing(dry_run=dry_run) as (session, actor):
        plan = complete_action(session, actor, action_id)
    _show(plan, json_, f"Action {action_id} done.")


@app.command("comment")
def comment(
    account: Account,
    text: Annotated[str, typer.Argument(help="The comment.")],
    year: Year = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Comment on the account's plan (executives, its manager, admins)."""
    from kam.services.plans import comment_plan

    with writing(dry_run=dry_run) as (session, actor):
        plan = comment_plan(session, actor, account, text=text, fiscal_year=year)
    _show(plan, json_, f"Comment added to the {plan.period} plan of '{plan.customer}'.")


@app.command("carry")
def carry(
    account: Account,
    goal_ids: Annotated[list[int], typer.Option("--goal", help="A goal to carry (repeatable).")],
    to_year: Annotated[
        int | None, typer.Option(help="The year to carry into (default: next year).")
    ] = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Carry open goals, with their unfinished objectives and open actions, into a later plan."""
    from kam.services.plans import carry_goals

    with writing(dry_run=dry_run) as (session, actor):
        plan = carry_goals(session, actor, account, goals=goal_ids, to_year=to_year)
    _show(plan, json_, f"{len(goal_ids)} goal(s) carried into the {plan.period} plan.")
