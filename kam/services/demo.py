"""Deterministic demo data: a realistic customer base, a few years of sales, and a programme.

The same seed, size and as-of date always give the same database. Sales follow a
long-tailed (80/20) profit distribution, and some customers cost more to serve than
they bring.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from db.bulk import insert_rows
from db.enums import (
    AccountStatus,
    ComplaintStatus,
    CostCategory,
    CustomerStatus,
    InteractionKind,
    LifecycleStage,
    LoyaltyType,
    Role,
    Severity,
)
from kam.errors import InvalidData, RuleError
from kam.rules import clock, dates
from kam.rules.permissions import Action, require

if TYPE_CHECKING:
    import numpy as np
    from sqlmodel import Session

    from db.models import KeyAccount
    from kam.database import Database
    from kam.identity import Actor
    from kam.services.demo_people import Circle

INDUSTRIES = [
    "Manufacturing",
    "Retail",
    "Healthcare",
    "Logistics",
    "Energy",
    "Food & Beverage",
    "Construction",
    "Telecom",
    "Automotive",
    "Pharma",
    "Chemicals",
    "Public sector",
]
#: The demo's catalogue: product codes by category (kam import categories loads the same).
CATALOGUE: dict[str, tuple[str, ...]] = {
    "Bearings": ("BRG-101", "BRG-102", "BRG-115", "BRG-240"),
    "Fasteners": ("FST-010", "FST-022", "FST-031"),
    "Hydraulics": ("HYD-300", "HYD-310", "HYD-355"),
    "Pneumatics": ("PNE-020", "PNE-041"),
    "Drives & motors": ("DRV-500", "DRV-520", "DRV-560"),
    "Sensors": ("SEN-110", "SEN-140", "SEN-170"),
    "Safety": ("SAF-001", "SAF-007"),
    "Lubricants": ("LUB-050", "LUB-055"),
    "Packaging": ("PKG-200", "PKG-210", "PKG-230"),
    "Tools": ("TLS-600", "TLS-610"),
    "Spare parts": ("SPR-900", "SPR-910", "SPR-950"),
    "Field service": ("SVC-INST", "SVC-MAINT"),
}
#: What each industry buys most, most first (a customer keeps some of it, and now and then
#: one more category).
_INDUSTRY_NEEDS: dict[str, tuple[str, ...]] = {
    "Manufacturing": ("Bearings", "Drives & motors", "Fasteners", "Tools", "Lubricants",
                      "Spare parts"),
    "Retail": ("Packaging", "Safety", "Tools", "Field service"),
    "Healthcare": ("Sensors", "Safety", "Packaging", "Field service"),
    "Logistics": ("Packaging", "Spare parts", "Lubricants", "Safety", "Bearings"),
    "Energy": ("Hydraulics", "Sensors", "Drives & motors", "Field service", "Safety"),
    "Food & Beverage": ("Packaging", "Pneumatics", "Sensors", "Lubricants", "Spare parts"),
    "Construction": ("Hydraulics", "Fasteners", "Tools", "Safety"),
    "Telecom": ("Sensors", "Field service", "Tools", "Fasteners"),
    "Automotive": ("Bearings", "Drives & motors", "Pneumatics", "Fasteners", "Sensors",
                   "Lubricants"),
    "Pharma": ("Packaging", "Sensors", "Pneumatics", "Safety"),
    "Chemicals": ("Pneumatics", "Hydraulics", "Safety", "Sensors", "Spare parts"),
    "Public sector": ("Field service", "Safety", "Tools", "Spare parts"),
}  # fmt: skip
REGIONS = ["North", "South", "East", "West", "Central", "Asia-Pacific", "Export"]

_LATIN_FIRST = [
    "Acme",
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Globex",
    "Initech",
    "Umbrella",
    "Vandelay",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Hooli",
    "Pied Piper",
    "Soylent",
    "Wonka",
    "Aperture",
    "Black Mesa",
    "Gringotts",
    "Oceanic",
    "Monarch",
    "Nakatomi",
    "Massive",
    "Dunder",
    "Bluth",
    "Prestige",
    "Sterling",
    "Gekko",
    "Virtucon",
    "Zorg",
    "Duff",
    "Krusty",
    "Ollivander",
    "Bergström",
    "Müller & Söhne",
    "Løvstad",
    "Ñandú",
    "Château Brun",
]
_LATIN_SECOND = [
    "Industries",
    "Logistics",
    "Foods",
    "Health",
    "Energy",
    "Retail",
    "Systems",
    "Works",
    "Holdings",
    "Supply",
    "Engineering",
    "Pharma",
    "Components",
    "Trading",
    "Labs",
]
_LATIN_FORM = ["Ltd", "GmbH", "AG", "S.A.", "Inc.", "plc", "B.V.", "Oy", "AB", "S.p.A.", "LLC"]
_WIDE_NAMES = [
    "华为技术",
    "上海汽车",
    "北京燕京啤酒",
    "深圳华强电子",
    "广州医药",
    "中国远洋物流",
    "株式会社山田製作所",
    "東京精密工業",
    "大阪化学",
    "삼성물산",
    "현대로지스틱스",
    "ООО Северсталь-Сервис",
    "АО Уралхим",
    "Δέλτα Τροφίμων",
    "شركة الخليج للتجارة",
    "חברת גליל תעשיות",
    "ไทยสตีล",
    "Việt Tiến Logistics",
]

MANAGERS = [
    ("mlopez", "María López", "Key Account Manager", (4, 3, 4, 5, 4)),
    ("akumar", "Arjun Kumar", "Key Account Manager", (5, 4, 3, 3, 4)),
    ("swong", "Sarah Wong", "Senior Key Account Manager", (4, 5, 5, 4, 5)),
    ("jnovak", "Jan Novák", "Key Account Manager", (2, 3, 4, 4, 3)),
    ("lchen", "陈丽 (Li Chen)", "Key Account Manager", (3, 4, 3, 5, 4)),
]
EXECUTIVES = [
    ("ehartmann", "Eva Hartmann", "Chief Executive Officer"),
    ("rokafor", "Richard Okafor", "Chief Operating Officer"),
    ("dsato", "Daiki Sato", "Chief Financial Officer"),
    ("pmorel", "Pauline Morel", "Chief Commercial Officer"),
]
VIEWERS = [("fanalyst", "Finn Analyst", "Commercial Analyst")]

#: (status, manager index, sponsor index or None, days since nomination)
PROGRAMME = [
    (AccountStatus.ACTIVE, 0, 0, 900),
    (AccountStatus.ACTIVE, 1, 0, 800),
    (AccountStatus.ACTIVE, 2, 1, 700),
    (AccountStatus.ACTIVE, 2, 1, 640),
    (AccountStatus.ACTIVE, 4, 2, 600),
    (AccountStatus.ACTIVE, 0, 2, 500),
    (AccountStatus.ACTIVE, 1, 3, 420),
    (AccountStatus.UNDER_REVIEW, 3, 3, 760),
    (AccountStatus.UNDER_REVIEW, 4, 0, 560),
    (AccountStatus.VETTING, 3, None, 40),
    (AccountStatus.NOMINATED, 2, None, 10),
    (AccountStatus.RETIRED, 1, None, 1000),
]


@dataclass(frozen=True)
class DemoOptions:
    """How much demo data to make, from which seed, up to which date."""

    seed: int = 7
    customers: int = 2000
    years: int = 3
    as_of: date | None = None
    """The last day of the data; today when None."""


@dataclass
class DemoSummary:
    """What a demo load wrote."""

    customers: int = 0
    transactions: int = 0
    service_costs: int = 0
    users: int = 0
    key_accounts: int = 0
    contacts: int = 0
    interactions: int = 0
    commitments: int = 0
    complaints: int = 0
    plans: int = 0
    plan_goals: int = 0
    plan_objectives: int = 0
    plan_actions: int = 0
    as_of: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The summary as a JSON-ready dict."""
        return {k: v for k, v in asdict(self).items() if k != "counts"}

    def summary(self) -> str:
        """One line for people."""
        return (
            f"Demo data to {self.as_of}: {self.customers:,} customers, "
            f"{self.transactions:,} sales lines, {self.service_costs:,} cost-to-serve lines, "
            f"{self.users} users, {self.key_accounts} key accounts with {self.contacts} "
            f"people and {self.plans} plans."
        )


