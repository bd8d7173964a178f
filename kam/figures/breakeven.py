"""The break-even work list: the customers whose T12M profit after cost to serve is below
zero, the biggest loss first, each with what drives the loss, so someone can act on it
(change the terms, the service level or the channel).

What drives a loss, per customer:

- cost to serve by category against the median of the customers of its size: the size band
  is the decile of T12M revenue among the customers who bought in the T12M (band 1 the
  lowest tenth, band 10 the highest; ties share the lower band: ceil(10 × rank_min ÷ n));
  customers with no net T12M revenue form band 0. A category is a driver when the
  customer's cost there is above its band's median: "logistics 3.1× the median for customers
  of this revenue" (or "… where the median is 0"), the largest excess over the median first;
- order size and frequency: T12M orders (orders per year), the average order (T12M revenue
  ÷ orders) against the band's median average order, flagged when below the programme's
  min_order_size (0 flags none).

The sums come from the database (db.aggregates.window_sales / window_costs through
kam.figures.frames); the bands, medians and ratios are computed here, in pandas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kam.figures import frames, metrics
from kam.text import words
from kam.views import View

if TYPE_CHECKING:
    from sqlmodel import Session

#: Revenue bands the base is cut into (deciles).
SIZE_BANDS = 10
#: At most this many cost categories are named as drivers of one customer's loss.
MAX_DRIVERS = 3

_CATEGORIES = list(metrics.COST_CATEGORIES)
_CTS = [f"cts_{c}" for c in _CATEGORIES]


@dataclass(frozen=True)
class CostDriver(View):
    """One cost category of a customer against the median of its size band (a driver of its
    loss when above it)."""

    category: str
    amount: float
    median: float
    """The band's median cost to serve in this category."""
    ratio: float | None
    """amount ÷ median (None when the median is 0)."""

    @property
    def text(self) -> str:
        """The driver in words: "logistics 3.1× the median for customers of this revenue"."""
        label = words(self.category)
        if self.ratio is None:
            return f"{label} {self.amount:,.0f} where the median for customers of this revenue is 0"
        return f"{label} {self.ratio:.1f}× the median for customers of this revenue"


@dataclass(frozen=True)
class BreakEvenRow(View):
    """One customer below break-even, with what drives its loss."""

    customer_id: int
    customer: str
    revenue: float
    gross_margin: float
    cost_to_serve: float
    profit: float
    """T12M profit after cost to serve (below 0)."""
    size_band: int
    """The T12M revenue decile (1 lowest … 10 highest; 0: no net revenue)."""
    orders: int
    """T12M orders: orders per year."""
    average_order: float | None
    """T12M revenue ÷ orders (None without orders)."""
    band_average_order: float | None
    """The band's median average order."""
    small_orders: bool
    """The average order is below the programme's min_order_size."""
    key_account: bool = False
    """The customer has an open key account (it has an account sheet)."""
    drivers: list[CostDriver] = field(default_factory=list)
    """The categories above the band's median, the largest excess first (MAX_DRIVERS)."""
    costs: list[CostDriver] = field(default_factory=list)
    """Every category against the band's median, in COST_CATEGORIES order."""

    @property
    def driver_texts(self) -> list[str]:
        """The drivers in words: the costs in one phrase ("sales 3.1×, logistics 2.0× the
        median for customers of this revenue"), then an order size under the minimum."""
        said = []
        ratios = [d for d in self.drivers if d.ratio is not None]
        if ratios:
            said.append(
                ", ".join(f"{words(d.category)} {d.ratio:.1f}×" for d in ratios)
                + " the median for customers of this revenue"
            )
        said += [d.text for d in self.drivers if d.ratio is None]
        if self.small_orders and self.average_order is not None:
            said.append(f"average order {self.average_order:,.0f} under the minimum")
        return said

    def record(self) -> dict[str, Any]:
        """The row flat, as `--json` and `--csv` print it (record_keys): the drivers in words,
        then each category's cost, its band's median and their ratio (None when the median
        is 0)."""
        plain = {k: v for k, v in self.to_dict().items() if k not in ("drivers", "costs")}
        plain["drivers"] = self.driver_texts
        for c in self.costs:
            plain |= {f"cost_{c.category}": c.amount, f"median_{c.category}": c.median,
                      f"ratio_{c.category}": c.ratio}  # fmt: skip
        return plain


@dataclass(frozen=True)
class BreakEven(View):
    """The work list and what it was computed with."""

    as_of: date
    customers: int
    """Customers in the base."""
    below: int
    """Customers below break-even."""
    loss: float
    """Their profit added up (below 0)."""
    min_order_size: float
    rows: list[BreakEvenRow]


