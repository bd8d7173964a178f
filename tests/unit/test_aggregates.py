"""The database sums what the metrics would sum: the same lines, summed by db.aggregates
(SQLite and PostgreSQL) and by the pure pandas functions, give the same frames, so the
metrics tested on lines hold for the figures kam computes from the database."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import text

from kam.database import Database
from kam.figures import frames, metrics
from tests.support import Cast

AS_OF = date(2024, 2, 29)  # a leap day: the window is 2023-03-01 .. 2024-02-29
#: (customer, day, revenue, cost of goods, order id): window edges, lines without an order
#: id (own orders) and with an empty one, several lines of one order, future lines.
SALES = [
    (1, "2023-02-28", 10.0, 1.0, "A0"),  # the day before the window
    (1, "2023-03-01", 20.0, 2.0, "A1"),  # its first day
    (1, "2023-03-01", 5.0, 1.0, "A1"),  # the same order, another line
    (1, "2024-02-29", 40.0, 4.0, None),  # its last day, no order id
    (1, "2024-03-01", 99.0, 9.0, "A9"),  # after as_of
    (2, "2023-06-15", 7.5, 2.5, ""),  # an empty order id
    (2, "2023-06-15", 2.5, 0.5, ""),
    (2, "2022-12-31", 3.0, 1.0, "B0"),  # the year before last: retention
    (3, "2022-05-05", 8.0, 3.0, "C0"),  # bought only two years ago
]
COSTS = [
    (1, "2023-03-01", "logistics", 4.0),
    (1, "2024-02-29", "support", 6.0),
    (1, "2023-02-28", "support", 100.0),
    (2, "2023-07-01", "terms", 1.5),
    (2, "2023-07-01", "terms", 0.5),
    (3, "2024-03-01", "sales", 9.0),
]


@pytest.fixture
def lines(database: Database, cast: Cast) -> Database:
    with database.engine.begin() as conn:
        for n, (cid, day, rev, cogs, order) in enumerate(SALES):
            conn.execute(text(
                "INSERT INTO sales_line (customer_id, sold_on, revenue, cost_of_goods, quantity,"
                " order_id, line_key) VALUES (:c, :d, :r, :g, 1, :o, :k)"
            ), {"c": cid, "d": date.fromisoformat(day), "r": rev, "g": cogs, "o": order,
                "k": f"k{n}"})  # fmt: skip
        for n, (cid, day, category, amount) in enumerate(COSTS):
            conn.execute(text(
                "INSERT INTO service_cost (customer_id, incurred_on, category, amount, note, "
                "line_key) VALUES (:c, :d, :k, :a, '', :n)"
            ), {"c": cid, "d": date.fromisoformat(day), "k": category, "a": amount,
                "n": f"c{n}"})  # fmt: skip
    return database


def _lines() -> tuple[pd.DataFrame, pd.DataFrame]:
    sales = pd.DataFrame(SALES, columns=["customer_id", "sold_on", "revenue", "cost_of_goods",
                                         "order_id"])  # fmt: skip
    sales["sold_on"] = pd.to_datetime(sales["sold_on"])
    costs = pd.DataFrame(COSTS, columns=["customer_id", "incurred_on", "category", "amount"])
    costs["incurred_on"] = pd.to_datetime(costs["incurred_on"])
    return sales, costs


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(keys).reset_index(drop=True)


def test_window_sums_are_those_of_the_lines(lines: Database) -> None:
    first, last = metrics.t12m_window(AS_OF)
    with lines.reading() as s:
        summed = frames.window(s, first, last)
    sales, costs = _lines()
    expected_sales, expected_costs = metrics.window_sums(sales, costs, first, last)
    pd.testing.assert_frame_equal(
        _sorted(summed.sales, ["customer_id"]), _sorted(expected_sales, ["customer_id"]),
        check_dtype=False,
    )  # fmt: skip
    pd.testing.assert_frame_equal(
        _sorted(summed.costs, ["customer_id", "category"]),
        _sorted(expected_costs, ["customer_id", "category"]),
        check_dtype=False,
    )
    # By hand: customer 1 has orders A1 and one line without an id (2); customer 2 two
    # lines with an empty id (2 orders); revenue 65 and 10.
    by_customer = summed.sales.set_index("customer_id")
    assert by_customer.loc[1, ["revenue", "orders"]].tolist() == [65.0, 2]
    assert by_customer.loc[2, ["revenue", "orders"]].tolist() == [10.0, 2]


def test_year_sums_and_retention_are_those_of_the_lines(lines: Database) -> None:
    with lines.reading() as s:
        year_sales, year_costs = frames.yearly(s, AS_OF)
        base = frames.base_retention(s, AS_OF)
    sales, costs = _lines()
    expected_sales, expected_costs = metrics.year_sums(sales, costs, until=AS_OF)
    pd.testing.assert_frame_equal(
        _sorted(year_sales, ["customer_id", "year"]),
        _sorted(expected_sales, ["customer_id", "year"]),
        check_dtype=False,
    )
    pd.testing.assert_frame_equal(
        _sorted(year_costs, ["customer_id", "year"]),
        _sorted(expected_costs, ["customer_id", "year"]),
        check_dtype=False,
    )
    # Bought in 2022-03-01 .. 2023-02-28: customers 1, 2 and 3; of them 1 and 2 in the window.
    assert base == metrics.trailing_retention(sales, as_of=AS_OF) == pytest.approx(2 / 3)


def test_the_years_a_customer_bought_in_are_those_of_the_lines(lines: Database) -> None:
    """Up to 2024-02-29: customer 1 bought in 2023 (twice that year) and 2024 (its line of
    2024-03-01 is after), and in February 2023; customer 2 in 2022 and 2023; customer 3
    in 2022. Each pair once, on both engines (SQLite reads the year from the ISO text)."""
    with lines.reading() as s:
        pairs = frames.buying_years(s, AS_OF)
    assert sorted(map(tuple, pairs[["customer_id", "year"]].to_numpy().tolist())) == [
        (1, 2023), (1, 2024), (2, 2022), (2, 2023), (3, 2022),
    ]  # fmt: skip
    assert pairs["year"].dtype == "int64"
    retention = metrics.retention_from(pairs, as_of=AS_OF).set_index("year")
    # 2023: of 2 and 3 (bought in 2022), 2 again; 2024: of 1 and 2 (2023), 1 again.
    assert retention.loc[2023, "retained"] == 1 and retention.loc[2023, "active_previous"] == 2
    assert retention.loc[2024, "rate"] == pytest.approx(1 / 2)


def test_without_a_measurable_base_the_clv_assumes_no_retention(
    database: Database, cast: Cast
) -> None:
    """Nobody bought in the year before the window: no base retention, so r = 0 and the
    CLV is one discounted year: (100 - 40) / 1.2 with d = 20 %."""
    from kam.figures.base import base_figures
    from kam.services.programme import set_setting

    with database.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO sales_line (customer_id, sold_on, revenue, cost_of_goods, quantity, "
            "line_key) VALUES (1, :d, 100, 40, 1, 'only')"
        ), {"d": date(2024, 1, 1)})  # fmt: skip
    with database.writing() as s:
        set_setting(s, cast.admin, "discount_rate", "0.2")
        set_setting(s, cast.admin, "horizon", "3")
    with database.reading() as s:
        figures = base_figures(s, as_of=AS_OF)
    assert figures.base_retention is None
    assert figures.clv.loc[1, "retention"] == 0
    assert figures.clv.loc[1, "retention_source"] == "base_unknown"
    assert figures.clv.loc[1, "clv"] == pytest.approx((100 - 40) / 1.2)


def test_a_customers_tier_from_a_stored_fit_is_its_tier_among_every_figure(
    database: Database,
) -> None:
    """The sheet reads one customer's stored figures and asks the database where its CLV
    stands (db.aggregates.clv_standing) instead of ranking every customer's: the sums before
    it and in all, and so its tier, are those the whole table gives (kam.rules.outlook)."""
    from typing import Any, cast

    from db.models import Customer, CustomerValue, ValueFit
    from kam.figures.value import Lifetime
    from kam.rules.outlook import tier_of, tiers

    stored = {"a": 50.0, "b": 30.0, "c": 30.0, "d": 10.0, "e": 0.0, "f": -5.0}
    with database.writing() as s:
        people = {name: Customer(name=name) for name in stored}
        s.add_all(people.values())
        fit = ValueFit(key="k", as_of=AS_OF, calibration_end=AS_OF, period="week",
                       model="probabilistic")  # fmt: skip
        s.add(fit)
        s.flush()
        ids = {name: int(c.id or 0) for name, c in people.items()}
        for name, clv in stored.items():
            s.add(CustomerValue(fit_id=fit.id, customer_id=ids[name], model="probabilistic",
                                clv=clv))  # fmt: skip
        fit_id = int(fit.id or 0)
    table = pd.DataFrame({"clv": [stored[n] for n in ids]}, index=list(ids.values()))
    whole = Lifetime(cast(Any, None), table, "k", stored=True)
    one = Lifetime(cast(Any, None), table.iloc[:0], "k", True, fit_id, whole=False)
    # (customer, the CLV its sheet shows) -> (positive CLV ranked before it, the others' sum):
    # b and c tie at 30, the smaller id (b) first; c's sheet may show another figure (45).
    expected = {
        ("b", 30.0): (50.0, 90.0),  # others 50 + 30 + 10; before it 50
        ("c", 30.0): (80.0, 90.0),  # before it 50 and b's 30
        ("c", 45.0): (50.0, 90.0),  # above both 30s, below 50
        ("a", -1.0): (70.0, 70.0),  # every other positive one is larger
        ("e", 0.0): (120.0, 120.0),
    }
    with database.reading() as s:
        for (name, clv), sums in expected.items():
            assert one.standing(ids[name], clv, s) == pytest.approx(sums), name
            assert whole.standing(ids[name], clv, s) == pytest.approx(sums), name
    # The tiers at A 50 %, B 40 %: total 120; before a, b, c, d: 0, 50, 80, 110 (shares 0,
    # .42, .67, .92): A, A, B, C; e (0) is C and f a loss.
    ranked = tiers([(ids[n], v) for n, v in stored.items()], a_share=0.5, b_share=0.4)
    assert ranked == {ids["a"]: "A", ids["b"]: "A", ids["c"]: "B", ids["d"]: "C",
                      ids["e"]: "C", ids["f"]: "loss"}  # fmt: skip
    assert tier_of(30.0, 80.0, 90.0 + 30.0, a_share=0.5, b_share=0.4) == "B"
    assert tier_of(45.0, 50.0, 90.0 + 45.0, a_share=0.5, b_share=0.4) == "A"  # 50/135 = .37
    assert tier_of(-1.0, 70.0, 70.0, a_share=0.5, b_share=0.4) == "loss"
    assert tier_of(0.0, 120.0, 120.0, a_share=0.5, b_share=0.4) == "C"


def test_purchase_days_are_the_days_with_a_sale_as_ordinals(lines: Database) -> None:
    """A purchase occasion is a day with a sale up to the date: a day of returns alone is
    not one, a day with a sale and a return is; the database gives each day's ordinal."""
    from db import aggregates
    from kam.figures.outlook import purchase_rhythm

    with lines.engine.begin() as conn:
        for n, (day, revenue) in enumerate([("2023-01-01", -5.0), ("2022-05-05", -2.0)]):
            conn.execute(text(
                "INSERT INTO sales_line (customer_id, sold_on, revenue, cost_of_goods, quantity,"
                " line_key) VALUES (3, :d, :r, 0, 1, :k)"
            ), {"d": date.fromisoformat(day), "r": revenue, "k": f"return{n}"})  # fmt: skip
    with lines.reading() as s:
        rows = aggregates.purchase_days(s.connection(), AS_OF)
    days = {
        1: ["2023-02-28", "2023-03-01", "2024-02-29"],  # not 2024-03-01, after the date
        2: ["2022-12-31", "2023-06-15"],  # two lines on 2023-06-15: one day
        3: ["2022-05-05"],  # 2023-01-01 had returns alone
    }
    assert rows == [
        (cid, date.fromisoformat(day).toordinal()) for cid, listed in days.items() for day in listed
    ]
    # Customer 1's gaps: 1 and 365 days (2023-03-01 to the leap day 2024-02-29): median 183.
    assert purchase_rhythm(rows)[1] == (date(2023, 2, 28), date(2024, 2, 29), 183.0)
    assert purchase_rhythm(rows)[3] == (date(2022, 5, 5), date(2022, 5, 5), None)


