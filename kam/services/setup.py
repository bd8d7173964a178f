"""Setting up a database: schema upgrade and the first admin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from db.enums import Door

if TYPE_CHECKING:
    from kam.database import Database


@dataclass(frozen=True)
class InitResult:
    """What `kam init` did."""

    url: str
    revision: str | None
    admin: str | None
    """The login made first admin, or None when users already existed."""


def initialise(database: Database, *, login: str, display_name: str) -> InitResult:
    """Create or upgrade the schema; make `login` the first admin if there are no users yet."""
    from db.migrate import current_revision, upgrade
    from kam.services.users import bootstrap_admin, user_count

    upgrade(database.engine)
    admin = None
    from kam.services.criteria import ensure_criteria

    with database.writing() as session:
        ensure_criteria(session)
        if user_count(session) == 0:
            admin = bootstrap_admin(
                session, login=login, display_name=display_name, door=Door.CLI
            ).login
    return InitResult(
        url=database.engine.url.render_as_string(hide_password=True),
        revision=current_revision(database.engine),
        admin=admin,
    )