def customer_names(rng: np.random.Generator, n: int) -> list[str]:
    """`n` distinct company names, about one in twelve in a non-Latin script."""
    names: list[str] = []
    seen: set[str] = set()
    wide = list(_WIDE_NAMES)
    rng.shuffle(wide)
    for i in range(n):
        if i % 12 == 5 and wide:
            base = wide.pop()
        else:
            base = (
                f"{_LATIN_FIRST[rng.integers(len(_LATIN_FIRST))]} "
                f"{_LATIN_SECOND[rng.integers(len(_LATIN_SECOND))]} "
                f"{_LATIN_FORM[rng.integers(len(_LATIN_FORM))]}"
            )
        name, k = base, 2
        while name.lower() in seen:
            name, k = f"{base} {k}", k + 1
        seen.add(name.lower())
        names.append(name)
    return names


def _require_empty(session: Session) -> None:
    from sqlalchemy import func
    from sqlmodel import select

    from db.models import Customer

    count = session.exec(select(func.count()).select_from(Customer)).one()
    if count:
        raise RuleError(
            f"The database already has {count:,} customers; demo data goes into an empty one "
            "(point KAM_DATABASE_URL at a new file)."
        )


def load_demo(session: Session, actor: Actor, options: DemoOptions) -> DemoSummary:
    """Fill an empty database with demo data, in the caller's transaction (admins only)."""
    import numpy as np

    from db.models import ProgrammeSetting
    from kam.services import audit

    require(actor, Action.LOAD_DEMO)
    if options.customers < 20 or options.years < 1:
        raise RuleError("Demo data needs at least 20 customers and 1 year.")
    _require_empty(session)
    as_of = clock.on_or_today(options.as_of)
    if as_of > clock.today():  # as an import refuses sales in the future
        raise InvalidData(
            f"as_of: {as_of.isoformat()} is in the future (today is {clock.today().isoformat()});"
            " demo data ends today or earlier."
        )
    first = dates.YEARS[0] + options.years  # the history starts `years` before as_of
    if as_of.year < first:
        raise InvalidData(
            f"as_of: {as_of.isoformat()} is too early; {options.years} year"
            f"{'' if options.years == 1 else 's'} of demo history before it would start before "
            f"{dates.YEARS[0]}: give {first}-01-01 or later."
        )
    rng = np.random.default_rng(options.seed)
    summary = DemoSummary(as_of=as_of.isoformat())

    sizes = _insert_customers(session, rng, options.customers, summary)
    _insert_sales(session, rng, sizes, as_of, options.years, summary)
    users = _insert_users(session, rng, as_of, summary)
    circles = _insert_programme(session, rng, users, sizes, as_of, summary)
    _insert_standing(session, rng, as_of)
    _insert_plans(session, np.random.default_rng([options.seed, 2]), circles, as_of, summary)
    # The demo's programme asks for orders of at least 1,000 (the break-even list flags less).
    session.add(ProgrammeSetting(key="min_order_size", value="1000.0"))
    audit.record(
        session,
        actor,
        entity="demo",
        entity_id=None,
        customer_id=None,
        field="(loaded)",
        new=summary.summary(),
    )
    return summary


