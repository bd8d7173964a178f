"""`kam interaction ...`: visits, calls, meetings, emails and executive visits."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer

from db.enums import InteractionKind
from kam.cli import output
from kam.cli.context import reading, writing
from kam.cli.params import CsvOption, DryRunOption, JsonOption, date_option
from kam.text import a_or_an

app = typer.Typer(
    help="Visits, calls, meetings, emails and executive visits: list, add, update.",
    no_args_is_help=True,
)

COLUMNS = [
    ("Id", "id"),
    ("Date", "happened_on"),
    ("Kind", "kind"),
    ("Ours", "our_people"),
    ("Theirs", "their_people"),
    ("Contacts", "contacts"),
    ("Summary", "summary"),
    ("Logged by", "logged_by"),
]

Customer = Annotated[str, typer.Argument(help="The customer's name or code.")]
Ours = Annotated[str | None, typer.Option("--ours", help="Who took part on our side.")]
Theirs = Annotated[
    str | None, typer.Option("--theirs", help="Who took part on theirs (free text).")
]
Summary = Annotated[str | None, typer.Option(help="What was said and agreed.")]
Contacts = Annotated[
    list[int] | None,
    typer.Option(
        "--contact",
        help="Id of a contact who took part (repeatable; see `kam contact list`).",
        show_default=False,
    ),
]


def _fields(**given: Any) -> dict[str, Any]:
    names = {"ours": "our_people", "theirs": "their_people", "on": "happened_on"}
    return {names.get(k, k): v for k, v in given.items() if v is not None}


@app.command("list")
def list_(
    customer: Customer,
    contact: Annotated[
        int | None, typer.Option(help="Only those this contact took part in (an id).")
    ] = None,
    json_: JsonOption = False,
    csv_: CsvOption = False,
) -> None:
    """List a customer's interactions, newest first."""
    from kam.services.interactions import list_interactions
    from kam.views import InteractionView

    with reading() as (session, _actor):
        views = list_interactions(session, customer, contact_id=contact)
    output.show_list(views, COLUMNS, json_=json_, csv_=csv_, keys=output.keys_of(InteractionView))


@app.command("add")
def add(
    customer: Customer,
    kind: Annotated[InteractionKind, typer.Option(help="What it was.")],
    on: Annotated[date, date_option("When it happened.", "--date")],
    ours: Ours = None,
    theirs: Theirs = None,
    summary: Summary = None,
    contact: Contacts = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Log an interaction (the account's manager or an admin).

    An executive visit may also be logged by the account's sponsor.
    """
    from kam.services.interactions import log_interaction

    fields = _fields(kind=kind, on=on, ours=ours, theirs=theirs, summary=summary)
    with writing(dry_run=dry_run) as (session, actor):
        view = log_interaction(session, actor, customer, contacts=contact or [], **fields)
    said = f"Logged {a_or_an(view.kind)} on {view.happened_on} (interaction {view.id})."
    output.show_written(view, json_=json_, said=said)


@app.command("update")
def update(
    interaction_id: Annotated[
        int, typer.Argument(help="The interaction's id (see `kam interaction list`).")
    ],
    on: Annotated[date | None, date_option("When it happened.", "--date")] = None,
    ours: Ours = None,
    theirs: Theirs = None,
    summary: Summary = None,
    contact: Contacts = None,
    no_contacts: Annotated[
        bool, typer.Option("--no-contacts", help="No contact took part (clears them).")
    ] = False,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Correct an interaction's date, people or summary.

    Only the options given change; --contact replaces the contacts who took part.
    """
    from kam.services.interactions import update_interaction

    if contact and no_contacts:
        raise typer.BadParameter(
            "give one or the other, not both.", param_hint=["--contact", "--no-contacts"]
        )
    fields = _fields(on=on, ours=ours, theirs=theirs, summary=summary)
    if contact or no_contacts:
        fields["contacts"] = list(contact or [])
    if not fields:
        raise typer.BadParameter("nothing to change: give at least one option (see --help).")
    with writing(dry_run=dry_run) as (session, actor):
        view = update_interaction(session, actor, interaction_id, **fields)
    output.show_written(view, json_=json_, said=f"Saved interaction {view.id}.")
