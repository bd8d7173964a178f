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
    path: Annotated[
        Path | None,
        typer.Argument(help="A JSON Lines file, one action per line; - for standard input."),
    ] = None,
    actions: Annotated[
        bool, typer.Option("--actions", help="List every action with its fields, and stop.")
    ] = False,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Validate every line, then apply all of them in one transaction, or none.

    Each line is a JSON object: {"action": "account.update", "account": "Acme", ...};
    `kam batch --actions` lists every action and the fields it takes.
    """
    from kam.services.batch import apply, describe_actions, parse

    if actions:
        described = describe_actions()
        if json_:
            output.print_json(
                {name: [d.__dict__ for d in docs] for name, docs in described.items()}
            )
            return
        for name, docs in described.items():
            fields = ", ".join(f"{d.name}{'' if d.required else '?'}: {d.type}" for d in docs)
            output.info_out(f"{name}  {fields}")
        return
    if path is None:
        raise typer.BadParameter("give the JSON Lines file (or --actions).", param_hint=["FILE"])
    from kam.cli.files import readable

    with readable(path) as (source, label):
        steps = parse(source, name=label)
    shown = label or path.name
    with writing(dry_run=dry_run, door=Door.BATCH) as (session, actor):
        report = apply(session, actor, steps, file=shown, dry_run=dry_run)
    verb = "would apply" if dry_run else "applied"
    output.show_written(
        report, json_=json_, said=f"{shown}: {verb} {report.applied} of {report.lines} lines."
    )
