"""Users and roles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, field_validator

from db.enums import Role
from kam.errors import InvalidData, RuleError
from kam.rules import limits
from kam.rules.permissions import Action, require
from kam.services import audit
from kam.services.common import user_by_login, validated
from kam.text import clean_text
from kam.views import UserView

if TYPE_CHECKING:
    from sqlmodel import Session

    from db.models import User
    from kam.identity import Actor


class UserInput(BaseModel):
    """A new user."""

    login: str = Field(min_length=1, max_length=limits.LOGIN, pattern=limits.LOGIN_PATTERN)
    display_name: str = Field(default="", max_length=limits.NAME)
    title: str = Field(default="", max_length=limits.NAME)
    role: Role

    @field_validator("display_name", "title")
    @classmethod
    def _clean(cls, value: str) -> str:
        return clean_text(value)


def to_view(user: User) -> UserView:
    """The plain view of a user row."""
    assert user.id is not None
    return UserView(
        user.id, user.login, user.display_name, user.title, user.role.value, user.active
    )


def user_count(session: Session) -> int:
    """How many users exist."""
    from sqlalchemy import func
    from sqlmodel import select

    from db.models import User

    return session.exec(select(func.count()).select_from(User)).one()


def bootstrap_admin(session: Session, *, login: str, display_name: str, door: object) -> UserView:
    """Make the first user, an admin; refused once any user exists."""
    from db.models import User
    from kam.identity import Actor

    if user_count(session):
        raise RuleError("kam already has users; an admin adds more with `kam user add`.")
    data = validated(UserInput, login=login, display_name=display_name or login, role=Role.ADMIN)
    user = User(login=data.login, display_name=data.display_name, role=Role.ADMIN)
    session.add(user)
    session.flush()
    assert user.id is not None
    actor = Actor(user.id, user.login, user.display_name, user.role, door)  # type: ignore[arg-type]
    audit.record_created(
        session,
        actor,
        entity="user",
        entity_id=user.id,
        customer_id=None,
        values={"login": user.login, "role": user.role},
    )
    return to_view(user)


def add_user(
    session: Session,
    actor: Actor,
    *,
    login: str,
    role: Role,
    display_name: str = "",
    title: str = "",
) -> UserView:
    """Add a user (admins only); the login must be new."""
    from sqlmodel import select

    from db.models import User

    require(actor, Action.MANAGE_USERS)
    data = validated(UserInput, login=login, display_name=display_name, title=title, role=role)
    if session.exec(select(User).where(User.login == data.login)).first() is not None:
        raise InvalidData(f"The login '{data.login}' is already taken.")
    user = User(
        login=data.login,
        display_name=data.display_name or data.login,
        title=data.title,
        role=data.role,
    )
    session.add(user)
    session.flush()
    audit.record_created(
        session,
        actor,
        entity="user",
        entity_id=user.id,
        customer_id=None,
        values={"login": user.login, "display_name": user.display_name, "role": user.role},
    )
    return to_view(user)


def list_users(session: Session, *, role: Role | None = None) -> list[UserView]:
    """Every user, by login."""
    from sqlmodel import select

    from db.models import User

    query = select(User).order_by(User.login)
    if role is not None:
        query = query.where(User.role == role)
    return [to_view(u) for u in session.exec(query).all()]


#: The roles that may hold each post on a key account (kam.services.staffing's rule).
_HOLDERS = {
    "sponsors": (Role.EXECUTIVE, Role.ADMIN),
    "manages": (Role.MANAGER, Role.ADMIN),
}


def _check_holdings(session: Session, user: User, role: Role) -> None:
    """Refuse a role that cannot hold a post the user holds on open key accounts (an account
    would keep a sponsor or manager who may not act as one)."""
    from sqlmodel import col, select

    from db.models import Customer, KeyAccount
    from kam.rules import lifecycle

    for post, may_hold in _HOLDERS.items():
        if role in may_hold:
            continue
        holder = KeyAccount.sponsor_id if post == "sponsors" else KeyAccount.manager_id
        names = session.exec(
            select(Customer.name)
            .join(KeyAccount, col(KeyAccount.customer_id) == Customer.id)
            .where(holder == user.id, col(KeyAccount.status).in_(lifecycle.OPEN))
            .order_by(Customer.name)
        ).all()
        if names:
            what = "sponsor" if post == "sponsors" else "manager"
            a = "an" if role.value[0] in "aeiou" else "a"
            raise RuleError(
                f"'{user.login}' {post} {', '.join(names)}, and {a} {role.value} cannot be a "
                f"{what}; give {'it' if len(names) == 1 else 'them'} another {what} first "
                f"(`kam {what} assign ACCOUNT LOGIN`)."
            )


def set_role(session: Session, actor: Actor, *, login: str, role: Role) -> UserView:
    """Change a user's role (admins only); the last admin cannot be demoted."""
    from sqlalchemy import func
    from sqlmodel import select

    from db.models import User

    require(actor, Action.MANAGE_USERS)
    user = user_by_login(session, login)
    if user.role == Role.ADMIN and role != Role.ADMIN:
        admins = session.exec(
            select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active)
        ).one()
        if admins <= 1:
            raise RuleError(f"'{login}' is the last admin; make another admin first.")
    _check_holdings(session, user, role)
    audit.apply_changes(session, actor, user, {"role": role}, entity="user", customer_id=None)
    return to_view(user)