def test_a_return_is_no_order_and_no_day_bought(database: Database, cast: Cast) -> None:
    # Customer 1 buys once (R1, 2023-05-01), then sends goods back twice: a credit note R2
    # and a return line without an order id. Customer 2 only returns goods in the window.
    returns = [
        (1, "2023-05-01", 100.0, 60.0, "R1"),
        (1, "2023-09-01", -30.0, -18.0, "R2"),
        (1, "2023-10-01", -10.0, -6.0, None),
        (2, "2023-08-01", -5.0, -3.0, "S1"),
    ]
    with database.engine.begin() as conn:
        for n, (cid, day, rev, cogs, order) in enumerate(returns):
            conn.execute(text(
                "INSERT INTO sales_line (customer_id, sold_on, revenue, cost_of_goods, quantity,"
                " order_id, line_key) VALUES (:c, :d, :r, :g, 1, :o, :k)"
            ), {"c": cid, "d": date.fromisoformat(day), "r": rev, "g": cogs, "o": order,
                "k": f"k{n}"})  # fmt: skip
    first, last = metrics.t12m_window(AS_OF)
    with database.reading() as s:
        summed = frames.window(s, first, last).sales.set_index("customer_id")
    sales = pd.DataFrame(returns, columns=["customer_id", "sold_on", "revenue", "cost_of_goods",
                                           "order_id"])  # fmt: skip
    sales["sold_on"] = pd.to_datetime(sales["sold_on"])
    expected, _ = metrics.window_sums(sales, _lines()[1].iloc[:0], first, last)
    expected = expected.set_index("customer_id")
    for frame in (summed, expected):
        frame["last_sold_on"] = frame["last_sold_on"].astype("datetime64[ns]")
    pd.testing.assert_frame_equal(summed.sort_index(), expected.sort_index(), check_dtype=False)
    assert summed.loc[1, ["revenue", "orders"]].tolist() == [100.0 - 30 - 10, 1]
    assert summed.loc[1, "last_sold_on"] == pd.Timestamp("2023-05-01")
    assert summed.loc[2, ["revenue", "orders"]].tolist() == [-5.0, 0]
    assert pd.isna(summed.loc[2, "last_sold_on"])


