"""Account plans' rules: the fiscal year, how many goals a plan has, how an objective's
progress is measured and when it is behind.

An objective's progress is how far its measure has moved from its baseline towards its
target: (current - baseline) / (target - baseline), between 0 and 1 (a target below the
baseline, such as a lower cost to serve, works the same way). It is on track while its
progress is no more than 10 points behind the share of its time that has passed (from
the plan's first day to its due date), behind otherwise, overdue when its date has passed
short of the target, done at the target; a dropped objective (added by mistake, or no
longer pursued) is dropped, whatever its measure. A goal's progress is the mean of its
objectives' (dropped ones left out), a plan's the mean of its goals' (dropped ones left out).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from db.enums import GoalStatus

#: At most this many goals in a plan; fewer than MIN_GOALS shows as incomplete.
MAX_GOALS = 5
MIN_GOALS = 2
#: The goals that hold one of a plan's places (a dropped goal gives its place up).
PLACE_HOLDING: frozenset[GoalStatus] = frozenset(
    {GoalStatus.OPEN, GoalStatus.ACHIEVED, GoalStatus.CARRIED}
)
#: How far (share of the way) progress may lag the time passed and still be on track.
BEHIND_BY = 0.10

ON_TRACK, BEHIND, OVERDUE, DONE = "on track", "behind", "overdue", "done"
DROPPED = "dropped"

PROGRESS_RULE = __doc__.split("\n\n", 1)[1].strip() if __doc__ else ""


def goals_held(statuses: Iterable[GoalStatus | str]) -> int:
    """How many of a plan's places goals with these statuses hold."""
    return sum(GoalStatus(s) in PLACE_HOLDING for s in statuses)


def takes_another_goal(held: int) -> bool:
    """Whether a plan whose goals hold `held` places takes one more (at most MAX_GOALS)."""
    return held < MAX_GOALS


def fiscal_year(day: date, first_month: int) -> int:
    """The fiscal year `day` falls in, named by the calendar year it starts in."""
    return day.year if day.month >= first_month else day.year - 1


def period(year: int, first_month: int) -> tuple[date, date]:
    """The first and last day of fiscal year `year`."""
    start = date(year, first_month, 1)
    end = date(year + 1, first_month, 1) if first_month > 1 else date(year + 1, 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def label(year: int, first_month: int) -> str:
    """How a fiscal year is written: "2026", or "2026/27" when it does not start in January."""
    return str(year) if first_month == 1 else f"{year}/{(year + 1) % 100:02d}"


def progress(baseline: float, target: float, current: float | None) -> float | None:
    """The share of the way from baseline to target, 0 to 1; None without a current value."""
    if current is None:
        return None
    if target == baseline:
        return 1.0 if current == target else 0.0
    share = (current - baseline) / (target - baseline)
    return max(0.0, min(1.0, share))


def state(share: float | None, *, start: date, due: date, today: date) -> str:
    """on track, behind, overdue or done, by the written rule."""
    if share is not None and share >= 1.0:
        return DONE
    if today > due:
        return OVERDUE
    span = (due - start).days
    passed = 1.0 if span <= 0 else max(0.0, min(1.0, (today - start).days / span))
    return ON_TRACK if (share or 0.0) >= passed - BEHIND_BY else BEHIND


def mean(values: list[float | None]) -> float | None:
    """The mean of the known values (None when none is known)."""
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None
