"""`kam db check`: the database's health as a list of checks, each ok, failed or skipped.

Any user may run it: it only reads, and reports no data. The checks, in order:

- connection: the database answers;
- schema: its revision is this kam's newest (else `kam db upgrade`);
- integrity: SQLite's `PRAGMA integrity_check` (PostgreSQL checks its own pages: skipped);
- foreign keys: no row refers to a row that does not exist;
- audit chain: `kam.services.audit.verify_chain(session)` (the tamper-evident chain over
  the audit trail; `kam audit verify --anchor` also checks a kept head).

When the connection fails, the rest are skipped. A check that raises a domain error fails
with its sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from kam.errors import KamError
from kam.services import audit

if TYPE_CHECKING:
    from kam.database import Database


class Status(StrEnum):
    """How a check came out."""

    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Check:
    """One check's result: a sentence, and the problems it found (one line each)."""

    name: str
    status: Status
    detail: str
    problems: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "status": self.status.value,
            "detail": self.detail,
            "problems": list(self.problems),
        }


@dataclass(frozen=True)
class CheckReport:
    """Every check's result, for one database."""

    database: str
    checks: list[Check] = field(default_factory=list)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.status == Status.FAILED]

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, object]:
        return {
            "database": self.database,
            "ok": self.ok,
            "checks": [c.to_dict() for c in self.checks],
        }


def _connection(database: Database) -> Check:
    from db.integrity import ping

    with database.translated(), database.engine.connect() as connection:
        ping(connection)
    return Check("connection", Status.OK, "the database answers")


def _schema(database: Database) -> Check:
    from db.migrate import current_revision, head_revision

    with database.translated():
        revision = current_revision(database.engine)
    head = head_revision()
    if revision is None:
        return Check("schema", Status.FAILED, "no kam schema: run `kam init`")
    if revision != head:
        detail = f"at {revision}, this kam's newest is {head}: run `kam db upgrade`"
        return Check("schema", Status.FAILED, detail)
    return Check("schema", Status.OK, f"at {head}, the newest")


def _integrity(database: Database) -> Check:
    from db.engine import is_sqlite
    from db.integrity import sqlite_integrity_problems

    if not is_sqlite(database.engine):
        return Check("integrity", Status.SKIPPED, "PostgreSQL checks its own pages")
    with database.translated(), database.engine.connect() as connection:
        problems = sqlite_integrity_problems(connection)
    if problems:
        return Check("integrity", Status.FAILED, "SQLite's integrity check failed", tuple(problems))
    return Check("integrity", Status.OK, "SQLite's integrity check passed")


def _foreign_keys(database: Database) -> Check:
    from db.integrity import foreign_key_problems

    with database.translated(), database.engine.connect() as connection:
        problems = foreign_key_problems(connection)
    if problems:
        return Check(
            "foreign keys", Status.FAILED, "rows refer to rows that do not exist", tuple(problems)
        )
    return Check("foreign keys", Status.OK, "every reference points at a row")


def _audit_chain(database: Database) -> Check:
    with database.reading() as session:
        chain = audit.verify_chain(session)
    if chain.intact:
        return Check(
            "audit chain",
            Status.OK,
            f"{chain.events:,} events, each linked to the one before; head {chain.head_hash}",
        )
    where = f"event {chain.broken_at}: " if chain.broken_at is not None else ""
    return Check("audit chain", Status.FAILED, f"{where}{chain.problem}")


#: The checks after the connection, in order.
STEPS: list[tuple[str, Callable[[Database], Check]]] = [
    ("schema", _schema),
    ("integrity", _integrity),
    ("foreign keys", _foreign_keys),
    ("audit chain", _audit_chain),
]


def _run(name: str, step: Callable[[Database], Check], database: Database) -> Check:
    """A step's result; a domain error it raises, or a driver error (a damaged file), fails
    it with its sentence."""
    from sqlalchemy.exc import DBAPIError

    try:
        return step(database)
    except KamError as error:
        return Check(name, Status.FAILED, str(error))
    except DBAPIError as error:
        first = str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else ""
        return Check(name, Status.FAILED, f"the database failed: {first or type(error).__name__}")


def check(database: Database) -> CheckReport:
    """Run every check on the database (reads only)."""
    where = database.engine.url.render_as_string(hide_password=True)
    first = _run("connection", _connection, database)
    report = CheckReport(where, [first])
    for name, step in STEPS:
        if first.status == Status.FAILED:
            report.checks.append(Check(name, Status.SKIPPED, "no connection"))
        else:
            report.checks.append(_run(name, step, database))
    return report
