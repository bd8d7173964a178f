"""`kam review ...` and `kam practice ...`: periodic benchmark reviews and best practices."""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from db.enums import ReviewDecision
from kam.cli import output
from kam.cli.context import reading, writing
from kam.cli.params import (
    AsOfOption,
    CsvOption,
    DryRunOption,
    JsonOption,
    criterion_pairs,
    date_option,
)
from kam.rules import clock

if TYPE_CHECKING:
    from kam.services.reviews import ReviewView

app = typer.Typer(
    help="Periodic reviews against the criteria and the other key accounts.", no_args_is_help=True
)
practice = typer.Typer(help="Best practices, linkable from reviews.", no_args_is_help=True)

DUE_COLUMNS = [
    ("Customer", "customer"),
    ("Status", "status"),
    ("Manager", "manager"),
    ("Due", "next_review_on"),
    ("Days overdue", "days_overdue"),
]
PRACTICE_COLUMNS = [
    ("Title", "title"),
    ("Source", "source"),
    ("Tags", "tags"),
    ("Description", "description"),
]


@app.command("due")
def due(
    as_of: AsOfOption = None,
    within: Annotated[int, typer.Option(min=0, help="Also those due within N days.")] = 30,
    json_: JsonOption = False,
    csv_: CsvOption = False,
) -> None:
    """Reviews due and overdue, most overdue first."""
    from kam.services.reviews import DueView, reviews_due

    when = clock.on_or_today(as_of)
    with reading() as (session, _actor):
        views = reviews_due(session, as_of=when, within_days=within)
    output.show_list(
        views,
        DUE_COLUMNS,
        json_=json_,
        csv_=csv_,
        context={"as_of": when},
        keys=output.keys_of(DueView),
    )


