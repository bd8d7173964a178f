"""Demo data, the people side: each key account's people at the customer, the interactions
they took part in, and the promises made to them.

A member account (active or under review) gets a relationship map of 5-12 people: an
organisation chart under the CEO, a champion, a blocker, decision makers, owners on our side
from the account's manager and sponsor, CJK names among them, and interactions linked to the
people who took part, so that last contacts are derived and some people are overdue. The
accounts differ on purpose (PROFILES): one is covered by the book, one is single-threaded,
some have a decision maker nobody owns, a blocker of high influence, or a sponsor without a
counterpart. Other accounts get a few plain contacts, as before they are admitted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from db.enums import (
    BuyingRole,
    CommitmentStatus,
    CommunicationStyle,
    Department,
    InteractionKind,
    Stance,
)

if TYPE_CHECKING:
    import numpy as np
    from sqlmodel import Session

    from db.models import KeyAccount

LATIN_FIRST = ["Anna", "Ben", "Chloé", "David", "Elif", "Farid", "Greta", "Hiro", "Ines",
               "Jonas", "Kim", "Lena", "Marco", "Nia", "Omar", "Priya", "Søren", "Zoë", "Lukas",
               "Maya", "Noah", "Olga", "Pedro", "Rosa"]  # fmt: skip
LATIN_LAST = ["Schmidt", "Rossi", "Dubois", "Smith", "Yilmaz", "Haddad", "Berg", "Tanaka",
              "García", "Weber", "Park", "Nowak", "Silva", "Okoye", "Ali", "Shah", "Jensen",
              "Moreau", "Kowalski", "Fischer"]  # fmt: skip
CHINESE = ["王伟", "李娜", "张敏 (Zhang Min)", "刘洋", "陈静", "杨帆", "黄志强", "周婷", "吴磊",
           "赵丽 (Zhao Li)"]  # fmt: skip
JAPANESE = ["佐藤 健", "鈴木 花子", "高橋 誠", "田中 美咲", "渡辺 翔", "伊藤 さくら", "山本 大輔",
            "中村 由美"]  # fmt: skip
KOREAN = ["김민준", "이서연", "박지훈", "최유진", "정하늘", "강도윤"]

#: The organisation chart a member's people are drawn from, top down: (job title, buying
#: role, influence, index of whom they report to). The first n are taken (n is 5 to 12).
CHART: list[tuple[str, BuyingRole, int, int | None]] = [
    ("Chief Executive Officer", BuyingRole.DECISION_MAKER, 5, None),
    ("Chief Financial Officer", BuyingRole.DECISION_MAKER, 4, 0),
    ("Operations Director", BuyingRole.INFLUENCER, 4, 0),
    ("Head of Procurement", BuyingRole.DECISION_MAKER, 4, 1),
    ("Category Manager", BuyingRole.INFLUENCER, 3, 3),
    ("Supply Chain Lead", BuyingRole.INFLUENCER, 3, 2),
    ("Plant Manager", BuyingRole.USER, 2, 2),
    ("Quality Manager", BuyingRole.USER, 2, 2),
    ("Senior Buyer", BuyingRole.USER, 2, 3),
    ("Executive Assistant to the CEO", BuyingRole.GATEKEEPER, 1, 0),
    ("Head of R&D", BuyingRole.INFLUENCER, 3, 0),
    ("Logistics Coordinator", BuyingRole.USER, 1, 5),
]
CEO, CFO, OPERATIONS, PROCUREMENT, CATEGORY = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class Profile:
    """How a member account's people are covered (the accounts differ on purpose)."""

    exemplary: bool = False
    """Every decision maker owned and met on cadence, a counterpart, no blocker of weight."""
    single_threaded: bool = False
    """Nearly every recent interaction was with the champion alone."""
    counterpart: bool = True
    """The sponsor is paired with the CEO."""
    unowned_decision_maker: bool = False
    """The head of procurement, a decision maker, has no owner on our side."""
    strong_blocker: bool = True
    """The blocker is the CFO, of high influence (else someone of little influence)."""
    blocker_addressed: bool = False
    """An open plan action addresses the blocker."""
    former_rep_promise: bool = False
    """An open promise made by the former key account manager, who left."""


