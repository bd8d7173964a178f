"""What health was: the snapshots kam kept, the last weeks at a glance, and the change since
the last review.

A snapshot is a key account's health as kam computed it on one day (kam.services.snapshots
keeps them). Read here:

- `weekly`: one status per week over the last WEEKS weeks, oldest first (the latest
  snapshot of each seven days counted back from the date; the last week's is the health
  computed now), for the sparklines;
- `trend`: "since the last review (2026-03-31): amber → red (T12M profit −29 %)", comparing
  the first snapshot on or after the last review (within a week of it) with the health
  computed now; none without such a snapshot; the profit's
  change is relative to the size of the earlier profit, (now − then) / |then|;
- `history`: an account's snapshots, newest first, for `kam account health --history`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from kam.services.health import AMBER, GREEN, RED
from kam.views import View

if TYPE_CHECKING:
    from sqlmodel import Session

    from db.models import HealthSnapshot
    from kam.services.health import HealthView

#: The days after a review within which a kept snapshot stands for the account's state at
#: the review (a review keeps one on its day; a day without one is read the next week).
REVIEW_STATE_DAYS = 7
#: Weeks the sparklines show.
WEEKS = 12
#: A sparkline's mark for each status: a level, so it reads without colour too (green
#: high, red low); a week with nothing recorded is a dot.
MARKS = {GREEN: "▇", AMBER: "▄", RED: "▂"}
NO_MARK = "·"
#: What the marks mean, for a reader without colours.
LEGEND = f"{MARKS[GREEN]} green, {MARKS[AMBER]} amber, {MARKS[RED]} red, {NO_MARK} none kept"


def spark(weekly: list[str | None]) -> str:
    """Weeks of health as plain text, oldest first: ▇ green, ▄ amber, ▂ red, · unknown."""
    return "".join(NO_MARK if s is None else MARKS.get(s, NO_MARK) for s in weekly)


@dataclass(frozen=True)
class SnapshotView(View):
    """A key account's health as kam recorded it on one day."""

    taken_on: date
    status: str
    """green, amber or red."""
    profit: float
    """T12M profit after cost to serve."""
    p_alive: float | None
    """P(alive) from the lifetime-value model, when it was known."""
    review_id: int | None
    """The review recorded that day, if any."""
    reasons: list[str]


def _snapshot(row: HealthSnapshot) -> SnapshotView:
    return SnapshotView(
        taken_on=row.taken_on,
        status=row.status,
        profit=row.profit,
        p_alive=row.p_alive,
        review_id=row.review_id,
        reasons=list(json.loads(row.reasons_json or "[]")),
    )


def _number(value: float) -> str:
    return f"{value:,.0f}"


def profit_change(then: float, now: float) -> str:
    """The T12M profit's change in words: a signed percent of the earlier profit's size."""
    then, now = round(then, 2), round(now, 2)
    if now == then:
        return "T12M profit unchanged"
    if then == 0:
        return f"T12M profit from 0 to {_number(now)}"
    percent = (now - then) / abs(then) * 100
    size = f"{abs(percent):.0f}" if abs(percent) >= 1 else f"{abs(percent):.1f}"
    return f"T12M profit {'+' if percent > 0 else '−'}{size} %"


def trend_sentence(reviewed_on: date, then: SnapshotView, now: HealthView) -> str:
    """Health since the review of `reviewed_on`: `then` (its snapshot) against `now`."""
    change = f"{then.status} → {now.status}" if then.status != now.status else f"still {now.status}"
    figures = [profit_change(then.profit, now.profit)]
    if then.p_alive is not None and now.p_alive is not None:
        before, after = f"{then.p_alive:.2f}", f"{now.p_alive:.2f}"
        figures.append(f"P(alive) {before} → {after}" if before != after else f"P(alive) {after}")
    return f"since the last review ({reviewed_on.isoformat()}): {change} ({', '.join(figures)})"


def weekly(snapshots: list[SnapshotView], *, as_of: date, now: str) -> list[str | None]:
    """One status per week, oldest first: the latest of `snapshots` in each seven days
    counted back from `as_of`; the last week's is `now` (the health computed at `as_of`)."""
    weeks: list[str | None] = [None] * WEEKS
    for snapshot in sorted(snapshots, key=lambda s: s.taken_on):
        back = (as_of - snapshot.taken_on).days // 7
        if 0 <= back < WEEKS:
            weeks[WEEKS - 1 - back] = snapshot.status
    weeks[-1] = now
    return weeks