def load_demo_if_empty(database: Database, options: DemoOptions) -> DemoSummary | None:
    """Load demo data as the current admin unless the database already has customers."""
    from sqlalchemy import func
    from sqlmodel import select

    from db.enums import Door
    from db.models import Customer
    from kam.identity import identify

    with database.writing() as session:
        if session.exec(select(func.count()).select_from(Customer)).one():
            return None
        return load_demo(session, identify(session, door=Door.CLI), options)


def _insert_customers(
    session: Session, rng: np.random.Generator, n: int, summary: DemoSummary
) -> np.ndarray:
    """Customers with a long-tailed size; returns each customer's size factor by id order."""
    import numpy as np
    from sqlmodel import col, select

    from db.models import Customer, utcnow

    names = customer_names(rng, n)
    # Long-tailed: about a fifth of the customers make 80 % of the profit.
    sizes = rng.lognormal(0.0, 1.2, n)
    stages = list(LifecycleStage)
    loyalties = list(LoyaltyType)
    now = utcnow()
    rows = []
    for i, name in enumerate(names):
        annual = float(sizes[i]) * 40_000
        rows.append(
            {
                "name": name,
                "code": f"C{i + 1:06d}",
                "industry": INDUSTRIES[int(rng.integers(len(INDUSTRIES)))],
                "region": REGIONS[int(rng.integers(len(REGIONS)))],
                "status": CustomerStatus.ACTIVE if rng.random() > 0.08 else CustomerStatus.INACTIVE,
                "lifecycle_stage": stages[int(rng.integers(2, len(stages)))],
                "loyalty_type": loyalties[int(rng.integers(len(loyalties)))],
                "estimated_wallet": round(annual * float(rng.uniform(1.2, 4.0)), -2),
                "created_at": now,
                "updated_at": now,
            }
        )
    insert_rows(session, Customer, rows)
    summary.customers = n
    ids = session.exec(select(Customer.id).order_by(col(Customer.id))).all()
    assert len(ids) == n
    return np.asarray(sizes)