@app.command("record")
def record(
    name: Annotated[str, typer.Argument(help="The account's customer name.")],
    perceived: Annotated[
        int, typer.Option(min=1, max=10, help="Customer's perceived service, 1-10.")
    ],
    expected: Annotated[
        int, typer.Option(min=1, max=10, help="Customer's expected service, 1-10.")
    ],
    decision: Annotated[ReviewDecision, typer.Option(help="retain, watch or retire.")],
    score: Annotated[
        list[str] | None, typer.Option(help="CRITERION=1..5 (manual).", show_default=False)
    ] = None,
    comment: Annotated[
        list[str] | None, typer.Option(help="CRITERION=TEXT.", show_default=False)
    ] = None,
    check: Annotated[
        list[str] | None,
        typer.Option(help="A checklist item done (repeatable).", show_default=False),
    ] = None,
    practice_: Annotated[
        list[str] | None,
        typer.Option("--practice", help="Link a best practice by title.", show_default=False),
    ] = None,
    notes: Annotated[str, typer.Option(help="Notes.")] = "",
    on: Annotated[date | None, date_option("Review date (default today).", "--date")] = None,
    next_review: Annotated[date | None, date_option("Next review (default + review_days).")] = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Record a review: re-score, snapshot the metrics, benchmark, decide (manager or admin)."""
    from kam.services.reviews import record_review

    scores = criterion_pairs(score, "--score")
    comments = criterion_pairs(comment, "--comment")
    manual = {}
    for key, value in scores.items():
        if not value.isdigit():
            raise typer.BadParameter(
                f"{key}: '{value}' is not a whole number.", param_hint=["--score"]
            )
        manual[key] = (int(value), comments.get(key, ""))
    with writing(dry_run=dry_run) as (session, actor):
        view = record_review(
            session,
            actor,
            name,
            perceived=perceived,
            expected=expected,
            decision=decision,
            manual=manual,
            checklist=check or [],
            practices=practice_ or [],
            notes=notes,
            reviewed_on=on,
            next_review_on=next_review,
        )
    output.show_record(view, json_=json_, table=lambda: print_review(view))


def print_review(view: ReviewView) -> None:
    """One review for people, with the benchmark comparison beside it."""
    from kam.services.reviews import BENCHMARKS

    total = "incomplete" if view.total is None else f"{view.total:g}"
    sat = "" if view.satisfaction is None else f"{view.satisfaction:.2f}"
    output.print_record(
        {
            "customer": view.customer,
            "reviewed on": view.reviewed_on,
            "by": view.reviewed_by,
            "total": f"{total} (threshold {view.threshold:g})",
            "satisfaction": f"{sat} = perceived {view.perceived} / expected {view.expected}",
            "decision": view.decision,
            "recommendation": view.recommendation or "",
            "next review": view.next_review_on,
            "practices": ", ".join(view.practices),
            "checklist done": ", ".join(k for k, v in view.checklist.items() if v),
            "plan": plan_line(view.metrics.get("plan")),
        }
    )
    sys.stdout.write("\n")
    rows = [{"benchmark": name, **view.benchmark.get(name, {})} for name in BENCHMARKS]
    output.print_table(
        rows,
        [
            ("Benchmark", "benchmark"),
            ("Account", "account"),
            ("Median", "median"),
            ("Top quartile", "top_quartile"),
            ("Position", "position"),
        ],
    )
    plan = view.metrics.get("plan") or {}
    if plan.get("goals"):
        sys.stdout.write("\n")
        output.print_table(
            [
                {
                    "goal": g["title"],
                    "progress": _percent(g["progress"]),
                    **{state.replace(" ", "_"): n for state, n in g["objectives"].items()},
                }
                for g in plan["goals"]
            ],
            [
                ("Goal", "goal"),
                ("Progress", "progress"),
                ("On track", "on_track"),
                ("Behind", "behind"),
                ("Overdue", "overdue"),
                ("Done", "done"),
            ],
        )


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def plan_line(plan: dict[str, Any] | None) -> str:
    """The plan's progress as the review recorded it, in one line."""
    if not plan:
        return "not recorded (reviewed before kam kept it)"
    if not plan["exists"]:
        return f"no plan for {plan['period']}"
    counts = ", ".join(f"{n} {state}" for state, n in plan["objectives"].items() if n)
    late, goals = plan["overdue_actions"], len(plan["goals"])
    return (
        f"{plan['period']}: {_percent(plan['progress'])}, {goals} goal{'s' if goals != 1 else ''}"
        + (f" (objectives: {counts})" if counts else "")
        + (f", {late} action{'s' if late != 1 else ''} overdue" if late else "")
    )


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="The account's customer name.")],
    all_: Annotated[
        bool, typer.Option("--all", help="Every review, newest first: a list.")
    ] = False,
    json_: JsonOption = False,
    csv_: CsvOption = False,
) -> None:
    """Show an account's latest review (or, with --all, the list of all of them)."""
    from kam.errors import NotFound
    from kam.services.reviews import list_reviews

    with reading() as (session, _actor):
        views = list_reviews(session, name)
    if not views:
        raise NotFound(f"'{name}' has not been reviewed yet; `kam review record` records one.")
    chosen = views if all_ else views[:1]

    def for_people() -> None:
        for view in chosen:
            print_review(view)
            sys.stdout.write("\n")

    if all_ or csv_:
        output.show_list(
            chosen,
            json_=json_,
            csv_=csv_,
            total=len(views),
            more="--all for every row",
            table=for_people,
        )
    else:
        output.show_record(views[0], json_=json_, table=for_people)


@practice.command("add")
def add_practice(
    title: Annotated[str, typer.Argument(help="A short title.")],
    description: Annotated[str, typer.Option(help="What the practice is.")] = "",
    source: Annotated[str, typer.Option(help="Where it was found.")] = "",
    tag: Annotated[
        list[str] | None, typer.Option(help="A tag (repeatable).", show_default=False)
    ] = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Record a best practice (managers and admins)."""
    from kam.services.practices import add_practice as run

    with writing(dry_run=dry_run) as (session, actor):
        view = run(
            session, actor, title=title, description=description, source=source, tags=tag or []
        )
    output.show_written(view, json_=json_, said=f"Recorded '{view.title}'.")


@practice.command("list")
def list_practices(
    tag: Annotated[str | None, typer.Option(help="Only practices with this tag.")] = None,
    json_: JsonOption = False,
    csv_: CsvOption = False,
) -> None:
    """List best practices."""
    from kam.services.practices import PracticeView
    from kam.services.practices import list_practices as run

    with reading() as (session, _actor):
        views = run(session, tag=tag)
    rows = [{**v.to_dict(), "tags": ", ".join(v.tags)} for v in views]
    output.show_list(
        views,
        json_=json_,
        csv_=csv_,
        keys=output.keys_of(PracticeView),
        table=lambda: output.print_table(rows, PRACTICE_COLUMNS),
    )
