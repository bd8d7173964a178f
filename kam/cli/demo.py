"""`kam demo`: fill an empty database with realistic, deterministic demo data."""

from __future__ import annotations

from typing import Annotated

import typer

from kam.cli import output
from kam.cli.context import DryRunOption, JsonOption, writing
from kam.cli.params import parse_date


def demo(
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same data.")] = 7,
    customers: Annotated[int, typer.Option(min=20, help="How many customers.")] = 2000,
    years: Annotated[int, typer.Option(min=1, max=10, help="Years of sales history.")] = 3,
    as_of: Annotated[
        str | None, typer.Option(help="Last day of the data, YYYY-MM-DD (default today).")
    ] = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Load demo data into an empty database (admins)."""
    from kam.services.demo import DemoOptions, load_demo

    options = DemoOptions(seed=seed, customers=customers, years=years, as_of=parse_date(as_of))
    with writing(dry_run=dry_run) as (session, actor):
        summary = load_demo(session, actor, options)
    if json_:
        output.print_json(summary.to_dict())
    else:
        output.info(summary.summary())
