"""What the TUI tests share: fixed dates and a few sales for the cast, so figures and
screens are deterministic, and small helpers to read what the app shows."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime

from textual.app import App
from textual.content import Content
from textual.widgets import DataTable, Static

from db.enums import Door
from kam.database import Database
from kam.identity import Actor
from screens.app import KamApp, create_app

#: The terminal size the TUI tests run at.
SIZE = (120, 40)

#: The day every TUI test computes figures for.
AS_OF = date(2025, 6, 30)

#: (customer, sold_on, revenue, cost_of_goods) for the cast's customers.
SALES = [
    ("Acme [/b] Ltd", date(2023, 5, 10), 100_000.0, 60_000.0),
    ("Acme [/b] Ltd", date(2024, 3, 15), 120_000.0, 70_000.0),
    ("Acme [/b] Ltd", date(2024, 11, 20), 80_000.0, 50_000.0),
    ("Acme [/b] Ltd", date(2025, 2, 1), 90_000.0, 50_000.0),
    ("北京燕京啤酒", date(2024, 5, 5), 50_000.0, 30_000.0),
    ("北京燕京啤酒", date(2025, 1, 10), 40_000.0, 25_000.0),
    ("Plain Prospect GmbH", date(2024, 8, 8), 30_000.0, 10_000.0),
    ("Plain Prospect GmbH", date(2025, 4, 4), 60_000.0, 20_000.0),
]

#: (customer, incurred_on, category, amount).
COSTS = [
    ("Acme [/b] Ltd", date(2024, 12, 1), "support", 5_000.0),
    ("Acme [/b] Ltd", date(2025, 3, 1), "logistics", 3_000.0),
    ("Plain Prospect GmbH", date(2025, 5, 5), "sales", 45_000.0),
]


def tui(actor: Actor) -> Actor:
    """The actor as the TUI identifies it (door: tui)."""
    return replace(actor, door=Door.TUI)


def add_figures(database: Database) -> None:
    """Fixed membership dates and a few sales and cost lines for the cast's customers."""
    from sqlalchemy import update
    from sqlmodel import select

    from db.models import Customer, KeyAccount, ServiceCost, Transaction

    with database.writing() as s:
        ids = {c.name: c.id for c in s.exec(select(Customer)).all()}
        for n, (name, sold_on, revenue, cogs) in enumerate(SALES):
            s.add(
                Transaction(
                    customer_id=ids[name],
                    sold_on=sold_on,
                    revenue=revenue,
                    cost_of_goods=cogs,
                    order_id=f"o{n}",
                    line_key=f"test-sale-{n}",
                )
            )
        for n, (name, incurred_on, category, amount) in enumerate(COSTS):
            s.add(
                ServiceCost(
                    customer_id=ids[name],
                    incurred_on=incurred_on,
                    category=category,
                    amount=amount,
                    line_key=f"test-cost-{n}",
                )
            )
        # A table-level UPDATE: the ORM would bump each account's version.
        accounts = KeyAccount.__table__
        s.exec(
            update(accounts).values(  # type: ignore[call-overload]
                nominated_on=date(2024, 1, 15),
                created_at=datetime(2024, 1, 15, 9, 0, tzinfo=UTC),
                updated_at=datetime(2025, 6, 1, 9, 0, tzinfo=UTC),
            )
        )
        s.exec(
            update(accounts)  # type: ignore[call-overload]
            .where(accounts.c.status == "active")
            .values(
                admitted_on=date(2024, 3, 1),
                next_review_on=date(2025, 9, 1),
                reason="Top-decile profit; [TODO] plan the QBR.",
            )
        )


def make_app(database: Database, actor: Actor) -> KamApp:
    """The app as the tests run it: door tui, figures as of AS_OF."""
    return create_app(database, tui(actor), as_of=AS_OF, area="accounts")


async def settle(app: App[object], pilot: object) -> None:
    """Wait for every worker, then for the messages they posted, until no worker is left
    (a worker's result may start another: the dashboard's figures start the model's fit,
    whose result loads the figures again)."""
    from textual.worker import WorkerState

    for _ in range(10):
        await app.workers.wait_for_complete()
        await pilot.pause()  # type: ignore[attr-defined]
        await app.workers.wait_for_complete()
        await pilot.pause()  # type: ignore[attr-defined]
        if not any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
            return


