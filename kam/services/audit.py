"""The audit trail: every change writes an AuditEvent; events are never changed.

Events are hash-chained (db.auditlog holds the canonical form and the chain's SQL): each
carries a hash over its content and the hash of the event before it, so `verify_chain`
finds an event removed, changed or reordered after it was written. The events a
transaction records are linked and inserted as it commits (one bulk insert, under the
chain's lock on PostgreSQL), so the chain's order is the commit order, and the lock is
held only while the transaction commits. Until then they are not in the table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from kam.errors import InvalidData
from kam.text import clean_text
from kam.views import AuditView, ChainHeadView, ChainView

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import SessionTransaction
    from sqlmodel import Session

    from kam.identity import Actor


def as_text(value: Any) -> str | None:
    """How a value is written into the audit trail."""
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _detail(value: Any, *, multiline: bool) -> str | None:
    """A detail as stored (and hashed): as text, cleaned of control characters and bidi
    marks (file names, column names and cell values reach the trail from imports)."""
    text = as_text(value)
    return None if text is None else clean_text(text, multiline=multiline)


@dataclass(frozen=True)
class Entry:
    """One event for `record_many`: what changed, on which record."""

    entity: str
    entity_id: int | None
    customer_id: int | None
    field: str | None = None
    old: Any = None
    new: Any = None


def _event(actor: Actor, at: datetime, entry: Entry) -> dict[str, Any]:
    """The row of one event (without its links, which are added as it is written)."""
    return {
        "at": at,
        "actor": actor.login,
        "real_actor": actor.real_login,
        "door": as_text(actor.door),
        "entity": _detail(entry.entity, multiline=False),
        "entity_id": entry.entity_id,
        "customer_id": entry.customer_id,
        "field": _detail(entry.field, multiline=False),
        "old": _detail(entry.old, multiline=True),
        "new": _detail(entry.new, multiline=True),
    }


def record(
    session: Session,
    actor: Actor,
    *,
    entity: str,
    entity_id: int | None,
    customer_id: int | None,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
) -> None:
    """Record one audit event in the caller's transaction (written as it commits)."""
    record_many(session, actor, [Entry(entity, entity_id, customer_id, field, old, new)])


def record_many(session: Session, actor: Actor, entries: Iterable[Entry]) -> int:
    """Record many audit events at once (imports, batches) in the caller's transaction:
    as it commits they are chained in Python and written with one bulk insert, after the
    events recorded before them. Returns how many were recorded."""
    from db.models import utcnow

    now = utcnow()
    events = [_event(actor, now, e) for e in entries]
    if events:
        _pending(session).extend(events)
    return len(events)


_PENDING = "kam.audit.pending"
_LISTENING = "kam.audit.listening"


def _pending(session: Session) -> list[dict[str, Any]]:
    """The events this session's transaction has recorded and not yet written."""
    if not session.in_transaction():
        session.begin()  # so that its end, however it ends, is seen (_forget_pending)
    if not session.info.get(_LISTENING):
        from sqlalchemy import event

        event.listen(session, "before_commit", _write_pending)
        event.listen(session, "after_transaction_end", _forget_pending)
        session.info[_LISTENING] = True
    pending: list[dict[str, Any]] = session.info.setdefault(_PENDING, [])
    return pending


def _write_pending(session: Session) -> None:
    """As the transaction commits: its other changes first (they may still wait for row
    locks), then its events, linked to the chain's head under the chain's lock."""
    from db import auditlog

    if session.in_nested_transaction():
        return  # a savepoint: the events go with the whole transaction
    events = session.info.pop(_PENDING, None)
    if events:
        session.flush()
        auditlog.append(session, events)