def _recent(
    session: Session, account_ids: list[int], *, as_of: date
) -> dict[int, list[SnapshotView]]:
    """Each account's snapshots of the WEEKS weeks before `as_of` (`as_of` itself left out)."""
    from sqlmodel import col, select

    from db.models import HealthSnapshot

    found: dict[int, list[SnapshotView]] = {}
    for row in session.exec(
        select(HealthSnapshot).where(
            col(HealthSnapshot.key_account_id).in_(account_ids),
            col(HealthSnapshot.taken_on) > as_of - timedelta(days=7 * WEEKS),
            col(HealthSnapshot.taken_on) < as_of,
        )
    ):
        found.setdefault(row.key_account_id, []).append(_snapshot(row))
    return found


def _since_review(
    session: Session, account_ids: list[int], *, as_of: date
) -> dict[int, tuple[date, SnapshotView]]:
    """{account id: (its last review's date, the first snapshot on or after it)} for the
    accounts reviewed on or before `as_of` that have such a snapshot (up to `as_of`) within
    REVIEW_STATE_DAYS of the review: one kept later says how the account stood then, not at
    the review (a read today keeps today's, which would be compared with itself)."""
    from sqlalchemy import and_, func
    from sqlmodel import col, select

    from db.models import HealthSnapshot, Review

    snap = HealthSnapshot
    last = (
        select(Review.key_account_id, func.max(Review.reviewed_on).label("reviewed_on"))
        .where(col(Review.key_account_id).in_(account_ids), col(Review.reviewed_on) <= as_of)
        .group_by(col(Review.key_account_id))
        .subquery()
    )
    first = (
        select(snap.key_account_id, func.min(snap.taken_on).label("taken_on"))
        .join(
            last,
            and_(
                last.c.key_account_id == snap.key_account_id,
                col(snap.taken_on) >= last.c.reviewed_on,
            ),
        )
        .where(col(snap.taken_on) <= as_of)
        .group_by(col(snap.key_account_id))
        .subquery()
    )
    rows = session.exec(
        select(snap, last.c.reviewed_on)
        .join(
            first,
            and_(
                first.c.key_account_id == snap.key_account_id,
                first.c.taken_on == snap.taken_on,
            ),
        )
        .join(last, last.c.key_account_id == snap.key_account_id)
    ).all()
    found = ((row.key_account_id, _day(on), _snapshot(row)) for row, on in rows)
    return {
        account: (on, then)
        for account, on, then in found
        if (then.taken_on - on).days <= REVIEW_STATE_DAYS
    }


def _day(value: date | str) -> date:
    """A date from an aggregate (SQLite gives MAX of a date column as ISO text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def with_history(session: Session, views: list[HealthView]) -> list[HealthView]:
    """The views with their weeks and their trend since the last review, in two reads."""
    if not views:
        return views
    ids = sorted({v.account_id for v in views})
    as_of = views[0].as_of
    assert all(v.as_of == as_of for v in views)
    recent = _recent(session, ids, as_of=as_of)
    reviewed = _since_review(session, ids, as_of=as_of)
    done = []
    for view in views:
        since = reviewed.get(view.account_id)
        done.append(
            replace(
                view,
                weekly=weekly(recent.get(view.account_id, []), as_of=as_of, now=view.status),
                trend=trend_sentence(since[0], since[1], view) if since else None,
            )
        )
    return done


def history(
    session: Session, account: int | str, *, as_of: date
) -> tuple[HealthView, list[SnapshotView]]:
    """An account's health at `as_of` and its days, newest first: `as_of` as computed now
    (with the review mark and P(alive) kept that day when now has none), then each snapshot
    kept before it."""
    from sqlmodel import col, select

    from db.models import HealthSnapshot
    from kam.services.health import account_health

    now = account_health(session, account, as_of=as_of)
    rows = session.exec(
        select(HealthSnapshot)
        .where(
            HealthSnapshot.key_account_id == now.account_id, col(HealthSnapshot.taken_on) <= as_of
        )
        .order_by(col(HealthSnapshot.taken_on).desc())
    ).all()
    kept = [_snapshot(r) for r in rows]
    same_day = next((s for s in kept if s.taken_on == as_of), None)
    # As keeping it would: the day's review mark and a known P(alive) stay (db.snapshots).
    review = same_day.review_id if same_day else None
    alive = now.p_alive if now.p_alive is not None or same_day is None else same_day.p_alive
    today = SnapshotView(as_of, now.status, now.profit, alive, review, now.reasons)
    return now, [today, *(s for s in kept if s.taken_on < as_of)]
