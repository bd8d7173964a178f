"""Executive sponsors: assignment within the sponsor limit, sponsor visits, overdue visits.

A sponsor visit is due `visit_days` (default 90) after the last one. An account never
visited is clocked from its admission (or, before admission, its nomination), so a newly
admitted account is not overdue on its first day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from db.enums import InteractionKind, Role
from kam.errors import InvalidData, RuleError
from kam.rules import dates, lifecycle
from kam.rules.permissions import Action, require
from kam.services.accounts import account_by_name, update_account
from kam.services.common import stake
from kam.services.interactions import log_interaction
from kam.text import clean_text
from kam.views import AccountView, InteractionView, View

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlmodel import Session

    from db.models import KeyAccount
    from kam.identity import Actor


@dataclass(frozen=True)
class SponsorView(View):
    """An executive (or admin) sponsor with the open key accounts they sponsor."""

    login: str
    display_name: str
    title: str
    role: str
    accounts: list[str]
    count: int
    limit: int


@dataclass(frozen=True)
class OverdueVisitView(View):
    """An account whose sponsor visit is overdue."""

    account_id: int
    customer: str
    status: str
    sponsor: str | None
    sponsor_name: str | None
    last_visit: date | None
    """The last executive visit on or before the as-of date; None if never."""
    days_since: int | None
    """Days from the last visit to the as-of date; None if never visited."""
    due_on: date
    """The last visit (or, never visited, the admission date) plus visit_days."""
    days_overdue: int


def assign_sponsor(
    session: Session,
    actor: Actor,
    account: str,
    executive_login: str,
    *,
    expected_version: int | None = None,
) -> AccountView:
    """Make an executive the sponsor of a key account (admins), within the sponsor limit.

    The rules (executive role, sponsor_limit open accounts, open account only) live in
    kam.services.staffing; the change is audited and bumps the account's version.
    """
    require(actor, Action.ASSIGN_SPONSOR)
    return update_account(
        session, actor, account, expected_version=expected_version, sponsor=executive_login
    )


def record_visit(
    session: Session, actor: Actor, account: str, *, on: date, notes: str
) -> InteractionView:
    """Record a sponsor visit (the account's own sponsor, or an admin on their behalf)."""
    from db.models import Customer, User

    target = account_by_name(session, account)
    customer = session.get(Customer, target.customer_id)
    assert customer is not None
    require(actor, Action.RECORD_SPONSOR_VISIT, stake(target, customer))
    if not lifecycle.is_open(target.status):
        raise RuleError(
            f"'{customer.name}' is {target.status.value}; sponsor visits are recorded on open "
            "key accounts."
        )
    if target.sponsor_id is None:
        raise RuleError(
            f"'{customer.name}' has no executive sponsor; assign one with `kam sponsor assign` "
            "before recording a sponsor visit."
        )
    dates.happened(on, "A sponsor visit's date")
    if not clean_text(notes, multiline=True):
        raise InvalidData("notes: a sponsor visit needs notes on what was discussed.")
    sponsor = session.get(User, target.sponsor_id)
    assert sponsor is not None
    return log_interaction(
        session,
        actor,
        customer.name,
        kind=InteractionKind.EXECUTIVE_VISIT,
        happened_on=on,
        our_people=f"{sponsor.display_name} (executive sponsor)",
        summary=notes,
    )


def last_visits(session: Session, customer_ids: Iterable[int], *, as_of: date) -> dict[int, date]:
    """The date of each customer's last executive visit on or before `as_of` (one query)."""
    from sqlalchemy import func
    from sqlmodel import col, select

    from db.models import Interaction

    ids = set(customer_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(Interaction.customer_id, func.max(Interaction.happened_on))
        .where(
            col(Interaction.customer_id).in_(ids),
            Interaction.kind == InteractionKind.EXECUTIVE_VISIT,
            col(Interaction.happened_on) <= as_of,
        )
        .group_by(col(Interaction.customer_id))
    ).all()
    return {int(cid): when for cid, when in rows if when is not None}


def visit_clock(account: KeyAccount, last_visit: date | None) -> date:
    """The date the visit cadence counts from: the last visit, else admission, else nomination."""
    return last_visit or account.admitted_on or account.nominated_on


@dataclass(frozen=True)
class VisitDueView(View):
    """When an account's next sponsor visit is due (active and under-review accounts)."""

    account_id: int
    customer: str
    status: str
    sponsor: str | None
    sponsor_name: str | None
    last_visit: date | None
    """The last executive visit on or before the as-of date; None if never."""
    days_since: int | None
    """Days from the last visit to the as-of date; None if never visited."""
    due_on: date
    """The last visit (or, never visited, the admission date) plus visit_days."""
    days_overdue: int
    """Days past `due_on` at the as-of date; zero or less while the visit is not yet late."""
    visit_days: int
    """The cadence in force."""
    sponsor_id: int | None = None
    manager_id: int | None = None

    @property
    def overdue(self) -> bool:
        """More than visit_days have passed since the last visit (or the admission)."""
        return self.days_overdue > 0


def visit_schedule(session: Session, as_of: date) -> list[VisitDueView]:
    """Every active and under-review account with its next sponsor visit due, by due date.

    Accounts without a sponsor are listed too, with sponsor None.
    """
    from sqlmodel import col, select

    from db.models import Customer, KeyAccount, User
    from kam.rules.programme import load_settings

    visit_days = load_settings(session).visit_days
    rows = session.exec(
        select(KeyAccount, Customer.name)
        .join(Customer)
        .where(col(KeyAccount.status).in_(lifecycle.MEMBERS))
    ).all()
    visits = last_visits(session, (a.customer_id for a, _ in rows), as_of=as_of)
    sponsor_ids = {a.sponsor_id for a, _ in rows if a.sponsor_id is not None}
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(sponsor_ids))).all()}
    found = []
    for account, name in rows:
        assert account.id is not None
        last = visits.get(account.customer_id)
        due = visit_clock(account, last) + timedelta(days=visit_days)
        sponsor = users.get(account.sponsor_id)
        found.append(
            VisitDueView(
                account_id=account.id,
                customer=name,
                status=account.status.value,
                sponsor=sponsor.login if sponsor else None,
                sponsor_name=sponsor.display_name if sponsor else None,
                last_visit=last,
                days_since=(as_of - last).days if last else None,
                due_on=due,
                days_overdue=(as_of - due).days,
                visit_days=visit_days,
                sponsor_id=account.sponsor_id,
                manager_id=account.manager_id,
            )
        )
    return sorted(found, key=lambda v: (-v.days_overdue, v.customer))


