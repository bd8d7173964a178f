"""Account metrics: pure, vectorised functions over pandas DataFrames (no I/O, no database).

Input frames (column names fixed):

- sales: customer_id, sold_on (datetime64), revenue, cost_of_goods, order_id (str or missing;
  a line without an order id is its own order; a return, negative revenue, is no order);
- costs: customer_id, incurred_on (datetime64), category (one of COST_CATEGORIES), amount;
- customers: customer_id, name, estimated_wallet (NaN when unknown).

Every function ignores rows dated after ``as_of``; a date-time on the ``as_of`` day counts.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from kam.figures import headline

COST_CATEGORIES = ("sales", "support", "logistics", "terms", "custom_work", "other")

_CTS_COLUMNS = [f"cts_{category}" for category in COST_CATEGORIES]
_PROFIT_COLUMNS = [
    "name",
    "revenue",
    "cost_of_goods",
    "gross_margin",
    *_CTS_COLUMNS,
    "cost_to_serve",
    "profit",
]
_BY_YEAR_COLUMNS = ["customer_id", "year", "revenue", "gross_margin", "cost_to_serve", "profit"]
_PARETO_COLUMNS = ["customer_id", "profit", "rank", "cum_profit", "cum_share", "customer_share"]
_RFM_COLUMNS = [
    "recency_days",
    "frequency",
    "monetary",
    "r_score",
    "f_score",
    "m_score",
    "rfm",
]
_CLV_COLUMNS = [
    "margin",
    "margin_source",
    "cost_to_serve",
    "retention",
    "retention_source",
    "discount_rate",
    "horizon",
    "clv",
]
_ONE_DAY = pd.Timedelta(days=1)
#: The retention source of a customer without an override when the base's retention cannot
#: be measured (nobody bought in the year before the window): r is then 0, no one assumed
#: to stay, and the CLV is the year ahead's profit alone.
BASE_UNKNOWN = "base_unknown"
_EMPTY_COSTS = pd.DataFrame(
    {
        "customer_id": pd.Series(dtype="int64"),
        "incurred_on": pd.Series(dtype="datetime64[ns]"),
        "category": pd.Series(dtype=object),
        "amount": pd.Series(dtype=float),
    }
)


# --------------------------------------------------------------------------- helpers


def _day(value: date) -> pd.Timestamp:
    """A date (or date-time) as a midnight Timestamp."""
    return pd.Timestamp(value).normalize()


def _dated(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """The frame with `column` as datetime64 (converted only when it is not already)."""
    if pd.api.types.is_datetime64_any_dtype(frame[column]):
        return frame
    return frame.assign(**{column: pd.to_datetime(frame[column])})


def _between(
    frame: pd.DataFrame, column: str, first: pd.Timestamp | None, last: pd.Timestamp
) -> pd.DataFrame:
    """Rows whose `column` falls on a day in [first, last] (no lower bound when first is None)."""
    frame = _dated(frame, column)
    when = frame[column]
    mask = when < last + _ONE_DAY
    if first is not None:
        mask &= when >= first
    return frame.loc[mask]


def _customer_index(customers: pd.DataFrame) -> pd.Index:
    """The sorted customer ids of the customers frame."""
    ids = pd.Index(customers["customer_id"], name="customer_id")
    if ids.has_duplicates:
        raise ValueError("customers has duplicate customer_id values")
    return ids.sort_values()


def _check_categories(costs: pd.DataFrame) -> None:
    """Refuse cost rows whose category is not one of COST_CATEGORIES."""
    unknown = costs.loc[~costs["category"].isin(COST_CATEGORIES), "category"]
    if len(unknown):
        raise ValueError(f"unknown cost categories: {sorted(map(str, unknown.unique()))}")


def _check_clv_inputs(discount_rate: float, horizon: int) -> None:
    """Refuse a horizon below one year or a discount rate of -100 % or less."""
    if isinstance(horizon, bool) or not isinstance(horizon, numbers.Integral) or horizon < 1:
        raise ValueError(f"horizon must be a whole number of years >= 1, not {horizon!r}")
    if not discount_rate > -1:  # also refuses NaN
        raise ValueError(f"discount_rate must be greater than -1, not {discount_rate!r}")


def _check_retention(value: float, what: str = "retention") -> None:
    """Refuse a retention probability outside [0, 1] (or NaN)."""
    if not 0 <= value <= 1:
        raise ValueError(f"{what} must be between 0 and 1, not {value!r}")


def _discount_factor(retention: np.ndarray, discount_rate: float, horizon: int) -> np.ndarray:
    """headline.discount_factor element-wise over r (once per distinct retention: the base's
    and a few overrides)."""
    distinct, where = np.unique(retention.astype(float), return_inverse=True)
    factors = [headline.discount_factor(float(r), discount_rate, horizon) for r in distinct]
    return np.asarray(factors, dtype=float)[where].reshape(retention.shape)


def _quintile_score(values: pd.Series) -> pd.Series:
    """ceil(5 * rank_min / n) in exact integer arithmetic (== ceil(5 * rank(pct=True)))."""
    n = len(values)
    if n == 0:
        return pd.Series(dtype="int64", index=values.index)
    ranks = values.rank(method="min").to_numpy(dtype="int64")
    return pd.Series((5 * ranks + n - 1) // n, index=values.index, dtype="int64")


def _order_counts(window: pd.DataFrame) -> pd.Series:
    """Distinct orders per customer; a line without an order id is its own order."""
    order_id = window["order_id"]
    missing = order_id.isna().to_numpy(dtype=bool)
    if not pd.api.types.is_numeric_dtype(order_id):
        missing = missing | (order_id == "").to_numpy(dtype=bool, na_value=True)
    customer = window["customer_id"].to_numpy()
    lone = pd.Series(customer[missing]).value_counts()
    keyed = pd.DataFrame(
        {
            "customer_id": customer[~missing],
            "order": pd.factorize(order_id.to_numpy()[~missing])[0],
        }
    ).drop_duplicates()
    counts = lone.add(keyed["customer_id"].value_counts(), fill_value=0)
    return counts.astype("int64")


# --------------------------------------------------------------------------- public API


def t12m_window(as_of: date) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Trailing twelve months ending on as_of, inclusive: (as_of - 1 year + 1 day, as_of)."""
    first, last = headline.t12m_window(_day(as_of).date())
    return pd.Timestamp(first), pd.Timestamp(last)


