"""The audit trail's hash chain: its one canonical form, and the SQL that extends and reads it.

Every audit event carries `hash`, the SHA-256 (lowercase hex) of its canonical form, and
`prev_hash`, the hash of the event before it in id order (NULL for the first event). The
canonical form includes `prev_hash`, so the events form a chain: removing, changing or
reordering an event breaks a link that `kam audit verify` reports.

Canonical form, version 1: the bytes of the JSON array

    ["kam-audit-1", prev_hash, at, actor, real_actor, door, entity, entity_id, customer_id,
     field, old, new]

as Python's ``json.dumps(value, ensure_ascii=True, separators=(",", ":"))`` writes it
(pure ASCII, so its UTF-8 and ASCII bytes agree): no whitespace between tokens; None as
``null``; `entity_id` and `customer_id` as JSON integers; text as JSON strings with ``\\"``,
``\\\\``, ``\\n``, ``\\r``, ``\\t``, ``\\b``, ``\\f`` and every other character below U+0020
or above U+007E as ``\\uXXXX`` (lowercase hex; characters beyond U+FFFF as a surrogate
pair). `door` is its value (``"cli"``); `at` is the time in UTC as
``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (always six fraction digits; a time stored without a zone
is UTC), so SQLite's text and PostgreSQL's ``timestamptz`` give the same bytes. The event
id is not hashed: the chain's order is the id order, and each link names the hash before it.

Changing the form means a new version string and a migration that re-links the chain; the
migration that introduced the chain (0004) imports `link` from here.

Appending: writers compute the links in Python and insert them with the rest of their
transaction, as it commits. On PostgreSQL the chain is first locked with a transaction-level
advisory lock, so links are computed and inserted one transaction at a time, in commit
order (two writers never extend the same head); SQLite writers hold the database's write
lock already (BEGIN IMMEDIATE).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlmodel import Session

#: The first element of every canonical form: which definition the hash follows.
FORMAT = "kam-audit-1"
#: The hashed fields, in their order in the canonical form (after FORMAT and prev_hash).
CONTENT = (
    "at",
    "actor",
    "real_actor",
    "door",
    "entity",
    "entity_id",
    "customer_id",
    "field",
    "old",
    "new",
)
#: PostgreSQL advisory-lock key held while a transaction extends the chain ("kam_audt").
CHAIN_LOCK = 0x6B61_6D5F_6175_6474


def stamp(at: datetime | str | None) -> str | None:
    """The canonical text of an event's time: UTC, microseconds, `Z`.

    Text (SQLite's stored form) is parsed first; text that is not a time is returned as it
    is, so it hashes differently from any real time."""
    return None if at is None else _stamp(at)


@lru_cache(maxsize=256)  # the events of one write share their time
def _stamp(at: datetime | str) -> str:
    try:
        when = datetime.fromisoformat(at) if isinstance(at, str) else at
    except ValueError:
        return str(at)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


_JSON = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))


def canonical(prev_hash: str | None, event: Mapping[str, Any]) -> bytes:
    """The bytes an event's hash is taken over (the module's docstring defines them)."""
    door = event["door"]
    values = [FORMAT, prev_hash, stamp(event["at"]), event["actor"], event["real_actor"],
              door.value if isinstance(door, Enum) else door]  # fmt: skip
    values.extend([event[name] for name in CONTENT[4:]])
    return _JSON.encode(values).encode("ascii")


def link_hash(prev_hash: str | None, event: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the event's canonical form after `prev_hash`."""
    return hashlib.sha256(canonical(prev_hash, event)).hexdigest()


def link(events: Sequence[dict[str, Any]], head: str | None) -> str | None:
    """Chain `events` (in order) after the hash `head`: set each one's `prev_hash` and
    `hash`. Returns the new head."""
    for event in events:
        event["prev_hash"] = head
        event["hash"] = head = link_hash(head, event)
    return head


def _table() -> Table:
    from db.models import AuditEvent

    return AuditEvent.__table__  # type: ignore[attr-defined, no-any-return]


def lock(session: Session) -> None:
    """Hold the chain until this transaction ends (PostgreSQL; SQLite writers hold the
    database's write lock already)."""
    from sqlalchemy import text

    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})


@dataclass(frozen=True)
class Head:
    """The newest event of the chain."""

    id: int
    hash: str
    at: datetime


def head(session: Session) -> Head | None:
    """The event with the highest id, or None when there is none."""
    from sqlalchemy import select

    t = _table()
    row = session.execute(select(t.c.id, t.c.hash, t.c.at).order_by(t.c.id.desc()).limit(1))
    found = row.first()
    return None if found is None else Head(found.id, found.hash, found.at)


def append(session: Session, events: list[dict[str, Any]]) -> None:
    """Lock the chain, link the events after its head and insert them (one bulk insert)."""
    from sqlalchemy import insert

    if not events:
        return
    lock(session)
    newest = head(session)
    link(events, newest.hash if newest else None)
    # Core inserts in chunks; not db.bulk, whose numpy and pandas no write path should load.
    for start in range(0, len(events), 20_000):
        session.execute(insert(_table()), events[start : start + 20_000])


def count(session: Session) -> int:
    """How many events the table holds."""
    from sqlalchemy import func, select

    return int(session.execute(select(func.count()).select_from(_table())).scalar_one())


#: Events read per query while walking the chain.
PAGE = 5_000


def walk(session: Session, *, page: int = PAGE) -> Iterator[dict[str, Any]]:
    """Every event in id order, as dicts of id, prev_hash, hash and the CONTENT fields.

    `at` and `door` are read as the database holds them (SQLite's text, PostgreSQL's
    timestamp), so an event whose time was overwritten with anything is still read, and
    fails its hash instead of stopping the walk. Pages by id (keyset), never OFFSET."""
    from sqlalchemy import String, select, type_coerce

    t = _table()
    at = type_coerce(t.c.at, String) if session.get_bind().dialect.name == "sqlite" else t.c.at
    door = type_coerce(t.c.door, String).label("door")
    columns = [t.c.id, t.c.prev_hash, t.c.hash, at.label("at"), door]
    columns += [t.c[name] for name in CONTENT if name not in ("at", "door")]
    names = [c.name for c in columns]
    query = select(*columns).order_by(t.c.id).limit(page)
    after: int | None = None
    while True:
        bounded = query if after is None else query.where(t.c.id > after)
        rows = session.execute(bounded).all()
        for row in rows:
            yield dict(zip(names, row, strict=True))
        if len(rows) < page:
            return
        after = rows[-1][0]
