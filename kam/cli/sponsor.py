"""`kam sponsor ...`: executive sponsors, their visits, and the visits that are overdue."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from kam.cli import output
from kam.cli.context import reading, writing
from kam.cli.params import CsvOption, DryRunOption, JsonOption, date_option
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
    output.show_written(
        view,
        json_=json_,
        said=f"'{view.customer}' is sponsored by {view.sponsor_name} ({view.sponsor}); "
        f"now version {view.version}.",
    )


@app.command("visit")
def visit(
    account: Annotated[str, typer.Argument(help="The key account's customer name.")],
    on: Annotated[date, date_option("The day of the visit.", "--date")],
    notes: Annotated[str, typer.Option(help="What was discussed and agreed.")],
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Record a sponsor visit (the account's sponsor, or an admin on their behalf)."""
    from kam.services.sponsors import record_visit

    with writing(dry_run=dry_run) as (session, actor):
        view = record_visit(session, actor, account, on=on, notes=notes)
    output.show_written(
        view,
        json_=json_,
        said=f"Recorded the sponsor visit to '{view.customer}' on {on.isoformat()}.",
    )


@app.command("overdue")
def overdue(
    as_of: Annotated[date | None, date_option("Count as of this date (default today).")] = None,
    json_: JsonOption = False,
    csv_: CsvOption = False,
) -> None:
    """Active accounts whose sponsor visit is overdue (more than visit_days since the last)."""
    from kam.services.sponsors import OverdueVisitView, overdue_visits

    when = clock.on_or_today(as_of)
    with reading() as (session, _actor):
        views = overdue_visits(session, as_of=when)
    output.show_list(
        views,
        OVERDUE_COLUMNS,
        json_=json_,
        csv_=csv_,
        context={"as_of": when},
        keys=output.keys_of(OverdueVisitView),
    )


@app.command("list")
def list_sponsors(json_: JsonOption = False, csv_: CsvOption = False) -> None:
    """Executives with the open key accounts they sponsor, against the sponsor limit."""
    from kam.services.sponsors import SponsorView
    from kam.services.sponsors import list_sponsors as list_

    with reading() as (session, _actor):
        views = list_(session)
    rows = [
        {
            "login": v.login,
            "display_name": v.display_name,
            "title": v.title,
            "load": f"{v.count}/{v.limit}",
            "accounts": ", ".join(v.accounts),
        }
        for v in views
    ]
    output.show_list(
        views,
        json_=json_,
        csv_=csv_,
        keys=output.keys_of(SponsorView),
        table=lambda: output.print_table(rows, LIST_COLUMNS),
    )


@app.command("scorecard")
def scorecard(
    login: Annotated[
        str | None, typer.Argument(metavar="[USER]", help="Only this sponsor.")
    ] = None,
    as_of: Annotated[date | None, date_option("Score as of this date (default today).")] = None,
    json_: JsonOption = False,
    csv_: CsvOption = False,
) -> None:
    """Per executive sponsor: accounts, portfolio CLV and T12M profit with their change,
    health mix, overdue commitments and visits, visits on time (executives and admins)."""
    from kam.cli.scorecards import show_scorecard

    show_scorecard("sponsor", login, as_of, json_=json_, csv_=csv_)