def rows(table: DataTable) -> list[list[str]]:
    """The table's cells as plain strings."""
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def notices(app: App[object]) -> list[str]:
    """The notifications shown so far."""
    return [n.message for n in app._notifications]


def keys(app: App[object]) -> dict[str, str]:
    """The active key bindings of the current screen: key -> action."""
    return {k: b.binding.action for k, b in app.screen.active_bindings.items()}


def text_of(widget: Static) -> str:
    """What a Static shows, as plain text (Rich tables included)."""
    from rich.console import Console

    content = widget.content
    if isinstance(content, str | Content):
        return str(content)
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()


def add_people(database: Database, manager: Actor) -> dict[str, int]:
    """Acme's people as a chart (names in several scripts): 陈伟 Chen Wei, the CEO and our
    champion, met on 2025-06-20; 佐藤健 Sato Ken, the CFO under him, a blocker of influence 5
    last met on 2025-03-01 (out of touch by AS_OF); Dana Cole, a buyer under the CFO, met
    with Chen. A commitment was made to Chen. Returns their ids by first name."""
    from kam.services import commitments, contacts, interactions

    acme, mia = "Acme [/b] Ltd", tui(manager)
    with database.writing() as s:
        chen = contacts.add_contact(
            s, mia, acme, name="陈伟 Chen Wei", job_title="Chief Executive Officer",
            buying_role="decision_maker", communication_style="demanding", influence=5,
            stance="champion", owner="mia",
        ).id  # fmt: skip
        sato = contacts.add_contact(
            s, mia, acme, name="佐藤健 Sato Ken", job_title="CFO", reports_to=chen,
            influence=5, stance="blocker", communication_style="compliant",
        ).id  # fmt: skip
        dana = contacts.add_contact(
            s, mia, acme, name="Dana Cole", job_title="Buyer", reports_to=sato,
            buying_role="user", influence=2, stance="supporter", owner="mia",
        ).id  # fmt: skip
        interactions.log_interaction(s, mia, acme, kind="meeting", happened_on=date(2025, 6, 20),
                                     contacts=[chen, dana], summary="QBR [TODO] prep")  # fmt: skip
        interactions.log_interaction(s, mia, acme, kind="call", happened_on=date(2025, 3, 1),
                                     contacts=[sato], summary="Budget call")  # fmt: skip
        commitments.add_commitment(s, mia, acme, description="Price list for [b]2026[/b]",
                                   department="sales", due_on=date(2025, 7, 31),
                                   contact=chen)  # fmt: skip
    return {"chen": chen, "sato": sato, "dana": dana}


def add_plan(database: Database, manager: Actor) -> None:
    """Acme's plan of 2025 (the story's day must be in 2025: past years are read-only):
    "Grow profit" with profit to 80,000 (a kam figure) and four workshops by 2025-09-30
    (one held, by hand), whose action "Book the next" is due 2025-07-15."""
    from kam.services import plans

    acme, mia = "Acme [/b] Ltd", tui(manager)
    with database.writing() as s:
        plans.set_plan_text(s, mia, acme, situation="Consolidating suppliers [TODO]",
                            strengths=["Service", "Range"], threats=["Price war"])  # fmt: skip
        view = plans.add_goal(s, mia, acme, title="Grow profit", owner="mia")
        goal = view.goals[0].id
        plans.add_objective(s, mia, goal, title="T12M profit to 80,000", target=80_000,
                            baseline=50_000, due_on=date(2025, 12, 31),
                            figure="t12m_profit")  # fmt: skip
        view = plans.add_objective(s, mia, goal, title="Workshops held", target=4,
                                   due_on=date(2025, 9, 30))  # fmt: skip
        workshops = next(o.id for o in view.objectives if o.title == "Workshops held")
        plans.update_objective(s, mia, workshops, current=1, comment="Kick-off in Lyon")
        plans.add_action(s, mia, workshops, title="Book the next", owner="mia",
                         due_on=date(2025, 7, 15))  # fmt: skip