def _insert_sales(
    session: Session,
    rng: np.random.Generator,
    sizes: np.ndarray,
    as_of: date,
    years: int,
    summary: DemoSummary,
) -> None:
    """Sales lines and cost-to-serve lines; about one customer in ten is served at a loss."""
    import numpy as np
    from sqlmodel import col, select

    from db.models import Customer, ServiceCost, Transaction

    ids = np.asarray(session.exec(select(Customer.id).order_by(col(Customer.id))).all())
    days = 365 * years
    start = as_of - timedelta(days=days - 1)
    n = len(ids)
    orders_per_year = np.clip(np.round(4 + 10 * np.sqrt(sizes)), 2, 60).astype(int)
    margin_rate = np.clip(rng.normal(0.32, 0.07, n), 0.08, 0.6)
    # Cost to serve as a share of revenue: most 5-15 %, a costly tail beyond the margin.
    serve_rate = np.clip(rng.gamma(2.0, 0.05, n), 0.01, 0.5)
    costly = rng.random(n) < 0.1
    serve_rate[costly] = margin_rate[costly] * rng.uniform(1.1, 1.8, costly.sum())
    growth = rng.normal(0.03, 0.12, n)
    categories = list(CostCategory)
    category_mix = np.array([0.35, 0.25, 0.2, 0.1, 0.05, 0.05])

    sales: list[dict[str, Any]] = []
    costs: list[dict[str, Any]] = []
    # Most customers buy throughout; some arrive later, and some churn (stop buying).
    first_day = np.where(rng.random(n) < 0.15, rng.integers(0, days, n), 0)
    last_day = np.where(rng.random(n) < 0.2, rng.integers(0, days, n), days - 1)
    last_day = np.maximum(last_day, first_day + 60)
    # Lifetime value is more than last year's profit: some profitable customers have gone
    # quiet for months (lapsing), and some small ones arrived lately and grow fast, so the
    # ranking by CLV differs from the ranking by profit. (Drawn from a child generator: the
    # rest of the base stays as the seed made it.)
    shape = rng.spawn(1)[0]
    lapsing = (shape.random(n) < 0.05) & ~costly & (last_day == days - 1)
    last_day[lapsing] = days - 1 - shape.integers(120, 300, n)[lapsing]
    small = sizes < np.quantile(sizes, 0.6)
    rising = (shape.random(n) < 0.05) & small & ~lapsing & ~costly
    first_day[rising] = days - shape.integers(300, 500, n)[rising]
    last_day[rising] = days - 1
    growth[rising] = shape.uniform(1.5, 3.0, n)[rising]
    orders_per_year[rising] = orders_per_year[rising] * 2
    # What each customer buys: some of its industry's needs, sometimes one more category
    # (drawn from a child generator of its own, so the rest of the data stays as it was).
    buys = _product_mix(session, rng.spawn(1)[0], ids)
    largest = np.argsort(-sizes)[:20]  # the programme's candidates buy throughout
    first_day[largest], last_day[largest] = 0, days - 1
    for i in range(n):
        span = max(1, min(days, int(last_day[i])) - int(first_day[i]))
        count = max(1, int(orders_per_year[i] * span / 365))
        offsets = np.sort(rng.integers(first_day[i], first_day[i] + span, count))
        annual = float(sizes[i]) * 40_000
        trend = (1 + growth[i]) ** ((offsets - days) / 365)
        revenue = np.round(annual / orders_per_year[i] * trend * rng.lognormal(0, 0.35, count), 2)
        cogs = np.round(revenue * (1 - margin_rate[i] * rng.uniform(0.85, 1.15, count)), 2)
        qty = np.maximum(1, np.round(revenue / rng.uniform(20, 200)))
        cid = int(ids[i])
        for j in range(count):
            order = f"SO-{cid:06d}-{j + 1:05d}"
            sales.append(
                {
                    "customer_id": cid,
                    "sold_on": start + timedelta(days=int(offsets[j])),
                    "revenue": float(revenue[j]),
                    "cost_of_goods": float(cogs[j]),
                    "quantity": float(qty[j]),
                    "product": buys(i, int(rng.integers(1, 80))),
                    "order_id": order,
                    "line_key": f"{order}/1",
                }
            )
        # Cost to serve: a quarterly line per category, sized from the revenue it served.
        for q in range(years * 4):
            quarter_start = start + timedelta(days=int(q * 91.25))
            in_quarter = (offsets >= q * 91.25) & (offsets < (q + 1) * 91.25)
            served = float(revenue[in_quarter].sum())
            if served <= 0:
                continue
            for k, category in enumerate(categories):
                amount = round(served * serve_rate[i] * category_mix[k] * rng.uniform(0.7, 1.3), 2)
                if amount < 1:
                    continue
                costs.append(
                    {
                        "customer_id": cid,
                        "incurred_on": min(quarter_start + timedelta(days=45), as_of),
                        "category": category,
                        "amount": amount,
                        "note": "",
                    }
                )
    _key_costs(costs)
    insert_rows(session, Transaction, sales)
    insert_rows(session, ServiceCost, costs)
    summary.transactions = len(sales)
    summary.service_costs = len(costs)


