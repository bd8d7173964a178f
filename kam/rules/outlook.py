"""Where a customer is heading, on plain numbers: the churn early warning, the derived
lifecycle stage and the value tiers (kam.figures.outlook gathers the numbers).

Churn risk, for every customer that has bought:
- P(alive) under the programme's `churn_p_alive` setting (the probabilistic model), or
- the gap since the last purchase day beyond GAP_FACTOR x the customer's median gap
  between purchase days and beyond MIN_GAP_DAYS (a frequent buyer's gaps vary by more
  than twice their median every few weeks; a customer with one purchase day: beyond
  ONE_PURCHASE_DAYS).
The model assumes a steady buying rate until the customer leaves, so for frequent buyers
(key accounts) P(alive) stays near 1 while they drift away: for key accounts the warning
also fires on a declining stage and on a share of wallet down more than SHARE_DROP.

The derived stage, first that applies: lost (P(alive) < LOST_P_ALIVE); new (first purchase
within NEW_DAYS); lapsing (at risk from P(alive) or the gap); declining (T12M gross margin
down more than CHANGE year on year); growing (up more than CHANGE, or margin where there
was none); steady.

Value tiers: customers with positive CLV, best first, are A while the CLV before theirs is
under `tier_a_share` of the positive total, B under `tier_a_share + tier_b_share`, C after;
customers with negative CLV are "loss", outside the shares (zero CLV is C).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

NEW_DAYS = 90
GAP_FACTOR = 2.0
MIN_GAP_DAYS = 30
ONE_PURCHASE_DAYS = 365
CHANGE = 0.20
LOST_P_ALIVE = 0.1
SHARE_DROP = 0.05


class Stage(StrEnum):
    """The lifecycle stage kam derives from the figures (beside the one a user sets)."""

    NEW = "new"
    GROWING = "growing"
    STEADY = "steady"
    DECLINING = "declining"
    LAPSING = "lapsing"
    LOST = "lost"


TIERS = ("A", "B", "C", "loss")


@dataclass(frozen=True)
class Signals:
    """What the outlook of one customer is judged on."""

    first_day: date | None
    """The first purchase day (None: never bought)."""
    last_day: date | None
    typical_gap: float | None
    """Median days between consecutive purchase days (None: one purchase day)."""
    p_alive: float | None
    """From the probabilistic model (None where the simple CLV applies)."""
    margin_now: float
    """T12M gross margin."""
    margin_before: float
    """Gross margin of the twelve months before."""
    share_now: float | None = None
    """T12M revenue / estimated wallet (None: no wallet estimate)."""
    share_before: float | None = None
    key_account: bool = False


@dataclass(frozen=True)
class Outlook:
    """One customer's stage and churn risk with its reasons (sentences)."""

    stage: Stage | None
    """None for a customer who never bought."""
    at_risk: bool
    reasons: tuple[str, ...]
    gap_days: int | None
    """Days since the last purchase day."""
    margin_change: float | None
    """T12M gross margin against the year before, as a fraction (None: none before)."""
    kinds: tuple[str, ...] = ()
    """What each reason is about, parallel to `reasons`: p_alive, gap, margin or share."""


def margin_change(now: float, before: float) -> float | None:
    """(now - before) / before, when there was a positive margin before."""
    return (now - before) / before if before > 0 else None


def judge(signals: Signals, *, as_of: date, churn_p_alive: float) -> Outlook:
    """The stage and churn risk of one customer at `as_of`."""
    s = signals
    if s.last_day is None or s.first_day is None:
        return Outlook(None, False, (), None, None)
    gap = (as_of - s.last_day).days
    change = margin_change(s.margin_now, s.margin_before)
    lapsing: list[tuple[str, str]] = []
    if s.p_alive is not None and s.p_alive < churn_p_alive:
        lapsing.append(("p_alive", f"P(alive) {s.p_alive:.2f} is below {churn_p_alive:.2f}"))
    if s.typical_gap is not None and gap > max(GAP_FACTOR * s.typical_gap, MIN_GAP_DAYS):
        lapsing.append((
            "gap",
            f"{gap} days since the last purchase, over {GAP_FACTOR:g}x its usual "
            f"{s.typical_gap:.0f}",
        ))  # fmt: skip
    elif s.typical_gap is None and gap > ONE_PURCHASE_DAYS:
        lapsing.append(("gap", f"one purchase, {gap} days ago"))
    declining = change is not None and change < -CHANGE
    drifting: list[tuple[str, str]] = []
    if s.key_account and declining:
        drifting.append(("margin", f"T12M gross margin {change:+.0%} year on year"))
    if (
        s.key_account
        and s.share_now is not None
        and s.share_before is not None
        and s.share_before - s.share_now > SHARE_DROP
    ):
        drifting.append(
            ("share", f"share of wallet fell from {s.share_before:.0%} to {s.share_now:.0%}")
        )
    if s.p_alive is not None and s.p_alive < LOST_P_ALIVE:
        stage = Stage.LOST
    elif (as_of - s.first_day).days < NEW_DAYS:
        stage = Stage.NEW
    elif lapsing:
        stage = Stage.LAPSING
    elif declining:
        stage = Stage.DECLINING
    elif (change is not None and change > CHANGE) or (s.margin_before <= 0 < s.margin_now):
        stage = Stage.GROWING
    else:
        stage = Stage.STEADY
    found = lapsing + drifting
    reasons = tuple(text for _kind, text in found)
    kinds = tuple(kind for kind, _text in found)
    return Outlook(stage, bool(reasons) and stage != Stage.NEW, reasons, gap, change, kinds)


def tiers(values: Iterable[tuple[int, float]], *, a_share: float, b_share: float) -> dict[int, str]:
    """Each customer's value tier from (customer id, CLV) pairs."""
    pairs = list(values)
    positive = sorted(((v, cid) for cid, v in pairs if v > 0), key=lambda p: (-p[0], p[1]))
    total = sum(v for v, _ in positive)
    result = {cid: ("loss" if v < 0 else "C") for cid, v in pairs}
    before = 0.0
    for v, cid in positive:
        result[cid] = tier_of(v, before, total, a_share=a_share, b_share=b_share)
        before += v
    return result


def tier_of(value: float, before: float, total: float, *, a_share: float, b_share: float) -> str:
    """One customer's value tier from its CLV, the positive CLV of the customers ranked
    before it (a larger CLV, or the same and a smaller id) and the base's positive total
    (its own included): what `tiers` gives it among the whole base."""
    if not value > 0:
        return "loss" if value < 0 else "C"
    share = before / total
    return "A" if share < a_share else "B" if share < a_share + b_share else "C"
