"""Who may sponsor or manage a key account, and how many accounts each may hold.

The one place these rules live: `kam sponsor assign`, `kam manager assign`, nominations
and `kam account update --manager/--sponsor` all go through `eligible_sponsor` and
`eligible_manager`, so the role rule and the programme's limits (sponsor_limit,
manager_limit: open key accounts per person) cannot be side-stepped by another door.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from db.enums import Role, Skill
from kam.errors import RuleError
from kam.rules import lifecycle
from kam.services.common import user_by_login
from kam.text import a_or_an
from kam.views import View

if TYPE_CHECKING:
    from sqlmodel import Session

    from db.models import KeyAccount, ManagerSkill, User

#: A manager should score at least this in every skill; below it, an assignment warns.
SKILL_FLOOR = 3


def held_accounts(session: Session, user_id: int, *, as_: str) -> dict[int, str]:
    """The open key accounts a user sponsors (`as_="sponsor"`) or manages: {account id: name}."""
    from sqlmodel import col, select

    from db.models import Customer, KeyAccount

    column = KeyAccount.sponsor_id if as_ == "sponsor" else KeyAccount.manager_id
    rows = session.exec(
        select(KeyAccount.id, Customer.name)
        .join(Customer, col(Customer.id) == KeyAccount.customer_id)
        .where(column == user_id, col(KeyAccount.status).in_(lifecycle.OPEN))
        .order_by(Customer.name)
    ).all()
    return {int(account_id): name for account_id, name in rows if account_id is not None}


def _check_open(account: KeyAccount | None, customer: str | None, job: str) -> None:
    """Refuse giving a closed (retired or rejected) account a new sponsor or manager."""
    if account is not None and not lifecycle.is_open(account.status):
        raise RuleError(
            f"'{customer or account.customer_id}' is {account.status.value}; only open key "
            f"accounts get a new {job}."
        )


def _check_limit(
    session: Session,
    user: User,
    account: KeyAccount | None,
    *,
    as_: str,
    limit: int,
    setting: str,
    who: str,
) -> None:
    """Refuse when the user already holds `limit` open accounts other than `account`."""
    assert user.id is not None
    held = held_accounts(session, user.id, as_=as_)
    if account is not None and account.id is not None:
        held.pop(account.id, None)
    if len(held) >= limit:
        names = ", ".join(f"'{name}'" for name in held.values())
        verb = "sponsors" if as_ == "sponsor" else "manages"
        raise RuleError(
            f"'{user.login}' already {verb} {len(held)} open key "
            f"account{'' if len(held) == 1 else 's'} ({names}); "
            f"{who} {verb} at most {limit} (programme setting {setting})."
        )


def eligible_sponsor(
    session: Session, login: str, *, account: KeyAccount | None = None, customer: str | None = None
) -> User:
    """The user who may sponsor `account` (None for a new nomination), or a RuleError saying why.

    The sponsor must be an active executive (or admin) sponsoring fewer than sponsor_limit
    other open key accounts; closed accounts take no new sponsor.
    """
    from kam.rules.programme import load_settings

    user = user_by_login(session, login)
    if not user.active:
        raise RuleError(f"'{login}' is not an active user; an executive sponsor must be active.")
    if user.role not in (Role.EXECUTIVE, Role.ADMIN):
        raise RuleError(
            f"'{login}' is {a_or_an(user.role)}; an executive sponsor must have the executive role."
        )
    if account is not None and account.sponsor_id == user.id:
        return user  # no change: already the sponsor
    _check_open(account, customer, "sponsor")
    _check_limit(
        session,
        user,
        account,
        as_="sponsor",
        limit=load_settings(session).sponsor_limit,
        setting="sponsor_limit",
        who="an executive",
    )
    return user


def eligible_manager(
    session: Session, login: str, *, account: KeyAccount | None = None, customer: str | None = None
) -> User:
    """The user who may manage `account` (None for a new nomination), or a RuleError saying why.

    The manager must be an active manager (or admin) running fewer than manager_limit other
    open key accounts; closed accounts take no new manager.
    """
    from kam.rules.programme import load_settings

    user = user_by_login(session, login)
    if not user.active:
        raise RuleError(f"'{login}' is not an active user; a key account manager must be active.")
    if user.role not in (Role.MANAGER, Role.ADMIN):
        raise RuleError(
            f"'{login}' is {a_or_an(user.role)}; a key account manager must have the manager role."
        )
    if account is not None and account.manager_id == user.id:
        return user  # no change: already the manager
    _check_open(account, customer, "manager")
    _check_limit(
        session,
        user,
        account,
        as_="manager",
        limit=load_settings(session).manager_limit,
        setting="manager_limit",
        who="a manager",
    )
    return user


def weak_skills(profile: ManagerSkill | None) -> dict[str, int | None]:
    """The skills scored under SKILL_FLOOR or not scored at all: {skill: score or None}."""
    scores = {s.value: getattr(profile, s.value) if profile else None for s in Skill}
    return {skill: score for skill, score in scores.items() if score is None or score < SKILL_FLOOR}


def describe_weak_skills(user: User, profile: ManagerSkill | None) -> str | None:
    """A sentence naming the skills under SKILL_FLOOR or unscored, or None when all are fine."""
    weak = weak_skills(profile)
    if not weak:
        return None
    parts = [f"{skill} {score}" if score else f"{skill} unscored" for skill, score in weak.items()]
    return (
        f"{user.display_name} ({user.login}) has {', '.join(parts)}; a key account manager "
        f"should score at least {SKILL_FLOOR} in every skill (see `kam manager skills`)."
    )


def skill_warning(session: Session, user: User) -> str | None:
    """The skill warning for assigning `user` to an account, or None (reads their profile)."""
    from db.models import ManagerSkill

    return describe_weak_skills(user, session.get(ManagerSkill, user.id))


@dataclass(frozen=True)
class Candidate(View):
    """Someone who could take a job on an account: their load against the limit, and why
    they may not (None when they may) or what to beware of (a manager's weak skills)."""

    login: str
    display_name: str
    load: int
    """Open key accounts they already sponsor or manage."""
    limit: int
    current: bool
    """Already holds the job on this account."""
    refusal: str | None
    """Why the assignment would be refused (the rule of eligible_sponsor/eligible_manager)."""
    warning: str | None
    """For managers, the skills under SKILL_FLOOR or unscored."""


def candidates(session: Session, customer: str, *, as_: str) -> list[Candidate]:
    """The active people who could sponsor (`as_="sponsor"`) or manage an account, each asked
    of eligible_sponsor/eligible_manager (so the picker never offers what would be refused):
    those who may first, then by load and login."""
    from sqlmodel import col, select

    from db.models import ManagerSkill, User
    from kam.errors import KamError
    from kam.rules.programme import load_settings
    from kam.services.accounts import account_and_customer

    account, found = account_and_customer(session, customer)
    settings = load_settings(session)
    limit = settings.sponsor_limit if as_ == "sponsor" else settings.manager_limit
    role = Role.EXECUTIVE if as_ == "sponsor" else Role.MANAGER
    check = eligible_sponsor if as_ == "sponsor" else eligible_manager
    holder = account.sponsor_id if as_ == "sponsor" else account.manager_id
    people = session.exec(
        select(User)
        .where(col(User.active), (col(User.role) == role) | (col(User.id) == holder))
        .order_by(User.login)
    ).all()
    found_people = []
    for user in people:
        assert user.id is not None
        try:
            check(session, user.login, account=account, customer=found.name)
            refusal = None
        except KamError as error:
            refusal = str(error)
        warning = None
        if as_ == "manager":
            warning = describe_weak_skills(user, session.get(ManagerSkill, user.id))
        found_people.append(
            Candidate(
                login=user.login,
                display_name=user.display_name,
                load=len(held_accounts(session, user.id, as_=as_)),
                limit=limit,
                current=user.id == holder,
                refusal=refusal,
                warning=warning,
            )
        )
    return sorted(found_people, key=lambda c: (c.refusal is not None, c.load, c.login))
