"""Helpers the tests share: the cast of users and accounts every role test acts with, a
small hand-worked base of sales and costs, and fresh SQLite copies. Fixtures live in
conftest.py and use these; tests import from here, never from conftest."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import text

from db.enums import Door, Role
from db.models import Customer, KeyAccount, Transaction, User
from kam.database import Database
from kam.identity import Actor


def fresh_sqlite(template: Path, folder: Path) -> Database:
    from db.engine import make_engine

    path = folder / "kam.db"
    shutil.copy(template, path)
    return Database(make_engine(f"sqlite:///{path}"))


@dataclass
class Cast:
    """The people and records that role tests act with."""

    admin: Actor
    manager: Actor
    other_manager: Actor
    executive: Actor
    viewer: Actor
    customer: str
    """A key account managed by `manager` and sponsored by `executive`."""
    other_customer: str
    """A key account managed by `other_manager`."""
    plain_customer: str
    """A customer that is not a key account."""


def actor_of(user: User, door: Door = Door.CLI) -> Actor:
    assert user.id is not None
    return Actor(user.id, user.login, user.display_name, user.role, door)


def make_cast(database: Database) -> Cast:
    """Insert the cast directly (not through services, which the tests exercise)."""
    with database.writing() as s:
        users = {
            login: User(login=login, display_name=name, role=role)
            for login, name, role in [
                ("ada", "Ada Admin", Role.ADMIN),
                ("mia", "Mia Manager", Role.MANAGER),
                ("otto", "Otto Other", Role.MANAGER),
                ("eve", "Eve Executive", Role.EXECUTIVE),
                ("val", "Val Viewer", Role.VIEWER),
            ]
        }
        s.add_all(users.values())
        s.flush()
        customers = [
            Customer(name="Acme [/b] Ltd", industry="Retail", region="North", estimated_wallet=1e6),
            Customer(name="北京燕京啤酒", industry="Food", region="Asia-Pacific"),
            Customer(name="Plain Prospect GmbH", industry="Energy", region="West"),
        ]
        s.add_all(customers)
        s.flush()
        s.add(
            KeyAccount(
                customer_id=customers[0].id,
                manager_id=users["mia"].id,
                sponsor_id=users["eve"].id,
                admitted_on=date(2025, 1, 15),
                status="active",
            )
        )
        s.add(
            KeyAccount(customer_id=customers[1].id, manager_id=users["otto"].id, status="nominated")
        )
    return Cast(
        admin=actor_of(users["ada"]),
        manager=actor_of(users["mia"]),
        other_manager=actor_of(users["otto"]),
        executive=actor_of(users["eve"]),
        viewer=actor_of(users["val"]),
        customer="Acme [/b] Ltd",
        other_customer="北京燕京啤酒",
        plain_customer="Plain Prospect GmbH",
    )


def add_small_base(database: Database) -> None:
    """Sales and cost-to-serve lines for the cast's customers, worked out by hand in the tests.

    As of 2026-06-30 (T12M 2025-07-01 .. 2026-06-30): Acme revenue 1500, margin 650, cost to
    serve 150 (logistics 100, support 50), profit 500; 北京 profit -40 (costs only); Plain
    revenue 100, margin 70, profit 70. Base retention 2/3 (all three bought in the year
    before; Acme and Plain bought in the T12M).
    """
    acme, beijing, plain = 1, 2, 3  # the cast's customers, in insertion order
    sales = [
        (acme, "2025-08-01", 1000, 600, "A1"), (acme, "2026-03-01", 500, 250, "A2"),
        (acme, "2024-09-01", 200, 100, "A0"), (beijing, "2024-10-01", 300, 200, "B0"),
        (plain, "2025-01-10", 100, 20, "P0"), (plain, "2026-06-30", 100, 30, "P1"),
        (plain, "2026-07-01", 999, 1, "P2"),  # after 2026-06-30
    ]  # fmt: skip
    costs = [
        (acme, "2026-01-15", "logistics", 100), (acme, "2026-02-01", "support", 50),
        (beijing, "2025-12-01", "sales", 40),
    ]  # fmt: skip
    with database.engine.begin() as conn:
        for cid, day, rev, cogs, order in sales:
            conn.execute(
                text(
                    "INSERT INTO sales_line (customer_id, sold_on, revenue, cost_of_goods, "
                    "quantity, order_id, line_key) VALUES (:c, :d, :r, :g, 1, :o, :o)"
                ),
                {"c": cid, "d": date.fromisoformat(day), "r": rev, "g": cogs, "o": order},
            )
        for n, (cid, day, category, amount) in enumerate(costs):
            conn.execute(
                text(
                    "INSERT INTO service_cost (customer_id, incurred_on, category, amount, note, "
                    "line_key) VALUES (:c, :d, :k, :a, '', :n)"
                ),
                {"c": cid, "d": date.fromisoformat(day), "k": category, "a": amount, "n": f"k{n}"},
            )


#: A programme of five stronger key accounts and two candidates (add_programme_of_five), as
#: of 2026-06-30: name -> (T12M revenue, cost of goods, cost to serve, estimated wallet).
#: Members' profit (revenue - cost of goods; no cost to serve) 20,000 to 60,000 by 10,000;
#: revenue 100,000 to 300,000 by 50,000; headroom (wallet - revenue) 900,000, 150,000,
#: 200,000, 250,000, 300,000.
FIVE_MEMBERS: dict[str, tuple[float, float, float, float]] = {
    "Acme [/b] Ltd": (100_000, 80_000, 0, 1_000_000),  # the cast's key account
    "Member Two": (150_000, 120_000, 0, 300_000),
    "Member Three": (200_000, 160_000, 0, 400_000),
    "Member Four": (250_000, 200_000, 0, 500_000),
    "Member Five": (300_000, 240_000, 0, 600_000),
}
#: Tiny Trader: profit 6,000.50 - 4,000.50 - 500 = 1,500; headroom 200,000 - 6,000.50 =
#: 193,999.50. Strong Co: profit 230,000 - 184,000 - 1,000 = 45,000; headroom 470,000.
CANDIDATES: dict[str, tuple[float, float, float, float]] = {
    "Tiny Trader": (6_000.50, 4_000.50, 500, 200_000),
    "Strong Co": (230_000, 184_000, 1_000, 700_000),
}
#: The rest of the base: six small customers, each with more revenue than Tiny Trader; three
#: make less profit (500, 900, 1,200), three more (2,500, 4,000, 8,000); headroom 24,000 to
#: 51,000, all under Tiny Trader's.
SMALL_CUSTOMERS: dict[str, tuple[float, float, float, float]] = {
    "Corner Shop 1": (9_000, 8_000, 500, 60_000),
    "Corner Shop 2": (12_000, 10_600, 500, 60_000),
    "Corner Shop 3": (15_000, 13_300, 500, 60_000),
    "Corner Shop 4": (18_000, 15_000, 500, 60_000),
    "Corner Shop 5": (24_000, 19_500, 500, 60_000),
    "Corner Shop 6": (36_000, 27_500, 500, 60_000),
}


def add_programme_of_five(database: Database) -> None:
    """FIVE_MEMBERS active (Acme, the cast's, and four more), CANDIDATES and SMALL_CUSTOMERS
    as customers, each with one sale on 2026-03-01 and its cost to serve on 2026-03-15
    (support). Nothing was bought before the T12M window, so the base's retention is unknown
    (taken as 0) and every CLV is the T12M profit discounted one year: profit / 1.1 (too little
    history for the probabilistic model)."""
    from sqlmodel import select

    from db.enums import AccountStatus

    everyone = FIVE_MEMBERS | CANDIDATES | SMALL_CUSTOMERS
    with database.writing() as s:
        known = {c.name: c for c in s.exec(select(Customer)).all()}
        for name, (_, _, _, wallet) in everyone.items():
            customer = known.get(name) or Customer(name=name, industry="Retail")
            customer.estimated_wallet = wallet
            s.add(customer)
            s.flush()
            known[name] = customer
            if name in FIVE_MEMBERS and name != "Acme [/b] Ltd":
                s.add(KeyAccount(customer_id=customer.id, status=AccountStatus.ACTIVE))  # type: ignore[arg-type]
        ids = {name: known[name].id for name in everyone}
    with database.engine.begin() as conn:
        for name, (revenue, goods, serve, _) in everyone.items():
            conn.execute(
                text(
                    "INSERT INTO sales_line (customer_id, sold_on, revenue, cost_of_goods, "
                    "quantity, order_id, line_key) VALUES (:c, :d, :r, :g, 1, :k, :k)"
                ),
                {"c": ids[name], "d": date(2026, 3, 1), "r": revenue, "g": goods, "k": name},
            )
            if serve:
                conn.execute(
                    text(
                        "INSERT INTO service_cost (customer_id, incurred_on, category, amount, "
                        "note, line_key) VALUES (:c, :d, 'support', :a, '', :k)"
                    ),
                    {"c": ids[name], "d": date(2026, 3, 15), "a": serve, "k": name},
                )


def add_buyers(database: Database, customers: int = 40) -> None:
    """Buyers with their own purchase rates and spend who may drop out, from 2024-07-01 to
    2026-06-30 (seeded), so the model has history to fit."""
    import random

    rng = random.Random(12)
    with database.writing() as s:
        buyers = [Customer(name=f"Buyer {n:03}", industry="Retail", region="North")
                  for n in range(customers)]  # fmt: skip
        s.add_all(buyers)
        s.flush()
        ids = [b.id for b in buyers]
    start, end = date(2024, 7, 1).toordinal(), date(2026, 6, 30).toordinal()
    with database.engine.begin() as conn:
        for cid in ids:
            day, rate = start + rng.randrange(120), rng.uniform(1 / 90, 1 / 10)
            spend = rng.uniform(20, 200)  # what this buyer's purchases are worth, on average
            leaves = day + int(rng.expovariate(1 / 400))
            while day <= min(end, leaves):
                conn.execute(
                    text("INSERT INTO sales_line (customer_id, sold_on, revenue, cost_of_goods, "
                         "quantity, line_key) VALUES (:c, :d, :r, 200, 1, :k)"),
                    {"c": cid, "d": date.fromordinal(day), "r": 200 + rng.gammavariate(4, spend / 4),
                     "k": f"{cid}/{day}"},
                )  # fmt: skip
                day += 1 + int(rng.expovariate(rate))


#: One line per batch action, in an order that applies on the cast (after add_small_base):
#: the ids (1) are those of the first contact, commitment and complaint of a fresh database.
EVERY_BATCH_ACTION: list[dict[str, object]] = [
    {"action": "customer.add", "name": "Batch Co", "industry": "Retail"},
    {"action": "customer.update", "customer": "Batch Co", "region": "North"},
    {"action": "user.add", "login": "bexec", "role": "executive", "display_name": "B Exec"},
    {"action": "user.add", "login": "bview", "role": "viewer"},
    {"action": "user.role", "login": "bview", "role": "manager"},
    {"action": "account.nominate", "customer": "Batch Co", "manager": "mia"},
    {"action": "account.assess", "account": "Batch Co", "as_of": "2026-06-30",
     "manual": {"strategic_fit": [5, "Fit"], "advocacy": [5, "Refers us"],
                "relationship_loyalty": [5, "Trust"]}},
    {"action": "sponsor.assign", "account": "Batch Co", "executive": "bexec"},
    {"action": "account.admit", "account": "Batch Co", "rationale": "Strategic",
     "override": "Board decision"},
    {"action": "account.update", "account": "Batch Co", "reason": "Q3 plan"},
    {"action": "manager.assign", "account": "Batch Co", "manager": "otto"},
    {"action": "manager.skills", "user": "otto", "finance": 4},
    {"action": "contact.add", "customer": "Batch Co", "name": "Kim Park"},
    {"action": "contact.update", "id": 1, "job_title": "CFO"},
    {"action": "interaction.log", "customer": "Batch Co", "kind": "call",
     "happened_on": "2026-06-01"},
    {"action": "commitment.add", "customer": "Batch Co", "description": "Price list",
     "department": "sales", "due_on": "2026-10-01"},
    {"action": "commitment.update", "id": 1, "status": "done"},
    {"action": "complaint.record", "customer": "Batch Co", "summary": "Late pallets",
     "severity": "high", "recorded_on": "2026-06-01"},
    {"action": "complaint.advance", "id": 1, "to": "handled", "on": "2026-06-02"},
    {"action": "complaint.update", "id": 1, "resolution": "Resent"},
    {"action": "sponsor.visit", "account": "Batch Co", "date": "2026-06-03", "notes": "QBR"},
    {"action": "review.record", "account": "Batch Co", "perceived": 8, "expected": 8,
     "decision": "retain", "reviewed_on": "2026-06-30"},
    {"action": "practice.add", "title": "Joint business plan"},
    {"action": "programme.set", "key": "visit_days", "value": "60"},
    {"action": "plan.edit", "account": "Batch Co", "situation": "Expanding north",
     "strengths": ["Service", "Range"]},
    {"action": "plan.goal.add", "account": "Batch Co", "title": "Grow share", "owner": "otto"},
    {"action": "plan.goal.update", "id": 1, "title": "Grow share of wallet"},
    {"action": "plan.objective.add", "goal": 1, "title": "Workshops", "target": 4,
     "due_on": "2026-12-31"},
    {"action": "plan.objective.update", "id": 1, "current": 1, "comment": "First held"},
    {"action": "plan.action.add", "objective": 1, "title": "Book the next", "owner": "otto",
     "due_on": "2026-09-01", "contact": 1},
    {"action": "plan.action.update", "id": 1, "status": "in_progress"},
    {"action": "plan.action.done", "id": 1},
    {"action": "plan.comment", "account": "Batch Co", "text": "Good start"},
    {"action": "plan.carry", "account": "Batch Co", "goals": [1], "to_year": 2027},
    {"action": "contact.counterpart", "account": "Batch Co", "contact": 1},
    {"action": "account.reject", "account": "北京燕京啤酒", "rationale": "Not strategic"},
    {"action": "account.retire", "account": "Batch Co", "reason": "Test over"},
]  # fmt: skip


#: The product catalogue of add_whitespace_base: B-1 and B-2 are Bolts, G-1 is Glue; TAPE
#: has no category, so it is its own.
WHITESPACE_CATEGORIES = {"B-1": "Bolts", "B-2": "Bolts", "G-1": "Glue"}


def add_whitespace_base(database: Database, as_of: date) -> None:
    """Sales with products for the cast and ten Retail peers, worked out by hand in
    tests/unit/test_whitespace.py. Every line in the T12M falls 30 days before `as_of`.

    - Acme [/b] Ltd (Retail, wallet 1,000,000, active key account): B-1 10,000 / 6,000
      (margin 4,000); G-1 5,000 / 0 400 days before `as_of` (outside the window).
    - 北京燕京啤酒 (Food, no wallet, nominated key account): G-1 2,000 / 1,000 (margin 1,000)
      and a line without a product 2,000 / 1,500 (margin 500; it counts in revenue only).
    - Plain Prospect GmbH (Energy, no wallet, not a key account): TAPE 1,000 / 500.
    - Retail peer k = 1..10 (wallet 100,000): Bolts margin 1,000·k; Glue margin 500 for
      k ≤ 4; TAPE margin 2,000 for k ≥ 5 (each line's revenue twice its margin).
    - Idle Retail (wallet 100,000): no sales in the window (not a peer).
    """
    from datetime import timedelta

    from db.models import ProductCategory

    day, old = as_of - timedelta(days=30), as_of - timedelta(days=400)
    with database.writing() as s:
        for product, category in WHITESPACE_CATEGORIES.items():
            s.add(ProductCategory(product=product, category=category))
        peers = [
            Customer(name=f"Retail peer {k:02d}", industry="Retail", estimated_wallet=100_000)
            for k in range(1, 11)
        ]
        idle = Customer(name="Idle Retail", industry="Retail", estimated_wallet=100_000)
        s.add_all([*peers, idle])
        s.flush()
        lines: list[tuple[int, date, float, float, str | None]] = [
            (1, day, 10_000, 6_000, "B-1"), (1, old, 5_000, 0, "G-1"),
            (2, day, 2_000, 1_000, "G-1"), (2, day, 2_000, 1_500, None),
            (3, day, 1_000, 500, "TAPE"),
        ]  # fmt: skip
        for k, peer in enumerate(peers, start=1):
            assert peer.id is not None
            lines.append((peer.id, day, 2_000 * k, 1_000 * k, "B-2"))
            if k <= 4:
                lines.append((peer.id, day, 1_000, 500, "G-1"))
            else:
                lines.append((peer.id, day, 4_000, 2_000, "TAPE"))
        for n, (cid, sold_on, revenue, cogs, product) in enumerate(lines):
            s.add(Transaction(customer_id=cid, sold_on=sold_on, revenue=revenue,
                              cost_of_goods=cogs, product=product, order_id=f"W{n}",
                              line_key=f"whitespace-{n}"))  # fmt: skip
