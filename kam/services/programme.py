"""Programme settings: read the settings in force, and change one (admins only, audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from kam.rules.programme import DEFAULT_WORD, LIMITS, ProgrammeSettings, load_settings
from kam.views import View

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.identity import Actor

__all__ = [
    "LIMITS",
    "MinimumProfit",
    "ProgrammeSettings",
    "load_settings",
    "minimum_profit",
    "set_setting",
]


@dataclass(frozen=True)
class MinimumProfit(View):
    """The minimum T12M profit in force for admission, and where it comes from."""

    value: float
    set: bool
    """Whether an admin set it (else it is the default)."""
    accounts: int
    """How many current key accounts the default is the lowest of."""
    as_of: date

    def explained(self) -> str:
        """The value in words, e.g. "5,000.00 (the lowest T12M profit of the 7 key accounts)"."""
        if self.set:
            return f"{self.value:,.2f} (set)"
        if self.accounts == 0:
            return f"{self.value:,.2f} (default: no key accounts yet)"
        return (
            f"{self.value:,.2f} (default: the lowest T12M profit of the {self.accounts} "
            f"key account{'' if self.accounts == 1 else 's'} as of {self.as_of.isoformat()})"
        )


def minimum_profit(session: Session, *, as_of: date) -> MinimumProfit:
    """The minimum T12M profit the minimum_profit knock-out holds candidates to at `as_of`."""
    from kam.figures.base import base_figures
    from kam.rules.programme import min_profit_in_force

    settings = load_settings(session)
    if settings.min_profit is not None:
        return MinimumProfit(settings.min_profit, True, 0, as_of)
    members = member_customer_ids(session)
    profits: list[float] = []
    if members:
        figures = base_figures(session, as_of=as_of, customer_ids=members, model=False)
        profits = [float(p) for p in figures.profit["profit"]]
    return MinimumProfit(min_profit_in_force(settings, profits), False, len(profits), as_of)


def member_customer_ids(session: Session) -> list[int]:
    """The customers of the current key accounts (active or under review)."""
    from sqlmodel import col, select

    from db.models import KeyAccount
    from kam.rules import lifecycle

    return list(
        session.exec(
            select(KeyAccount.customer_id).where(col(KeyAccount.status).in_(lifecycle.MEMBERS))
        ).all()
    )


def set_setting(
    session: Session, actor: Actor, key: str, value: str | int | float, *, force: bool = False
) -> ProgrammeSettings:
    """Change one programme setting (admins only), audited; returns the settings in force.

    Refused when the new value contradicts another setting, or falls below what the
    programme already holds (a cap under the active accounts, a limit under what someone
    already sponsors or manages) unless `force` says the admin means it. The value
    "default" removes the stored value, so the default applies again. A number is read as
    its text (a batch line may give `"value": 10`).
    """
    from dataclasses import replace

    from db.models import ProgrammeSetting, utcnow
    from kam.errors import ForceableRefusal, InvalidData, RuleError
    from kam.rules import limits
    from kam.rules.permissions import Action, require
    from kam.rules.programme import conflicts
    from kam.services import audit

    require(actor, Action.CHANGE_SETTINGS)
    if key not in LIMITS:
        raise InvalidData(f"'{key}' is not a programme setting; settings: {', '.join(LIMITS)}.")
    value = value if isinstance(value, str) else str(value)
    current = load_settings(session)
    if value.strip().lower() == DEFAULT_WORD:
        return _restore_default(session, actor, key, current)
    kind, low, high = LIMITS[key]
    number: int | float | str
    if kind is str:
        number = _text_value(key, value)
    else:
        try:
            figure: float = kind(value)
        except ValueError:
            raise InvalidData(
                f"{key}: '{value}' is not a{'n integer' if kind is int else ' number'} "
                f"(or '{DEFAULT_WORD}')."
            ) from None
        limits.finite(key, figure)
        if not low <= figure <= high:
            raise InvalidData(f"{key}: {figure:g} is outside {low:g}..{high:g}.")
        number = figure
    proposed = replace(current, **{key: number})  # type: ignore[arg-type]
    problems = conflicts(proposed)
    if problems:
        raise RuleError(f"{key} {number} is refused: {'; '.join(problems)}.")
    held = None if isinstance(number, str) else _held_beyond(session, key, number)
    if held and not force:
        raise ForceableRefusal(f"{key} {number} is below {held}.")
    old = getattr(current, key)
    row = session.get(ProgrammeSetting, key)
    if row is None:
        row = ProgrammeSetting(key=key, value=str(number))
        session.add(row)
    row.value, row.updated_at, row.updated_by_id = str(number), utcnow(), actor.id
    if old != number:
        audit.record(
            session,
            actor,
            entity="programme_setting",
            entity_id=None,
            customer_id=None,
            field=key,
            old=old,
            new=number,
        )
    session.flush()
    return load_settings(session)


def _restore_default(
    session: Session, actor: Actor, key: str, current: ProgrammeSettings
) -> ProgrammeSettings:
    """Remove the stored value of `key`, checked and audited like a change."""
    from dataclasses import replace

    from db.models import ProgrammeSetting
    from kam.errors import RuleError
    from kam.rules.programme import conflicts
    from kam.services import audit

    default = getattr(ProgrammeSettings(), key)
    problems = conflicts(replace(current, **{key: default}))
    if problems:
        raise RuleError(f"{key} {DEFAULT_WORD} is refused: {'; '.join(problems)}.")
    row = session.get(ProgrammeSetting, key)
    if row is not None:
        session.delete(row)
        audit.record(
            session,
            actor,
            entity="programme_setting",
            entity_id=None,
            customer_id=None,
            field=key,
            old=getattr(current, key),
            new=DEFAULT_WORD if default is None else default,
        )
    session.flush()
    return load_settings(session)


def _text_value(key: str, value: str) -> str:
    """A text setting's value, checked against its pattern (kam.rules.programme.TEXT_PATTERNS;
    a currency code is taken in capitals)."""
    import re

    from kam.errors import InvalidData
    from kam.rules.programme import TEXT_PATTERNS
    from kam.text import clean_text

    text = value.strip().upper()
    if not re.fullmatch(TEXT_PATTERNS[key], text):
        raise InvalidData(
            f"{key}: '{clean_text(value)[:20]}' is not a three-letter currency code "
            "such as EUR, or ''."
        )
    return text


def _held_beyond(session: Session, key: str, number: float) -> str | None:
    """What the programme already holds beyond a new cap or limit, in words, or None."""
    from sqlalchemy import func
    from sqlmodel import col, select

    from db.enums import AccountStatus
    from db.models import KeyAccount
    from kam.rules import lifecycle

    if key == "cap":
        active = session.exec(
            select(func.count())
            .select_from(KeyAccount)
            .where(KeyAccount.status == AccountStatus.ACTIVE)
        ).one()
        if active > number:
            return (
                f"the {active} active key accounts (no account is admitted until fewer than "
                f"{number:g} are active)"
            )
    if key in ("sponsor_limit", "manager_limit"):
        column = KeyAccount.sponsor_id if key == "sponsor_limit" else KeyAccount.manager_id
        most = session.exec(
            select(func.count())
            .select_from(KeyAccount)
            .where(col(KeyAccount.status).in_(lifecycle.OPEN), col(column).is_not(None))
            .group_by(col(column))
            .order_by(func.count().desc())
        ).first()
        if most and most > number:
            who = "sponsors" if key == "sponsor_limit" else "manages"
            return f"what someone already {who} ({most} open accounts)"
    return None
