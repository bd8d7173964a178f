"""Key accounts: programme membership, with roles, audit and optimistic locking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, cast

from db.enums import AccountStatus
from kam.errors import (
    ConflictError,
    InvalidData,
    KamError,
    NotFound,
    PermissionDenied,
    RuleError,
)
from kam.rules import clock, lifecycle
from kam.rules.permissions import Action, allowed, may, require
from kam.services import audit
from kam.services.common import (
    customer_by_name,
    login_of,
    open_account,
    stake,
    user_names,
    validated,
)
from kam.services.staffing import eligible_manager, eligible_sponsor
from kam.text import clean_text
from kam.views import AccountView

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlmodel import Session

    from db.models import Customer, KeyAccount
    from kam.identity import Actor

#: Fields of an update that need a permission of their own.
FIELD_ACTIONS = {
    "status": Action.CHANGE_STATUS,
    "manager": Action.ASSIGN_MANAGER,
    "sponsor": Action.ASSIGN_SPONSOR,
}


def _views(session: Session, accounts: list[KeyAccount]) -> list[AccountView]:
    """Views of several accounts, resolving customer and user names in two queries."""
    from sqlmodel import col, select

    from db.models import Customer, User

    if not accounts:
        return []
    user_ids = {
        uid for a in accounts for uid in (a.manager_id, a.sponsor_id, a.updated_by_id) if uid
    }
    customers: dict[int | None, Customer]
    if len(accounts) == 1:  # one account: the identity map usually has the customer already
        only = session.get(Customer, accounts[0].customer_id)
        assert only is not None  # customer_id is a non-null foreign key
        customers = {accounts[0].customer_id: only}
    else:
        ids = {a.customer_id for a in accounts}
        customers = {
            c.id: c for c in session.exec(select(Customer).where(col(Customer.id).in_(ids)))
        }
    cache = session.info.setdefault("kam_user_names", {})
    unknown = user_ids - cache.keys()
    if len(unknown) > 1:
        for u in session.exec(select(User).where(col(User.id).in_(unknown))):
            cache[u.id] = (u.login, u.display_name)
    names = {uid: user_names(session, uid) for uid in user_ids}

    def login(uid: int | None) -> str | None:
        found = names.get(uid) if uid else None
        return found[0] if found else None

    def name(uid: int | None) -> str | None:
        found = names.get(uid) if uid else None
        return found[1] if found else None

    views = []
    for a in accounts:
        assert a.id is not None
        customer = customers[a.customer_id]
        views.append(
            AccountView(
                id=a.id,
                customer_id=a.customer_id,
                customer=customer.name,
                industry=customer.industry,
                region=customer.region,
                status=a.status.value,
                manager=login(a.manager_id),
                manager_name=name(a.manager_id),
                manager_id=a.manager_id,
                sponsor=login(a.sponsor_id),
                sponsor_name=name(a.sponsor_id),
                sponsor_id=a.sponsor_id,
                nominated_on=a.nominated_on,
                admitted_on=a.admitted_on,
                retired_on=a.retired_on,
                next_review_on=a.next_review_on,
                reason=a.reason,
                retention_override=a.retention_override,
                margin_override=a.margin_override,
                admitted_by_override=a.admitted_by_override,
                version=a.version,
                updated_at=a.updated_at,
                updated_by=login(a.updated_by_id),
            )
        )
    return views


def list_accounts(
    source: Session | Connection,
    *,
    status: AccountStatus | None = None,
    include_closed: bool = False,
) -> list[AccountView]:
    """Key accounts by customer name; open memberships unless asked for retired/rejected.

    `source` is a session or a bare connection: the read is on SQLAlchemy Core alone, so
    `kam account list` builds neither the ORM nor the SQLModel classes."""
    from db.reads import account_rows

    statuses: list[str] | None = None
    if status is not None:
        statuses = [status.value]
    elif not include_closed:
        statuses = [s.value for s in lifecycle.OPEN]
    return [AccountView(**row._mapping) for row in account_rows(source, statuses=statuses)]


def account_by_name(session: Session, name: str) -> KeyAccount:
    """The key account of a customer named `name`: its open one, else its latest."""
    return account_and_customer(session, name)[0]


def account_and_customer(session: Session, name: str) -> tuple[KeyAccount, Customer]:
    """The key account of a customer named `name`, and the customer."""
    from sqlmodel import col, select

    from db.models import Customer, KeyAccount

    # A session-wide hint (batches name the same accounts again and again), checked against
    # the rows as this session sees them before it is trusted.
    seen: dict[str, tuple[KeyAccount, Customer]] = session.info.setdefault("kam_accounts", {})
    hint = seen.get(name)
    if hint and hint[1].name == name and lifecycle.is_open(hint[0].status):
        return hint
    exact = session.exec(  # the common case in one query: an exact name with an open account
        select(KeyAccount, Customer)
        .join(Customer, col(Customer.id) == KeyAccount.customer_id)
        .where(Customer.name == name, col(KeyAccount.status).in_(lifecycle.OPEN))
    ).first()
    if exact is not None:
        seen[name] = (exact[0], exact[1])
        return exact[0], exact[1]
    customer = customer_by_name(session, name)
    assert customer.id is not None
    account = (
        open_account(session, customer.id)
        or session.exec(
            select(KeyAccount)
            .where(KeyAccount.customer_id == customer.id)
            .order_by(col(KeyAccount.id).desc())
        ).first()
    )
    if account is None:
        raise NotFound(f"'{customer.name}' is a customer but not a key account.")
    return account, customer


def account_view(session: Session, account: KeyAccount) -> AccountView:
    """The plain view of an account row already read."""
    return _views(session, [account])[0]


def get_account(session: Session, name: str) -> AccountView:
    """One key account by its customer's name."""
    return _views(session, [account_by_name(session, name)])[0]


