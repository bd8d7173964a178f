"""`kam batch FILE`: apply many changes in one process and one transaction."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from db.enums import Door
from kam.cli import output
from kam.cli.context import writing
from kam.cli.params import DryRunOption, JsonOption


def batch(
    path: Annotated[Path, typer.Argument(help="A JSON Lines file, one action per line.")],
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Validate every line, then apply all of them in one transaction, or none."""
    from kam.services.batch import apply, parse

    steps = parse(path)
    with writing(dry_run=dry_run, door=Door.BATCH) as (session, actor):
        report = apply(session, actor, steps, file=path.name, dry_run=dry_run)
    verb = "would apply" if dry_run else "applied"
    output.show_written(
        report, json_=json_, said=f"{path.name}: {verb} {report.applied} of {report.lines} lines."
    )
