"""The customer base and its numbers: customers, sales lines, cost-to-serve lines, and the
products' categories."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.enums import CostCategory, CustomerStatus, LifecycleStage, LoyaltyType
from db.models.base import enum_column, utcnow


class Customer(SQLModel, table=True):
    """A customer of the supplier: the whole base, key account or not."""

    __tablename__ = "customer"
    __table_args__ = (sa.CheckConstraint("estimated_wallet >= 0", name="wallet_not_negative"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, sa_column_kwargs={"unique": True}, nullable=False)
    code: str | None = Field(default=None, max_length=64, sa_column_kwargs={"unique": True})
    industry: str = Field(default="", max_length=100, index=True)
    region: str = Field(default="", max_length=100, index=True)
    status: CustomerStatus = Field(
        default=CustomerStatus.ACTIVE,
        sa_column=enum_column(CustomerStatus, "customer_status", server_default="active"),
    )
    lifecycle_stage: LifecycleStage = Field(
        default=LifecycleStage.PURCHASE,
        sa_column=enum_column(LifecycleStage, "customer_lifecycle", server_default="purchase"),
    )
    loyalty_type: LoyaltyType | None = Field(
        default=None, sa_column=enum_column(LoyaltyType, "customer_loyalty", nullable=True)
    )
    estimated_wallet: float | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Transaction(SQLModel, table=True):
    """An imported sales line. `line_key` is the natural key that makes re-imports idempotent."""

    __tablename__ = "sales_line"
    __table_args__ = (
        sa.Index("ix_sales_line_customer_date", "customer_id", "sold_on"),
        # Quantities are negative only on a return (negative revenue), as the importer checks.
        sa.CheckConstraint("quantity >= 0 OR revenue < 0", name="quantity_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", ondelete="CASCADE")
    sold_on: date  # ix_sales_line_customer_date covers it (migration 0002)
    revenue: float
    cost_of_goods: float
    quantity: float = 0
    product: str | None = Field(default=None, max_length=100)
    order_id: str | None = Field(default=None, max_length=100)
    line_key: str = Field(max_length=200, sa_column_kwargs={"unique": True}, nullable=False)


class ServiceCost(SQLModel, table=True):
    """A cost-to-serve line for one customer."""

    __tablename__ = "service_cost"
    __table_args__ = (sa.Index("ix_service_cost_customer_date", "customer_id", "incurred_on"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", ondelete="CASCADE")
    incurred_on: date
    category: CostCategory = Field(sa_column=enum_column(CostCategory, "cost_category"))
    amount: float
    note: str = ""
    line_key: str = Field(max_length=200, sa_column_kwargs={"unique": True}, nullable=False)


class ProductCategory(SQLModel, table=True):
    """The category a sold product belongs to (imported with `kam import categories`); a
    product without one is its own category in the whitespace matrix."""

    __tablename__ = "product_category"

    product: str = Field(primary_key=True, max_length=100)
    category: str = Field(max_length=100)