def create_account(
    session: Session,
    actor: Actor,
    *,
    customer: str,
    manager: str | None = None,
    sponsor: str | None = None,
    reason: str = "",
) -> AccountView:
    """Nominate a customer into the programme (managers and admins).

    A manager's nomination is managed by them; only admins name another manager or a
    sponsor. A customer holds one open membership at a time.
    """
    from db.models import KeyAccount, utcnow

    require(actor, Action.NOMINATE)
    target = customer_by_name(session, customer)
    assert target.id is not None
    existing = open_account(session, target.id)
    if existing is not None:
        raise RuleError(
            f"'{target.name}' is already in the programme ({existing.status.value}); "
            "a customer has one membership at a time."
        )
    if not allowed(actor, Action.ASSIGN_MANAGER):
        if manager not in (None, actor.login):
            raise PermissionDenied(
                "Managers nominate accounts for themselves; only admins assign another manager."
            )
        manager = actor.login
    if sponsor is not None:
        require(actor, Action.ASSIGN_SPONSOR)
    manager_id = eligible_manager(session, manager).id if manager else None
    sponsor_id = eligible_sponsor(session, sponsor).id if sponsor else None
    account = KeyAccount(
        customer_id=target.id,
        status=AccountStatus.NOMINATED,
        nominated_on=clock.today(),
        manager_id=manager_id,
        sponsor_id=sponsor_id,
        reason=clean_text(reason, multiline=True),
        updated_by_id=actor.id,
        updated_at=utcnow(),
    )
    session.add(account)
    session.flush()
    audit.record_created(
        session,
        actor,
        entity="key_account",
        entity_id=account.id,
        customer_id=target.id,
        values={"status": account.status, "manager": manager, "sponsor": sponsor},
    )
    return _views(session, [account])[0]


def conflict_message(session: Session, account: KeyAccount, customer: str, seen: int) -> str:
    """The sentence telling who changed an account since version `seen` was read, and when."""
    from db.models import User

    who = session.get(User, account.updated_by_id) if account.updated_by_id else None
    name = f"{who.display_name} ({who.login})" if who else "someone"
    when = account.updated_at.strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"'{customer}' was changed by {name} at {when} (now version {account.version}, "
        f"you had version {seen}); nothing was overwritten. Reload and try again."
    )


