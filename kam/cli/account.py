"""`kam account ...`: the key accounts."""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated

import typer

from db.enums import AccountStatus
from kam.cli import output
from kam.cli.context import DryRunOption, JsonOption, reading, writing
from kam.cli.params import parse_date

app = typer.Typer(help="Key accounts: list, show, nominate and update.", no_args_is_help=True)

COLUMNS = [
    ("Customer", "customer"),
    ("Status", "status"),
    ("Manager", "manager"),
    ("Sponsor", "sponsor"),
    ("Next review", "next_review_on"),
    ("Version", "version"),
]


@app.command("list")
def list_accounts(
    status: Annotated[AccountStatus | None, typer.Option(help="Only this status.")] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Include retired and rejected accounts.")
    ] = False,
    json_: JsonOption = False,
) -> None:
    """List the key accounts (open ones unless --all or --status)."""
    from kam.services.accounts import list_accounts as list_

    with reading() as (session, _actor):
        views = list_(session, status=status, include_closed=all_)
    if json_:
        output.print_json([v.to_dict() for v in views])
    else:
        output.print_table(views, COLUMNS)


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="The customer's name.")],
    as_of: Annotated[
        str | None, typer.Option(help="Compute its worth as of this date (default today).")
    ] = None,
    json_: JsonOption = False,
) -> None:
    """Show one key account and what it is worth: profit, cost to serve, wallet share, CLV."""
    from kam.analysis import customer_worth
    from kam.services.accounts import get_account

    when = parse_date(as_of) or date.today()
    with reading() as (session, _actor):
        view = get_account(session, name)
        worth = customer_worth(session, view.customer, as_of=when)
    if json_:
        output.print_json({**view.to_dict(), "worth": worth.to_dict()})
        return
    output.print_record(view.to_dict())
    sys.stdout.write(f"\nWorth, trailing twelve months to {when.isoformat()}:\n")
    output.print_record(
        {
            "revenue": worth.revenue,
            "gross margin": worth.gross_margin,
            "cost to serve": worth.cost_to_serve,
            **{f"  {k.replace('_', ' ')}": v for k, v in worth.cost_to_serve_by_category.items()},
            "profit": worth.profit,
            "share of wallet": _percent(worth.share_of_wallet),
            "headroom": worth.headroom,
            "CLV": worth.clv,
            "  margin M": f"{worth.clv_margin:,.2f} ({worth.clv_margin_source})",
            "  cost to serve C": worth.clv_cost_to_serve,
            "  retention r": f"{worth.clv_retention:.1%} ({worth.clv_retention_source})",
            "  discount rate d": f"{worth.discount_rate:.1%}",
            "  horizon H": f"{worth.horizon} years",
            "profit by year": ", ".join(
                f"{year}: {profit:,.0f}" for year, profit in worth.profit_by_year.items()
            ),
        }
    )


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


@app.command("add")
def add(
    customer: Annotated[str, typer.Argument(help="The customer to nominate, by name.")],
    manager: Annotated[str | None, typer.Option(help="Manager's login (admins).")] = None,
    sponsor: Annotated[str | None, typer.Option(help="Executive sponsor's login (admins).")] = None,
    reason: Annotated[str, typer.Option(help="Why this customer is nominated.")] = "",
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Nominate a customer as a key account."""
    from kam.services.accounts import create_account

    with writing(dry_run=dry_run) as (session, actor):
        view = create_account(
            session, actor, customer=customer, manager=manager, sponsor=sponsor, reason=reason
        )
    if json_:
        output.print_json(view.to_dict())
    else:
        output.info(f"Nominated '{view.customer}' (account {view.id}, {view.status}).")


@app.command("update")
def update(
    name: Annotated[str, typer.Argument(help="The customer's name.")],
    status: Annotated[AccountStatus | None, typer.Option(help="New status (admins).")] = None,
    manager: Annotated[str | None, typer.Option(help="New manager's login (admins).")] = None,
    sponsor: Annotated[str | None, typer.Option(help="New sponsor's login (admins).")] = None,
    reason: Annotated[str | None, typer.Option(help="Notes on the account.")] = None,
    retention: Annotated[
        float | None, typer.Option(help="Retention probability override, 0-1, for CLV.")
    ] = None,
    margin_forecast: Annotated[
        float | None, typer.Option(help="Annual gross margin forecast override, for CLV.")
    ] = None,
    next_review: Annotated[str | None, typer.Option(help="Next review date, YYYY-MM-DD.")] = None,
    if_version: Annotated[
        int | None,
        typer.Option(help="Refuse (exit 3) unless the account is still at this version."),
    ] = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Change a key account; only the options given change."""
    from kam.services.accounts import update_account

    fields: dict[str, object] = {}
    for key, value in (
        ("status", status),
        ("manager", manager),
        ("sponsor", sponsor),
        ("reason", reason),
        ("retention_override", retention),
        ("margin_override", margin_forecast),
        ("next_review_on", parse_date(next_review)),
    ):
        if value is not None:
            fields[key] = value
    if not fields:
        raise typer.BadParameter("nothing to change: give at least one option (see --help).")
    with writing(dry_run=dry_run) as (session, actor):
        view = update_account(session, actor, name, expected_version=if_version, **fields)
    if json_:
        output.print_json(view.to_dict())
    else:
        output.info(f"Updated '{view.customer}' (now version {view.version}).")