#: By the account's place among the members (cycled).
PROFILES = [
    Profile(blocker_addressed=True, former_rep_promise=True),
    Profile(unowned_decision_maker=True),
    Profile(exemplary=True, strong_blocker=False),
    Profile(counterpart=False, blocker_addressed=True),
    Profile(unowned_decision_maker=True, former_rep_promise=True),
    Profile(single_threaded=True, strong_blocker=False),
    Profile(blocker_addressed=True),
    Profile(counterpart=False, former_rep_promise=True),
    Profile(unowned_decision_maker=True, strong_blocker=False),
]

#: The former key account manager, who left (promises they made are still open).
FORMER_REP = ("Tom Brandt", Department.SALES)
#: Colleagues outside kam who make promises and own plan actions.
COLLEAGUES = [
    ("Ines Carvalho", Department.OPERATIONS),
    ("Raj Patel", Department.SUPPLY_CHAIN),
    ("Sophie Laurent", Department.SERVICE),
    ("Lena Vogt", Department.PRODUCT),
    ("渡辺 翔太", Department.FINANCE),
]

PROMISES = [
    "Deliver revised price list",
    "Dedicated logistics slot on Mondays",
    "Quarterly business review deck",
    "Fix EDI invoice format",
    "Custom packaging trial",
    "Send the sustainability (Scope 3) data pack",
    "Samples for the second-source qualification",
    "Hold prices until the next renewal",
]
FORMER_REP_PROMISE = "Honour the 2 % volume rebate agreed at the last renewal"

SUMMARIES = [
    "Quarterly business review: volumes, service levels and open commitments.",
    "Call on the delivery schedule for the next quarter.",
    "Site visit: toured the new line; discussed packaging changes.",
    "Price review; agreed to revisit freight terms.",
    "Workshop on the joint roadmap.",
    "Reviewed open orders and the [Q3] forecast; agreed next steps.",
]
VISITS = [
    "Executive sponsor visit: strategy and joint roadmap.",
    "Executive sponsor visit: annual priorities with their board.",
    "Executive sponsor visit: supply security and the next contract.",
]
_KINDS = [InteractionKind.VISIT, InteractionKind.CALL, InteractionKind.MEETING,
          InteractionKind.EMAIL]  # fmt: skip
_TITLES_PLAIN = ["Head of Procurement", "CFO", "Operations Director", "Category Manager",
                 "Plant Manager", "CEO", "Supply Chain Lead", "Quality Manager"]  # fmt: skip


@dataclass
class Circle:
    """A member account's people, as the plan and the promises need them."""

    account: KeyAccount
    customer_id: int
    profile: Profile
    ids: list[int] = field(default_factory=list)
    """Contact ids in chart order (the CEO first)."""
    names: dict[int, str] = field(default_factory=dict)
    champion: int = 0
    blocker: int = 0

    @property
    def ceo(self) -> int:
        """The CEO's contact id."""
        return self.ids[CEO]


def _pool(customer: str) -> list[str]:
    """The names most people at this customer have: Korean, Japanese, Chinese, or none."""
    if any("\uac00" <= ch <= "\ud7af" for ch in customer):
        return KOREAN
    if any("\u3040" <= ch <= "\u30ff" for ch in customer) or customer.startswith(
        ("株式会社", "東京", "大阪")
    ):
        return JAPANESE
    if any("\u4e00" <= ch <= "\u9fff" for ch in customer):
        return CHINESE
    return []


