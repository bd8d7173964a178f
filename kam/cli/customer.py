"""`kam customer ...`: the customer base."""

from __future__ import annotations

from typing import Annotated

import typer

from db.enums import CustomerStatus, LifecycleStage, LoyaltyType
from kam.cli import output
from kam.cli.context import reading, writing
from kam.cli.params import AllOption, CsvOption, DryRunOption, JsonOption, number_option

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
    all_: AllOption = False,
    json_: JsonOption = False,
    csv_: CsvOption = False,
) -> None:
    """List customers by name (the first --limit of them unless --all)."""
    from kam.services.customers import count_customers
    from kam.services.customers import list_customers as list_
    from kam.views import CustomerView

    where = {"search": search, "industry": industry, "region": region}
    with reading() as (session, _actor):
        views = list_(session, **where, limit=None if all_ else limit, offset=offset)
        total = count_customers(session, **where)
    output.show_list(
        views,
        COLUMNS,
        json_=json_,
        csv_=csv_,
        total=total,
        more=None if all_ else "--all for every row",
        keys=output.keys_of(CustomerView),
    )


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="The customer's name or code.")],
    json_: JsonOption = False,
) -> None:
    """Show one customer."""
    from kam.services.customers import get_customer

    with reading() as (session, _actor):
        view = get_customer(session, name)
    output.show_record(view, json_=json_)


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
        float | None, number_option("Estimated annual category spend (the wallet).")
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
    output.show_written(view, json_=json_, said=f"Added customer '{view.name}' (id {view.id}).")