def _forget_pending(session: Session, transaction: SessionTransaction) -> None:
    """A transaction that ends without committing (a rollback, a dry run) writes nothing."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def record_created(
    session: Session,
    actor: Actor,
    *,
    entity: str,
    entity_id: int | None,
    customer_id: int | None,
    values: dict[str, Any],
) -> None:
    """Write the creation of a record, with its initial values as JSON."""
    shown = {k: as_text(v) for k, v in values.items() if v not in (None, "")}
    record(
        session,
        actor,
        entity=entity,
        entity_id=entity_id,
        customer_id=customer_id,
        field="(created)",
        new=json.dumps(shown, ensure_ascii=False, sort_keys=True),
    )


def apply_changes(
    session: Session,
    actor: Actor,
    row: Any,
    changes: dict[str, Any],
    *,
    entity: str,
    customer_id: int | None,
    shown: Callable[[str, Any], tuple[str, Any]] | None = None,
) -> dict[str, tuple[Any, Any]]:
    """Set the changed fields on `row`, audit each one, and return {field: (old, new)}.

    `shown(field, value)` may rename a field and its values for the trail (ids to logins).
    """
    changed: dict[str, tuple[Any, Any]] = {}
    for field, new in changes.items():
        old = getattr(row, field)
        if old == new:
            continue
        setattr(row, field, new)
        changed[field] = (old, new)
        name, old_shown, new_shown = field, old, new
        if shown is not None:
            name, old_shown = shown(field, old)
            _, new_shown = shown(field, new)
        record(
            session,
            actor,
            entity=entity,
            entity_id=row.id,
            customer_id=customer_id,
            field=name,
            old=old_shown,
            new=new_shown,
        )
    return changed


def _event_filters(customer_id: int | None, entity: str | None) -> list[ColumnElement[bool]]:
    """The WHERE conditions of an audit search, shared by the list and its count."""
    from sqlmodel import col

    from db.models import AuditEvent

    conditions: list[ColumnElement[bool]] = []
    if customer_id is not None:
        conditions.append(col(AuditEvent.customer_id) == customer_id)
    if entity is not None:
        conditions.append(col(AuditEvent.entity) == entity)
    return conditions


def list_events(
    session: Session,
    *,
    customer_id: int | None = None,
    entity: str | None = None,
    limit: int | None = 200,
) -> list[AuditView]:
    """The newest audit events first, optionally for one customer's records or one entity."""
    from sqlmodel import col, select

    from db.models import AuditEvent, Customer

    query = (
        select(AuditEvent, Customer.name)
        .join(Customer, col(Customer.id) == AuditEvent.customer_id, isouter=True)
        .where(*_event_filters(customer_id, entity))
        .order_by(col(AuditEvent.id).desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        AuditView(
            id=e.id or 0,
            at=e.at,
            actor=e.actor,
            real_actor=e.real_actor,
            door=e.door.value,
            entity=e.entity,
            entity_id=e.entity_id,
            customer=name,
            field=e.field,
            old=e.old,
            new=e.new,
        )
        for e, name in session.exec(query).all()
    ]


def newest_event(session: Session) -> int:
    """The id of the newest audit event of all (0 when there is none): read before the
    records a screen shows, it is what an edit form of theirs saw (refuse_if_changed)."""
    from sqlalchemy import func
    from sqlmodel import select

    from db.models import AuditEvent

    return session.exec(select(func.max(AuditEvent.id))).one() or 0


def newest_event_of(
    session: Session, entity: str, entity_id: int | None, *, field: str | None = None
) -> int:
    """The id of the newest audit event about one record (0 when there is none); with
    `field`, about that field of it (a programme setting: entity_id None, field its key)."""
    from sqlalchemy import func
    from sqlmodel import select

    from db.models import AuditEvent

    query = select(func.max(AuditEvent.id)).where(
        AuditEvent.entity == entity, AuditEvent.entity_id == entity_id
    )
    if field is not None:
        query = query.where(AuditEvent.field == field)
    return session.exec(query).one() or 0


def refuse_if_changed(
    session: Session, entity: str, entity_id: int | None, seen: int, *, field: str | None = None
) -> None:
    """Refuse (ConflictError) when the record (its `field`, if given) was changed after
    audit event `seen`: the message names who changed which fields, and when."""
    from sqlmodel import col, select

    from db.models import AuditEvent
    from kam.errors import ConflictError

    query = (
        select(AuditEvent)
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
        .where(col(AuditEvent.id) > seen)
        .order_by(col(AuditEvent.id))
    )
    if field is not None:
        query = query.where(AuditEvent.field == field)
    events = session.exec(query).all()
    if not events:
        return
    who = ", ".join(dict.fromkeys(e.actor for e in events))
    fields = ", ".join(dict.fromkeys(e.field for e in events if e.field)) or "it"
    when = events[-1].at.strftime("%Y-%m-%d %H:%M UTC")
    raise ConflictError(
        f"{who} changed this {entity.replace('_', ' ')} ({fields}) at {when}, after you "
        "opened it; nothing was overwritten. Your entries are still in the form: save again "
        "to replace their change, or Escape and reload."
    )


def count_events(
    session: Session, *, customer_id: int | None = None, entity: str | None = None
) -> int:
    """How many audit events `list_events` finds with these filters, before any limit."""
    from sqlalchemy import func
    from sqlmodel import select

    from db.models import AuditEvent

    query = select(func.count()).select_from(AuditEvent)
    return session.exec(query.where(*_event_filters(customer_id, entity))).one()


def chain_head(session: Session) -> ChainHeadView:
    """The newest event of the audit chain, to keep outside the database as an anchor."""
    from db import auditlog

    newest = auditlog.head(session)
    events = auditlog.count(session)
    if newest is None:
        return ChainHeadView(id=None, hash=None, at=None, events=events)
    return ChainHeadView(id=newest.id, hash=newest.hash, at=newest.at, events=events)


_ANCHOR = re.compile(r"[0-9a-f]{64}")


def anchor_of(text: str) -> str:
    """An anchor as `verify_chain` takes it: the 64 hex digits of a hash `chain_head` gave."""
    anchor = text.strip().lower()
    if not _ANCHOR.fullmatch(anchor):
        raise InvalidData(
            f"'{text}' is not an anchor: give the 64 hex digits `kam audit anchor` printed."
        )
    return anchor


def verify_chain(session: Session, anchor: str | None = None) -> ChainView:
    """Walk the audit chain in id order and report the first broken link: an event whose
    content no longer matches its hash (changed), or that does not follow the event before
    it (an event removed, or events reordered). With `anchor` (a hash kept outside the
    database), the chain must also still hold it: a tail cut off, or a chain rebuilt from
    some event on, no longer does."""
    from db import auditlog

    wanted = anchor_of(anchor) if anchor is not None else None
    checked = 0
    last: dict[str, Any] | None = None
    anchor_id: int | None = None

    def report(broken_at: int | None, problem: str | None) -> ChainView:
        return ChainView(
            events=checked,
            intact=problem is None,
            head_id=last["id"] if last else None,
            head_hash=last["hash"] if last else None,
            broken_at=broken_at,
            problem=problem,
            anchor=wanted,
            anchor_id=anchor_id,
        )

    for event in auditlog.walk(session):
        problem = _broken_link(event, last)
        if problem is not None:
            return report(event["id"], problem)
        checked += 1
        last = event
        if event["hash"] == wanted:
            anchor_id = event["id"]
    if wanted is not None and anchor_id is None:
        return report(
            None,
            f"the anchor {wanted} is not in the chain: events after it were removed, or the "
            "chain was rebuilt",
        )
    return report(None, None)


def _broken_link(event: dict[str, Any], before: dict[str, Any] | None) -> str | None:
    """What is wrong with `event` as the link after `before` (None: nothing)."""
    from db.auditlog import link_hash

    number = event["id"]
    if event["hash"] != link_hash(event["prev_hash"], event):
        return f"event {number} does not match its hash: it was changed after it was written"
    expected = before["hash"] if before else None
    if event["prev_hash"] == expected:
        return None
    if before is None:
        return f"event {number} is the first but follows another: the events before it were removed"
    if event["prev_hash"] is None:
        return f"event {number} starts a new chain after event {before['id']}"
    return (
        f"event {number} does not follow event {before['id']}: an event between them was "
        "removed, or events were reordered"
    )
