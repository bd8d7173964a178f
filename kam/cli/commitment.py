"""`kam commitment ...`: promises made to a customer, so none gets lost."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer

from db.enums import CommitmentStatus, Department
from kam.cli import output
from kam.cli.context import reading, writing
from kam.cli.params import AsOfOption, CsvOption, DryRunOption, JsonOption, date_option

app = typer.Typer(
    help="Promises made to a customer: list, add, update (done, broken).", no_args_is_help=True
)

COLUMNS = [
    ("Id", "id"),
    ("Due", "due_on"),
    ("Status", "status"),
    ("Overdue", "overdue"),
    ("Department", "department"),
    ("Made by", "made_by"),
    ("To", "contact"),
    ("Promise", "description"),
]

Customer = Annotated[str, typer.Argument(help="The customer's name or code.")]
DepartmentOpt = Annotated[Department, typer.Option(help="The department that must keep it.")]


@app.command("list")
def list_(
    customer: Customer, as_of: AsOfOption = None, json_: JsonOption = False, csv_: CsvOption = False
) -> None:  # fmt: skip
    """List a customer's commitments by due date (overdue: open past its due date)."""
    from kam.services.commitments import list_commitments
    from kam.views import CommitmentView

    with reading() as (session, _actor):
        views = list_commitments(session, customer, today=as_of)
    output.show_list(views, COLUMNS, json_=json_, csv_=csv_, keys=output.keys_of(CommitmentView))


@app.command("add")
def add(
    customer: Customer,
    description: Annotated[str, typer.Argument(help="What was promised.")],
    department: DepartmentOpt,
    due: Annotated[date, date_option("When it is due.", "--due")],
    made_by: Annotated[
        str | None, typer.Option(help="The kam login who made it (default: you).")
    ] = None,
    made_by_name: Annotated[
        str | None, typer.Option(help="Or the name of someone outside kam who made it.")
    ] = None,
    made_by_department: Annotated[
        Department | None, typer.Option(help="That person's department.")
    ] = None,
    contact: Annotated[int | None, typer.Option(help="Id of the contact it was made to.")] = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Record a promise made to a customer (the account's manager or an admin)."""
    from kam.services.commitments import add_commitment

    given = {"made_by": made_by, "made_by_name": made_by_name,
             "made_by_department": made_by_department, "contact": contact}  # fmt: skip
    fields: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    with writing(dry_run=dry_run) as (session, actor):
        view = add_commitment(
            session, actor, customer, description=description, department=department,
            due_on=due, **fields,
        )  # fmt: skip
    if view.warning and not json_:
        output.info(view.warning)
    said = f"Recorded commitment {view.id}, due {view.due_on}."
    output.show_written(view, json_=json_, said=said)


@app.command("update")
def update(
    commitment_id: Annotated[
        int, typer.Argument(help="The commitment's id (see `kam commitment list`).")
    ],
    description: Annotated[str | None, typer.Option(help="What was promised.")] = None,
    department: Annotated[
        Department | None, typer.Option(help="The department that must keep it.")
    ] = None,
    due: Annotated[date | None, date_option("When it is due.", "--due")] = None,
    status: Annotated[
        CommitmentStatus | None, typer.Option(help="done or broken closes it; open reopens it.")
    ] = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Change a commitment; only the options given change. Closing it stamps today's date."""
    from kam.services.commitments import update_commitment

    given = {"description": description, "department": department, "due_on": due,
             "status": status}  # fmt: skip
    fields = {k: v for k, v in given.items() if v is not None}
    if not fields:
        raise typer.BadParameter("nothing to change: give at least one option (see --help).")
    with writing(dry_run=dry_run) as (session, actor):
        view = update_commitment(session, actor, commitment_id, **fields)
    output.show_written(view, json_=json_, said=f"Saved commitment {view.id} ({view.status}).")
