"""Figures kam keeps: the lifetime-value model's fits with each customer's value (computed
once per data change and reused by every screen), and each key account's daily health."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models.base import utcnow


class ValueFit(SQLModel, table=True):
    """One fit of the lifetime-value model (BG/NBD and Gamma-Gamma) at one date, with the
    inputs it was fitted on. `key` names the data and settings it belongs to: a fit is
    reused while they are unchanged."""

    __tablename__ = "value_fit"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True)
    as_of: date
    calibration_end: date
    period: str = Field(max_length=10)
    model: str = Field(max_length=20)
    """'probabilistic' when the model was fitted, 'simple' when the base had too little."""
    why: str = ""
    """Why this model: the history it had, or what the fit lacked."""
    parameters_json: str = "{}"
    """r, alpha, a, b (BG/NBD), p, q, v (Gamma-Gamma), their log-likelihoods, the
    frequency-spend correlation; empty for the simple model."""
    customers: int = 0
    repeat_customers: int = 0
    seconds: float = 0.0
    fitted_at: datetime = Field(default_factory=utcnow)
    fitted_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class CustomerValue(SQLModel, table=True):
    """One customer's lifetime value under one fit, with what it was computed from."""

    __tablename__ = "customer_value"

    fit_id: int = Field(foreign_key="value_fit.id", primary_key=True, ondelete="CASCADE")
    customer_id: int = Field(foreign_key="customer.id", primary_key=True, ondelete="CASCADE")
    model: str = Field(max_length=20)
    """'probabilistic', or 'simple' where the model cannot speak for this customer."""
    note: str = ""
    """Why this customer has the simple figure, when it does."""
    purchases: int = 0
    """Purchase occasions (distinct days) up to the calibration end."""
    last_purchase: date | None = None
    p_alive: float | None = None
    purchases_12m: float | None = None
    purchases_horizon: float | None = None
    margin_per_purchase: float | None = None
    cost_per_purchase: float | None = None
    clv: float = 0.0


class HealthSnapshot(SQLModel, table=True):
    """A key account's health as kam computed it on one day (at most one per day; a review
    that day marks it)."""

    __tablename__ = "health_snapshot"
    __table_args__ = (UniqueConstraint("key_account_id", "taken_on", name="uq_health_day"),)

    id: int | None = Field(default=None, primary_key=True)
    key_account_id: int = Field(foreign_key="key_account.id", index=True, ondelete="CASCADE")
    taken_on: date
    status: str = Field(max_length=10)
    reasons_json: str = "[]"
    profit: float
    """T12M profit after cost to serve."""
    p_alive: float | None = None
    review_id: int | None = Field(default=None, foreign_key="review.id", ondelete="SET NULL")
    taken_at: datetime = Field(default_factory=utcnow)
