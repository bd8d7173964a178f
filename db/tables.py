"""Light handles on a few tables, for reads on SQLAlchemy Core alone.

A read that only lists rows (`kam account list`) or sums them (the dashboard's headline
figures) needs neither the SQLModel classes nor the ORM, and building them costs more than
the read itself. These handles name the same tables and columns with Core's `table()` and
`column()`: nothing is registered in SQLModel's metadata and no DDL can come of them. The
columns carry the types that turn stored values back into Python ones (dates, UTC
timestamps, booleans); enum columns read as their stored text, which is the enum's value.
tests/unit/test_light_tables.py holds each handle's columns to its model's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, String, TypeDecorator
from sqlalchemy.sql import column, table


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC (without an offset on SQLite), read back timezone-aware,
    as the models' timestamps are."""

    impl = DateTime
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(timezone=True)

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError("a timestamp must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


CUSTOMER = table(
    "customer",
    column("id", Integer),
    column("name", String),
    column("code", String),
    column("industry", String),
    column("region", String),
    column("status", String),
    column("lifecycle_stage", String),
    column("loyalty_type", String),
    column("estimated_wallet", Float),
    column("created_at", UTCDateTime()),
    column("updated_at", UTCDateTime()),
)
"""db.models.Customer."""

USER_ACCOUNT = table(
    "user_account",
    column("id", Integer),
    column("login", String),
    column("display_name", String),
    column("title", String),
    column("role", String),
    column("active", Boolean),
    column("created_at", UTCDateTime()),
)
"""db.models.User."""

KEY_ACCOUNT = table(
    "key_account",
    column("id", Integer),
    column("customer_id", Integer),
    column("status", String),
    column("manager_id", Integer),
    column("sponsor_id", Integer),
    column("nominated_on", Date),
    column("admitted_on", Date),
    column("retired_on", Date),
    column("next_review_on", Date),
    column("reason", String),
    column("retention_override", Float),
    column("margin_override", Float),
    column("admitted_by_override", Boolean),
    column("counterpart_id", Integer),
    column("version", Integer),
    column("created_at", UTCDateTime()),
    column("updated_at", UTCDateTime()),
    column("updated_by_id", Integer),
)
"""db.models.KeyAccount."""

SALES_LINE = table(
    "sales_line",
    column("id", Integer),
    column("customer_id", Integer),
    column("sold_on", Date),
    column("revenue", Float),
    column("cost_of_goods", Float),
    column("quantity", Float),
    column("product", String),
    column("order_id", String),
    column("line_key", String),
)
"""db.models.Transaction."""

SERVICE_COST = table(
    "service_cost",
    column("id", Integer),
    column("customer_id", Integer),
    column("incurred_on", Date),
    column("category", String),
    column("amount", Float),
    column("note", String),
    column("line_key", String),
)
"""db.models.ServiceCost."""

VALUE_FIT = table(
    "value_fit",
    column("id", Integer),
    column("key", String),
    column("as_of", Date),
    column("calibration_end", Date),
    column("period", String),
    column("model", String),
    column("why", String),
    column("parameters_json", String),
    column("customers", Integer),
    column("repeat_customers", Integer),
    column("seconds", Float),
    column("fitted_at", UTCDateTime()),
    column("fitted_by_id", Integer),
)
"""db.models.ValueFit."""

CUSTOMER_VALUE = table(
    "customer_value",
    column("fit_id", Integer),
    column("customer_id", Integer),
    column("model", String),
    column("note", String),
    column("purchases", Integer),
    column("last_purchase", Date),
    column("p_alive", Float),
    column("purchases_12m", Float),
    column("purchases_horizon", Float),
    column("margin_per_purchase", Float),
    column("cost_per_purchase", Float),
    column("clv", Float),
)
"""db.models.CustomerValue."""

PROGRAMME_SETTING = table(
    "programme_setting",
    column("key", String),
    column("value", String),
    column("updated_at", UTCDateTime()),
    column("updated_by_id", Integer),
)
"""db.models.ProgrammeSetting."""

#: Each handle by the model it stands for.
MODELS = {
    "Customer": CUSTOMER,
    "User": USER_ACCOUNT,
    "KeyAccount": KEY_ACCOUNT,
    "Transaction": SALES_LINE,
    "ServiceCost": SERVICE_COST,
    "ValueFit": VALUE_FIT,
    "CustomerValue": CUSTOMER_VALUE,
    "ProgrammeSetting": PROGRAMME_SETTING,
}