def test_a_customer_who_only_sent_goods_back_is_not_retained(
    database: Database, cast: Cast
) -> None:
    """As of 2024-02-29 (window 2023-03-01 .. 2024-02-29, the year before from 2022-03-01):
    customer 1 buys in both years; customer 2 buys the year before and only returns goods
    (a credit note) in the window; customer 3 only returns goods the year before and buys
    in the window. The base is 1 and 2 (3 bought nothing the year before), and only 1
    bought again: 1/2, not 3/3. By calendar year, 2022's buyers are 1 and 2 and 2023's 1
    and 3: 2023 keeps 1 of 2, 2024 (to the leap day) none of 2."""
    returns = [
        (1, "2022-06-01", 100.0, 60.0, "P1"),
        (1, "2023-06-01", 100.0, 60.0, "P2"),
        (2, "2022-06-01", 50.0, 30.0, "Q1"),
        (2, "2023-08-01", -20.0, -12.0, "Q2"),
        (3, "2022-09-01", -5.0, -3.0, None),
        (3, "2023-05-01", 70.0, 40.0, "S1"),
    ]
    with database.engine.begin() as conn:
        for n, (cid, day, rev, cogs, order) in enumerate(returns):
            conn.execute(text(
                "INSERT INTO sales_line (customer_id, sold_on, revenue, cost_of_goods, quantity,"
                " order_id, line_key) VALUES (:c, :d, :r, :g, 1, :o, :k)"
            ), {"c": cid, "d": date.fromisoformat(day), "r": rev, "g": cogs, "o": order,
                "k": f"k{n}"})  # fmt: skip
    with database.reading() as s:
        base = frames.base_retention(s, AS_OF)
        pairs = frames.buying_years(s, AS_OF)
    sales = pd.DataFrame(returns, columns=["customer_id", "sold_on", "revenue", "cost_of_goods",
                                           "order_id"])  # fmt: skip
    sales["sold_on"] = pd.to_datetime(sales["sold_on"])
    assert base == metrics.trailing_retention(sales, as_of=AS_OF) == pytest.approx(1 / 2)
    assert sorted(map(tuple, pairs[["customer_id", "year"]].to_numpy().tolist())) == [
        (1, 2022), (1, 2023), (2, 2022), (3, 2023),
    ]  # fmt: skip
    for table in (
        metrics.retention_from(pairs, as_of=AS_OF),
        metrics.retention(sales, as_of=AS_OF),
    ):
        rows = [tuple(r) for r in table.itertuples(index=False)]
        assert rows == [(2023, 2, 1, 1 / 2), (2024, 2, 0, 0.0)]


