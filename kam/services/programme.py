"""Programme settings: read the settings in force, and change one (admins only, audited)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kam.rules.programme import LIMITS, ProgrammeSettings, load_settings

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.identity import Actor

__all__ = ["LIMITS", "ProgrammeSettings", "load_settings", "set_setting"]


def set_setting(
    session: Session, actor: Actor, key: str, value: str, *, force: bool = False
) -> ProgrammeSettings:
    """Change one programme setting (admins only), audited; returns the settings in force.

    Refused when the new value contradicts another setting, or falls below what the
    programme already holds (a cap under the active accounts, a limit under what someone
    already sponsors or manages) unless `force` says the admin means it.
    """
    from dataclasses import replace

    from db.models import ProgrammeSetting, utcnow
    from kam.errors import InvalidData, RuleError
    from kam.rules.permissions import Action, require
    from kam.rules.programme import conflicts
    from kam.services import audit

    require(actor, Action.CHANGE_SETTINGS)
    if key not in LIMITS:
        raise InvalidData(f"'{key}' is not a programme setting; settings: {', '.join(LIMITS)}.")
    kind, low, high = LIMITS[key]
    try:
        number = kind(value)
    except ValueError:
        raise InvalidData(
            f"{key}: '{value}' is not a{'n integer' if kind is int else ' number'}."
        ) from None
    if not low <= number <= high:
        raise InvalidData(f"{key}: {number} is outside {low:g}..{high:g}.")
    current = load_settings(session)
    proposed = replace(current, **{key: number})
    problems = conflicts(proposed)
    if problems:
        raise RuleError(f"{key} {number} is refused: {'; '.join(problems)}.")
    held = _held_beyond(session, key, number)
    if held and not force:
        raise RuleError(f"{key} {number} is below {held}; --force sets it anyway.")
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