def record_keys() -> list[str]:
    """The keys of BreakEvenRow.record, in order (an empty CSV's header)."""
    plain = [f.name for f in fields(BreakEvenRow) if f.name not in ("drivers", "costs")]
    per = [f"{k}_{c}" for c in _CATEGORIES for k in ("cost", "median", "ratio")]
    return [*plain, "drivers", *per]


def size_bands(revenue: pd.Series, bands: int = SIZE_BANDS) -> pd.Series:
    """Each customer's revenue band: 1..bands by rank among the customers with revenue above
    0 (ceil(bands × rank_min ÷ n)), 0 for the rest."""
    out = pd.Series(0, index=revenue.index, dtype="int64")
    buying = revenue[revenue > 0]
    n = len(buying)
    if n:
        ranks = buying.rank(method="min").to_numpy(dtype="int64")
        out.loc[buying.index] = (bands * ranks + n - 1) // n
    return out


def break_even_table(
    profit: pd.DataFrame, orders: pd.Series, *, min_order_size: float = 0.0
) -> pd.DataFrame:
    """The customers below break-even from the profit table (metrics.profit_from) and T12M
    orders per customer, the biggest loss first: band, orders, average order, the band's
    median average order, small_orders, each category's ratio to its band median
    (`ratio_<category>`, NaN when the median is 0) and the band's medians
    (`median_<category>`)."""
    table = profit.copy()
    table["orders"] = orders.reindex(table.index).fillna(0).astype("int64")
    table["size_band"] = size_bands(table["revenue"])
    with np.errstate(divide="ignore", invalid="ignore"):
        average = table["revenue"] / table["orders"].where(table["orders"] > 0)
    table["average_order"] = average
    medians = table.groupby("size_band")[[*_CTS, "average_order"]].transform("median")
    table["band_average_order"] = medians["average_order"]
    for category, column in zip(_CATEGORIES, _CTS, strict=True):
        median = medians[column]
        table[f"median_{category}"] = median
        table[f"ratio_{category}"] = (table[column] / median).where(median > 0)
    table["small_orders"] = (min_order_size > 0) & (table["average_order"] < min_order_size)
    below = table[table["profit"] < 0]
    return below.sort_values(["profit", "name"], kind="stable")


def costs_of(row: pd.Series) -> list[CostDriver]:
    """Every cost category of one row of break_even_table against its band's median."""
    found = []
    for category, column in zip(_CATEGORIES, _CTS, strict=True):
        amount, median = float(row[column]), float(row[f"median_{category}"])
        found.append(CostDriver(category, amount, median, amount / median if median else None))
    return found


def drivers_of(costs: list[CostDriver]) -> list[CostDriver]:
    """The cost categories above the band's median, the largest excess first (MAX_DRIVERS)."""
    above = [c for c in costs if c.amount > c.median]
    above.sort(key=lambda d: (-(d.amount - d.median), d.category))
    return above[:MAX_DRIVERS]


def _number(value: object) -> float | None:
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def break_even(session: Session, *, as_of: date) -> BreakEven:
    """The break-even work list of the whole base at `as_of`."""
    from db import aggregates
    from kam.rules import lifecycle
    from kam.rules.programme import load_settings

    first, last = metrics.t12m_window(as_of)
    sums = frames.window(session, first, last)
    customers = frames.customers(session)
    profit = metrics.profit_from(sums.sales, sums.costs, customers)
    orders = sums.sales.set_index("customer_id")["orders"]
    minimum = load_settings(session).min_order_size
    table = break_even_table(profit, orders, min_order_size=minimum)
    members = set(aggregates.member_ids(session.connection(), [s.value for s in lifecycle.OPEN]))
    rows = [
        BreakEvenRow(
            customer_id=int(cid),
            customer=str(r["name"]),
            revenue=float(r["revenue"]),
            gross_margin=float(r["gross_margin"]),
            cost_to_serve=float(r["cost_to_serve"]),
            profit=float(r["profit"]),
            size_band=int(r["size_band"]),
            orders=int(r["orders"]),
            average_order=_number(r["average_order"]),
            band_average_order=_number(r["band_average_order"]),
            small_orders=bool(r["small_orders"]),
            key_account=int(cid) in members,
            drivers=drivers_of(costs),
            costs=costs,
        )
        for cid, r in table.iterrows()
        for costs in [costs_of(r)]
    ]
    return BreakEven(
        as_of=as_of,
        customers=len(profit),
        below=len(rows),
        loss=float(table["profit"].sum()),
        min_order_size=minimum,
        rows=rows,
    )