def _name(rng: np.random.Generator, local: list[str], wide: bool) -> str:
    """A person's name: from the customer's own script when it has one, else Latin (or, when
    `wide`, a CJK name: colleagues in Asia-Pacific offices)."""
    if local and rng.random() < 0.75:
        return str(local[int(rng.integers(len(local)))])
    if wide:
        pool = [CHINESE, JAPANESE, KOREAN][int(rng.integers(3))]
        return str(pool[int(rng.integers(len(pool)))])
    first = LATIN_FIRST[int(rng.integers(len(LATIN_FIRST)))]
    return f"{first} {LATIN_LAST[int(rng.integers(len(LATIN_LAST)))]}"


def _email(name: str) -> str:
    parts = name.lower().split()
    return f"{'.'.join(parts)}@example.com" if name.isascii() and len(parts) == 2 else ""


def insert_plain_contacts(session: Session, rng: np.random.Generator, customer_id: int) -> int:
    """Two to four contacts of a customer not (or no longer) in the programme."""
    from db.models import Contact

    roles, styles = list(BuyingRole), list(CommunicationStyle)
    count = int(rng.integers(2, 5))
    for c in range(count):
        name = _name(rng, [], wide=False)
        session.add(
            Contact(
                customer_id=customer_id,
                name=name,
                job_title=_TITLES_PLAIN[int(rng.integers(len(_TITLES_PLAIN)))],
                email=_email(name),
                buying_role=roles[c % len(roles)],
                communication_style=styles[int(rng.integers(len(styles)))],
                relationship_strength=int(rng.integers(1, 6)),
            )
        )
    return count


def insert_people(
    session: Session,
    rng: np.random.Generator,
    account: KeyAccount,
    customer: str,
    place: int,
) -> Circle:
    """A member's relationship map: 5-12 people in a reports-to chart, with stance,
    influence and owners (the manager's, the CEO the sponsor's), by its PROFILE."""
    from db.models import Contact

    profile = PROFILES[place % len(PROFILES)]
    assert account.customer_id is not None
    circle = Circle(account, account.customer_id, profile)
    count = int(rng.integers(5, 13))
    local = _pool(customer)
    styles = list(CommunicationStyle)
    champion = OPERATIONS if rng.random() < 0.5 or count <= CATEGORY + 1 else CATEGORY
    blocker = CFO if profile.strong_blocker else count - 1
    if blocker == champion:
        champion = OPERATIONS if champion != OPERATIONS else CATEGORY
    wide_at = {int(rng.integers(1, count))} if place % 2 == 0 else set()
    taken: set[str] = set()
    for i, (title, role, influence, boss) in enumerate(CHART[:count]):
        name = _name(rng, local, wide=i in wide_at)
        while name in taken:
            name = _name(rng, local, wide=i in wide_at)
        taken.add(name)
        if i == champion:
            stance, strength = Stance.CHAMPION, 5
        elif i == blocker:
            stance, strength = Stance.BLOCKER, int(rng.integers(1, 3))
            influence = int(rng.integers(4, 6)) if profile.strong_blocker else 2
        else:
            stance = [Stance.SUPPORTER, Stance.NEUTRAL, Stance.SKEPTIC][
                int(rng.choice(3, p=[0.45, 0.4, 0.15]))
            ]
            strength = int(rng.integers(2, 5))
        if i == CEO:
            owner = account.sponsor_id or account.manager_id
        elif i == PROCUREMENT and profile.unowned_decision_maker:
            owner = None
        elif role in (BuyingRole.DECISION_MAKER, BuyingRole.INFLUENCER) or i == blocker:
            owner = account.manager_id
        else:
            owner = account.manager_id if rng.random() < 0.5 else None
        contact = Contact(
            customer_id=circle.customer_id,
            name=name,
            job_title=title,
            email=_email(name),
            buying_role=role,
            communication_style=styles[int(rng.integers(len(styles)))],
            relationship_strength=strength,
            reports_to_id=circle.ids[boss] if boss is not None else None,
            influence=influence,
            stance=stance,
            owner_id=owner,
        )
        session.add(contact)
        session.flush()
        assert contact.id is not None
        circle.ids.append(contact.id)
        circle.names[contact.id] = name
    circle.champion, circle.blocker = circle.ids[champion], circle.ids[blocker]
    if account.sponsor_id is not None and profile.counterpart:
        account.counterpart_id = circle.ceo
    return circle