def test_the_year_before_a_window_opening_on_a_leap_day_is_twelve_months(
    database: Database, cast: Cast
) -> None:
    """As of 2025-02-28 the window is 2024-02-29 .. 2025-02-28 and the year before it the
    trailing twelve months to 2024-02-28: 2023-03-01 .. 2024-02-28. Customer 1 bought on
    2023-02-28 (a day too early) and in the window; customer 2 on 2023-03-01 and not since.
    The base is customer 2 alone, who did not buy again: 0/1, not 1/2."""
    bought = [
        (1, "2023-02-28", 10.0, 5.0, "A1"),
        (1, "2024-06-01", 10.0, 5.0, "A2"),
        (2, "2023-03-01", 10.0, 5.0, "B1"),
    ]
    with database.engine.begin() as conn:
        for n, (cid, day, rev, cogs, order) in enumerate(bought):
            conn.execute(text(
                "INSERT INTO sales_line (customer_id, sold_on, revenue, cost_of_goods, quantity,"
                " order_id, line_key) VALUES (:c, :d, :r, :g, 1, :o, :k)"
            ), {"c": cid, "d": date.fromisoformat(day), "r": rev, "g": cogs, "o": order,
                "k": f"k{n}"})  # fmt: skip
    as_of = date(2025, 2, 28)
    with database.reading() as s:
        base = frames.base_retention(s, as_of)
    sales = pd.DataFrame(bought, columns=["customer_id", "sold_on", "revenue", "cost_of_goods",
                                          "order_id"])  # fmt: skip
    sales["sold_on"] = pd.to_datetime(sales["sold_on"])
    assert base == metrics.trailing_retention(sales, as_of=as_of) == 0.0
