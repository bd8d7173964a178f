"""`kam contact ...`: the people at a customer, and the map of who decides and who holds
each relationship on our side."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from db.enums import BuyingRole, CommunicationStyle, Stance
from kam.cli import output
from kam.cli.context import reading, writing
from kam.cli.params import AsOfOption, CsvOption, DryRunOption, JsonOption

if TYPE_CHECKING:
    from kam.services.people import PeopleMap

app = typer.Typer(
    help="People at a customer: list, add, update, and the map of the organisation.",
    no_args_is_help=True,
)

COLUMNS = [
    ("Id", "id"),
    ("Name", "name"),
    ("Job title", "job_title"),
    ("Role", "buying_role"),
    ("Stance", "stance"),
    ("Influence", "influence"),
    ("Reports to", "reports_to"),
    ("Owner", "owner"),
    ("Last contact", "last_contact"),
    ("Overdue", "overdue"),
]

Customer = Annotated[str, typer.Argument(help="The customer's name or code.")]
Title = Annotated[str | None, typer.Option("--title", help="Job title.")]
Email = Annotated[str | None, typer.Option(help="E-mail address.")]
Phone = Annotated[str | None, typer.Option(help="Phone number.")]
RoleOpt = Annotated[BuyingRole | None, typer.Option("--role", help="Buying role.")]
Style = Annotated[CommunicationStyle | None, typer.Option(help="Communication style.")]
Strength = Annotated[
    int | None, typer.Option(min=1, max=5, help="Relationship strength, 1 (cold) to 5.")
]
ReportsTo = Annotated[int | None, typer.Option(help="Id of the contact they report to.")]
Influence = Annotated[int | None, typer.Option(min=1, max=5, help="Influence, 1 to 5.")]
StanceOpt = Annotated[Stance | None, typer.Option(help="Where they stand toward us.")]
Owner = Annotated[str | None, typer.Option(help="Who holds the relationship (a kam login).")]
Cadence = Annotated[
    int | None, typer.Option(min=1, help="Days between contacts (default: by buying role).")
]


def _fields(**given: Any) -> dict[str, Any]:
    names = {"title": "job_title", "role": "buying_role", "style": "communication_style",
             "strength": "relationship_strength", "cadence": "cadence_days"}  # fmt: skip
    return {names.get(k, k): v for k, v in given.items() if v is not None}


@app.command("list")
def list_(
    customer: Customer, as_of: AsOfOption = None, json_: JsonOption = False, csv_: CsvOption = False
) -> None:  # fmt: skip
    """List a customer's people, with their last contact (from interactions)."""
    from kam.services.contacts import list_contacts
    from kam.views import ContactView

    with reading() as (session, _actor):
        views = list_contacts(session, customer, as_of=as_of)
    output.show_list(views, COLUMNS, json_=json_, csv_=csv_, keys=output.keys_of(ContactView))


@app.command("add")
def add(
    customer: Customer,
    name: Annotated[str, typer.Argument(help="The person's name (any script).")],
    title: Title = None, email: Email = None, phone: Phone = None, role: RoleOpt = None,
    style: Style = None, strength: Strength = None, reports_to: ReportsTo = None,
    influence: Influence = None, stance: StanceOpt = None, owner: Owner = None,
    cadence: Cadence = None, dry_run: DryRunOption = False, json_: JsonOption = False,
) -> None:  # fmt: skip
    """Add a person at a key account's customer (its manager or an admin)."""
    from kam.services.contacts import add_contact

    fields = _fields(title=title, email=email, phone=phone, role=role, style=style,
                     strength=strength, reports_to=reports_to, influence=influence,
                     stance=stance, owner=owner, cadence=cadence)  # fmt: skip
    with writing(dry_run=dry_run) as (session, actor):
        view = add_contact(session, actor, customer, name=name, **fields)
    output.show_written(view, json_=json_, said=f"Added {view.name} (contact {view.id}).")


