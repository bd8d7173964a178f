"""`kam demo`: fill an empty database with realistic, deterministic demo data."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from kam.cli import output
from kam.cli.context import writing
from kam.cli.params import DryRunOption, JsonOption, date_option


def demo(
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same data.")] = 7,
    customers: Annotated[int, typer.Option(min=20, help="How many customers.")] = 2000,
    years: Annotated[int, typer.Option(min=1, max=10, help="Years of sales history.")] = 3,
    as_of: Annotated[date | None, date_option("Last day of the data (default today).")] = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Load demo data into an empty database (admins)."""
    from kam.services.demo import DemoOptions, load_demo

    options = DemoOptions(seed=seed, customers=customers, years=years, as_of=as_of)
    with writing(dry_run=dry_run) as (session, actor):
        summary = load_demo(session, actor, options)
    output.show_written(summary, json_=json_, said=summary.summary())
