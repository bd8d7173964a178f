"""Who is acting: the OS account of the process, matched to the users table."""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from typing import TYPE_CHECKING

from db.enums import Door, Role
from kam.errors import NotFound, PermissionDenied

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session


def os_login() -> str:
    """The login of the real OS user running this process (never from the environment)."""
    return pwd.getpwuid(os.getuid()).pw_name


@dataclass(frozen=True)
class Actor:
    """The user a service call acts for, and the door the change comes through.

    `real_login` is the OS user really acting: `login` itself, unless an admin acts as
    another user (KAM_USER), whose rights then apply; the audit records both.
    """

    id: int
    login: str
    display_name: str
    role: Role
    door: Door = Door.CLI
    real_login: str = ""

    def __post_init__(self) -> None:
        if not self.real_login:
            object.__setattr__(self, "real_login", self.login)


def identify(
    source: Session | Connection,
    *,
    door: Door,
    act_as: str | None = None,
    login: str | None = None,
) -> Actor:
    """Match the OS user to a kam user; honour `act_as` (KAM_USER) only for a real admin.

    `source` is a session or a bare connection (a read on Core alone)."""
    from db.reads import user_by_login

    real = login or os_login()
    user = user_by_login(source, real)
    if user is None or not user.active:
        raise PermissionDenied(
            f"The OS account '{real}' is not an active kam user; "
            f"an admin can add it with `kam user add {real} --role manager`."
        )
    if act_as and act_as != real:
        if user.role != Role.ADMIN:
            raise PermissionDenied(
                f"KAM_USER is honoured only when the real user is an admin; '{real}' is a "
                f"{user.role}. Unset KAM_USER to act as yourself."
            )
        other = user_by_login(source, act_as)
        if other is None or not other.active:
            raise NotFound(f"KAM_USER names '{act_as}', who is not an active kam user.")
        user = other
    return Actor(user.id, user.login, user.display_name, Role(user.role), door, real_login=real)
