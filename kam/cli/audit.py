"""`kam audit`: the change history."""

from __future__ import annotations

from typing import Annotated

import typer

from kam.cli import output
from kam.cli.context import JsonOption, reading

COLUMNS = [
    ("When (UTC)", "at"),
    ("Who", "actor"),
    ("Door", "door"),
    ("Customer", "customer"),
    ("Entity", "entity"),
    ("Id", "entity_id"),
    ("Field", "field"),
    ("Old", "old"),
    ("New", "new"),
]


def audit(
    account: Annotated[
        str | None, typer.Option(help="Only changes to this customer and its key account.")
    ] = None,
    entity: Annotated[str | None, typer.Option(help="Only this kind of record.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 200,
    json_: JsonOption = False,
) -> None:
    """Show who changed what, when, and through which door."""
    from kam.services.audit import list_events
    from kam.services.common import customer_by_name

    with reading() as (session, _actor):
        customer_id = customer_by_name(session, account).id if account else None
        events = list_events(session, customer_id=customer_id, entity=entity, limit=limit)
    if json_:
        output.print_json([e.to_dict() for e in events])
    else:
        output.print_table(events, COLUMNS)
