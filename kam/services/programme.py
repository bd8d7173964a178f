"""Programme settings: read the settings in force, and change one (admins only, audited)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kam.rules.programme import LIMITS, ProgrammeSettings, load_settings

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.identity import Actor

__all__ = ["LIMITS", "ProgrammeSettings", "load_settings", "set_setting"]


def set_setting(session: Session, actor: Actor, key: str, value: str) -> ProgrammeSettings:
    """Change one programme setting (admins only), audited; returns the settings in force."""
    from db.models import ProgrammeSetting, utcnow
    from kam.errors import InvalidData
    from kam.rules.permissions import Action, require
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
    old = getattr(load_settings(session), key)
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
