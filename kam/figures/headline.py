"""The programme's headline figures in plain Python, from the database's sums: the whole
base's T12M profit, the key accounts' CLV, the Pareto point and curve. No pandas or numpy,
so the dashboard's first figures do not wait for them to load.

The rules live here once: kam.figures.metrics takes its windows, Pareto point, retention
share and discount factor from this module, and a test holds both paths to the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlmodel import Session

#: A relative tolerance that absorbs summing rounding (0.1 + 0.7 against 0.8) at the 80 % point.
_TOLERANCE = 1e-12


def _year_before(day: date) -> date:
    """The same day a year earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def t12m_window(as_of: date) -> tuple[date, date]:
    """The trailing twelve months ending on `as_of`, both days included."""
    last = _date(as_of)
    return _year_before(last) + timedelta(days=1), last


def retention_windows(as_of: date) -> tuple[date, date, date]:
    """(the first day of the 12 months before the T12M window, the window's first day, its
    last day): the two contiguous years the base's retention compares, the year before
    being the trailing twelve months to the window's eve."""
    first, last = t12m_window(as_of)
    return t12m_window(first - timedelta(days=1))[0], first, last


def retention_share(flags: Iterable[tuple[object, object]]) -> float | None:
    """The base's retention from (bought the year before, bought in the window) per customer:
    the share of the year before's buyers who bought again; None without any."""
    before = during = 0
    for was, still in flags:
        if was:
            before += 1
            during += bool(still)
    return during / before if before else None


def discount_factor(retention: float, discount_rate: float, horizon: int) -> float:
    """sum over t = 1..H of r**(t-1) / (1+d)**t: what a year's profit is worth over the horizon
    at retention r and discount rate d (0**0 is 1: the first year always counts)."""
    total, survival = 0.0, 1.0
    for t in range(1, horizon + 1):
        total += survival / (1.0 + discount_rate) ** t
        survival *= retention
    return total


def pareto_point(ranked: Sequence[float]) -> tuple[int | None, float | None]:
    """(how many customers, which share of them) make 80 % of the profit, from the profits
    ranked highest first; (None, None) when the base makes no profit."""
    total = sum(ranked)
    if not ranked or total <= 0:
        return None, None
    target, running = 0.8 * total * (1 - _TOLERANCE), 0.0
    for count, profit in enumerate(ranked, start=1):
        running += profit
        if running >= target:
            return count, count / len(ranked)
    return len(ranked), 1.0  # rounding kept the running sum under the target


def pareto_curve(ranked: Sequence[float]) -> list[tuple[float, float]]:
    """(share of customers, cumulative share of profit) at each tenth of the base, profits
    ranked highest first; shares of 0 when the profit sums to nothing."""
    total, n = sum(ranked), len(ranked)
    running, cumulative = 0.0, []
    for profit in ranked:
        running += profit
        cumulative.append(running)
    curve = []
    for tenth in range(1, 11):
        k = max(1, round(n * tenth / 10)) if n else 0
        share = cumulative[k - 1] / total if k and total else 0.0
        curve.append((tenth / 10, share))
    return curve


#: The columns of a Ranking's rows.
RANKING_COLUMNS = (
    "customer_id", "customer", "profit", "rank", "cum_profit", "cum_share", "customer_share",
)  # fmt: skip


@dataclass(frozen=True)
class Ranking:
    """Customers ranked by T12M profit, highest first (ties by id), with cumulative shares:
    the rows of `kam metrics pareto` (customer_id, customer, profit, rank, cum_profit,
    cum_share, customer_share, as kam.figures.metrics.pareto ranks them) and its summary."""

    rows: list[dict[str, Any]]
    total_profit: float
    customers_for_80: int | None
    share_for_80: float | None
    below_break_even: int
    loss_from_below_break_even: float


def pareto_ranking(ranked: Sequence[tuple[int, str, float]]) -> Ranking:
    """The Pareto ranking from (customer_id, name, profit) ranked highest first, ties by id
    (db.aggregates.ranked_profit); cum_share is None when the profits sum to nothing."""
    profits = [float(profit) for _, _, profit in ranked]
    total, n = sum(profits), len(profits)
    rows, running = [], 0.0
    for rank, ((cid, name, _), profit) in enumerate(zip(ranked, profits, strict=True), start=1):
        running += profit
        rows.append(
            {
                "customer_id": cid,
                "customer": name,
                "profit": profit,
                "rank": rank,
                "cum_profit": running,
                "cum_share": running / total if total != 0 else None,
                "customer_share": rank / n,
            }
        )
    customers_for_80, share_for_80 = pareto_point(profits)
    losses = [p for p in profits if p < 0]
    return Ranking(rows, total, customers_for_80, share_for_80, len(losses), sum(losses))


def t12m_sums(
    session: Session, as_of: date
) -> tuple[dict[int, float], dict[int, float], dict[int, str]]:
    """Every customer's T12M gross margin and cost to serve at `as_of` (0 for none), and
    the customers' names, from the database's sums per customer."""
    from db import aggregates

    first, last = t12m_window(as_of)
    reads: list[Callable[[Any], Any]] = [
        aggregates.customers,
        lambda conn: aggregates.window_sales(conn, first, last, detail=False),
        lambda conn: aggregates.window_cost_totals(conn, first, last),
    ]
    customers, sales, costs = aggregates.at_once(session.connection(), reads)
    names = {cid: name for cid, name, _wallet in customers}
    margin, cost = _t12m(names, sales, costs)
    return margin, cost, names


