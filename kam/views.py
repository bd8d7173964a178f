"""Plain view objects the services return: widgets and CLI output never hold ORM rows."""

from __future__ import annotations

from dataclasses import asdict, dataclass
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


@dataclass(frozen=True)
class InteractionView(View):
    """A logged contact with a customer."""

    id: int
    customer: str
    kind: str
    happened_on: date
    our_people: str
    their_people: str
    summary: str
    logged_by: str | None


@dataclass(frozen=True)
class CommitmentView(View):
    """A promise made to a customer."""

    id: int
    customer: str
    description: str
    made_by: str | None
    department: str
    due_on: date
    status: str
    closed_on: date | None
    overdue: bool
    warning: str | None = None
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
    """One recorded change."""

    id: int
    at: datetime
    actor: str
    door: str
    entity: str
    entity_id: int | None
    customer: str | None
    field: str | None
    old: str | None
    new: str | None