def _key_costs(costs: list[dict[str, Any]]) -> None:
    """Give each cost line the key an import gives it, so the demo's costs exported and
    imported again are found present (not added twice)."""
    import pandas as pd

    from kam.services.importing.keys import cost_keys

    keys = cost_keys(
        pd.Series([c["customer_id"] for c in costs], dtype="int64"),
        pd.Series(pd.to_datetime([c["incurred_on"] for c in costs])),
        pd.Series([c["category"].value for c in costs], dtype=object),
        pd.Series([c["amount"] for c in costs], dtype=float),
        pd.Series([c["note"] for c in costs], dtype=object),
    )
    for cost, key in zip(costs, keys.tolist(), strict=True):
        cost["line_key"] = key


def _product_mix(
    session: Session, rng: np.random.Generator, ids: np.ndarray
) -> Callable[[int, int], str]:
    """Store the catalogue's categories; return products(i, draw): the product of a sales
    line of customer i (`draw` 1–79, the line's own draw, picks it among what i buys)."""
    from sqlmodel import col, select

    from db.models import Customer, ProductCategory

    insert_rows(session, ProductCategory, [
        {"product": product, "category": category}
        for category, products in CATALOGUE.items() for product in products
    ])  # fmt: skip
    industry = dict(
        session.exec(select(Customer.id, Customer.industry).order_by(col(Customer.id))).all()
    )
    others = list(CATALOGUE)
    mixes: list[list[str]] = []
    for cid in ids.tolist():
        needs = _INDUSTRY_NEEDS.get(industry[cid], tuple(others[:4]))
        kept = [c for c in needs if rng.random() < 0.7] or [needs[0]]
        if rng.random() < 0.3:
            kept.append(others[int(rng.integers(len(others)))])
        # The first needs weigh most: 1, 1/2, 1/3 ... copies in a list of 60 picks.
        weights = [1 / (k + 1) for k in range(len(kept))]
        picks = rng.choice(len(kept), size=79, p=[w / sum(weights) for w in weights])
        mixes.append([kept[int(k)] for k in picks])

    def product(i: int, draw: int) -> str:
        category = mixes[i][draw - 1]
        choices = CATALOGUE[category]
        return choices[draw % len(choices)]

    return product


