"""`kam customer ...`: the customer base."""

from __future__ import annotations

from typing import Annotated

import typer

from db.enums import CustomerStatus, LifecycleStage, LoyaltyType
from kam.cli import output
from kam.cli.context import DryRunOption, JsonOption, reading, writing

app = typer.Typer(help="The customer base: list, show and add.", no_args_is_help=True)

COLUMNS = [
    ("Customer", "name"),
    ("Industry", "industry"),
    ("Region", "region"),
    ("Stage", "lifecycle_stage"),
    ("Wallet", "estimated_wallet"),
    ("Key account", "account_status"),
]


@app.command("list")
def list_customers(
    search: Annotated[str | None, typer.Option(help="Only names containing this.")] = None,
    industry: Annotated[str | None, typer.Option(help="Only this industry.")] = None,
    region: Annotated[str | None, typer.Option(help="Only this region.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many.")] = 100,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many first.")] = 0,
    json_: JsonOption = False,
) -> None:
    """List customers by name."""
    from kam.services.customers import list_customers as list_

    with reading() as (session, _actor):
        views = list_(
            session, search=search, industry=industry, region=region, limit=limit, offset=offset
        )
    if json_:
        output.print_json([v.to_dict() for v in views])
    else:
        output.print_table(views, COLUMNS)


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="The customer's name or code.")],
    json_: JsonOption = False,
) -> None:
    """Show one customer."""
    from kam.services.customers import get_customer

    with reading() as (session, _actor):
        view = get_customer(session, name)
    if json_:
        output.print_json(view.to_dict())
    else:
        output.print_record(view.to_dict())


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The customer's name (any script).")],
    code: Annotated[str | None, typer.Option(help="Your ERP's customer code.")] = None,
    industry: Annotated[str, typer.Option(help="Industry.")] = "",
    region: Annotated[str, typer.Option(help="Region.")] = "",
    status: Annotated[CustomerStatus, typer.Option(help="Buying status.")] = CustomerStatus.ACTIVE,
    lifecycle: Annotated[
        LifecycleStage, typer.Option(help="Lifecycle stage.")
    ] = LifecycleStage.PURCHASE,
    loyalty: Annotated[LoyaltyType | None, typer.Option(help="Loyalty type.")] = None,
    wallet: Annotated[
        float | None, typer.Option(help="Estimated annual category spend (the wallet).")
    ] = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Add a customer to the base (admins)."""
    from kam.services.customers import create_customer

    with writing(dry_run=dry_run) as (session, actor):
        view = create_customer(
            session,
            actor,
            name=name,
            code=code,
            industry=industry,
            region=region,
            status=status,
            lifecycle_stage=lifecycle,
            loyalty_type=loyalty,
            estimated_wallet=wallet,
        )
    if json_:
        output.print_json(view.to_dict())
    else:
        output.info(f"Added customer '{view.name}' (id {view.id}).")
