"""`kam audit`: the change history."""

from __future__ import annotations

from typing import Annotated

import typer

from kam.cli import output
from kam.cli.context import reading
from kam.cli.params import AllOption, CsvOption, JsonOption

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
    all_: AllOption = False,
    json_: JsonOption = False,
    csv_: CsvOption = False,
) -> None:
    """Show who changed what, when, and through which door (the newest --limit unless --all)."""
    from kam.services.audit import count_events, list_events
    from kam.services.common import customer_by_name
    from kam.views import AuditView

    with reading() as (session, _actor):
        customer_id = customer_by_name(session, account).id if account else None
        events = list_events(
            session, customer_id=customer_id, entity=entity, limit=None if all_ else limit
        )
        total = count_events(session, customer_id=customer_id, entity=entity)
    output.show_list(
        events,
        COLUMNS,
        json_=json_,
        csv_=csv_,
        total=total,
        more=None if all_ else "--all for every row",
        keys=output.keys_of(AuditView),
    )
