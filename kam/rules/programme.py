"""The programme settings in force (cap, threshold, minimum profit, cadences, CLV inputs),
with defaults.

Reading them is a rule every layer needs; changing them is a service
(`kam.services.programme.set_setting`: admins only, checked, audited).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlmodel import Session


@dataclass(frozen=True)
class ProgrammeSettings:
    """The rules of the key account programme; stored values override these defaults."""

    cap: int = 25
    """At most this many active key accounts."""
    warn_below: int = 5
    """Warn when fewer accounts than this are active."""
    threshold: float = 60.0
    """Minimum assessment total (0-100) for admission."""
    min_profit: float | None = None
    """Minimum T12M profit after cost to serve for admission (the minimum_profit knock-out);
    None: the lowest among the current key accounts (`min_profit_in_force`)."""
    sponsor_limit: int = 3
    """Accounts one executive may sponsor."""
    manager_limit: int = 5
    """Accounts one manager may run."""
    visit_days: int = 90
    """A sponsor visit is due this many days after the last."""
    review_days: int = 180
    """An active account is reviewed this often."""
    discount_rate: float = 0.10
    """CLV discount rate d."""
    horizon: int = 5
    """CLV horizon H in years."""
    fiscal_year_start: int = 1
    """The month (1-12) the fiscal year, and so each account plan, starts in."""
    churn_p_alive: float = 0.5
    """A customer whose P(alive) is below this is at risk of churning."""
    tier_a_share: float = 0.80
    """Value tier A: the customers making this first share of the positive CLV."""
    tier_b_share: float = 0.15
    """Value tier B: the customers making the next share of it (C: the rest)."""
    min_order_size: float = 0.0
    """The break-even list flags a customer whose average order (T12M revenue per order) is
    below this; 0 flags none."""
    currency: str = "EUR"
    """The currency every amount is in (an ISO 4217 code such as EUR, USD, GBP), named on the
    printed sheet; "" names none."""


#: What each setting accepts: (type, lowest, highest); for text, its shortest and longest
#: length (and TEXT_PATTERNS says which characters).
LIMITS: dict[str, tuple[type, float, float]] = {
    "cap": (int, 1, 1000),
    "warn_below": (int, 0, 1000),
    "threshold": (float, 0, 100),
    "min_profit": (float, -1e12, 1e12),
    "sponsor_limit": (int, 1, 100),
    "manager_limit": (int, 1, 100),
    "visit_days": (int, 1, 3650),
    "review_days": (int, 1, 3650),
    "discount_rate": (float, 0, 1),
    "horizon": (int, 1, 50),
    "fiscal_year_start": (int, 1, 12),
    "churn_p_alive": (float, 0, 1),
    "tier_a_share": (float, 0.01, 1),
    "tier_b_share": (float, 0, 0.99),
    "min_order_size": (float, 0, 1e12),
    "currency": (str, 0, 3),
}

#: The characters a text setting may hold (the whole value must match).
TEXT_PATTERNS: dict[str, str] = {"currency": "[A-Z]{3}|"}


#: What each setting means, as `kam programme show` and the settings screen say it.
DESCRIPTIONS: dict[str, str] = {
    "cap": "at most this many active key accounts",
    "warn_below": "warn when fewer accounts than this are active",
    "threshold": "minimum assessment total (0-100) for admission",
    "min_profit": "minimum T12M profit after cost to serve for admission (a knock-out); "
    "by default the lowest among the current key accounts, 0 with none",
    "sponsor_limit": "open accounts one executive may sponsor",
    "manager_limit": "open accounts one manager may run",
    "visit_days": "a sponsor visit is due this many days after the last",
    "review_days": "an active account is reviewed this often (days)",
    "discount_rate": "CLV discount rate d",
    "horizon": "CLV horizon H (years)",
    "fiscal_year_start": "the month (1-12) the fiscal year and account plans start",
    "churn_p_alive": "a customer with P(alive) below this is at risk of churning",
    "tier_a_share": "value tier A: the customers making this first share of positive CLV",
    "tier_b_share": "value tier B: the customers making the next share (C: the rest)",
    "min_order_size": "the break-even list flags an average order below this (0: none)",
    "currency": "the currency of every amount, as an ISO 4217 code (EUR, USD...; '': none)",
}


def conflicts(settings: ProgrammeSettings) -> list[str]:
    """Settings that contradict each other, as sentences (none may be saved)."""
    problems = []
    if settings.warn_below > settings.cap:
        problems.append(
            f"warn_below {settings.warn_below} is above the cap {settings.cap}: the programme "
            "would warn however many accounts it had"
        )
    if settings.tier_a_share + settings.tier_b_share > 1:
        problems.append(
            f"tier_a_share {settings.tier_a_share} and tier_b_share {settings.tier_b_share} "
            "add up to more than the whole CLV"
        )
    return problems


#: The word `kam programme set KEY default` takes: the stored value goes, the default applies.
DEFAULT_WORD = "default"


def min_profit_in_force(settings: ProgrammeSettings, member_profits: Iterable[float]) -> float:
    """The minimum T12M profit the minimum_profit knock-out holds a candidate to: the setting,
    else the lowest T12M profit among the current key accounts (active or under review), so
    the default knocks out no current member; 0 when there are none."""
    if settings.min_profit is not None:
        return settings.min_profit
    return min(member_profits, default=0.0)


def load_settings(source: Session | Connection) -> ProgrammeSettings:
    """The settings in force: stored values over the defaults (read through a session or
    on a bare connection)."""
    from db.reads import setting_values

    stored = setting_values(source)
    values: dict[str, int | float | str | None] = {}
    for f in fields(ProgrammeSettings):
        if f.name in stored:
            kind = LIMITS[f.name][0]
            values[f.name] = kind(stored[f.name])
    return ProgrammeSettings(**values)  # type: ignore[arg-type]