def _last_met(rng: np.random.Generator, circle: Circle, i: int) -> int | None:
    """Days before the as-of date each person was last met (None: never), by the profile."""
    role = CHART[i][1]
    person = circle.ids[i]
    profile = circle.profile
    if person == circle.champion:
        return int(rng.integers(2, 12))
    if profile.single_threaded:
        return int(rng.integers(190, 330)) if rng.random() < 0.7 else None
    if profile.exemplary and role == BuyingRole.DECISION_MAKER:
        return int(rng.integers(3, 25))
    if i == CEO:
        return int(rng.integers(5, 28)) if rng.random() < 0.5 else int(rng.integers(35, 110))
    if role == BuyingRole.DECISION_MAKER:
        return int(rng.integers(5, 28)) if rng.random() < 0.6 else int(rng.integers(35, 120))
    if person == circle.blocker:
        return int(rng.integers(40, 150))
    if rng.random() < 0.12:
        return None
    return int(rng.integers(10, 150))


def insert_interactions(
    session: Session,
    rng: np.random.Generator,
    circle: Circle,
    *,
    as_of: date,
    manager_name: str,
) -> int:
    """Interactions linked to the people who took part (their last contact is derived from
    them), the history before, and the sponsor's executive visit with the counterpart."""
    from db.models import Interaction, InteractionContact
    from kam.rules.people import SINGLE_THREAD_DAYS

    meetings: dict[int, set[int]] = {}
    last: dict[int, int | None] = {}
    for i, person in enumerate(circle.ids):
        last[person] = days = _last_met(rng, circle, i)
        if days is not None:
            meetings.setdefault(days, set()).add(person)
    champion = last[circle.champion] or 0
    if circle.profile.single_threaded:
        for _ in range(int(rng.integers(5, 9))):
            meetings.setdefault(int(rng.integers(champion, 170)), set()).add(circle.champion)
    else:
        for days, people in meetings.items():
            if days >= champion and rng.random() < 0.4:
                people.add(circle.champion)
    for _ in range(int(rng.integers(3, 7))):  # older history
        days = int(rng.integers(100, 360))
        known = [p for p, d in last.items() if d is not None and d <= days]
        if known:
            size = min(len(known), int(rng.integers(1, 4)))
            chosen = rng.choice(len(known), size, replace=False)
            meetings.setdefault(days, set()).update(known[int(k)] for k in chosen)
    rows: list[tuple[Interaction, set[int]]] = []
    for days, people in sorted(meetings.items(), reverse=True):
        row = Interaction(
            customer_id=circle.customer_id,
            kind=_KINDS[int(rng.integers(len(_KINDS)))],
            happened_on=as_of - timedelta(days=days),
            our_people=manager_name,
            their_people="",
            summary=SUMMARIES[int(rng.integers(len(SUMMARIES)))],
            user_id=circle.account.manager_id,
        )
        rows.append((row, people))
    account = circle.account
    if account.sponsor_id is not None:
        # Some sponsors visit on cadence, some are overdue (> 90 days).
        days = int(rng.choice([20, 45, 70, 130, 200]))
        visit = Interaction(
            customer_id=circle.customer_id,
            kind=InteractionKind.EXECUTIVE_VISIT,
            happened_on=as_of - timedelta(days=days),
            our_people="Executive sponsor",
            their_people="" if account.counterpart_id else "CEO's office",
            summary="Executive sponsor visit: strategy and joint roadmap.",
            user_id=account.sponsor_id,
        )
        rows.append((visit, {account.counterpart_id} if account.counterpart_id else set()))
        # The visits before it since admission, most within the cadence (drawn from a stream
        # of their own, so the rest of the demo stays as it was).
        history = rng.spawn(1)[0]
        start = account.admitted_on or account.nominated_on
        happened = visit.happened_on
        while True:
            happened -= timedelta(days=int(
                history.integers(60, 89) if history.random() < 0.8 else history.integers(95, 125)
            ))  # fmt: skip
            if happened < start + timedelta(days=14):
                break
            # A single-threaded account's sponsor met the counterpart only at the last visit
            # of the window that finds it so.
            alone = circle.profile.single_threaded and (as_of - happened).days <= SINGLE_THREAD_DAYS
            met = {account.counterpart_id} if account.counterpart_id and not alone else set()
            earlier = Interaction(
                customer_id=circle.customer_id,
                kind=InteractionKind.EXECUTIVE_VISIT,
                happened_on=happened,
                our_people="Executive sponsor",
                their_people="" if met else "CEO's office",
                summary=VISITS[int(history.integers(len(VISITS)))],
                user_id=account.sponsor_id,
            )
            rows.append((earlier, met))
    for row, _people in rows:
        session.add(row)
    session.flush()
    for row, people in rows:
        assert row.id is not None
        for person in sorted(people):
            session.add(InteractionContact(interaction_id=row.id, contact_id=person))
    return len(rows)


