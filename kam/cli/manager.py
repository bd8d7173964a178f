"""`kam manager ...`: key account managers' skills, training, assignments and load."""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated

import typer

from kam.cli import output
from kam.cli.context import reading, writing
from kam.cli.params import CsvOption, DryRunOption, JsonOption, date_option

app = typer.Typer(
    help="Key account managers: skills, training, assignment (within the limit), load.",
    no_args_is_help=True,
)

LIST_COLUMNS = [
    ("Login", "login"),
    ("Name", "display_name"),
    ("Load", "load"),
    ("Finance", "finance"),
    ("Consulting", "consulting"),
    ("Planning", "planning"),
    ("Interpersonal", "interpersonal"),
    ("Influence", "influence"),
    ("Courses", "courses"),
    ("Accounts", "accounts"),
]

Score = Annotated[int | None, typer.Option(help="Score 1 (novice) to 5 (expert).")]
SKILLS = ("finance", "consulting", "planning", "interpersonal", "influence")


@app.command("skills")
def skills(
    login: Annotated[str, typer.Argument(metavar="USER", help="The manager's login.")],
    finance: Score = None,
    consulting: Score = None,
    planning: Score = None,
    interpersonal: Score = None,
    influence: Score = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Set a manager's skill scores (admins); only the skills given change."""
    from kam.services.managers import set_skills

    values = (finance, consulting, planning, interpersonal, influence)
    given = {name: value for name, value in zip(SKILLS, values, strict=True) if value is not None}
    if not given:
        raise typer.BadParameter(
            "give at least one skill score, e.g. --finance 4.",
            param_hint=[f"--{skill}" for skill in SKILLS],
        )
    with writing(dry_run=dry_run) as (session, actor):
        view = set_skills(session, actor, login, **given)
    scores = ", ".join(f"{k} {v if v is not None else '-'}" for k, v in view.skills.items())
    output.show_written(
        view, json_=json_, said=f"Skills of {view.display_name} ({view.login}): {scores}."
    )


@app.command("train")
def train(
    login: Annotated[str, typer.Argument(metavar="USER", help="The manager's login.")],
    course: Annotated[str, typer.Option(help="The course taken.")],
    on: Annotated[date, date_option("When it was taken.", "--date")],
    note: Annotated[str, typer.Option(help="A note on the course.")] = "",
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Record a course a manager took (admins)."""
    from kam.services.managers import add_training

    with writing(dry_run=dry_run) as (session, actor):
        view = add_training(session, actor, login, course=course, on=on, note=note)
    output.show_written(
        view,
        json_=json_,
        said=f"Recorded '{view.course}' for {view.login} on {view.taken_on.isoformat()}.",
    )


@app.command("assign")
def assign(
    account: Annotated[str, typer.Argument(help="The key account's customer name.")],
    login: Annotated[str, typer.Argument(metavar="USER", help="The manager's login.")],
    if_version: Annotated[
        int | None,
        typer.Option(help="Refuse (exit 3) unless the account is still at this version."),
    ] = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Make a manager run a key account (admins; at most manager_limit each; warns on skills)."""
    from kam.services.managers import assign_manager

    with writing(dry_run=dry_run) as (session, actor):
        result = assign_manager(session, actor, account, login, expected_version=if_version)
    if result.warning:
        output.info(f"Warning: {result.warning}")
    view = result.account
    output.show_written(
        result,
        json_=json_,
        said=f"'{view.customer}' is managed by {view.manager_name} ({view.manager}); "
        f"now version {view.version}.",
    )


@app.command("show")
def show(
    login: Annotated[str, typer.Argument(metavar="USER", help="The manager's login.")],
    json_: JsonOption = False,
) -> None:
    """One manager's skills, training and accounts."""
    from kam.services.managers import manager_profile

    with reading() as (session, _actor):
        view = manager_profile(session, login)

    def for_people() -> None:
        output.print_record(
            {
                "login": view.login,
                "name": view.display_name,
                "title": view.title,
                **{skill: score for skill, score in view.skills.items()},
                "load": f"{view.load}/{view.limit}",
                "accounts": ", ".join(view.accounts),
                "warning": view.warning,
            }
        )
        sys.stdout.write("\nTraining:\n")
        output.print_table(
            view.trainings, [("Date", "taken_on"), ("Course", "course"), ("Note", "note")]
        )

    output.show_record(view, json_=json_, table=for_people)


@app.command("list")
def list_managers(json_: JsonOption = False, csv_: CsvOption = False) -> None:
    """Managers with their skills, courses and load against the manager limit."""
    from kam.services.managers import ManagerProfileView, manager_profiles

    with reading() as (session, _actor):
        views = manager_profiles(session)
    rows = [
        {
            "login": v.login,
            "display_name": v.display_name,
            "load": f"{v.load}/{v.limit}",
            **v.skills,
            "courses": len(v.trainings),
            "accounts": ", ".join(v.accounts),
        }
        for v in views
    ]
    output.show_list(
        views,
        json_=json_,
        csv_=csv_,
        keys=output.keys_of(ManagerProfileView),
        table=lambda: output.print_table(rows, LIST_COLUMNS),
    )


@app.command("scorecard")
def scorecard(
    login: Annotated[
        str | None,
        typer.Argument(metavar="[USER]", help="Only this manager (a manager: only themself)."),
    ] = None,
    as_of: Annotated[date | None, date_option("Score as of this date (default today).")] = None,
    json_: JsonOption = False,
    csv_: CsvOption = False,
) -> None:
    """Per manager: accounts, portfolio CLV and T12M profit with their change, health mix,
    overdue commitments and visits, reviews on time (executives and admins see every
    manager; a manager sees their own)."""
    from kam.cli.scorecards import show_scorecard

    show_scorecard("manager", login, as_of, json_=json_, csv_=csv_)
