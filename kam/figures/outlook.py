"""Each customer's outlook (derived stage and churn risk, kam.rules.outlook) from the
database's sums, without pandas: the dashboard judges its key accounts with it as cheaply
as the reports judge the whole base.

P(alive) comes from the lifetime-value figures the caller holds (kam.figures.value, or the
stored fit): it is an input here, never fitted.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import date, timedelta
from statistics import median
from typing import TYPE_CHECKING, Any

from db import aggregates
from kam.figures.headline import t12m_window
from kam.rules.lifecycle import MEMBERS
from kam.rules.outlook import Outlook, Signals, judge

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlmodel import Session


def _margins(rows: Iterable[tuple[Any, ...]]) -> dict[int, tuple[float, float]]:
    """customer -> (revenue, gross margin) from WINDOW_PROFIT_COLUMNS rows."""
    return {cid: (float(rev or 0), float((rev or 0) - (cogs or 0))) for cid, rev, cogs in rows}


def purchase_rhythm(
    rows: list[tuple[Any, ...]],
) -> dict[int, tuple[date, date, float | None]]:
    """customer -> (first day, last day, median days between purchase days or None) from
    (customer_id, day ordinal) rows ordered by customer and day (db.aggregates.purchase_days)."""
    result: dict[int, tuple[date, date, float | None]] = {}
    days: list[int] = []
    current: int | None = None

    def close() -> None:
        if current is not None and days:
            gaps = [b - a for a, b in zip(days, days[1:], strict=False)]
            typical = float(median(gaps)) if gaps else None
            result[current] = (date.fromordinal(days[0]), date.fromordinal(days[-1]), typical)

    for cid, day in rows:
        if cid != current:
            close()
            current, days = cid, []
        days.append(day)
    close()
    return result


def outlooks(
    session: Session,
    as_of: date,
    *,
    p_alive: Mapping[int, float | None],
    churn_p_alive: float,
    customer_ids: Collection[int] | None = None,
    t12m: Iterable[tuple[Any, ...]] | None = None,
) -> dict[int, Outlook]:
    """The outlook at `as_of` of every customer (or of some), key accounts judged as such.
    `t12m`: the T12M sums at `as_of` (WINDOW_PROFIT_COLUMNS rows, of these customers or
    more), when the caller has read them already."""
    conn = session.connection()
    first, last = t12m_window(as_of)
    before_first, before_last = t12m_window(first - timedelta(days=1))
    ids = customer_ids
    reads: list[Callable[[Connection], Any]] = [
        lambda c: aggregates.purchase_days(c, as_of, customer_ids=ids),
        lambda c: aggregates.window_sales(c, before_first, before_last, customer_ids=ids,
                                          detail=False),
        lambda c: aggregates.customers(c, customer_ids=ids),
        lambda c: aggregates.member_ids(c, [s.value for s in MEMBERS]),
    ]  # fmt: skip
    if t12m is None:
        reads.append(
            lambda c: aggregates.window_sales(c, first, last, customer_ids=ids, detail=False)
        )
    # The whole base's reads side by side (db.aggregates.at_once); some customers' in turn.
    days, sums_before, customers, member_ids, *read = (
        aggregates.at_once(conn, reads) if ids is None else [read(conn) for read in reads]
    )
    now = _margins(t12m if t12m is not None else read[0])
    before = _margins(sums_before)
    wallets = {cid: wallet for cid, _name, wallet in customers}
    members = set(member_ids)
    rhythm = purchase_rhythm(days)
    result = {}
    for cid, wallet in wallets.items():
        first_day, last_day, typical = rhythm.get(cid, (None, None, None))
        revenue_now, margin_now = now.get(cid, (0.0, 0.0))
        revenue_before, margin_before = before.get(cid, (0.0, 0.0))
        w = float(wallet) if wallet else None
        p = p_alive.get(cid)
        signals = Signals(
            first_day=first_day, last_day=last_day, typical_gap=typical,
            p_alive=None if p is None or p != p else float(p),
            margin_now=margin_now, margin_before=margin_before,
            share_now=revenue_now / w if w else None,
            share_before=revenue_before / w if w else None,
            key_account=cid in members,
        )  # fmt: skip
        result[cid] = judge(signals, as_of=as_of, churn_p_alive=churn_p_alive)
    return result