def _insert_users(
    session: Session, rng: np.random.Generator, as_of: date, summary: DemoSummary
) -> dict[str, list[int]]:
    """Managers with skills and training, executives, and a viewer."""
    from sqlmodel import select

    from db.models import ManagerSkill, TrainingRecord, User

    made: dict[str, list[int]] = {"manager": [], "executive": []}
    taken = set(session.exec(select(User.login)).all())
    for login, name, title, skills in MANAGERS:
        if login in taken:
            continue
        user = User(login=login, display_name=name, title=title, role=Role.MANAGER)
        session.add(user)
        session.flush()
        assert user.id is not None
        made["manager"].append(user.id)
        finance, consulting, planning, interpersonal, influence = skills
        session.add(
            ManagerSkill(
                user_id=user.id,
                finance=finance,
                consulting=consulting,
                planning=planning,
                interpersonal=interpersonal,
                influence=influence,
            )
        )
        for course in ("Key account fundamentals", "Value selling", "Finance for KAMs")[
            : int(rng.integers(1, 4))
        ]:
            taken_on = as_of - timedelta(days=int(rng.integers(30, 900)))
            session.add(TrainingRecord(user_id=user.id, course=course, taken_on=taken_on))
    for login, name, title in EXECUTIVES:
        if login in taken:
            continue
        user = User(login=login, display_name=name, title=title, role=Role.EXECUTIVE)
        session.add(user)
        session.flush()
        assert user.id is not None
        made["executive"].append(user.id)
    for login, name, title in VIEWERS:
        if login not in taken:
            session.add(User(login=login, display_name=name, title=title, role=Role.VIEWER))
    session.flush()
    summary.users = len(made["manager"]) + len(made["executive"]) + len(VIEWERS)
    return made