@app.command("update")
def update(
    contact_id: Annotated[int, typer.Argument(help="The contact's id (see `kam contact list`).")],
    name: Annotated[str | None, typer.Option(help="A new name.")] = None,
    title: Title = None, email: Email = None, phone: Phone = None, role: RoleOpt = None,
    style: Style = None, strength: Strength = None, reports_to: ReportsTo = None,
    influence: Influence = None, stance: StanceOpt = None, owner: Owner = None,
    cadence: Cadence = None, dry_run: DryRunOption = False, json_: JsonOption = False,
) -> None:  # fmt: skip
    """Change a contact; only the options given change."""
    from kam.services.contacts import update_contact

    fields = _fields(name=name, title=title, email=email, phone=phone, role=role, style=style,
                     strength=strength, reports_to=reports_to, influence=influence,
                     stance=stance, owner=owner, cadence=cadence)  # fmt: skip
    if not fields:
        raise typer.BadParameter("nothing to change: give at least one option (see --help).")
    with writing(dry_run=dry_run) as (session, actor):
        view = update_contact(session, actor, contact_id, **fields)
    output.show_written(view, json_=json_, said=f"Saved {view.name} (contact {view.id}).")


def print_map(chart: PeopleMap) -> None:
    """The organisation as an indented tree, then what the coverage rule finds."""
    from kam.text import for_terminal

    by_id = {p.id: p for p in chart.people}
    out = sys.stdout.write
    out(for_terminal(f"{chart.customer}: {len(chart.people)} people, as of {chart.as_of}") + "\n")

    def line(pid: int, depth: int) -> None:
        p = by_id[pid]
        parts = [p.job_title, (p.buying_role or "").replace("_", " "), p.stance or "",
                 f"influence {p.influence}" if p.influence else "",
                 f"owner {p.owner}" if p.owner else "no owner",
                 f"last contact {p.last_contact}" if p.last_contact else "never met"]  # fmt: skip
        late = "  OVERDUE" if p.overdue else ""
        mark = "  (our sponsor's counterpart)" if p.id == chart.counterpart_id else ""
        text = f"{'  ' * depth}- {p.name} [{p.id}]: {', '.join(x for x in parts if x)}{late}{mark}"
        out(for_terminal(text) + "\n")
        if p.guidance:
            out(for_terminal(f"{'  ' * depth}    {p.communication_style}: {p.guidance}") + "\n")
        for child in chart.reports.get(pid, []):
            line(child, depth + 1)

    for root in chart.roots:
        line(root, 0)
    if chart.findings:
        out("\nCoverage:\n")
        for f in chart.findings:
            out(for_terminal(f"  - {f.text}") + "\n")
    else:
        out("\nCoverage: no gaps.\n")


@app.command("map")
def map_(customer: Customer, as_of: AsOfOption = None, json_: JsonOption = False) -> None:
    """The customer's organisation as a tree: who decides, who is for or against us, who
    on our side holds each relationship, and the coverage gaps."""
    from kam.services.people import people_map

    with reading() as (session, _actor):
        chart = people_map(session, customer, as_of=as_of)
    output.show_record(chart, json_=json_, table=lambda: print_map(chart))


@app.command("counterpart")
def counterpart(
    account: Annotated[str, typer.Argument(help="The key account's customer name.")],
    contact_id: Annotated[
        int | None, typer.Argument(help="The contact paired with our sponsor (none: clear).")
    ] = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Pair our executive sponsor with their counterpart at the customer."""
    from kam.services.people import set_counterpart
    from kam.text import sentence

    with writing(dry_run=dry_run) as (session, actor):
        chart = set_counterpart(session, actor, account, contact_id)
    name = next((p.name for p in chart.people if p.id == contact_id), None)
    said = sentence(f"Counterpart of the sponsor: {name}") if name else "Counterpart cleared."
    output.show_written(chart, json_=json_, said=said)
