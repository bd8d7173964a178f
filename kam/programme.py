"""Programme settings (cap, threshold, cadences, CLV discount rate and horizon) with defaults."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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


def load_settings(session: Session) -> ProgrammeSettings:
    """The settings in force: stored values over the defaults."""
    from sqlmodel import select

    from db.models import ProgrammeSetting

    stored = {row.key: row.value for row in session.exec(select(ProgrammeSetting)).all()}
    values = {}
    for f in fields(ProgrammeSettings):
        if f.name in stored:
            kind = int if f.type in ("int", int) else float
            values[f.name] = kind(stored[f.name])
    return ProgrammeSettings(**values)  # type: ignore[arg-type]


#: What each setting accepts: (type, lowest, highest).
LIMITS: dict[str, tuple[type, float, float]] = {
    "cap": (int, 1, 1000),
    "warn_below": (int, 0, 1000),
    "threshold": (float, 0, 100),
    "sponsor_limit": (int, 1, 100),
    "manager_limit": (int, 1, 100),
    "visit_days": (int, 1, 3650),
    "review_days": (int, 1, 3650),
    "discount_rate": (float, 0, 1),
    "horizon": (int, 1, 50),
}


def set_setting(session: Session, actor: object, key: str, value: str) -> ProgrammeSettings:
    """Change one programme setting (admins only), audited; returns the settings in force."""
    from db.enums import Role
    from db.models import ProgrammeSetting, utcnow
    from kam import audit
    from kam.errors import InvalidData
    from kam.identity import Actor
    from kam.services.common import require_role

    assert isinstance(actor, Actor)
    require_role(actor, Role.ADMIN, to="change programme settings")
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