def overdue_visits(session: Session, as_of: date) -> list[OverdueVisitView]:
    """Active and under-review accounts whose sponsor visit is overdue at `as_of`, worst first.

    Overdue means more than visit_days since the last executive visit (never visited:
    since admission). Accounts without a sponsor are listed too, with sponsor None.
    """
    return [
        OverdueVisitView(
            account_id=v.account_id,
            customer=v.customer,
            status=v.status,
            sponsor=v.sponsor,
            sponsor_name=v.sponsor_name,
            last_visit=v.last_visit,
            days_since=v.days_since,
            due_on=v.due_on,
            days_overdue=v.days_overdue,
        )
        for v in visit_schedule(session, as_of)
        if v.overdue
    ]


def list_sponsors(session: Session) -> list[SponsorView]:
    """Active executives, and anyone else sponsoring an open account, with their accounts."""
    from sqlmodel import col, select

    from db.models import Customer, KeyAccount, User
    from kam.rules.programme import load_settings

    limit = load_settings(session).sponsor_limit
    held: dict[int, list[str]] = {}
    for sponsor_id, name in session.exec(
        select(KeyAccount.sponsor_id, Customer.name)
        .join(Customer, col(Customer.id) == KeyAccount.customer_id)
        .where(
            col(KeyAccount.status).in_(lifecycle.OPEN),
            col(KeyAccount.sponsor_id).is_not(None),
        )
        .order_by(Customer.name)
    ).all():
        held.setdefault(int(sponsor_id), []).append(name)  # type: ignore[arg-type]
    people = session.exec(
        select(User)
        .where((col(User.role) == Role.EXECUTIVE) | col(User.id).in_(held.keys()))
        .order_by(User.login)
    ).all()
    return [
        SponsorView(
            login=user.login,
            display_name=user.display_name,
            title=user.title,
            role=user.role.value,
            accounts=held.get(user.id or 0, []),
            count=len(held.get(user.id or 0, [])),
            limit=limit,
        )
        for user in people
        if user.active or user.id in held
    ]
