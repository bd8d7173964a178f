"""Who may do what: one rule per action, read by the services (which refuse) and by the
screens (which offer a key exactly when the rule allows it).

Roles:

- admins do everything, including overrides of the admission rules;
- managers nominate customers for themselves, and edit the key accounts they manage:
  the account's notes and overrides, its plan, contacts, interactions, commitments,
  complaints, vetting scores and reviews; they add best practices;
- executives read everything, record visits to the accounts they sponsor, comment on
  account plans, and admit, reject or retire any account; they do not score assessments
  or override;
- viewers read.

`may(actor, action, account)` returns None when allowed, else a `Refusal` whose sentence
says why; `require` raises it as `PermissionDenied`. Account-bound actions look at the
account's manager and sponsor (`account` is anything with `customer`, `manager_id` and
`sponsor_id`: a `Stake`, or an `AccountView`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from db.enums import InteractionKind, Role
from kam.errors import PermissionDenied
from kam.text import a_or_an

if TYPE_CHECKING:
    from kam.identity import Actor


class Action(StrEnum):
    """Everything a user may be allowed or refused."""

    NOMINATE = "nominate"
    EDIT_ACCOUNT = "edit_account"
    """The account's notes, overrides and review date."""
    EDIT_RECORDS = "edit_records"
    """Contacts, interactions, commitments and complaints of a key account's customer."""
    LOG_INTERACTION = "log_interaction"
    """Log an interaction of some kind: the account's editors, and its sponsor (the sheet's
    key; which kinds each may log is `interaction_action`'s)."""
    RECORD_SPONSOR_VISIT = "record_sponsor_visit"
    """An executive visit: it is the account's sponsor visit, which its cadence counts."""
    SCORE = "score"
    ADMIT = "admit"
    REJECT = "reject"
    RETIRE = "retire"
    OVERRIDE = "override"
    RECORD_REVIEW = "record_review"
    CHANGE_STATUS = "change_status"
    ASSIGN_SPONSOR = "assign_sponsor"
    ASSIGN_MANAGER = "assign_manager"
    SCORE_SKILLS = "score_skills"
    RECORD_TRAINING = "record_training"
    ADD_CUSTOMER = "add_customer"
    EDIT_CUSTOMER = "edit_customer"
    ADD_PRACTICE = "add_practice"
    MANAGE_USERS = "manage_users"
    CHANGE_SETTINGS = "change_settings"
    CHANGE_CRITERIA = "change_criteria"
    IMPORT = "import"
    LOAD_DEMO = "load_demo"
    EDIT_PLAN = "edit_plan"
    """The account plan: situation, SWOT, goals, objectives, actions."""
    COMMENT_PLAN = "comment_plan"
    BACKUP = "backup"
    """Copy the whole database to a file."""
    RESTORE = "restore"
    """Replace the whole database with a backup."""
    SEE_SCORECARDS = "see_scorecards"
    """See every manager's and sponsor's scorecard (a manager sees their own)."""
    KEEP_FIGURES = "keep_figures"
    """Store figures kam computed for reuse: the lifetime-value fit, health snapshots."""


class Account(Protocol):
    """What account-bound rules look at."""

    @property
    def customer(self) -> str: ...
    @property
    def manager_id(self) -> int | None: ...
    @property
    def sponsor_id(self) -> int | None: ...


@dataclass(frozen=True)
class Stake:
    """An account as the rules see it: its customer's name, its manager and sponsor."""

    customer: str
    manager_id: int | None
    sponsor_id: int | None


@dataclass(frozen=True)
class Refusal:
    """Why an action is not allowed, as a sentence the user can act on."""

    reason: str


#: Actions decided by role alone: (roles allowed, what "Only ... may <to>" says).
_BY_ROLE: dict[Action, tuple[tuple[Role, ...], str]] = {
    Action.NOMINATE: ((Role.ADMIN, Role.MANAGER), "nominate key accounts"),
    Action.ADMIT: ((Role.EXECUTIVE, Role.ADMIN), "admit key accounts"),
    Action.REJECT: ((Role.EXECUTIVE, Role.ADMIN), "reject nominees"),
    Action.RETIRE: ((Role.EXECUTIVE, Role.ADMIN), "retire members"),
    Action.OVERRIDE: ((Role.ADMIN,), "override the admission rules"),
    Action.CHANGE_STATUS: ((Role.ADMIN,), "change a key account's status"),
    Action.ASSIGN_SPONSOR: ((Role.ADMIN,), "assign executive sponsors"),
    Action.ASSIGN_MANAGER: ((Role.ADMIN,), "assign key account managers"),
    Action.SCORE_SKILLS: ((Role.ADMIN,), "score managers' skills"),
    Action.RECORD_TRAINING: ((Role.ADMIN,), "record managers' training"),
    Action.ADD_CUSTOMER: ((Role.ADMIN,), "add customers to the customer base"),
    Action.ADD_PRACTICE: ((Role.ADMIN, Role.MANAGER), "add best practices"),
    Action.MANAGE_USERS: ((Role.ADMIN,), "add users and change roles"),
    Action.CHANGE_SETTINGS: ((Role.ADMIN,), "change programme settings"),
    Action.CHANGE_CRITERIA: ((Role.ADMIN,), "change the admission criteria"),
    Action.IMPORT: ((Role.ADMIN,), "import data"),
    Action.LOAD_DEMO: ((Role.ADMIN,), "load demo data"),
    Action.BACKUP: ((Role.ADMIN,), "back up the database"),
    Action.RESTORE: ((Role.ADMIN,), "restore the database from a backup"),
    Action.SEE_SCORECARDS: (
        (Role.EXECUTIVE, Role.ADMIN),
        "see every manager's and sponsor's scorecard (a manager sees their own)",
    ),
    Action.KEEP_FIGURES: (
        (Role.ADMIN, Role.MANAGER, Role.EXECUTIVE),
        "store computed figures (viewers compute them on the fly)",
    ),
}

