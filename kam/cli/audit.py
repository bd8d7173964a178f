"""`kam audit`: the change history; `kam audit verify | anchor`: its hash chain."""

from __future__ import annotations

from typing import Annotated

import typer

from kam.cli import output
from kam.cli.context import reading
from kam.cli.params import AllOption, CsvOption, JsonOption

app = typer.Typer(
    help="Who changed what, when, through which door (the newest --limit unless --all; who "
    "is 'root as mlopez' when the admin root acted as mlopez). `verify` checks the events' "
    "hash chain, `anchor` prints its head to keep.",
    invoke_without_command=True,
)

COLUMNS = [
    ("When (UTC)", "at"),
    ("Who", "who"),
    ("Door", "door"),
    ("Customer", "customer"),
    ("Entity", "entity"),
    ("Id", "entity_id"),
    ("Field", "field"),
    ("Old", "old"),
    ("New", "new"),
]


@app.callback()
def audit(
    ctx: typer.Context,
    account: Annotated[
        str | None, typer.Option(help="Only changes to this customer and its key account.")
    ] = None,
    entity: Annotated[str | None, typer.Option(help="Only this kind of record.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 200,
    all_: AllOption = False,
    json_: JsonOption = False,
    csv_: CsvOption = False,
) -> None:
    """Show who changed what, when, and through which door (the newest --limit unless --all);
    who is "root as mlopez" when the admin root acted as mlopez (KAM_USER)."""
    if ctx.invoked_subcommand is not None:
        return
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


def _anchor(value: str | None) -> str | None:
    """--anchor: the 64 hex digits of a hash, or a usage error."""
    from kam.errors import InvalidData
    from kam.services.audit import anchor_of

    if value is None:
        return None
    try:
        return anchor_of(value)
    except InvalidData as error:
        raise typer.BadParameter(str(error)) from error


@app.command("verify")
def verify(
    anchor: Annotated[
        str | None,
        typer.Option(
            callback=_anchor,
            metavar="HASH",
            help="A hash `kam audit anchor` printed earlier: the chain must still hold it.",
        ),
    ] = None,
    json_: JsonOption = False,
) -> None:
    """Check the hash chain: exit 1 naming the first event that breaks it.

    Exit 0 when every event is linked as written (and the chain holds --anchor).
    """
    from kam.errors import InvalidData
    from kam.services.audit import verify_chain

    with reading() as (session, _actor):
        report = verify_chain(session, anchor)
    if json_:
        output.print_json(report.to_dict())
    if not report.intact:
        raise InvalidData(f"The audit chain is broken: {report.problem}.")
    if not json_:
        line = f"{report.events:,} events, chain intact, head {report.head_hash or '(none)'}"
        if report.anchor_id is not None:
            line += f"; anchor at event {report.anchor_id}"
        typer.echo(line)


@app.command("anchor")
def anchor(json_: JsonOption = False) -> None:
    """Print the chain's head (newest event's id and hash) to keep outside the database.

    Later, `kam audit verify --anchor HASH` checks the chain still holds it.
    """
    from kam.services.audit import chain_head

    with reading() as (session, _actor):
        head = chain_head(session)
    output.show_record(head, json_=json_)
    if head.hash is None:
        output.info("The audit trail is empty: nothing to anchor yet.")
    elif not json_:
        output.info(f"Keep it; later: kam audit verify --anchor {head.hash}")