def update_account(
    session: Session,
    actor: Actor,
    name: str,
    *,
    expected_version: int | None = None,
    **fields: Any,
) -> AccountView:
    """Change a key account, refusing if it changed since `expected_version` was read.

    Managers change their own accounts' notes, overrides and review date; admins also
    the status (along the programme's transitions), manager and sponsor.
    """
    from db.models import utcnow
    from kam.services.account_changes import AccountChanges

    account, customer = account_and_customer(session, name)
    require(actor, Action.EDIT_ACCOUNT, stake(account, customer))
    if expected_version is not None and account.version != expected_version:
        raise ConflictError(conflict_message(session, account, customer.name, expected_version))
    requested = validated(AccountChanges, **fields).model_dump(exclude_unset=True)
    for field in sorted(FIELD_ACTIONS.keys() & requested.keys()):
        refusal = may(actor, FIELD_ACTIONS[field])
        if refusal is not None:
            raise PermissionDenied(refusal.reason)
    changes: dict[str, Any] = {}
    for field, value in requested.items():
        if field == "manager":
            changes["manager_id"] = (
                eligible_manager(session, value, account=account, customer=customer.name).id
                if value
                else None
            )
        elif field == "sponsor":
            changes["sponsor_id"] = (
                eligible_sponsor(session, value, account=account, customer=customer.name).id
                if value
                else None
            )
        elif field == "status":
            if value is None:
                raise InvalidData("status: a key account always has a status.")
            if value != account.status:
                if value not in lifecycle.next_statuses(account.status):
                    raise RuleError(lifecycle.refusal(account.status, value))
                if not lifecycle.can_move(account.status, value, by="update"):
                    verb = lifecycle.MOVES[account.status][value][0]
                    how = "record a review" if verb == "review" else f"use `kam account {verb}`"
                    raise RuleError(
                        f"Moving '{customer.name}' to {value.value} is a decision with its own "
                        f"rules: {how}."
                    )
                changes["status"] = value
        else:
            if field == "next_review_on":
                check_review_date(session, actor, account, value)
            changes[field] = value

    def shown(field: str, value: Any) -> tuple[str, Any]:
        if field in ("manager_id", "sponsor_id"):
            return field.removesuffix("_id"), login_of(session, value)
        return field, value

    # No autoflush while changing: looking up a login for the trail must not flush the row
    # early, or one update would bump the version twice.
    with session.no_autoflush:
        changed = audit.apply_changes(
            session,
            actor,
            account,
            changes,
            entity="key_account",
            customer_id=customer.id,
            shown=shown,
        )
    if changed:
        account.updated_at = utcnow()
        account.updated_by_id = actor.id
        session.flush()  # the version check runs here: a concurrent change raises a conflict
    return _views(session, [account])[0]


def check_review_date(session: Session, actor: Actor, account: KeyAccount, on: date | None) -> None:
    """Every open key account is reviewed every review_days days: a next review later than
    that after its last review (else its admission, else today) is an admin's to set; its
    manager may bring it forward (from where it is) or clear it (an account without one is
    due)."""
    from sqlalchemy import func
    from sqlmodel import select

    from db.enums import Role
    from db.models import Review
    from kam.rules.programme import load_settings

    current = account.next_review_on
    if on is None or actor.role == Role.ADMIN or (current is not None and on <= current):
        return
    last = session.exec(
        select(func.max(Review.reviewed_on)).where(Review.key_account_id == account.id)
    ).one()
    since, after = (
        (last, "its last review") if last is not None
        else (account.admitted_on, "its admission") if account.admitted_on is not None
        else (clock.today(), "today")
    )  # fmt: skip
    if isinstance(since, str):  # SQLite gives MAX of a date as ISO text
        since = date.fromisoformat(since)
    days = load_settings(session).review_days
    latest = since + timedelta(days=days)
    if on > latest:
        raise InvalidData(
            f"next_review_on: {on.isoformat()} is after {latest.isoformat()}, {days} days after "
            f"{after} ({since.isoformat()}); a key account is reviewed every {days} days, and "
            "only an admin sets a later review."
        )


#: Fields a set-based update writes itself; others (status, manager, sponsor) go through
#: update_account, whose checks read what other accounts hold.
SIMPLE_FIELDS = frozenset({"reason", "retention_override", "margin_override", "next_review_on"})


@dataclass(frozen=True)
class AccountUpdate:
    """One update of a set-based run: the batch line it came from, the account, the fields."""

    line: int
    name: str
    expected_version: int | None
    fields: dict[str, Any]


class UpdateRefused(Exception):
    """A set-based update refused: the domain error and the batch line it belongs to."""

    def __init__(self, line: int, error: KamError) -> None:
        super().__init__(str(error))
        self.line, self.error = line, error


