"""Metrics: every expected number below is worked out by hand from the small fixtures."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from kam.figures.metrics import (
    COST_CATEGORIES,
    clv_table,
    pareto,
    profit_by_year,
    profit_table,
    retention,
    rfm,
    share_of_wallet,
    t12m_window,
    trailing_retention,
)

NAN = float("nan")
AS_OF = date(2026, 6, 30)  # T12M window: 2025-07-01 .. 2026-06-30


def make_sales(rows: list[tuple[int, str, float, float, str | None]]) -> pd.DataFrame:
    """Sales from (customer_id, sold_on, revenue, cost_of_goods, order_id) tuples."""
    return pd.DataFrame(
        {
            "customer_id": pd.Series([r[0] for r in rows], dtype="int64"),
            "sold_on": pd.to_datetime(pd.Series([r[1] for r in rows], dtype=object)),
            "revenue": pd.Series([r[2] for r in rows], dtype=float),
            "cost_of_goods": pd.Series([r[3] for r in rows], dtype=float),
            "order_id": pd.Series([r[4] for r in rows], dtype=object),
        }
    )


def make_costs(rows: list[tuple[int, str, str, float]]) -> pd.DataFrame:
    """Costs from (customer_id, incurred_on, category, amount) tuples."""
    return pd.DataFrame(
        {
            "customer_id": pd.Series([r[0] for r in rows], dtype="int64"),
            "incurred_on": pd.to_datetime(pd.Series([r[1] for r in rows], dtype=object)),
            "category": pd.Series([r[2] for r in rows], dtype=object),
            "amount": pd.Series([r[3] for r in rows], dtype=float),
        }
    )


def make_customers(rows: list[tuple[int, str, float]]) -> pd.DataFrame:
    """Customers from (customer_id, name, estimated_wallet) tuples."""
    return pd.DataFrame(
        {
            "customer_id": pd.Series([r[0] for r in rows], dtype="int64"),
            "name": pd.Series([r[1] for r in rows], dtype=object),
            "estimated_wallet": pd.Series([r[2] for r in rows], dtype=float),
        }
    )


# Fixture A, as of 2026-06-30.
SALES_A = make_sales(
    [
        (1, "2025-06-30", 999.0, 111.0, "A0"),  # the day before the T12M window
        (1, "2025-07-01", 1000.0, 600.0, "A1"),  # first day of the window
        (1, "2026-06-30", 500.0, 200.0, "A2"),  # as_of itself
        (1, "2026-06-30", 100.0, 50.0, "A2"),  # same order, second line
        (1, "2026-07-01", 7777.0, 1.0, "A3"),  # after as_of: ignored everywhere
        (2, "2026-01-15", 300.0, 240.0, None),  # no order id: its own order
        (2, "2026-01-15", 200.0, 150.0, None),  # another order of its own
        (3, "2025-12-31", 400.0, 100.0, "G1"),
    ]
)
COSTS_A = make_costs(
    [
        (1, "2025-09-01", "sales", 50.0),
        (1, "2026-02-01", "logistics", 30.0),
        (1, "2025-06-30", "support", 20.0),  # before the window
        (1, "2026-07-01", "other", 1000.0),  # after as_of
        (2, "2026-03-01", "terms", 10.0),
        (2, "2026-04-01", "custom_work", 200.0),
        (3, "2026-05-05", "support", 5.0),
    ]
)
CUSTOMERS_A = make_customers(
    [
        (3, "Gamma", 0.0),  # deliberately unsorted
        (1, "Alpha", 10_000.0),
        (2, "Beta", NAN),
        (4, "Delta", 500.0),  # no activity at all
    ]
)

EMPTY_SALES = pd.DataFrame(
    columns=["customer_id", "sold_on", "revenue", "cost_of_goods", "order_id"]
)
EMPTY_COSTS = pd.DataFrame(columns=["customer_id", "incurred_on", "category", "amount"])
EMPTY_CUSTOMERS = pd.DataFrame(columns=["customer_id", "name", "estimated_wallet"])


# --------------------------------------------------------------------------- T12M window


@pytest.mark.parametrize(
    ("as_of", "first", "last"),
    [
        (date(2026, 6, 30), "2025-07-01", "2026-06-30"),
        (date(2026, 1, 1), "2025-01-02", "2026-01-01"),
        # Feb 29: one year back is Feb 28 (DateOffset clips), plus a day is Mar 1.
        (date(2024, 2, 29), "2023-03-01", "2024-02-29"),
        # A window ending Feb 28 of the year after a leap year starts on Feb 29.
        (date(2025, 2, 28), "2024-02-29", "2025-02-28"),
        (date(2024, 3, 1), "2023-03-02", "2024-03-01"),
    ],
)
def test_t12m_window(as_of: date, first: str, last: str) -> None:
    assert t12m_window(as_of) == (pd.Timestamp(first), pd.Timestamp(last))


# --------------------------------------------------------------------------- profit table


def test_profit_table_over_the_t12m_window() -> None:
    table = profit_table(SALES_A, COSTS_A, CUSTOMERS_A, as_of=AS_OF)

    assert list(table.index) == [1, 2, 3, 4]
    assert table.index.name == "customer_id"
    assert list(table.columns) == [
        "name",
        "revenue",
        "cost_of_goods",
        "gross_margin",
        "cts_sales",
        "cts_support",
        "cts_logistics",
        "cts_terms",
        "cts_custom_work",
        "cts_other",
        "cost_to_serve",
        "profit",
    ]
    assert list(table["name"]) == ["Alpha", "Beta", "Gamma", "Delta"]
    # c1: 1000 + 500 + 100 (the 999 is before the window, the 7777 after as_of)
    assert list(table["revenue"]) == [1000 + 500 + 100, 300 + 200, 400, 0]
    assert list(table["cost_of_goods"]) == [600 + 200 + 50, 240 + 150, 100, 0]
    assert list(table["gross_margin"]) == [1600 - 850, 500 - 390, 400 - 100, 0]
    assert list(table["cts_sales"]) == [50, 0, 0, 0]
    assert list(table["cts_support"]) == [0, 0, 5, 0]  # c1's support cost is before the window
    assert list(table["cts_logistics"]) == [30, 0, 0, 0]
    assert list(table["cts_terms"]) == [0, 10, 0, 0]
    assert list(table["cts_custom_work"]) == [0, 200, 0, 0]
    assert list(table["cts_other"]) == [0, 0, 0, 0]  # c1's 1000 is after as_of
    assert list(table["cost_to_serve"]) == [50 + 30, 10 + 200, 5, 0]
    assert list(table["profit"]) == [750 - 80, 110 - 210, 300 - 5, 0]


def test_profit_table_with_an_explicit_start() -> None:
    table = profit_table(SALES_A, COSTS_A, CUSTOMERS_A, as_of=AS_OF, start=date(2026, 1, 1))
    # c1: only the two lines of 2026-06-30 and the logistics cost of 2026-02-01
    # c3: the sale of 2025-12-31 is before the start, the support cost of 2026-05-05 is in
    assert list(table["revenue"]) == [500 + 100, 300 + 200, 0, 0]
    assert list(table["gross_margin"]) == [(500 - 200) + (100 - 50), 110, 0, 0]
    assert list(table["profit"]) == [350 - 30, 110 - 210, 0 - 5, 0]


def test_profit_table_refuses_a_start_after_as_of() -> None:
    with pytest.raises(ValueError):
        profit_table(SALES_A, COSTS_A, CUSTOMERS_A, as_of=AS_OF, start=date(2026, 7, 1))


def test_profit_table_refuses_an_unknown_cost_category() -> None:
    costs = make_costs([(1, "2026-01-01", "bribes", 1.0)])
    with pytest.raises(ValueError, match="bribes"):
        profit_table(SALES_A, costs, CUSTOMERS_A, as_of=AS_OF)


def test_as_of_counts_its_whole_day_and_nothing_after() -> None:
    sales = make_sales(
        [
            (1, "2026-06-30 23:59", 10.0, 4.0, "X"),  # on as_of, late in the day: counts
            (1, "2026-07-01 00:00", 1000.0, 0.0, "Y"),  # the next day: ignored
        ]
    )
    table = profit_table(sales, EMPTY_COSTS, CUSTOMERS_A, as_of=AS_OF)
    assert table.loc[1, "revenue"] == 10
    assert table.loc[1, "gross_margin"] == 10 - 4


def test_feb_29_window_in_profit_table() -> None:
    customers = make_customers([(1, "Alpha", NAN)])
    sales = make_sales(
        [
            (1, "2023-02-28", 1.0, 0.0, None),  # one day before the window
            (1, "2023-03-01", 10.0, 0.0, None),  # first day of the window
            (1, "2024-02-29", 100.0, 0.0, None),  # as_of, a leap day
            (1, "2024-03-01", 1000.0, 0.0, None),  # after as_of
        ]
    )
    table = profit_table(sales, EMPTY_COSTS, customers, as_of=date(2024, 2, 29))
    assert table.loc[1, "revenue"] == 10 + 100


def test_sales_of_unknown_customers_are_left_out_of_the_profit_tables() -> None:
    sales = make_sales([(1, "2026-01-01", 10.0, 0.0, "X"), (99, "2026-01-01", 5.0, 0.0, "Y")])
    customers = make_customers([(1, "Alpha", NAN)])
    assert list(profit_table(sales, EMPTY_COSTS, customers, as_of=AS_OF).index) == [1]
    assert list(profit_by_year(sales, EMPTY_COSTS, customers, as_of=AS_OF)["customer_id"]) == [1]


# --------------------------------------------------------------------------- profit by year


def test_profit_by_year() -> None:
    table = profit_by_year(SALES_A, COSTS_A, CUSTOMERS_A, as_of=AS_OF)
    assert list(table.columns) == [
        "customer_id",
        "year",
        "revenue",
        "gross_margin",
        "cost_to_serve",
        "profit",
    ]
    rows = [tuple(r) for r in table.itertuples(index=False)]
    assert rows == [
        # c1 2025: sales of 06-30 and 07-01; costs: support 20 (06-30) + sales 50 (09-01)
        (1, 2025, 999 + 1000, (999 - 111) + (1000 - 600), 20 + 50, 1288 - 70),
        # c1 2026: the two lines of 06-30, logistics 30; the 07-01 sale and cost are after as_of
        (1, 2026, 500 + 100, (500 - 200) + (100 - 50), 30, 350 - 30),
        (2, 2026, 300 + 200, (300 - 240) + (200 - 150), 10 + 200, 110 - 210),
        (3, 2025, 400, 400 - 100, 0, 300),
        (3, 2026, 0, 0, 5, -5),  # a year with costs only still shows
        # c4 had no activity: no rows
    ]


# --------------------------------------------------------------------------- Pareto


def test_pareto_with_ties_and_loss_makers() -> None:
    profit = pd.Series(
        {10: 50.0, 11: 30.0, 12: -15.0, 13: 30.0, 14: 20.0, 15: -15.0}, name="profit"
    )
    result = pareto(profit)

    total = 50 + 30 - 15 + 30 + 20 - 15  # = 100
    assert result.total_profit == total
    table = result.table
    assert list(table.columns) == [
        "customer_id",
        "profit",
        "rank",
        "cum_profit",
        "cum_share",
        "customer_share",
    ]
    # 11 and 13 tie at 30: the lower id first; 12 and 15 tie at -15: the lower id first
    assert list(table["customer_id"]) == [10, 11, 13, 14, 12, 15]
    assert list(table["rank"]) == [1, 2, 3, 4, 5, 6]
    assert list(table["cum_profit"]) == [50, 50 + 30, 80 + 30, 110 + 20, 130 - 15, 115 - 15]
    assert list(table["cum_share"]) == pytest.approx([0.5, 0.8, 1.1, 1.3, 1.15, 1.0])
    assert list(table["customer_share"]) == pytest.approx([1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 1])
    # 0.8 * 100 = 80 is reached exactly by the first two customers
    assert result.customers_for_80 == 2
    assert result.share_for_80 == pytest.approx(2 / 6)
    assert result.below_break_even == [12, 15]


def test_pareto_of_the_profit_table() -> None:
    profit = profit_table(SALES_A, COSTS_A, CUSTOMERS_A, as_of=AS_OF)["profit"]
    result = pareto(profit)
    # profits: c1 670, c2 -100, c3 295, c4 0; total 865; 0.8 * 865 = 692
    # sorted: c1 670 (< 692), c3 670 + 295 = 965 (>= 692) -> two customers
    assert list(result.table["customer_id"]) == [1, 3, 4, 2]
    assert result.total_profit == 670 - 100 + 295
    assert result.customers_for_80 == 2
    assert result.share_for_80 == 2 / 4
    assert result.below_break_even == [2]


def test_pareto_without_positive_total_profit() -> None:
    result = pareto(pd.Series({1: -10.0, 2: 5.0, 3: -20.0}))
    assert result.total_profit == -10 + 5 - 20
    assert result.customers_for_80 is None
    assert result.share_for_80 is None
    assert result.below_break_even == [3, 1]  # worst first


def test_pareto_of_nobody() -> None:
    result = pareto(pd.Series(dtype=float))
    assert result.table.empty
    assert result.total_profit == 0
    assert result.customers_for_80 is None
    assert result.share_for_80 is None
    assert result.below_break_even == []


# --------------------------------------------------------------------------- share of wallet


def test_share_of_wallet() -> None:
    revenue = pd.Series({1: 1600.0, 2: 500.0, 3: 400.0, 4: 0.0})
    wallet = pd.Series({1: 10_000.0, 2: NAN, 3: 0.0, 4: 500.0})
    table = share_of_wallet(revenue, wallet)
    assert list(table.columns) == ["revenue", "wallet", "share", "headroom"]
    assert list(table.index) == [1, 2, 3, 4]
    assert table.loc[1, "share"] == pytest.approx(1600 / 10_000)
    assert table.loc[1, "headroom"] == 10_000 - 1600
    assert math.isnan(table.loc[2, "share"])  # wallet unknown
    assert math.isnan(table.loc[2, "headroom"])
    assert math.isnan(table.loc[3, "share"])  # wallet zero
    assert table.loc[3, "headroom"] == 0 - 400
    assert table.loc[4, "share"] == 0 / 500
    assert table.loc[4, "headroom"] == 500 - 0


# --------------------------------------------------------------------------- RFM


@pytest.mark.parametrize("order_dtype", [object, None])
def test_rfm_of_fixture_a(order_dtype: object) -> None:
    sales = SALES_A.assign(order_id=pd.Series(list(SALES_A["order_id"]), dtype=order_dtype))
    table = rfm(sales, as_of=AS_OF)
    # window (2025-06-30, 2026-06-30]: c1's A0 line is out, A3 is after as_of
    assert list(table.index) == [1, 2, 3]
    assert list(table.columns) == [
        "recency_days",
        "frequency",
        "monetary",
        "r_score",
        "f_score",
        "m_score",
        "rfm",
    ]
    # recency: c1 on as_of; c2 2026-01-15 -> 16 (rest of Jan) + 28 + 31 + 30 + 31 + 30;
    # c3 2025-12-31 -> 1 + 31 + 28 + 31 + 30 + 31 + 30
    assert list(table["recency_days"]) == [0, 16 + 28 + 31 + 30 + 31 + 30, 1 + 180]
    # c1: orders A1, A2 (two lines); c2: two lines without an order id; c3: G1
    assert list(table["frequency"]) == [2, 2, 1]
    assert list(table["monetary"]) == [750, 110, 300]
    # score = ceil(5 * rank / n), n = 3
    # r (on -recency): c3 rank 1 -> ceil(5/3) = 2, c2 rank 2 -> ceil(10/3) = 4, c1 rank 3 -> 5
    assert list(table["r_score"]) == [5, 4, 2]
    # f: c3 rank 1 -> 2; c1 and c2 tie at 2 orders, both rank 2 (min) -> ceil(10/3) = 4
    assert list(table["f_score"]) == [4, 4, 2]
    # m: c2 110 rank 1 -> 2, c3 300 rank 2 -> 4, c1 750 rank 3 -> 5
    assert list(table["m_score"]) == [5, 2, 4]
    assert list(table["rfm"]) == ["545", "442", "224"]


def test_rfm_quintiles_and_ties_over_five_customers() -> None:
    sales = make_sales(
        [
            (1, "2026-06-01", 10.0, 0.0, "a"),
            (2, "2026-06-01", 20.0, 0.0, "b"),
            (3, "2026-06-01", 20.0, 0.0, "c"),
            (4, "2026-06-01", 40.0, 0.0, "d"),
            (5, "2026-06-01", 50.0, 0.0, "e"),
        ]
    )
    table = rfm(sales, as_of=AS_OF)
    # n = 5, so score = ceil(5 * rank / 5) = rank (min rank on ties)
    assert list(table["m_score"]) == [1, 2, 2, 4, 5]
    # everybody ties on recency (29 days) and frequency (1): all rank 1 -> score 1
    assert list(table["recency_days"]) == [29, 29, 29, 29, 29]
    assert list(table["r_score"]) == [1, 1, 1, 1, 1]
    assert list(table["f_score"]) == [1, 1, 1, 1, 1]
    assert list(table["rfm"]) == ["111", "112", "112", "114", "115"]


def test_rfm_window_in_days() -> None:
    sales = make_sales(
        [
            (1, "2026-06-20", 10.0, 0.0, "a"),  # as_of - 10 days: outside (as_of - 10, as_of]
            (2, "2026-06-21", 10.0, 0.0, "b"),  # as_of - 9 days: inside
            (2, "2026-06-21", 10.0, 0.0, "b"),  # same order
            (2, "2026-06-22", 10.0, 0.0, ""),  # an empty order id is no order id
            (2, "2026-06-23", 10.0, 0.0, ""),
        ]
    )
    table = rfm(sales, as_of=AS_OF, days=10)
    assert list(table.index) == [2]
    assert table.loc[2, "recency_days"] == 30 - 23
    assert table.loc[2, "frequency"] == 1 + 2


def test_rfm_refuses_a_window_of_no_days() -> None:
    with pytest.raises(ValueError):
        rfm(SALES_A, as_of=AS_OF, days=0)


# --------------------------------------------------------------------------- retention

SALES_R = make_sales(
    [
        (1, "2022-03-01", 1.0, 0.0, None),
        (1, "2023-03-01", 1.0, 0.0, None),
        (1, "2024-03-01", 1.0, 0.0, None),
        (1, "2025-02-01", 1.0, 0.0, None),
        (2, "2022-05-01", 1.0, 0.0, None),
        (2, "2024-05-01", 1.0, 0.0, None),
        (3, "2023-05-01", 1.0, 0.0, None),
        (3, "2023-06-01", 1.0, 0.0, None),
        (3, "2024-05-01", 1.0, 0.0, None),
        (3, "2025-06-01", 1.0, 0.0, None),  # after as_of
        (4, "2024-07-01", 1.0, 0.0, None),
        (5, "2022-12-31", 1.0, 0.0, None),
    ]
)


def test_retention_year_over_year() -> None:
    table = retention(SALES_R, as_of=date(2025, 3, 31))
    assert list(table.columns) == ["year", "active_previous", "retained", "rate"]
    rows = [tuple(r) for r in table.itertuples(index=False)]
    assert rows == [
        (2023, 3, 1, 1 / 3),  # 2022: c1, c2, c5; of them in 2023: c1
        (2024, 2, 2, 2 / 2),  # 2023: c1, c3; both in 2024
        (2025, 4, 1, 1 / 4),  # 2024: c1..c4; in 2025 up to 03-31: c1 (c3's sale is later)
    ]


def test_retention_across_a_year_without_sales() -> None:
    sales = make_sales([(1, "2020-01-01", 1.0, 0.0, None), (1, "2022-01-01", 1.0, 0.0, None)])
    table = retention(sales, as_of=date(2022, 12, 31))
    assert list(table["year"]) == [2021, 2022]
    assert list(table["active_previous"]) == [1, 0]
    assert list(table["retained"]) == [0, 0]
    assert table["rate"].iloc[0] == 0 / 1
    assert math.isnan(table["rate"].iloc[1])  # nobody to retain


def test_trailing_retention() -> None:
    # as_of 2025-03-31: T12M 2024-04-01..2025-03-31, the twelve months before 2023-04-01..2024-03-31
    sales = make_sales(
        [
            (1, "2023-04-01", 1.0, 0.0, None),  # before: first day
            (1, "2025-03-31", 1.0, 0.0, None),  # T12M: last day -> retained
            (2, "2024-03-31", 1.0, 0.0, None),  # before: last day
            (2, "2025-04-01", 1.0, 0.0, None),  # after as_of -> lost
            (3, "2023-03-31", 1.0, 0.0, None),  # too early to be in the base
            (3, "2024-04-01", 1.0, 0.0, None),  # T12M: first day, but not in the base
            (4, "2024-01-10", 1.0, 0.0, None),  # before
            (4, "2024-04-01", 1.0, 0.0, None),  # T12M -> retained
        ]
    )
    # base: c1, c2, c4; retained: c1, c4
    assert trailing_retention(sales, as_of=date(2025, 3, 31)) == pytest.approx(2 / 3)


def test_trailing_retention_without_a_base_is_none() -> None:
    sales = make_sales([(1, "2026-01-01", 1.0, 0.0, None)])  # only inside the T12M window
    assert trailing_retention(sales, as_of=AS_OF) is None
    assert trailing_retention(EMPTY_SALES, as_of=AS_OF) is None


# --------------------------------------------------------------------------- CLV


def clv(
    margin: float,
    cost_to_serve: float,
    retention: float,
    *,
    discount_rate: float = 0.10,
    horizon: int = 5,
) -> float:
    """The forward CLV of one customer, through clv_table (the one computation kam uses)."""
    profit = pd.DataFrame(
        {"gross_margin": [margin], "cost_to_serve": [cost_to_serve]},
        index=pd.Index([1], name="customer_id"),
    )
    table = clv_table(
        profit, base_retention=retention, discount_rate=discount_rate, horizon=horizon
    )
    return float(table.loc[1, "clv"])


def test_clv_by_hand() -> None:
    # M - C = 600; r = 0.5; d = 10 %; H = 3
    expected = 600 * (1 / 1.1 + 0.5 / 1.1**2 + 0.25 / 1.1**3)
    assert clv(1000.0, 400.0, 0.5, discount_rate=0.10, horizon=3) == pytest.approx(expected)


def test_clv_defaults_are_ten_percent_over_five_years() -> None:
    expected = 100 * sum(0.8 ** (t - 1) / 1.1**t for t in (1, 2, 3, 4, 5))
    assert clv(150.0, 50.0, 0.8) == pytest.approx(expected)


def test_clv_with_full_retention_and_no_discount_is_h_times_m_minus_c() -> None:
    assert clv(1000.0, 400.0, 1.0, discount_rate=0.0, horizon=5) == 5 * (1000 - 400)
    assert clv(1000.0, 400.0, 1.0, discount_rate=0.0, horizon=1) == 1 * (1000 - 400)


def test_clv_with_no_retention_is_one_discounted_year() -> None:
    assert clv(1000.0, 400.0, 0.0, discount_rate=0.25, horizon=5) == pytest.approx(600 / 1.25)


def test_clv_of_a_loss_maker_is_negative() -> None:
    assert clv(100.0, 300.0, 1.0, discount_rate=0.0, horizon=2) == 2 * (100 - 300)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"retention": 1.5},
        {"retention": -0.1},
        {"retention": NAN},
        {"horizon": 0},
        {"horizon": 2.5},
        {"discount_rate": -1.0},
        {"discount_rate": -2.0},
        {"discount_rate": NAN},
    ],
)
def test_clv_refuses_nonsense(kwargs: dict[str, float]) -> None:
    args: dict[str, float] = {"retention": 0.5, "discount_rate": 0.1, "horizon": 5, **kwargs}
    with pytest.raises(ValueError):
        clv(100.0, 50.0, args.pop("retention"), **args)  # type: ignore[arg-type]


def test_clv_table_with_overrides() -> None:
    profit = profit_table(SALES_A, COSTS_A, CUSTOMERS_A, as_of=AS_OF)
    overrides = pd.DataFrame(
        {
            "retention_override": [0.5, NAN, NAN, 0.9],
            "margin_override": [NAN, 1000.0, NAN, 5.0],
        },
        index=pd.Index([2, 3, 4, 99], name="customer_id"),  # 99 is no customer: ignored
    )
    table = clv_table(profit, base_retention=0.8, overrides=overrides, discount_rate=0.0, horizon=2)
    assert list(table.columns) == [
        "margin",
        "margin_source",
        "cost_to_serve",
        "retention",
        "retention_source",
        "discount_rate",
        "horizon",
        "clv",
    ]
    assert list(table.index) == [1, 2, 3, 4]
    assert list(table["margin"]) == [750, 110, 1000, 0]
    assert list(table["margin_source"]) == ["t12m", "t12m", "override", "t12m"]
    assert list(table["cost_to_serve"]) == [80, 210, 5, 0]
    assert list(table["retention"]) == [0.8, 0.5, 0.8, 0.8]
    assert list(table["retention_source"]) == ["base", "override", "base", "base"]
    assert list(table["discount_rate"]) == [0.0] * 4
    assert list(table["horizon"]) == [2] * 4
    # d = 0, H = 2: CLV = (M - C) * (1 + r)
    assert list(table["clv"]) == pytest.approx(
        [(750 - 80) * 1.8, (110 - 210) * 1.5, (1000 - 5) * 1.8, 0]
    )


def test_clv_table_discounts_like_clv() -> None:
    profit = profit_table(SALES_A, COSTS_A, CUSTOMERS_A, as_of=AS_OF)
    table = clv_table(profit, base_retention=0.8, discount_rate=0.1, horizon=2)
    assert table.loc[1, "clv"] == pytest.approx(670 * (1 / 1.1 + 0.8 / 1.21))
    assert set(table["margin_source"]) == {"t12m"}
    assert set(table["retention_source"]) == {"base"}


def test_clv_table_without_a_measured_base_retention_says_so() -> None:
    # No base retention: r = 0 and the source says the base's is unknown; customer 1's CLV
    # is one discounted year, 670 / 1.1; customer 2's override of 0.5 still counts:
    # (110 - 210) x (1/1.1 + 0.5/1.21).
    profit = profit_table(SALES_A, COSTS_A, CUSTOMERS_A, as_of=AS_OF)
    overrides = pd.DataFrame({"retention_override": [0.5]}, index=pd.Index([2]))
    table = clv_table(profit, base_retention=None, overrides=overrides, discount_rate=0.1,
                      horizon=2)  # fmt: skip
    assert table.loc[1, ["retention", "retention_source"]].tolist() == [0.0, "base_unknown"]
    assert table.loc[1, "clv"] == pytest.approx(670 / 1.1)
    assert table.loc[2, ["retention", "retention_source"]].tolist() == [0.5, "override"]
    assert table.loc[2, "clv"] == pytest.approx(-100 * (1 / 1.1 + 0.5 / 1.21))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"base_retention": 1.01},
        {"base_retention": -0.5},
        {"base_retention": 0.5, "horizon": 0},
        {"base_retention": 0.5, "discount_rate": -1.0},
    ],
)
def test_clv_table_refuses_nonsense(kwargs: dict[str, float]) -> None:
    profit = profit_table(SALES_A, COSTS_A, CUSTOMERS_A, as_of=AS_OF)
    with pytest.raises(ValueError):
        clv_table(profit, **kwargs)  # type: ignore[arg-type]


def test_clv_table_refuses_a_retention_override_outside_zero_to_one() -> None:
    profit = profit_table(SALES_A, COSTS_A, CUSTOMERS_A, as_of=AS_OF)
    overrides = pd.DataFrame({"retention_override": [1.2]}, index=pd.Index([1]))
    with pytest.raises(ValueError):
        clv_table(profit, base_retention=0.5, overrides=overrides)


# --------------------------------------------------------------------------- empty inputs


def test_empty_sales_and_costs_give_zero_rows_for_every_customer() -> None:
    table = profit_table(EMPTY_SALES, EMPTY_COSTS, CUSTOMERS_A, as_of=AS_OF)
    assert list(table.index) == [1, 2, 3, 4]
    assert (table.drop(columns="name") == 0).all().all()
    assert profit_by_year(EMPTY_SALES, EMPTY_COSTS, CUSTOMERS_A, as_of=AS_OF).empty
    assert rfm(EMPTY_SALES, as_of=AS_OF).empty
    assert retention(EMPTY_SALES, as_of=AS_OF).empty


def test_cost_categories() -> None:
    assert COST_CATEGORIES == ("sales", "support", "logistics", "terms", "custom_work", "other")