def window_sums(
    sales: pd.DataFrame, costs: pd.DataFrame, first: pd.Timestamp | None, last: pd.Timestamp
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sales lines and cost lines summed over [first, last], as the database sums them
    (db.aggregates.window_sales / window_costs): per customer (revenue, cost_of_goods,
    orders, last_sold_on; a return is no order) and per customer and category (amount)."""
    window = _between(sales, "sold_on", first, last)
    sums = window.groupby("customer_id")[["revenue", "cost_of_goods"]].sum()
    bought = window.loc[window["revenue"] >= 0]  # a return is no order
    sums["orders"] = _order_counts(bought).reindex(sums.index).fillna(0).astype("int64")
    sums["last_sold_on"] = bought.groupby("customer_id")["sold_on"].max()
    spent = _between(costs, "incurred_on", first, last)
    by_category = spent.groupby(["customer_id", "category"], as_index=False)["amount"].sum()
    return sums.reset_index(), by_category


def profit_from(sales: pd.DataFrame, costs: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """The profit table from sums over one window: `sales` per customer (customer_id,
    revenue, cost_of_goods), `costs` per customer and category (customer_id, category,
    amount). Every customer of `customers` has a row."""
    index = _customer_index(customers)
    sold = (
        sales.set_index("customer_id")[["revenue", "cost_of_goods"]]
        .groupby(level=0)
        .sum()
        .reindex(index, fill_value=0.0)
        .astype(float)
    )
    _check_categories(costs)
    cts = (
        costs.groupby(["customer_id", "category"])["amount"]
        .sum()
        .unstack("category")
        .reindex(index=index, columns=list(COST_CATEGORIES))
        .fillna(0.0)
        .astype(float)
    )
    cts.columns = _CTS_COLUMNS
    table = pd.concat([sold, cts], axis=1)
    table.insert(0, "name", customers.set_index("customer_id")["name"].reindex(index))
    table.insert(3, "gross_margin", table["revenue"] - table["cost_of_goods"])
    table["cost_to_serve"] = table[_CTS_COLUMNS].sum(axis=1)
    table["profit"] = table["gross_margin"] - table["cost_to_serve"]
    table.index.name = "customer_id"
    return table[_PROFIT_COLUMNS]


def profit_table(
    sales: pd.DataFrame,
    costs: pd.DataFrame,
    customers: pd.DataFrame,
    *,
    as_of: date,
    start: date | None = None,
) -> pd.DataFrame:
    """Per customer over [start, as_of] (default the T12M window), from sales and cost lines."""
    first, last = t12m_window(as_of) if start is None else (_day(start), _day(as_of))
    if first > last:
        raise ValueError(f"start {start} is after as_of {as_of}")
    _check_categories(costs)
    sums, by_category = window_sums(sales, costs, first, last)
    return profit_from(sums, by_category, customers)


def year_sums(
    sales: pd.DataFrame, costs: pd.DataFrame, *, until: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sales and cost lines summed per customer and calendar year up to `until`, as the
    database sums them (db.aggregates.yearly_sales / yearly_costs)."""
    last = _day(until)
    sold = _between(sales, "sold_on", None, last)
    sold_by = (
        sold.assign(year=sold["sold_on"].dt.year)
        .groupby(["customer_id", "year"], as_index=False)[["revenue", "cost_of_goods"]]
        .sum()
    )
    spent = _between(costs, "incurred_on", None, last)
    spent_by = (
        spent.assign(year=spent["incurred_on"].dt.year)
        .groupby(["customer_id", "year"], as_index=False)["amount"]
        .sum()
    )
    return sold_by, spent_by


def by_year_from(sales: pd.DataFrame, costs: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """Per customer and year from yearly sums: `sales` (customer_id, year, revenue,
    cost_of_goods), `costs` (customer_id, year, amount); customers outside `customers`
    are left out."""
    known = _customer_index(customers)
    sold = sales.loc[sales["customer_id"].isin(known)]
    sold_by = (
        pd.DataFrame(
            {
                "revenue": sold["revenue"].to_numpy(dtype=float),
                "gross_margin": (sold["revenue"] - sold["cost_of_goods"]).to_numpy(dtype=float),
            },
            index=pd.MultiIndex.from_arrays(
                [sold["customer_id"].to_numpy(), sold["year"].to_numpy()]
            ),
        )
        .groupby(level=[0, 1])
        .sum()
    )
    spent = costs.loc[costs["customer_id"].isin(known)]
    spent_by = (
        pd.Series(
            spent["amount"].to_numpy(dtype=float),
            index=pd.MultiIndex.from_arrays(
                [spent["customer_id"].to_numpy(), spent["year"].to_numpy()]
            ),
            name="cost_to_serve",
        )
        .groupby(level=[0, 1])
        .sum()
    )
    table = sold_by.join(spent_by, how="outer").fillna(0.0)
    table.index.names = ["customer_id", "year"]
    table = table.sort_index().reset_index()
    table["profit"] = table["gross_margin"] - table["cost_to_serve"]
    table = table.astype({"customer_id": "int64", "year": "int64"})
    return table[_BY_YEAR_COLUMNS].astype({c: float for c in _BY_YEAR_COLUMNS[2:]})


def profit_by_year(
    sales: pd.DataFrame, costs: pd.DataFrame, customers: pd.DataFrame, *, as_of: date
) -> pd.DataFrame:
    """Per customer and calendar year up to as_of (the last year partial), from lines."""
    sold_by, spent_by = year_sums(sales, costs, until=as_of)
    return by_year_from(sold_by, spent_by, customers)


@dataclass(frozen=True)
class Pareto:
    """Customers ranked by profit, the share that makes 80 % of it, and those below break-even."""

    table: pd.DataFrame
    total_profit: float
    customers_for_80: int | None
    share_for_80: float | None
    below_break_even: list[int]


def pareto(profit: pd.Series) -> Pareto:
    """Rank customers by profit (desc, ties by id) with cumulative shares; profit by customer_id."""
    if profit.isna().any():
        raise ValueError("profit has missing values")
    ranked = (
        pd.DataFrame(
            {
                "customer_id": profit.index.to_numpy(dtype="int64"),
                "profit": profit.to_numpy(dtype=float),
            }
        )
        .sort_values(["profit", "customer_id"], ascending=[False, True])
        .reset_index(drop=True)
    )
    n = len(ranked)
    total = float(ranked["profit"].sum())
    ranked["rank"] = np.arange(1, n + 1, dtype="int64")
    ranked["cum_profit"] = ranked["profit"].cumsum()
    ranked["cum_share"] = ranked["cum_profit"] / total if total != 0 else np.nan
    ranked["customer_share"] = ranked["rank"] / n if n else pd.Series(dtype=float)

    customers_for_80, share_for_80 = headline.pareto_point(ranked["profit"].tolist())

    losers = ranked.loc[ranked["profit"] < 0].sort_values(
        ["profit", "customer_id"], ascending=[True, True]
    )
    return Pareto(
        table=ranked[_PARETO_COLUMNS],
        total_profit=total,
        customers_for_80=customers_for_80,
        share_for_80=share_for_80,
        below_break_even=[int(c) for c in losers["customer_id"]],
    )


def share_of_wallet(revenue: pd.Series, wallet: pd.Series) -> pd.DataFrame:
    """Revenue over estimated wallet per customer_id, with the headroom (wallet - revenue)."""
    index = revenue.index.union(wallet.index).sort_values()
    table = pd.DataFrame(
        {
            "revenue": revenue.reindex(index).fillna(0.0).astype(float),
            "wallet": wallet.reindex(index).astype(float),
        },
        index=index,
    )
    known = table["wallet"].where(table["wallet"] != 0)
    table["share"] = table["revenue"] / known
    table["headroom"] = table["wallet"] - table["revenue"]
    table.index.name = "customer_id"
    return table


def rfm_window(as_of: date, days: int = 365) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The RFM window: the `days` days ending on as_of."""
    if isinstance(days, bool) or not isinstance(days, numbers.Integral) or days < 1:
        raise ValueError(f"days must be a whole number >= 1, not {days!r}")
    last = _day(as_of)
    return last - pd.Timedelta(days=int(days) - 1), last


def rfm_from(stats: pd.DataFrame, *, as_of: date) -> pd.DataFrame:
    """RFM from per-customer sums over the window (customer_id, revenue, cost_of_goods,
    orders, last_sold_on) of the customers who bought in it."""
    last = _day(as_of)
    stats = stats.loc[stats["orders"] > 0] if len(stats) else stats
    table = pd.DataFrame(
        {
            "recency_days": (last - pd.to_datetime(stats["last_sold_on"]).dt.normalize()).dt.days
            if len(stats)
            else pd.Series(dtype="int64"),
            "frequency": stats["orders"],
            "monetary": stats["revenue"] - stats["cost_of_goods"],
        }
    )
    table.index = pd.Index(stats["customer_id"], name="customer_id")
    table = table.astype({"recency_days": "int64", "frequency": "int64", "monetary": float})
    table["r_score"] = _quintile_score(-table["recency_days"])
    table["f_score"] = _quintile_score(table["frequency"])
    table["m_score"] = _quintile_score(table["monetary"])
    table["rfm"] = (
        table["r_score"].astype(str) + table["f_score"].astype(str) + table["m_score"].astype(str)
    ).astype(object)
    return table.sort_index()[_RFM_COLUMNS]


def rfm(sales: pd.DataFrame, *, as_of: date, days: int = 365) -> pd.DataFrame:
    """Customers with at least one sale in (as_of - days, as_of], from sales lines."""
    first, last = rfm_window(as_of, days)
    window = _between(sales, "sold_on", first, last)
    sums, _ = window_sums(window, _EMPTY_COSTS, first, last)
    return rfm_from(sums, as_of=as_of)


def _active_pairs(sales: pd.DataFrame, last: pd.Timestamp) -> pd.DataFrame:
    """Distinct (customer_id, year) pairs with a purchase up to `last` (a return is none)."""
    sold = _between(sales, "sold_on", None, last)
    sold = sold.loc[sold["revenue"] >= 0]
    return pd.DataFrame(
        {
            "customer_id": sold["customer_id"].to_numpy(),
            "year": sold["sold_on"].dt.year.to_numpy(dtype="int64"),
        }
    ).drop_duplicates()


def retention_from(pairs: pd.DataFrame, *, as_of: date) -> pd.DataFrame:
    """Year-over-year retention from the distinct (customer_id, year) pairs with a sale up
    to as_of: of customers with a sale in y-1, the share with a sale in y."""
    last = _day(as_of)
    pairs = pairs[["customer_id", "year"]].drop_duplicates()
    if pairs.empty:
        return pd.DataFrame(
            {
                "year": pd.Series(dtype="int64"),
                "active_previous": pd.Series(dtype="int64"),
                "retained": pd.Series(dtype="int64"),
                "rate": pd.Series(dtype=float),
            }
        )
    pairs = pairs.astype({"year": "int64"})
    years = np.arange(int(pairs["year"].min()) + 1, last.year + 1, dtype="int64")
    following = pd.MultiIndex.from_arrays([pairs["customer_id"], pairs["year"] + 1])
    stayed = following.isin(pd.MultiIndex.from_arrays([pairs["customer_id"], pairs["year"]]))
    active_previous = (pairs["year"] + 1).value_counts().reindex(years, fill_value=0)
    retained = (pairs["year"] + 1)[stayed].value_counts().reindex(years, fill_value=0)
    table = pd.DataFrame(
        {
            "year": years,
            "active_previous": active_previous.to_numpy(dtype="int64"),
            "retained": retained.to_numpy(dtype="int64"),
        }
    )
    table["rate"] = table["retained"] / table["active_previous"].where(table["active_previous"] > 0)
    return table


def retention(sales: pd.DataFrame, *, as_of: date) -> pd.DataFrame:
    """Year-over-year retention: of customers with a purchase in y-1, the share with one in y
    (a return, a line of negative revenue, is no purchase)."""
    return retention_from(_active_pairs(sales, _day(as_of)), as_of=as_of)


def retention_windows(as_of: date) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    """(the first day of the 12 months before the T12M window, the window's first day,
    its last day): the two contiguous years the base's retention compares."""
    before_first, first, last = headline.retention_windows(_day(as_of).date())
    return pd.Timestamp(before_first), pd.Timestamp(first), pd.Timestamp(last)


def trailing_from(flags: pd.DataFrame) -> float | None:
    """The base's retention from per-customer flags over the two years (before: bought in
    the year before the window; during: bought in it): the share of `before` also `during`."""
    return headline.retention_share(zip(flags["before"], flags["during"], strict=True))


def trailing_retention(sales: pd.DataFrame, *, as_of: date) -> float | None:
    """Of customers with a purchase in the 12 months before the T12M window, the share
    buying in it (a return is no purchase)."""
    before_first, first, last = retention_windows(as_of)
    sold = _dated(sales, "sold_on")
    sold = sold.loc[sold["revenue"] >= 0]
    when = sold["sold_on"]
    flags = (
        pd.DataFrame(
            {
                "customer_id": sold["customer_id"],
                "before": (when >= before_first) & (when < first),
                "during": (when >= first) & (when < last + _ONE_DAY),
            }
        )
        .groupby("customer_id")[["before", "during"]]
        .any()
    )
    return trailing_from(flags)


def clv_table(
    profit: pd.DataFrame,
    *,
    base_retention: float | None,
    overrides: pd.DataFrame | None = None,
    discount_rate: float = 0.10,
    horizon: int = 5,
) -> pd.DataFrame:
    """Forward CLV per customer with every input beside it (without a measured base
    retention, None, a customer without an override has r = 0, its source BASE_UNKNOWN)."""
    _check_clv_inputs(discount_rate, horizon)
    if base_retention is not None:
        _check_retention(base_retention, "base_retention")
    index = profit.index
    margin = profit["gross_margin"].astype(float)
    retention_used = pd.Series(float(base_retention or 0.0), index=index)
    margin_source = pd.Series("t12m", index=index, dtype=object)
    source = "base" if base_retention is not None else BASE_UNKNOWN
    retention_source = pd.Series(source, index=index, dtype=object)

    if overrides is not None and len(overrides):
        if "customer_id" in overrides.columns:
            overrides = overrides.set_index("customer_id")
        if overrides.index.has_duplicates:
            raise ValueError("overrides has duplicate customer_id values")
        if "retention_override" in overrides.columns:
            given = overrides["retention_override"].dropna().astype(float)
            bad = given[(given < 0) | (given > 1)]
            if len(bad):
                raise ValueError(
                    f"retention_override must be between 0 and 1 (customers {list(bad.index)})"
                )
            given = given.reindex(index)
            chosen = given.notna()
            retention_used = retention_used.mask(chosen, given)
            retention_source = retention_source.mask(chosen, "override")
        if "margin_override" in overrides.columns:
            given = overrides["margin_override"].astype(float).reindex(index)
            chosen = given.notna()
            margin = margin.mask(chosen, given)
            margin_source = margin_source.mask(chosen, "override")

    cost = profit["cost_to_serve"].astype(float)
    factor = _discount_factor(retention_used.to_numpy(dtype=float), discount_rate, horizon)
    table = pd.DataFrame(
        {
            "margin": margin,
            "margin_source": margin_source,
            "cost_to_serve": cost,
            "retention": retention_used,
            "retention_source": retention_source,
            "discount_rate": float(discount_rate),
            "horizon": int(horizon),
        },
        index=index,
    )
    table["clv"] = (margin - cost).to_numpy() * factor
    table.index.name = "customer_id"
    return table[_CLV_COLUMNS]