def _t12m(
    customer_ids: Iterable[int], sales: Iterable[tuple[Any, ...]], costs: Iterable[tuple[Any, ...]]
) -> tuple[dict[int, float], dict[int, float]]:
    """The T12M gross margin and cost to serve (0 for none) of these customers and of every
    one the sums name, from the sums."""
    margin = dict.fromkeys(customer_ids, 0.0)
    cost = dict.fromkeys(margin, 0.0)
    for cid, revenue, goods in sales:
        margin[cid] = float(revenue) - float(goods)
    for cid, amount in costs:
        cost[cid] = float(amount)
    for cid in cost.keys() - margin.keys():
        margin[cid] = 0.0
    for cid in margin.keys() - cost.keys():
        cost[cid] = 0.0
    return margin, cost


def ranked_profit(session: Session, as_of: date) -> list[tuple[int, str, float]]:
    """(customer_id, name, T12M profit after cost to serve) of every customer at `as_of`,
    highest first, ties by id."""
    margin, cost, names = t12m_sums(session, as_of)
    profit = {cid: margin[cid] - cost[cid] for cid in names}
    ranked = sorted(profit.items(), key=lambda item: (-item[1], item[0]))
    return [(cid, names[cid], value) for cid, value in ranked]


@dataclass(frozen=True)
class Headline:
    """The base's and the key accounts' figures at one date."""

    customers: int
    total_profit: float
    key_account_profit: float
    total_clv: float
    """The key accounts' forward CLV, with their overrides and the programme's d and H."""
    clv_model: str
    """'probabilistic' when a stored lifetime-value fit gave the members' CLV, else
    'simple'."""
    fit_pending: bool
    """No fit is stored for the data as they are: the CLV is the simple one until one is."""
    retention_unknown: bool
    """The base's retention cannot be measured (nobody bought in the 12 months before the
    T12M window) and a member's CLV took r = 0 for it (no fit, no retention override)."""
    customers_for_80: int | None
    share_for_80: float | None
    below_break_even: int
    pareto_curve: list[tuple[float, float]]


def headline(
    source: Session | Connection,
    *,
    as_of: date,
    members: Collection[int],
    modelled: Mapping[int, float] | None = None,
) -> Headline:
    """The headline figures at `as_of`, `members` being the key accounts' customer ids.
    Their CLV is the probabilistic one of the stored fit for the data as they are, or of
    `modelled` (customer id -> CLV, from a fit computed but not stored); the simple one for
    accounts with overrides and when there is no fit."""
    from db import aggregates
    from db.reads import connection_of
    from kam.figures import fits
    from kam.rules import lifecycle
    from kam.rules.programme import load_settings

    conn = connection_of(source)
    first, last = t12m_window(as_of)
    # The whole base's reads at once (db.aggregates.at_once): at 50,000 customers and a
    # million lines, the T12M sums over the sales lines are most of the dashboard's wait.
    # The data's version, by which a stored fit is found, comes with them: counting three
    # million lines takes a tenth of a second.
    reads: list[Callable[[Any], Any]] = [
        aggregates.customer_count,
        lambda other: aggregates.window_sales(other, first, last, detail=False),
        lambda other: aggregates.window_cost_totals(other, first, last),
        lambda other: aggregates.retention_counts(other, *retention_windows(as_of)),
        *([aggregates.data_version] if modelled is None else []),
    ]
    customers, sales, costs, (bought_before, bought_again), *version = aggregates.at_once(
        conn, reads
    )
    # The members and every customer who bought or cost something in the window; the
    # others' profit is 0, and they are counted, not listed.
    margin, cost = _t12m(members, sales, costs)
    profit = {cid: margin[cid] - cost[cid] for cid in margin}

    settings = load_settings(source)
    base = bought_again / bought_before if bought_before else None  # as retention_share
    overrides = {
        cid: (retention, margin_override)
        for cid, retention, margin_override in aggregates.account_overrides(
            conn, statuses=[s.value for s in lifecycle.OPEN]
        )
    }
    plain = [cid for cid in members if all(v is None for v in overrides.get(cid, (None, None)))]
    pending = False
    if modelled is None:
        fit = fits.stored(source, fits.request(as_of), data=version[0])
        pending = fit is None
        modelled = {}
        if fit is not None and fit[1] == fits.PROBABILISTIC:
            modelled = fits.stored_clv(source, fit[0], plain)
    else:
        modelled = {cid: clv for cid, clv in modelled.items() if cid in set(plain)}
    total_clv, unknown = 0.0, False
    for cid in members:
        if cid not in profit:
            continue
        if cid in modelled:
            total_clv += modelled[cid]
            continue
        retention, margin_override = overrides.get(cid, (None, None))
        kept = float(retention) if retention is not None else (base or 0.0)
        unknown = unknown or (retention is None and base is None)
        made = float(margin_override) if margin_override is not None else margin[cid]
        total_clv += (made - cost[cid]) * discount_factor(
            kept, settings.discount_rate, settings.horizon
        )

    ranked = sorted([*profit.values(), *[0.0] * (customers - len(profit))], reverse=True)
    customers_for_80, share_for_80 = pareto_point(ranked)
    return Headline(
        customers=customers,
        total_profit=sum(ranked),
        key_account_profit=sum(profit[cid] for cid in members if cid in profit),
        total_clv=total_clv,
        clv_model=fits.PROBABILISTIC if modelled else fits.SIMPLE,
        fit_pending=pending,
        retention_unknown=unknown,
        customers_for_80=customers_for_80,
        share_for_80=share_for_80,
        below_break_even=sum(1 for p in ranked if p < 0),
        pareto_curve=pareto_curve(ranked),
    )
