"""The relationship map of a customer: its people as an organisation chart, and the coverage
findings (kam.rules.people.COVERAGE_RULE) on the sheet and the dashboard."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from db.enums import ActionStatus, BuyingRole, Stance
from kam.rules import clock, lifecycle, people
from kam.rules.permissions import Action, require
from kam.services import audit
from kam.services.common import stake
from kam.services.contacts import contact_of, list_contacts
from kam.views import ContactView, View

if TYPE_CHECKING:
    from sqlmodel import Session

    from db.models import Customer, KeyAccount
    from kam.identity import Actor


@dataclass(frozen=True)
class Finding(View):
    """A gap in how the account's people are covered."""

    kind: str
    """decision_maker, blocker, single_threaded or counterpart."""
    text: str
    contact_id: int | None = None


@dataclass(frozen=True)
class PeopleMap(View):
    """A customer's people, their chart, and what the coverage rule finds."""

    customer: str
    as_of: date
    people: list[ContactView]
    roots: list[int]
    """Ids of the people who report to nobody at the customer (the chart's tops)."""
    reports: dict[int, list[int]]
    """Who reports to whom: {manager's id: [their reports' ids]}."""
    counterpart_id: int | None
    findings: list[Finding] = field(default_factory=list)


def _open_actions_on(session: Session, contact_ids: list[int]) -> set[int]:
    """The contacts an open plan action addresses, under a goal and an objective still
    pursued (dropped work addresses no one)."""
    from sqlmodel import col, select

    from db.enums import GoalStatus
    from db.models import PlanAction, PlanGoal, PlanObjective

    if not contact_ids:
        return set()
    rows = session.exec(
        select(PlanAction.contact_id)
        .join(PlanObjective, col(PlanObjective.id) == PlanAction.objective_id)
        .join(PlanGoal, col(PlanGoal.id) == PlanObjective.goal_id)
        .where(
            col(PlanAction.contact_id).in_(contact_ids),
            col(PlanAction.status).in_((ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)),
            col(PlanGoal.status) != GoalStatus.DROPPED,
            col(PlanObjective.dropped_on).is_(None),
        )
    ).all()
    return {int(r) for r in rows if r is not None}


def _threads(session: Session, customer_id: int, as_of: date) -> list[set[int]]:
    """For each interaction of the last SINGLE_THREAD_DAYS days, the contacts in it."""
    from sqlmodel import col, select

    from db.models import Interaction, InteractionContact

    since = as_of - timedelta(days=people.SINGLE_THREAD_DAYS)
    found: dict[int, set[int]] = {}
    for interaction_id, contact_id in session.exec(
        select(Interaction.id, InteractionContact.contact_id)
        .join(InteractionContact, col(InteractionContact.interaction_id) == Interaction.id)
        .where(
            Interaction.customer_id == customer_id,
            col(Interaction.happened_on) > since,
            col(Interaction.happened_on) <= as_of,
        )
    ).all():
        found.setdefault(int(interaction_id or 0), set()).add(int(contact_id))
    return list(found.values())


def findings(
    session: Session,
    customer_id: int,
    account: KeyAccount | None,
    views: list[ContactView],
    *,
    as_of: date,
) -> list[Finding]:
    """What the coverage rule finds for a customer's people (and its key account, if any)."""
    found: list[Finding] = []
    for p in views:
        if p.buying_role != BuyingRole.DECISION_MAKER:
            continue
        if p.owner is None:
            found.append(Finding("decision_maker", f"decision maker {p.name} has no owner on "
                                 "our side", p.id))  # fmt: skip
        if p.overdue:
            since = f"not met since {p.last_contact.isoformat()}" if p.last_contact else "never met"
            found.append(Finding("decision_maker", f"decision maker {p.name}: {since} (due "
                                 f"every {p.cadence_days} days)", p.id))  # fmt: skip
    blockers = [
        p for p in views
        if p.stance == Stance.BLOCKER and (p.influence or 0) >= people.HIGH_INFLUENCE
    ]  # fmt: skip
    addressed = _open_actions_on(session, [p.id for p in blockers])
    for p in blockers:
        if p.id not in addressed:
            found.append(Finding("blocker", f"{p.name} blocks us with influence {p.influence} "
                                 "and no plan action addresses them", p.id))  # fmt: skip
    threads = _threads(session, customer_id, as_of)
    met = set().union(*threads) if threads else set()
    days = people.SINGLE_THREAD_DAYS
    if account is not None and lifecycle.is_member(account.status):
        if not met:
            found.append(Finding("single_threaded", f"nobody at the customer met in {days} days"))
        elif len(met) == 1:
            only = next(p.name for p in views if p.id in met)
            found.append(Finding("single_threaded", f"only {only} met in {days} days"))
        else:
            top = max(met, key=lambda c: sum(c in t for t in threads))
            share = sum(top in t for t in threads) / len(threads)
            if share > people.SINGLE_THREAD_SHARE:
                name = next(p.name for p in views if p.id == top)
                found.append(Finding("single_threaded", f"{share:.0%} of the last {days} days' "
                                     f"interactions were with {name}"))  # fmt: skip
        if account.sponsor_id is not None and account.counterpart_id is None:
            found.append(Finding("counterpart", "our executive sponsor has no counterpart at "
                                 "the customer"))  # fmt: skip
    return found


def people_map(session: Session, customer: str, *, as_of: date | None = None) -> PeopleMap:
    """The customer's people as a chart, with the coverage findings, as of a day (today)."""
    from kam.services.common import customer_by_name, open_account

    target: Customer = customer_by_name(session, customer)
    assert target.id is not None
    day = clock.on_or_today(as_of)
    views = list_contacts(session, target, as_of=day)
    ids = {v.id for v in views}
    reports: dict[int, list[int]] = {}
    for v in views:
        if v.reports_to_id in ids:
            reports.setdefault(v.reports_to_id, []).append(v.id)  # type: ignore[arg-type]
    account = open_account(session, target.id)
    return PeopleMap(
        customer=target.name,
        as_of=day,
        people=views,
        roots=[v.id for v in views if v.reports_to_id not in ids],
        reports=reports,
        counterpart_id=account.counterpart_id if account else None,
        findings=findings(session, target.id, account, views, as_of=day),
    )


def set_counterpart(session: Session, actor: Actor, account: str, contact: int | None) -> PeopleMap:
    """Pair our executive sponsor with a person at the customer (or clear it)."""
    from kam.services.accounts import account_and_customer

    row, customer = account_and_customer(session, account)
    require(actor, Action.EDIT_ACCOUNT, stake(row, customer))
    assert customer.id is not None
    if contact is not None:
        contact_of(session, contact, customer.id)
    audit.apply_changes(session, actor, row, {"counterpart_id": contact}, entity="key_account",
                        customer_id=customer.id)  # fmt: skip
    session.flush()
    return people_map(session, customer.name)
