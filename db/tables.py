"""The columns the dashboard's headline figures read, as plain Core tables.

Building a table's model (db.models) costs more than reading its sums: the headline's reads
name the sales lines, the costs, the customers, the key accounts and the stored lifetime-value
fits, whose models with those their keys name take about 0.15 s to build, three times the
reads themselves. Read through these, the first figures need no model built; every other read
goes through the models. Each column has its model's name and type (tests/unit/test_tables.py
holds them to db.models), so values arrive as they would through the model's table.
"""

from __future__ import annotations

from sqlalchemy import Date, Float, Integer, String, column, table

sales_line = table(
    "sales_line",
    column("id", Integer),
    column("customer_id", Integer),
    column("sold_on", Date),
    column("revenue", Float),
    column("cost_of_goods", Float),
    column("order_id", String),
)
service_cost = table(
    "service_cost",
    column("id", Integer),
    column("customer_id", Integer),
    column("incurred_on", Date),
    column("amount", Float),
)
customer = table(
    "customer",
    column("id", Integer),
    column("name", String),
    column("estimated_wallet", Float),
)
key_account = table(
    "key_account",
    column("customer_id", Integer),
    column("status", String),
    column("retention_override", Float),
    column("margin_override", Float),
)
value_fit = table(
    "value_fit",
    column("id", Integer),
    column("key", String),
    column("model", String),
)
customer_value = table(
    "customer_value",
    column("fit_id", Integer),
    column("customer_id", Integer),
    column("model", String),
    column("clv", Float),
)
