"""Plain view objects the services return: widgets and CLI output never hold ORM rows."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any


def _plain(value: Any) -> Any:
    """A JSON-ready form of one value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class View:
    """Base of the view dataclasses: `to_dict()` gives a JSON-ready dict."""

    def to_dict(self) -> dict[str, Any]:
        """The view as a dict of JSON-ready values."""
        return {k: _plain(v) for k, v in asdict(self).items()}  # type: ignore[call-overload]


@dataclass(frozen=True)
class UserView(View):
    """A kam user."""

    id: int
    login: str
    display_name: str
    title: str
    role: str
    active: bool


@dataclass(frozen=True)
class CustomerView(View):
    """A customer of the base."""

    id: int
    name: str
    code: str | None
    industry: str
    region: str
    status: str
    lifecycle_stage: str
    loyalty_type: str | None
    estimated_wallet: float | None
    account_status: str | None
    """Status of the customer's open key account membership, if any."""


@dataclass(frozen=True)
class AccountView(View):
    """A key account with the names a reader needs."""

    id: int
    customer_id: int
    customer: str
    industry: str
    region: str
    status: str
    manager: str | None
    """The manager's login."""
    manager_name: str | None
    manager_id: int | None
    sponsor: str | None
    """The executive sponsor's login."""
    sponsor_name: str | None
    sponsor_id: int | None
    nominated_on: date
    admitted_on: date | None
    retired_on: date | None
    next_review_on: date | None
    reason: str
    retention_override: float | None
    margin_override: float | None
    admitted_by_override: bool
    version: int
    updated_at: datetime
    updated_by: str | None


@dataclass(frozen=True)
class ContactView(View):
    """A person at a customer."""

    id: int
    customer: str
    name: str
    job_title: str
    email: str
    phone: str
    buying_role: str | None
    communication_style: str | None
    relationship_strength: int | None
    reports_to_id: int | None = None
    reports_to: str | None = None
    """The name of the person they report to."""
    influence: int | None = None
    stance: str | None = None
    owner: str | None = None
    """The login of the kam user who holds the relationship."""
    owner_name: str | None = None
    cadence_days: int = 90
    """How often to be in touch (their own cadence, else their buying role's)."""
    last_contact: date | None = None
    """The last interaction they took part in (derived, never typed)."""
    contact_due_on: date | None = None
    """When the next contact is due: the last contact plus the cadence."""
    overdue: bool = False
    """Not in touch within their cadence (never met counts as overdue)."""
    guidance: str | None = None
    """How their communication style wants to be dealt with."""


@dataclass(frozen=True)
class InteractionView(View):
    """A logged contact with a customer."""

    id: int
    customer: str
    kind: str
    happened_on: date
    our_people: str
    their_people: str
    """People at the customer named as free text (not among its contacts)."""
    summary: str
    logged_by: str | None
    contact_ids: list[int] = field(default_factory=list)
    """The customer's contacts who took part."""
    contacts: list[str] = field(default_factory=list)
    """Their names."""


@dataclass(frozen=True)
class CommitmentView(View):
    """A promise made to a customer."""

    id: int
    customer: str
    description: str
    made_by: str | None
    """Who made the promise: a kam login, or the name of someone outside kam."""
    department: str
    due_on: date
    status: str
    closed_on: date | None
    overdue: bool
    warning: str | None = None
    made_by_name: str | None = None
    """The display name of who made it (a kam user's, or the outside person's)."""
    made_by_department: str | None = None
    """The department of an outside person who made it."""
    contact_id: int | None = None
    contact: str | None = None
    """To whom at the customer it was made."""
    """Said once, when the promise is recorded already past its due date."""


@dataclass(frozen=True)
class ComplaintView(View):
    """A complaint and where it stands."""

    id: int
    customer: str
    summary: str
    severity: str
    status: str
    owner: str | None
    recorded_on: date
    handled_on: date | None
    verified_on: date | None
    fed_back_on: date | None
    resolution: str


@dataclass(frozen=True)
class AuditView(View):
    """One recorded change: made as `actor`, by `real_actor` (the OS login that ran kam;
    another login when an admin acted as `actor`, None on events from before kam kept it)."""

    id: int
    at: datetime
    actor: str
    real_actor: str | None
    door: str
    entity: str
    entity_id: int | None
    customer: str | None
    field: str | None
    old: str | None
    new: str | None

    @property
    def who(self) -> str:
        """Who made the change, as people read it: "root as mlopez" when an admin acted as
        another user, else the login."""
        if self.real_actor and self.real_actor != self.actor:
            return f"{self.real_actor} as {self.actor}"
        return self.actor


@dataclass(frozen=True)
class ChainView(View):
    """What walking the audit chain found (`kam audit verify`, `kam db check`)."""

    events: int
    """Events checked and found linked, in id order (up to the break, if any)."""
    intact: bool
    head_id: int | None
    """The newest event checked and found linked (the head when the chain is intact)."""
    head_hash: str | None
    broken_at: int | None
    """The id of the first event that breaks the chain (None if intact, or if only the
    anchor is missing)."""
    problem: str | None
    """What is wrong, in one sentence (None if intact)."""
    anchor: str | None
    """The hash the chain was asked to hold, if one was given."""
    anchor_id: int | None
    """The id of the event holding the anchor (None if not given or not found)."""


@dataclass(frozen=True)
class ChainHeadView(View):
    """The newest event of the audit chain: the anchor to keep outside the database."""

    id: int | None
    hash: str | None
    at: datetime | None
    events: int