def _insert_programme(
    session: Session,
    rng: np.random.Generator,
    users: dict[str, list[int]],
    sizes: np.ndarray,
    as_of: date,
    summary: DemoSummary,
) -> list[Circle]:
    """Twelve key accounts among the largest customers, with their working records; the
    members' people (kam.services.demo_people) are returned for their plans."""
    import numpy as np
    from sqlmodel import col, select

    from db.models import Complaint, Customer, Interaction, KeyAccount, User
    from kam.rules import lifecycle
    from kam.services import demo_people as people

    ids = session.exec(select(Customer.id).order_by(col(Customer.id))).all()
    ranked = [int(ids[i]) for i in np.argsort(-sizes)]
    managers, executives = users["manager"], users["executive"]
    if not managers or not executives:
        return []
    # The people and their interactions draw from a stream of their own.
    people_rng = np.random.default_rng(rng.integers(2**32))
    chosen = ranked[: len(PROGRAMME) + 3]
    picks = [chosen[i] for i in sorted(rng.choice(len(chosen), len(PROGRAMME), replace=False))]
    circles: list[people.Circle] = []
    for (status, m, s, age), customer_id in zip(PROGRAMME, picks, strict=True):
        nominated = as_of - timedelta(days=age)
        admitted = (
            nominated + timedelta(days=45)
            if status in (AccountStatus.ACTIVE, AccountStatus.UNDER_REVIEW, AccountStatus.RETIRED)
            else None
        )
        manager_id = managers[m % len(managers)]
        account = KeyAccount(
            customer_id=customer_id,
            status=status,
            manager_id=manager_id,
            sponsor_id=executives[s % len(executives)] if s is not None else None,
            nominated_on=nominated,
            admitted_on=admitted,
            retired_on=as_of - timedelta(days=60) if status == AccountStatus.RETIRED else None,
            next_review_on=(
                admitted + timedelta(days=180 * (1 + age // 200)) if admitted else None
            ),
            reason="Top-decile profit, strong strategic fit."
            if status != AccountStatus.RETIRED
            else "Retired: two reviews below threshold after margin erosion.",
            updated_by_id=manager_id,
        )
        session.add(account)
        summary.key_accounts += 1
        circle = None
        if lifecycle.is_member(status):
            customer = session.get(Customer, customer_id)
            manager = session.get(User, manager_id)
            assert customer is not None and manager is not None
            circle = people.insert_people(session, people_rng, account, customer.name,
                                          len(circles))  # fmt: skip
            circles.append(circle)
            summary.contacts += len(circle.ids)
            summary.interactions += people.insert_interactions(
                session, people_rng, circle, as_of=as_of, manager_name=manager.display_name
            )
        else:
            summary.contacts += people.insert_plain_contacts(session, rng, customer_id)
        if status in (AccountStatus.RETIRED,):
            continue
        if circle is None:
            for _ in range(int(rng.integers(4, 10))):
                session.add(
                    Interaction(
                        customer_id=customer_id,
                        kind=[InteractionKind.VISIT, InteractionKind.CALL,
                              InteractionKind.MEETING][int(rng.integers(3))],
                        happened_on=as_of - timedelta(days=int(rng.integers(1, 200))),
                        our_people="Account team",
                        their_people="Procurement",
                        summary="Reviewed open orders and the [Q3] forecast; agreed next steps.",
                        user_id=manager_id,
                    )
                )  # fmt: skip
                summary.interactions += 1
        summary.commitments += people.insert_promises(
            session, people_rng if circle else rng, customer_id, manager_id, as_of=as_of,
            circle=circle,
        )  # fmt: skip
        for _ in range(int(rng.integers(0, 3))):
            recorded = as_of - timedelta(days=int(rng.integers(5, 300)))
            step = int(rng.choice(4, p=[0.15, 0.1, 0.1, 0.65]))  # most are fed back
            statuses = list(ComplaintStatus)
            session.add(
                Complaint(
                    customer_id=customer_id,
                    summary=[
                        "Late delivery of two pallets",
                        "Invoice did not match agreed discount",
                        "Damaged goods on arrival",
                    ][int(rng.integers(3))],
                    severity=list(Severity)[int(rng.choice(4, p=[0.4, 0.35, 0.2, 0.05]))],
                    status=statuses[step],
                    owner_id=manager_id,
                    recorded_on=recorded,
                    handled_on=recorded + timedelta(days=3) if step >= 1 else None,
                    verified_on=recorded + timedelta(days=10) if step >= 2 else None,
                    fed_back_on=recorded + timedelta(days=14) if step >= 3 else None,
                )
            )
            summary.complaints += 1
    session.flush()
    return circles


def _insert_plans(
    session: Session,
    rng: np.random.Generator,
    circles: list[Circle],
    as_of: date,
    summary: DemoSummary,
) -> None:
    """Each member's plan of this fiscal year (kam.services.demo_plans), its figure-linked
    objectives set around the figures as of the demo's last day."""
    from db.enums import PlanFigure
    from kam.figures.base import base_figures
    from kam.rules.programme import load_settings
    from kam.services.demo_plans import insert_plan
    from kam.services.plans.reads import figure_values

    if not circles:
        return
    first_month = load_settings(session).fiscal_year_start
    base = base_figures(session, as_of=as_of, customer_ids=[c.customer_id for c in circles],
                        model=False)  # fmt: skip
    for circle in circles:
        figures = figure_values(session, circle.account, {PlanFigure.CONTACTS_MET_90D,
                                PlanFigure.SATISFACTION}, as_of=as_of)  # fmt: skip
        if circle.customer_id in base.profit.index:
            profit = base.profit.loc[circle.customer_id, "profit"]
            share = base.wallet.loc[circle.customer_id, "share"]
            figures[PlanFigure.T12M_PROFIT] = float(profit) if profit == profit else None
            figures[PlanFigure.SHARE_OF_WALLET] = float(share) if share == share else None
        goals, objectives, actions = insert_plan(
            session, rng, circle, as_of=as_of, first_month=first_month, figures=figures
        )
        summary.plans += 1
        summary.plan_goals += goals
        summary.plan_objectives += objectives
        summary.plan_actions += actions
    session.flush()


PRACTICES = [
    (
        "Joint business plan",
        "Industry benchmark study",
        "planning",
        "A yearly plan written with the customer, with shared targets and owners.",
    ),
    (
        "Quarterly business review",
        "Our Nordic sales team",
        "cadence",
        "Every quarter: results, open commitments, complaints and next steps, with the sponsor.",
    ),
    (
        "Cost-to-serve review",
        "Supply chain consultancy",
        "profit",
        "Twice a year, walk the customer's cost to serve line by line and agree changes.",
    ),
    (
        "Executive-to-executive map",
        "Peer company interview",
        "relationships",
        "Pair each of our executives with their counterpart; visits planned a year ahead.",
    ),
]


def _insert_standing(session: Session, rng: np.random.Generator, as_of: date) -> None:
    """Assessments, one override, reviews and best practices, so the programme has history."""
    import json

    from sqlmodel import col, select

    from db.enums import AssessmentDecision, AssessmentKind, ReviewDecision
    from db.models import (
        Assessment,
        AssessmentScore,
        BestPractice,
        KeyAccount,
        Review,
        utcnow,
    )
    from kam.services.criteria import current_criteria as criteria_rows
    from kam.services.criteria import ensure_criteria, total_score

    for title, source, tag, text in PRACTICES:
        session.add(BestPractice(title=title, source=source, tags=tag, description=text))
    ensure_criteria(session)
    criteria = criteria_rows(session)
    accounts = session.exec(select(KeyAccount).order_by(col(KeyAccount.id))).all()
    overridden = False
    for account in accounts:
        if account.status == AccountStatus.NOMINATED:
            continue
        vetting = account.status == AccountStatus.VETTING
        scores = [(c, int(rng.integers(3, 6))) for c in criteria]
        if vetting:  # manual scores still to come
            scores = [(c, s) for c, s in scores if c.kind.value == "metric"]
        override = not overridden and account.status == AccountStatus.ACTIVE and not vetting
        if override:  # scored under the threshold, admitted all the same
            scores = [(c, 2) for c, _ in scores]
        total = total_score([(c.weight, s) for c, s in scores]) if not vetting else None
        decided = utcnow() if account.admitted_on else None
        assessment = Assessment(
            key_account_id=account.id,  # type: ignore[arg-type]
            kind=AssessmentKind.VETTING,
            criteria_version=criteria[0].set_version,
            total=total,
            complete=not vetting,
            decision=AssessmentDecision.ADMIT if decided else None,
            rationale="Meets the written criteria." if decided else "",
            override=override,
            override_reason="Board decision: strategic entry into the region." if override else "",
            decided_by_id=account.sponsor_id if decided else None,
            decided_at=decided,
            created_by_id=account.manager_id,  # type: ignore[arg-type]
        )
        session.add(assessment)
        session.flush()
        assert assessment.id is not None
        for c, score in scores:
            session.add(
                AssessmentScore(
                    assessment_id=assessment.id,
                    criterion_id=c.id,  # type: ignore[arg-type]
                    score=score,
                    comment="Scored at vetting",
                )
            )
        if override:
            account.admitted_by_override = True
            overridden = True
        if (
            account.admitted_on
            and account.status in (AccountStatus.ACTIVE, AccountStatus.UNDER_REVIEW)
            and (as_of - account.admitted_on).days > 180
        ):
            watch = account.status == AccountStatus.UNDER_REVIEW
            perceived, expected = (5, 8) if watch else (int(rng.integers(7, 10)), 7)
            reviewed_on = as_of - timedelta(days=int(rng.integers(20, 150)))
            # The next review as the review sets it: review_days (180 by default) later, or
            # sooner for an account on watch.
            account.next_review_on = reviewed_on + timedelta(days=90 if watch else 180)
            _insert_earlier_reviews(session, rng, account, assessment.id, before=reviewed_on)
            session.add(
                Review(
                    key_account_id=account.id,  # type: ignore[arg-type]
                    assessment_id=assessment.id,
                    reviewed_on=reviewed_on,
                    perceived=perceived,
                    expected=expected,
                    satisfaction=round(perceived / expected, 3),
                    decision=ReviewDecision.WATCH if watch else ReviewDecision.RETAIN,
                    notes="Margin under pressure; service issues." if watch else "On plan.",
                    checklist_json=json.dumps({"account_plan_updated": True}),
                    next_review_on=account.next_review_on,
                    reviewed_by_id=account.manager_id,  # type: ignore[arg-type]
                )
            )
    session.flush()


def _insert_earlier_reviews(
    session: Session,
    rng: np.random.Generator,
    account: KeyAccount,
    assessment_id: int,
    *,
    before: date,
) -> None:
    """The reviews before an account's last one since its admission, each setting the next
    review_days (180) later and most done by then, drawn from a stream of their own so the
    rest of the demo stays as it was."""
    import json

    from db.enums import ReviewDecision
    from db.models import Review

    assert account.admitted_on and account.id is not None and account.manager_id is not None
    history = rng.spawn(1)[0]
    reviewed_on = before
    while True:
        late = history.random() < 0.2
        reviewed_on -= timedelta(
            days=int(history.integers(185, 215) if late else history.integers(150, 180))
        )
        if reviewed_on < account.admitted_on + timedelta(days=60):
            return
        perceived = int(history.integers(7, 10))
        session.add(
            Review(
                key_account_id=account.id,
                assessment_id=assessment_id,
                reviewed_on=reviewed_on,
                perceived=perceived,
                expected=7,
                satisfaction=round(perceived / 7, 3),
                decision=ReviewDecision.RETAIN,
                notes="On plan.",
                checklist_json=json.dumps({"account_plan_updated": True}),
                next_review_on=reviewed_on + timedelta(days=180),
                reviewed_by_id=account.manager_id,
            )
        )
