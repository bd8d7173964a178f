"""`kam sponsor ...`: executive sponsors, their visits, and the visits that are overdue."""

from __future__ import annotations

from typing import Annotated

import typer

from kam.cli import output
from kam.cli.context import DryRunOption, JsonOption, reading, writing
from kam.cli.params import parse_date
from kam.rules import clock

app = typer.Typer(
    help="Executive sponsors: assign (within the limit), record visits, list overdue visits.",
    no_args_is_help=True,
)

OVERDUE_COLUMNS = [
    ("Customer", "customer"),
    ("Status", "status"),
    ("Sponsor", "sponsor"),
    ("Last visit", "last_visit"),
    ("Days since", "days_since"),
    ("Due", "due_on"),
    ("Days overdue", "days_overdue"),
]
LIST_COLUMNS = [
    ("Login", "login"),
    ("Name", "display_name"),
    ("Title", "title"),
    ("Sponsors", "load"),
    ("Accounts", "accounts"),
]


@app.command("assign")
def assign(
    account: Annotated[str, typer.Argument(help="The key account's customer name.")],
    executive: Annotated[str, typer.Argument(help="The executive's login.")],
    if_version: Annotated[
        int | None,
        typer.Option(help="Refuse (exit 3) unless the account is still at this version."),
    ] = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Make an executive the sponsor of a key account (admins; at most sponsor_limit each)."""
    from kam.services.sponsors import assign_sponsor

    with writing(dry_run=dry_run) as (session, actor):
        view = assign_sponsor(session, actor, account, executive, expected_version=if_version)
    if json_:
        output.print_json(view.to_dict())
    else:
        output.info(
            f"'{view.customer}' is sponsored by {view.sponsor_name} ({view.sponsor}); "
            f"now version {view.version}."
        )


@app.command("visit")
def visit(
    account: Annotated[str, typer.Argument(help="The key account's customer name.")],
    on: Annotated[str, typer.Option("--date", help="The day of the visit, YYYY-MM-DD.")],
    notes: Annotated[str, typer.Option(help="What was discussed and agreed.")],
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Record a sponsor visit (the account's sponsor, or an admin on their behalf)."""
    from kam.services.sponsors import record_visit

    when = parse_date(on)
    assert when is not None
    with writing(dry_run=dry_run) as (session, actor):
        view = record_visit(session, actor, account, on=when, notes=notes)
    if json_:
        output.print_json(view.to_dict())
    else:
        output.info(f"Recorded the sponsor visit to '{view.customer}' on {when.isoformat()}.")


@app.command("overdue")
def overdue(
    as_of: Annotated[
        str | None, typer.Option(help="Count as of this date, YYYY-MM-DD (default today).")
    ] = None,
    json_: JsonOption = False,
) -> None:
    """Active accounts whose sponsor visit is overdue (more than visit_days since the last)."""
    from kam.services.sponsors import overdue_visits

    when = clock.on_or_today(parse_date(as_of))
    with reading() as (session, _actor):
        views = overdue_visits(session, as_of=when)
    if json_:
        output.print_json([v.to_dict() for v in views])
    else:
        output.print_table(views, OVERDUE_COLUMNS)


@app.command("list")
def list_sponsors(json_: JsonOption = False) -> None:
    """Executives with the open key accounts they sponsor, against the sponsor limit."""
    from kam.services.sponsors import list_sponsors as list_

    with reading() as (session, _actor):
        views = list_(session)
    if json_:
        output.print_json([v.to_dict() for v in views])
        return
    output.print_table(
        [
            {
                "login": v.login,
                "display_name": v.display_name,
                "title": v.title,
                "load": f"{v.count}/{v.limit}",
                "accounts": ", ".join(v.accounts),
            }
            for v in views
        ],
        LIST_COLUMNS,
    )
