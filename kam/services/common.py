"""What every service shares: input validation, lookups by name, and the account a
permission rule looks at."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from kam.errors import InvalidData, NotFound
from kam.rules import lifecycle
from kam.text import clean_text

if TYPE_CHECKING:
    from pydantic import BaseModel
    from sqlmodel import Session

    from db.models import Customer, KeyAccount, User
    from kam.identity import Actor
    from kam.rules.permissions import Action, Stake

M = TypeVar("M", bound="BaseModel")


def validated(model: type[M], **data: Any) -> M:
    """Build an input model, turning pydantic's errors into one sentence naming each field."""
    from pydantic import ValidationError

    try:
        return model(**data)
    except ValidationError as exc:
        found = [
            (".".join(str(p) for p in err["loc"]) or "input", str(err["msg"]))
            for err in exc.errors()
        ]
        problems = "; ".join(f"{where}: {msg}" for where, msg in found)
        raise InvalidData(
            f"Invalid {_words(model.__name__)}: {problems}.",
            problems={where: f"{msg}." for where, msg in reversed(found)},  # the first kept
        ) from None


def _words(name: str) -> str:
    """An input model's name as words: AccountChanges -> "account changes", GoalInput ->
    "goal"."""
    import re

    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower().removesuffix(" input")


def customer_by_name(session: Session, name: str) -> Customer:
    """The customer with this name (exact, then case-insensitive), or its code."""
    from sqlmodel import select

    from db.folding import lowered
    from db.models import Customer

    # A session-wide hint (a sheet names its customer many times), checked against the
    # row as this session sees it before it is trusted.
    seen: dict[str, Customer] = session.info.setdefault("kam_customers", {})
    hint = seen.get(name)
    if hint is not None and hint.name == name:
        return hint
    found = session.exec(select(Customer).where(Customer.name == name)).first()
    # As names are stored: accents composed, invisible characters gone (a name pasted
    # decomposed, or with a zero-width space, is the name it reads as).
    stored = clean_text(name)
    if found is None and stored != name:
        found = session.exec(select(Customer).where(Customer.name == stored)).first()
    if found is None:
        found = session.exec(
            select(Customer).where(lowered(Customer.name) == lowered(stored))
        ).first()
    if found is None:
        found = session.exec(select(Customer).where(Customer.code == stored)).first()
    if found is None:
        raise NotFound(f"No customer is named '{name}'.")
    seen[name] = found
    return found


def user_by_login(session: Session, login: str) -> User:
    """The user with this login."""
    from sqlmodel import select

    from db.models import User

    found = session.exec(select(User).where(User.login == login)).first()
    if found is None:
        raise NotFound(f"No kam user has the login '{login}'.")
    return found


def owner_by_login(session: Session, login: str, field: str = "owner") -> User:
    """The user with this login, who may own work in kam (a contact, a complaint, a plan's
    goal or action): an active user who writes, not a viewer, who only reads."""
    from db.enums import Role

    user = user_by_login(session, login)
    if not user.active:
        raise InvalidData(f"{field}: '{login}' is no longer an active kam user.")
    if user.role == Role.VIEWER:
        raise InvalidData(
            f"{field}: '{login}' is a viewer, who only reads; an owner is a manager, an "
            "executive or an admin."
        )
    return user


def open_account(session: Session, customer_id: int) -> KeyAccount | None:
    """The customer's current programme membership, if it has one."""
    from sqlmodel import col, select

    from db.models import KeyAccount

    return session.exec(
        select(KeyAccount).where(
            KeyAccount.customer_id == customer_id,
            col(KeyAccount.status).in_(lifecycle.OPEN),
        )
    ).first()


def stake(account: KeyAccount | None, customer: Customer) -> Stake | None:
    """The account as the permission rules see it (None when the customer has none)."""
    from kam.rules.permissions import Stake

    if account is None:
        return None
    return Stake(customer.name, account.manager_id, account.sponsor_id)


def require_on_customer(
    session: Session, actor: Actor, action: Action, customer: Customer
) -> KeyAccount | None:
    """Refuse unless the actor may take `action` on this customer's records (judged by its
    open key account, if any); returns that account."""
    from kam.rules.permissions import require

    assert customer.id is not None
    account = open_account(session, customer.id)
    require(actor, action, stake(account, customer), customer=customer.name)
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
