"""A small base for the break-even work list, on top of the cast (tests.support.make_cast),
its figures worked out by hand in the tests that use it.

As of 2026-06-30 (T12M 2025-07-01 .. 2026-06-30), cost of goods 60 % of revenue throughout:

=============  =======  ======  ==============================================  ======
customer       revenue  orders  cost to serve                                   profit
=============  =======  ======  ==============================================  ======
Acme (member)    5,000       5  sales 1,500, custom work 700, logistics 200     -400
Big Two          5,000       5  sales 500, logistics 200                         1,300
Small One        1,000      10  logistics 450, support 50, terms 30              -130
Small Two        1,000       2  logistics 150, support 100                         150
Small Three      1,000       4  logistics 100, support 100                         200
Costs Only           0       0  other 80                                           -80
北京, Plain          0       0  —                                                     0
=============  =======  ======  ==============================================  ======

Small Two also bought 9,999 on 2025-06-30, the day before the window (left out).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from db.models import Customer
from kam.database import Database

AS_OF = date(2026, 6, 30)

#: name -> (revenue, orders, {category: amount}); Acme is the cast's key account.
BASE: dict[str, tuple[float, int, dict[str, float]]] = {
    "Acme [/b] Ltd": (5_000, 5, {"sales": 1_500, "custom_work": 700, "logistics": 200}),
    "Big Two": (5_000, 5, {"sales": 500, "logistics": 200}),
    "Small One": (1_000, 10, {"logistics": 450, "support": 50, "terms": 30}),
    "Small Two": (1_000, 2, {"logistics": 150, "support": 100}),
    "Small Three": (1_000, 4, {"logistics": 100, "support": 100}),
    "Costs Only": (0, 0, {"other": 80}),
}


def add_break_even_base(database: Database) -> None:
    """Add the customers and lines above to a database holding the cast."""
    with database.writing() as s:
        for name in BASE:
            if name != "Acme [/b] Ltd":
                s.add(Customer(name=name, industry="Retail", region="North"))
    with database.engine.begin() as conn:
        ids = dict(conn.execute(text("SELECT name, id FROM customer")).all())  # type: ignore[arg-type]
        line = 0
        for name, (revenue, orders, costs) in BASE.items():
            for n in range(orders):  # equal orders through the year, one line each
                each = revenue / orders
                conn.execute(
                    text(
                        "INSERT INTO sales_line (customer_id, sold_on, revenue, cost_of_goods, "
                        "quantity, order_id, line_key) VALUES (:c, :d, :r, :g, 1, :o, :o)"
                    ),
                    {"c": ids[name], "d": date(2025, 8 + n % 5, 1 + n), "r": each,
                     "g": each * 0.6, "o": f"{ids[name]}-{n}"},
                )  # fmt: skip
            for category, amount in costs.items():
                line += 1
                conn.execute(
                    text(
                        "INSERT INTO service_cost (customer_id, incurred_on, category, amount, "
                        "note, line_key) VALUES (:c, :d, :k, :a, '', :n)"
                    ),
                    {"c": ids[name], "d": date(2026, 1, 15), "k": category, "a": amount,
                     "n": f"k{line}"},
                )  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO sales_line (customer_id, sold_on, revenue, cost_of_goods, quantity, "
                "order_id, line_key) VALUES (:c, :d, 9999, 1, 1, 'early', 'early')"
            ),
            {"c": ids["Small Two"], "d": date(2025, 6, 30)},
        )
