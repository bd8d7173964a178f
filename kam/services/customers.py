"""The customer base."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, field_validator

from db.enums import CustomerStatus, LifecycleStage, LoyaltyType
from kam.errors import InvalidData
from kam.rules import lifecycle, limits
from kam.rules.permissions import Action, require
from kam.services import audit
from kam.services.common import (
    customer_by_name,
    open_account,
    require_on_customer,
    validated,
)
from kam.text import clean_optional, clean_text
from kam.views import CustomerView

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement
    from sqlmodel import Session

    from db.models import Customer
    from kam.identity import Actor


class CustomerInput(BaseModel):
    """A new customer."""

    name: str = Field(min_length=1, max_length=limits.NAME)
    code: str | None = Field(default=None, max_length=limits.CODE)
    industry: str = Field(default="", max_length=limits.LABEL)
    region: str = Field(default="", max_length=limits.LABEL)
    status: CustomerStatus = CustomerStatus.ACTIVE
    lifecycle_stage: LifecycleStage = LifecycleStage.PURCHASE
    loyalty_type: LoyaltyType | None = None
    estimated_wallet: limits.Number | None = Field(default=None, ge=0)

    @field_validator("name", "industry", "region", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value

    @field_validator("code", mode="before")
    @classmethod
    def _clean_code(cls, value: Any) -> Any:
        return clean_optional(value) if isinstance(value, str) else value


class CustomerChanges(BaseModel):
    """Changes to a customer; only the fields given are changed."""

    name: str | None = Field(default=None, min_length=1, max_length=limits.NAME)
    industry: str | None = Field(default=None, max_length=limits.LABEL)
    region: str | None = Field(default=None, max_length=limits.LABEL)
    status: CustomerStatus | None = None
    lifecycle_stage: LifecycleStage | None = None
    loyalty_type: LoyaltyType | None = None
    estimated_wallet: limits.Number | None = Field(default=None, ge=0)

    @field_validator("name", "industry", "region", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value


def to_view(customer: Customer, account_status: str | None = None) -> CustomerView:
    """The plain view of a customer row."""
    assert customer.id is not None
    return CustomerView(
        id=customer.id,
        name=customer.name,
        code=customer.code,
        industry=customer.industry,
        region=customer.region,
        status=customer.status.value,
        lifecycle_stage=customer.lifecycle_stage.value,
        loyalty_type=customer.loyalty_type.value if customer.loyalty_type else None,
        estimated_wallet=customer.estimated_wallet,
        account_status=account_status,
    )


def _customer_filters(
    search: str | None, industry: str | None, region: str | None
) -> list[ColumnElement[bool]]:
    """The WHERE conditions of a customer search, shared by the list and its count."""
    from sqlmodel import col

    from db.folding import lowered
    from db.models import Customer

    conditions: list[ColumnElement[bool]] = []
    if search:
        conditions.append(lowered(Customer.name).contains(search.lower(), autoescape=True))
    if industry:
        conditions.append(col(Customer.industry) == industry)
    if region:
        conditions.append(col(Customer.region) == region)
    return conditions


def list_customers(
    session: Session,
    *,
    search: str | None = None,
    industry: str | None = None,
    region: str | None = None,
    limit: int | None = 100,
    offset: int = 0,
) -> list[CustomerView]:
    """Customers by name, filtered in the database (the base can be large)."""
    from sqlmodel import and_, col, select

    from db.models import Customer, KeyAccount

    query = (
        select(Customer, col(KeyAccount.status))
        .join(
            KeyAccount,
            and_(
                KeyAccount.customer_id == Customer.id,
                col(KeyAccount.status).in_(lifecycle.OPEN),
            ),
            isouter=True,
        )
        .where(*_customer_filters(search, industry, region))
        .order_by(Customer.name)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return [to_view(c, status.value if status else None) for c, status in session.exec(query).all()]


def count_customers(
    session: Session,
    *,
    search: str | None = None,
    industry: str | None = None,
    region: str | None = None,
) -> int:
    """How many customers `list_customers` finds with these filters, before any limit."""
    from sqlalchemy import func
    from sqlmodel import select

    from db.models import Customer

    query = select(func.count()).select_from(Customer)
    return session.exec(query.where(*_customer_filters(search, industry, region))).one()


def get_customer(session: Session, name: str) -> CustomerView:
    """One customer by name or code."""
    customer = customer_by_name(session, name)
    assert customer.id is not None
    account = open_account(session, customer.id)
    return to_view(customer, account.status.value if account else None)


def _require_unique(session: Session, name: str, code: str | None, *, exclude: int | None) -> None:
    from sqlmodel import select

    from db.folding import lowered
    from db.models import Customer

    clash = session.exec(
        select(Customer).where(lowered(Customer.name) == lowered(name), Customer.id != exclude)
    ).first()
    if clash is not None:
        raise InvalidData(f"A customer named '{clash.name}' already exists.")
    if (
        code
        and session.exec(
            select(Customer).where(Customer.code == code, Customer.id != exclude)
        ).first()
    ):
        raise InvalidData(f"A customer with code '{code}' already exists.")


def create_customer(session: Session, actor: Actor, **fields: Any) -> CustomerView:
    """Add a customer to the base (admins only); names are unique, case-insensitively."""
    from db.models import Customer

    require(actor, Action.ADD_CUSTOMER)
    data = validated(CustomerInput, **fields)
    _require_unique(session, data.name, data.code, exclude=None)
    customer = Customer(**data.model_dump())
    session.add(customer)
    session.flush()
    audit.record_created(
        session,
        actor,
        entity="customer",
        entity_id=customer.id,
        customer_id=customer.id,
        values=data.model_dump(),
    )
    return to_view(customer)


def update_customer(session: Session, actor: Actor, customer: str, **fields: Any) -> CustomerView:
    """Change the customer named `customer` (a `name` among the fields renames it): admins,
    or the manager of its key account."""
    from db.models import utcnow

    row = customer_by_name(session, customer)
    account = require_on_customer(session, actor, Action.EDIT_CUSTOMER, row)
    changes = validated(CustomerChanges, **fields).model_dump(exclude_unset=True)
    if "name" in changes:
        _require_unique(session, changes["name"], None, exclude=row.id)
    changed = audit.apply_changes(
        session, actor, row, changes, entity="customer", customer_id=row.id
    )
    if changed:
        row.updated_at = utcnow()
    return to_view(row, account.status.value if account else None)
