"""What every service shares: input validation, lookups by name, and the role rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from db.enums import OPEN_ACCOUNT_STATUSES, InteractionKind, Role
from kam.errors import InvalidData, NotFound, PermissionDenied

if TYPE_CHECKING:
    from sqlmodel import Session

    from db.models import Customer, KeyAccount, User
    from kam.identity import Actor

M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], **data: Any) -> M:
    """Build an input model, turning pydantic's errors into one sentence naming each field."""
    try:
        return model(**data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'input'}: {err['msg']}"
            for err in exc.errors()
        )
        what = model.__name__.removesuffix("Input").lower()
        raise InvalidData(f"Invalid {what}: {problems}.") from None


def customer_by_name(session: Session, name: str) -> Customer:
    """The customer with this name (exact, then case-insensitive), or its code."""
    from sqlalchemy import func
    from sqlmodel import select

    from db.models import Customer

    found = session.exec(select(Customer).where(Customer.name == name)).first()
    if found is None:
        found = session.exec(
            select(Customer).where(func.lower(Customer.name) == name.lower())
        ).first()
    if found is None:
        found = session.exec(select(Customer).where(Customer.code == name)).first()
    if found is None:
        raise NotFound(f"No customer is named '{name}'.")
    return found


def user_by_login(session: Session, login: str) -> User:
    """The user with this login."""
    from sqlmodel import select

    from db.models import User

    found = session.exec(select(User).where(User.login == login)).first()
    if found is None:
        raise NotFound(f"No kam user has the login '{login}'.")
    return found


def open_account(session: Session, customer_id: int) -> KeyAccount | None:
    """The customer's current programme membership, if it has one."""
    from sqlmodel import col, select

    from db.models import KeyAccount

    return session.exec(
        select(KeyAccount).where(
            KeyAccount.customer_id == customer_id,
            col(KeyAccount.status).in_(OPEN_ACCOUNT_STATUSES),
        )
    ).first()


def require_role(actor: Actor, *roles: Role, to: str) -> None:
    """Refuse unless the actor has one of `roles`; `to` completes "Only ... may <to>"."""
    if actor.role not in roles:
        allowed = " or ".join(f"{r.value}s" for r in roles)
        raise PermissionDenied(
            f"Only {allowed} may {to}; you ({actor.login}) are a {actor.role.value}."
        )


def require_account_editor(actor: Actor, account: KeyAccount | None, customer: Customer) -> None:
    """Admins edit every account; a manager edits only the key accounts they manage."""
    if actor.role == Role.ADMIN:
        return
    if actor.role != Role.MANAGER:
        raise PermissionDenied(
            f"A {actor.role.value} cannot edit account data; you ({actor.login}) have read-only "
            "access. Executives record their sponsor visits; managers and admins edit."
        )
    if account is None or account.manager_id != actor.id:
        raise PermissionDenied(
            f"Managers edit only the key accounts they manage, and you ({actor.login}) do not "
            f"manage '{customer.name}'."
        )


def require_customer_editor(
    session: Session,
    actor: Actor,
    customer: Customer,
    *,
    interaction: InteractionKind | None = None,
) -> KeyAccount | None:
    """Check the actor may change this customer's records; returns its open account.

    An executive may log an executive visit on an account they sponsor; otherwise the
    account-editor rule applies.
    """
    assert customer.id is not None
    account = open_account(session, customer.id)
    if (
        interaction == InteractionKind.EXECUTIVE_VISIT
        and actor.role == Role.EXECUTIVE
        and account is not None
        and account.sponsor_id == actor.id
    ):
        return account
    require_account_editor(actor, account, customer)
    return account


def user_names(session: Session, user_id: int) -> tuple[str, str] | None:
    """(login, display name) of a user id, cached for the session (logins do not change)."""
    from db.models import User

    cache: dict[int, tuple[str, str] | None] = session.info.setdefault("kam_user_names", {})
    if user_id not in cache:
        user = session.get(User, user_id)
        cache[user_id] = (user.login, user.display_name) if user else None
    return cache[user_id]


def login_of(session: Session, user_id: int | None) -> str | None:
    """The login of a user id (None for None)."""
    names = user_names(session, user_id) if user_id is not None else None
    return names[0] if names else None