def update_accounts(
    session: Session, actor: Actor, updates: list[AccountUpdate]
) -> list[AccountView]:
    """Many account updates in one go (a batch), each checked by update_account's rules, in
    order: the accounts are read in one query, each account is written with one UPDATE that
    checks the version it was read at, and every changed field's audit event is written in
    one bulk insert. Updates of the status, manager or sponsor take update_account itself.
    Returns each update's view (its version as that update left it)."""
    views: list[AccountView] = []
    simple: list[AccountUpdate] = []
    for update in updates:
        if SIMPLE_FIELDS.issuperset(update.fields):
            simple.append(update)
            continue
        views += _update_simply(session, actor, simple)
        simple = []
        try:
            views.append(
                update_account(session, actor, update.name,
                               expected_version=update.expected_version, **update.fields)
            )  # fmt: skip
        except KamError as error:
            raise UpdateRefused(update.line, error) from error
    views += _update_simply(session, actor, simple)
    return views


def _update_simply(
    session: Session, actor: Actor, updates: list[AccountUpdate]
) -> list[AccountView]:
    """Updates of plain fields only, set-based (see update_accounts)."""
    from dataclasses import replace

    from sqlalchemy import bindparam, update
    from sqlmodel import col, select

    from db.models import Customer, KeyAccount, utcnow
    from kam.services.account_changes import AccountChanges

    if not updates:
        return []
    session.flush()
    names = sorted({u.name for u in updates})
    found: dict[str, tuple[KeyAccount, Customer]] = {
        c.name: (a, c)
        for a, c in session.exec(
            select(KeyAccount, Customer)
            .join(Customer, col(Customer.id) == KeyAccount.customer_id)
            .where(col(Customer.name).in_(names), col(KeyAccount.status).in_(lifecycle.OPEN))
        ).all()
    }
    now = utcnow()
    read_at: dict[int, int] = {}  # account id -> the version it was read at
    reached: dict[int, int] = {}  # account id -> its version after the lines so far
    values: dict[int, dict[str, Any]] = {}  # account id -> its values as the run leaves them
    versions: list[tuple[KeyAccount, int]] = []
    entries: list[audit.Entry] = []
    for u in updates:
        try:
            account, customer = found.get(u.name) or account_and_customer(session, u.name)
            assert account.id is not None
            require(actor, Action.EDIT_ACCOUNT, stake(account, customer))
            current = values.setdefault(account.id, {f: getattr(account, f) for f in SIMPLE_FIELDS})
            version = reached.setdefault(account.id, account.version)
            read_at.setdefault(account.id, account.version)
            if u.expected_version is not None and version != u.expected_version:
                if version == account.version:  # changed before this batch: say by whom
                    message = conflict_message(session, account, customer.name, u.expected_version)
                else:
                    message = (
                        f"'{customer.name}' is at version {version} after this batch's earlier "
                        f"lines, not {u.expected_version}; nothing was overwritten."
                    )
                raise ConflictError(message)
            requested = validated(AccountChanges, **u.fields).model_dump(exclude_unset=True)
            if "next_review_on" in requested:
                check_review_date(session, actor, account, requested["next_review_on"])
        except KamError as error:
            raise UpdateRefused(u.line, error) from error
        changed = {f: v for f, v in requested.items() if current[f] != v}
        for field, new in changed.items():
            entries.append(audit.Entry("key_account", account.id, customer.id, field,
                                       current[field], new))  # fmt: skip
            current[field] = new
        reached[account.id] = version + 1 if changed else version
        versions.append((account, reached[account.id]))
    table = cast("Any", KeyAccount).__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("_id"), table.c.version == bindparam("_read"))
        .values(
            {**{f: bindparam(f) for f in SIMPLE_FIELDS}, "version": bindparam("_version"),
             "updated_at": bindparam("_at"), "updated_by_id": bindparam("_by")}
        )
    )  # fmt: skip
    rows = [
        {**values[aid], "_id": aid, "_read": read_at[aid], "_version": version, "_at": now,
         "_by": actor.id}
        for aid, version in reached.items()
        if version != read_at[aid]
    ]  # fmt: skip
    if rows:
        written = session.connection().execute(statement, rows).rowcount
        if written != len(rows):
            raise ConflictError(
                "Someone else changed one of these key accounts while the batch ran; "
                "nothing was overwritten. Reload and try again."
            )
        audit.record_many(session, actor, entries)
    touched = {a.id: a for a, _ in versions}
    for account in touched.values():
        session.expire(account)
    fresh = {v.id: v for v in _views(session, list(touched.values()))}
    return [replace(fresh[a.id], version=version) for a, version in versions]  # type: ignore[index]