#: Account-bound actions that the account's manager (and any admin) may take.
_EDITING = (
    Action.EDIT_ACCOUNT,
    Action.EDIT_PLAN,
    Action.EDIT_RECORDS,
    Action.EDIT_CUSTOMER,
    Action.SCORE,
    Action.RECORD_REVIEW,
)


def _by_role(actor: Actor, roles: tuple[Role, ...], to: str) -> Refusal | None:
    if actor.role in roles:
        return None
    allowed = " or ".join(f"{r.value}s" for r in roles)
    return Refusal(f"Only {allowed} may {to}; you ({actor.login}) are {a_or_an(actor.role)}.")


def _editor(actor: Actor, account: Account | None, customer: str) -> Refusal | None:
    """Admins edit every account; a manager edits only the key accounts they manage."""
    if actor.role == Role.ADMIN:
        return None
    if actor.role != Role.MANAGER:
        return Refusal(
            f"{'An' if actor.role.value[0] in 'aeiou' else 'A'} {actor.role.value} cannot edit "
            f"account data; you ({actor.login}) read it. "
            "Executives record their sponsor visits and decide admissions; managers and "
            "admins edit."
        )
    if account is None or account.manager_id != actor.id:
        return Refusal(
            f"Managers edit only the key accounts they manage, and you ({actor.login}) do not "
            f"manage '{customer}'."
        )
    return None


def _own_sponsor(actor: Actor, account: Account | None) -> bool:
    return actor.role == Role.EXECUTIVE and account is not None and account.sponsor_id == actor.id


def may(
    actor: Actor, action: Action, account: Account | None = None, *, customer: str = ""
) -> Refusal | None:
    """None if `actor` may take `action` (on `account`, for account-bound actions), else why not.

    `customer` names the customer when there is no account to name it (a customer outside
    the programme).
    """
    if action in _BY_ROLE:
        roles, to = _BY_ROLE[action]
        return _by_role(actor, roles, to)
    name = account.customer if account is not None else customer
    if action in _EDITING:
        return _editor(actor, account, name)
    if action == Action.LOG_INTERACTION:
        if actor.role == Role.EXECUTIVE:  # an executive logs their sponsor visits only
            return may(actor, Action.RECORD_SPONSOR_VISIT, account, customer=customer)
        return _editor(actor, account, name)
    if action == Action.COMMENT_PLAN:
        if actor.role == Role.EXECUTIVE:
            return None  # sponsors and other executives read and comment
        return _editor(actor, account, name)
    if action == Action.RECORD_SPONSOR_VISIT:
        if actor.role == Role.ADMIN or _own_sponsor(actor, account):
            return None
        return Refusal(
            "Only the account's executive sponsor or an admin records a sponsor visit (an "
            f"executive visit); you "
            f"({actor.login}) are not the sponsor of '{name}'."
        )
    raise ValueError(f"no rule for {action!r}")  # pragma: no cover - every Action has one


def interaction_action(kind: str) -> Action:
    """What logging or correcting an interaction of `kind` needs: an executive visit is the
    account's sponsor visit (its cadence counts from it), the sponsor's or an admin's;
    other kinds are the account's editors'."""
    return (
        Action.RECORD_SPONSOR_VISIT
        if kind == InteractionKind.EXECUTIVE_VISIT
        else Action.EDIT_RECORDS
    )


def allowed(actor: Actor, action: Action, account: Account | None = None) -> bool:
    """Whether `actor` may take `action` (a screen offers the key exactly when this is True)."""
    return may(actor, action, account) is None


def allowed_on_own(actor: Actor, action: Action) -> bool:
    """Whether `actor` may take `action` on an account they manage and sponsor themselves
    (a screen uses it to say whether a kind of action is theirs at all)."""
    return allowed(actor, action, Stake("", actor.id, actor.id))


def require(
    actor: Actor, action: Action, account: Account | None = None, *, customer: str = ""
) -> None:
    """Refuse with the rule's sentence unless `actor` may take `action`."""
    refusal = may(actor, action, account, customer=customer)
    if refusal is not None:
        raise PermissionDenied(refusal.reason)


def standing(actor: Actor) -> str:
    """What the header says the user may do, in a few words."""
    return {
        Role.ADMIN: "editing",
        Role.MANAGER: "editing own accounts",
        Role.EXECUTIVE: "deciding; visits to own accounts",
        Role.VIEWER: "read-only",
    }[actor.role]