def insert_promises(
    session: Session,
    rng: np.random.Generator,
    customer_id: int,
    made_by: int | None,
    *,
    as_of: date,
    circle: Circle | None = None,
) -> int:
    """Promises made to a customer: most kept, a few late or broken. With a circle, they are
    made to its people, some by colleagues outside kam, and (by profile) one by the former
    key account manager that is still open."""
    from db.models import Commitment

    departments = list(Department)
    count = int(rng.integers(1, 5)) + (1 if circle else 0)
    made = 0
    for k in range(count):
        # Most promises are kept; a few are late or broken.
        state = [CommitmentStatus.OPEN, CommitmentStatus.DONE, CommitmentStatus.BROKEN][
            int(rng.choice(3, p=[0.4, 0.52, 0.08]))
        ]
        late = state == CommitmentStatus.OPEN and rng.random() < 0.2
        due = as_of + timedelta(
            days=int(
                rng.integers(-40, -1)
                if late or state != CommitmentStatus.OPEN
                else rng.integers(5, 90)
            )
        )
        outsider = None
        contact = None
        if circle is not None:
            if rng.random() < 0.25:
                outsider = COLLEAGUES[int(rng.integers(len(COLLEAGUES)))]
            if rng.random() < 0.8:
                contact = circle.ids[int(rng.integers(len(circle.ids)))]
        session.add(
            Commitment(
                customer_id=customer_id,
                description=PROMISES[(k + int(rng.integers(len(PROMISES)))) % len(PROMISES)],
                made_by_id=None if outsider else made_by,
                made_by_name=outsider[0] if outsider else "",
                made_by_department=outsider[1] if outsider else None,
                contact_id=contact,
                department=departments[int(rng.integers(len(departments)))],
                due_on=due,
                status=state,
                closed_on=min(due, as_of) if state != CommitmentStatus.OPEN else None,
            )
        )
        made += 1
    if circle is not None and circle.profile.former_rep_promise:
        session.add(
            Commitment(
                customer_id=customer_id,
                description=FORMER_REP_PROMISE,
                made_by_name=FORMER_REP[0],
                made_by_department=FORMER_REP[1],
                contact_id=circle.ids[PROCUREMENT],
                department=Department.FINANCE,
                due_on=as_of + timedelta(days=int(rng.integers(-20, 40))),
                status=CommitmentStatus.OPEN,
            )
        )
        made += 1
    return made
