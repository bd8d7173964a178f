"""`kam review ...` and `kam practice ...`: periodic benchmark reviews and best practices."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from db.enums import ReviewDecision
from kam.cli import output
from kam.cli.account import _pairs
from kam.cli.context import DryRunOption, JsonOption, reading, writing
from kam.cli.params import parse_date
from kam.rules import clock

app = typer.Typer(
    help="Periodic reviews against the criteria and the other key accounts.", no_args_is_help=True
)
practice = typer.Typer(help="Best practices, linkable from reviews.", no_args_is_help=True)


@app.command("due")
def due(
    as_of: Annotated[str | None, typer.Option(help="As of this date (default today).")] = None,
    within: Annotated[int, typer.Option(min=0, help="Also those due within N days.")] = 30,
    json_: JsonOption = False,
) -> None:
    """Reviews due and overdue, most overdue first."""
    from kam.services.reviews import reviews_due

    with reading() as (session, _actor):
        views = reviews_due(session, as_of=clock.on_or_today(parse_date(as_of)), within_days=within)
    if json_:
        output.print_json([v.to_dict() for v in views])
    else:
        output.print_table(
            views,
            [
                ("Customer", "customer"),
                ("Status", "status"),
                ("Manager", "manager"),
                ("Due", "next_review_on"),
                ("Days overdue", "days_overdue"),
            ],
        )


@app.command("record")
def record(
    name: Annotated[str, typer.Argument(help="The account's customer name.")],
    perceived: Annotated[
        int, typer.Option(min=1, max=10, help="Customer's perceived service, 1-10.")
    ],  # noqa: E501
    expected: Annotated[
        int, typer.Option(min=1, max=10, help="Customer's expected service, 1-10.")
    ],  # noqa: E501
    decision: Annotated[ReviewDecision, typer.Option(help="retain, watch or retire.")],
    score: Annotated[
        list[str] | None, typer.Option(help="CRITERION=1..5 (manual).", show_default=False)
    ] = None,  # noqa: E501
    comment: Annotated[
        list[str] | None, typer.Option(help="CRITERION=TEXT.", show_default=False)
    ] = None,  # noqa: E501
    check: Annotated[
        list[str] | None,
        typer.Option(help="A checklist item done (repeatable).", show_default=False),
    ] = None,  # noqa: E501
    practice_: Annotated[
        list[str] | None,
        typer.Option("--practice", help="Link a best practice by title.", show_default=False),
    ] = None,  # noqa: E501
    notes: Annotated[str, typer.Option(help="Notes.")] = "",
    on: Annotated[str | None, typer.Option("--date", help="Review date (default today).")] = None,
    next_review: Annotated[
        str | None, typer.Option(help="Next review (default + review_days).")
    ] = None,  # noqa: E501
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Record a review: re-score, snapshot the metrics, benchmark, decide (manager or admin)."""
    from kam.services.reviews import record_review

    scores, comments = _pairs(score, "--score"), _pairs(comment, "--comment")
    manual = {}
    for key, value in scores.items():
        if not value.isdigit():
            raise typer.BadParameter(
                f"{key}: '{value}' is not a whole number.", param_hint="--score"
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
            reviewed_on=parse_date(on),
            next_review_on=parse_date(next_review),
        )
    if json_:
        output.print_json(view.to_dict())
    else:
        print_review(view)


def print_review(view: object) -> None:
    """One review for people, with the benchmark comparison beside it."""
    from kam.services.reviews import BENCHMARKS, ReviewView

    assert isinstance(view, ReviewView)
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


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="The account's customer name.")],
    all_: Annotated[bool, typer.Option("--all", help="Every review, newest first.")] = False,
    json_: JsonOption = False,
) -> None:
    """Show an account's latest review (or all of them)."""
    from kam.errors import NotFound
    from kam.services.reviews import list_reviews

    with reading() as (session, _actor):
        views = list_reviews(session, name)
    if not views:
        raise NotFound(f"'{name}' has not been reviewed yet; `kam review record` records one.")
    chosen = views if all_ else views[:1]
    if json_:
        output.print_json([v.to_dict() for v in chosen] if all_ else chosen[0].to_dict())
        return
    for view in chosen:
        print_review(view)
        sys.stdout.write("\n")


@practice.command("add")
def add_practice(
    title: Annotated[str, typer.Argument(help="A short title.")],
    description: Annotated[str, typer.Option(help="What the practice is.")] = "",
    source: Annotated[str, typer.Option(help="Where it was found.")] = "",
    tag: Annotated[
        list[str] | None, typer.Option(help="A tag (repeatable).", show_default=False)
    ] = None,  # noqa: E501
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Record a best practice (managers and admins)."""
    from kam.services.practices import add_practice as run

    with writing(dry_run=dry_run) as (session, actor):
        view = run(
            session, actor, title=title, description=description, source=source, tags=tag or []
        )
    if json_:
        output.print_json(view.to_dict())
    else:
        output.info(f"Recorded '{view.title}'.")


@practice.command("list")
def list_practices(
    tag: Annotated[str | None, typer.Option(help="Only practices with this tag.")] = None,
    json_: JsonOption = False,
) -> None:
    """List best practices."""
    from kam.services.practices import list_practices as run

    with reading() as (session, _actor):
        views = run(session, tag=tag)
    if json_:
        output.print_json([v.to_dict() for v in views])
    else:
        rows = [{**v.to_dict(), "tags": ", ".join(v.tags)} for v in views]
        output.print_table(
            rows,
            [
                ("Title", "title"),
                ("Source", "source"),
                ("Tags", "tags"),
                ("Description", "description"),
            ],
        )
