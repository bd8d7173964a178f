"""`kam complaint ...`: recorded, handled, verified, fed back; none missed, no step skipped."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from db.enums import ComplaintStatus, Severity
from kam.cli import output
from kam.cli.context import reading, writing
from kam.cli.params import CsvOption, DryRunOption, JsonOption, date_option

app = typer.Typer(
    help="Complaints: list, add, update, and advance through handled, verified, fed back.",
    no_args_is_help=True,
)

COLUMNS = [
    ("Id", "id"),
    ("Recorded", "recorded_on"),
    ("Severity", "severity"),
    ("Status", "status"),
    ("Owner", "owner"),
    ("Summary", "summary"),
]

Customer = Annotated[str, typer.Argument(help="The customer's name or code.")]
ComplaintId = Annotated[int, typer.Argument(help="The complaint's id (see `kam complaint list`).")]
Resolution = Annotated[str | None, typer.Option(help="How it was resolved.")]


@app.command("list")
def list_(customer: Customer, json_: JsonOption = False, csv_: CsvOption = False) -> None:
    """List a customer's complaints, newest first."""
    from kam.services.complaints import list_complaints
    from kam.views import ComplaintView

    with reading() as (session, _actor):
        views = list_complaints(session, customer)
    output.show_list(views, COLUMNS, json_=json_, csv_=csv_, keys=output.keys_of(ComplaintView))


@app.command("add")
def add(
    customer: Customer,
    summary: Annotated[str, typer.Argument(help="What the customer complains about.")],
    severity: Annotated[Severity, typer.Option(help="How serious it is.")],
    recorded_on: Annotated[
        date | None, date_option("When it was received (default today).", "--recorded-on")
    ] = None,
    owner: Annotated[
        str | None, typer.Option(help="The kam login who handles it (default: you).")
    ] = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Record a complaint (the account's manager or an admin)."""
    from kam.services.complaints import record_complaint

    with writing(dry_run=dry_run) as (session, actor):
        view = record_complaint(session, actor, customer, summary=summary, severity=severity,
                                recorded_on=recorded_on, owner=owner)  # fmt: skip
    output.show_written(view, json_=json_, said=f"Recorded complaint {view.id} ({view.severity}).")


@app.command("update")
def update(
    complaint_id: ComplaintId,
    summary: Annotated[str | None, typer.Option(help="What it is about.")] = None,
    severity: Annotated[Severity | None, typer.Option(help="How serious it is.")] = None,
    resolution: Resolution = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Correct a complaint's summary, severity or resolution (the status moves by advance).

    Only the options given change.
    """
    from kam.services.complaints import update_complaint

    given = {"summary": summary, "severity": severity, "resolution": resolution}
    fields = {k: v for k, v in given.items() if v is not None}
    if not fields:
        raise typer.BadParameter("nothing to change: give at least one option (see --help).")
    with writing(dry_run=dry_run) as (session, actor):
        view = update_complaint(session, actor, complaint_id, **fields)
    output.show_written(view, json_=json_, said=f"Saved complaint {view.id}.")


@app.command("advance")
def advance(
    complaint_id: ComplaintId,
    to: Annotated[
        ComplaintStatus,
        typer.Option(help="The next step (handled, then verified, then fed_back)."),
    ],
    on: Annotated[date | None, date_option("When (default today).", "--on")] = None,
    resolution: Resolution = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Move a complaint to its next step; skipping a step or going back is refused."""
    from kam.services.complaints import advance_complaint

    with writing(dry_run=dry_run) as (session, actor):
        view = advance_complaint(session, actor, complaint_id, to=to, on=on, resolution=resolution)
    said = f"Complaint {view.id} is {view.status.replace('_', ' ')}."
    output.show_written(view, json_=json_, said=said)
