"""Backups and restores of the whole database (admins), and its checks (anyone: they read).

The dialect-specific work lives in `db.backup` and `db.integrity`; here are the rules: only
admins back up and restore; a backup never overwrites a file, and a restore never replaces
the database, without `force`; a restore takes only a sound kam database whose schema this
kam knows, brings it up to the newest schema, and is audited ("restored from FILE").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kam.errors import Damaged, InvalidData, NotFound, NotInitialised, RuleError, SystemProblem
from kam.rules.permissions import Action, require
from kam.services import audit

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from db.backup import Contents
    from db.enums import Door
    from kam.database import Database
    from kam.identity import Actor

#: Tables every kam database has had since its first schema: a backup without them is not
#: one of kam's.
KAM_TABLES = frozenset(
    {"alembic_version", "user_account", "customer", "key_account", "audit_event"}
)


@dataclass(frozen=True)
class BackupResult:
    """A backup written: where, how big, and which kind of file."""

    path: str
    bytes: int
    kind: str
    """"sqlite" (a SQLite database file) or "postgresql" (a pg_dump custom-format archive)."""

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class RestoreResult:
    """A restore done: from which file, into which database, at which schema revisions."""

    path: str
    kind: str
    database: str
    backup_revision: str | None
    revision: str | None
    """The schema revision after the restore (the newest: older backups are upgraded)."""
    damaged_kept: str | None = None
    """Where the damaged database file was moved (SQLite could not restore onto it)."""

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _where(database: Database) -> str:
    return database.engine.url.render_as_string(hide_password=True)


def _sqlite_file(database: Database) -> Path | None:
    """The database's file, or None on PostgreSQL."""
    from db.engine import is_sqlite

    if not is_sqlite(database.engine):
        return None
    name = database.engine.url.database or ""
    if name in ("", ":memory:") or name.startswith("file:"):
        raise InvalidData(f"{_where(database)} is not a database file kam can back up.")
    return Path(name).expanduser().resolve()


def _same_file(one: Path, other: Path | None) -> bool:
    return other is not None and one.exists() and other.exists() and one.samefile(other)


def _pg_hint(tool: str, url: URL, file: str) -> str:
    """The command an admin can run instead, with the database named (no password)."""
    from db.backup import libpq_target

    uri, _ = libpq_target(url)
    if tool == "pg_dump":
        return f"pg_dump --format=custom --file={file} '{uri}'"
    return f"pg_restore --clean --if-exists --no-owner --single-transaction --dbname='{uri}' {file}"


def backup(
    database: Database, actor: Actor, target: Path, *, force: bool = False, timeout_ms: int = 10_000
) -> BackupResult:
    """Copy the whole database into `target`: a consistent snapshot even while others write
    (SQLite: the online backup API; PostgreSQL: pg_dump's custom format). The file is
    readable by its owner only."""
    from db import backup as raw

    require(actor, Action.BACKUP)
    target = target.expanduser().resolve()
    live = _sqlite_file(database)
    if _same_file(target, live):
        raise RuleError(f"{target} is the database itself; back up to another file.")
    if not target.parent.is_dir():
        raise NotFound(f"There is no folder {target.parent} to write the backup into.")
    if target.is_dir():
        raise InvalidData(f"{target} is a folder; name the backup file.")
    if target.exists() and not force:
        raise RuleError(f"{target} already exists; add --force to overwrite it.")
    try:
        if live is not None:
            size = raw.sqlite_backup(live, target, overwrite=force, timeout_s=timeout_ms / 1000)
            return BackupResult(str(target), size, "sqlite")
        if raw.find_tool("pg_dump") is None:
            raise SystemProblem(
                "pg_dump (the PostgreSQL client tools) is not installed here; install it, or "
                f"back up with: {_pg_hint('pg_dump', database.engine.url, str(target))}"
            )
        size = raw.pg_dump(database.engine.url, target, overwrite=force)
        return BackupResult(str(target), size, "postgresql")
    except raw.BackupError as error:
        raise SystemProblem(f"The backup failed: {error}") from error


def inspect_backup(database: Database, source: Path) -> Contents:
    """What `source` holds, refusing anything but a sound kam backup of this database's kind
    whose schema this kam knows."""
    from db import backup as raw
    from db.migrate import known_revision

    if source.is_dir():
        raise InvalidData(f"{source} is a folder; name the backup file.")
    if not source.parent.is_dir():
        raise NotFound(f"There is no folder {source.parent} to read the backup from.")
    if not source.is_file():
        raise NotFound(f"There is no backup file {source}.")
    kind = raw.kind_of_file(source)
    dialect = "sqlite" if _sqlite_file(database) is not None else "postgresql"
    if kind is None:
        raise InvalidData(
            f"{source} is not a kam backup: it is neither a SQLite database nor a pg_dump archive."
        )
    if kind != dialect:
        raise InvalidData(
            f"{source} is a {kind} backup and this database is {dialect}; restore it into a "
            f"{kind} database (KAM_DATABASE_URL)."
        )
    try:
        if kind == "sqlite":
            contents = raw.sqlite_contents(source)
        elif raw.find_tool("pg_restore") is None:
            raise SystemProblem(
                "pg_restore (the PostgreSQL client tools) is not installed here; install it, "
                f"or restore with: {_pg_hint('pg_restore', database.engine.url, str(source))}"
            )
        else:
            contents = raw.pg_contents(source)
    except raw.BackupError as error:
        raise InvalidData(f"{source} is not a usable backup: {error}") from error
    if contents.problems:
        raise InvalidData(
            f"{source} fails SQLite's integrity check ({contents.problems[0]}); it cannot be "
            "restored."
        )
    missing = sorted(KAM_TABLES - contents.tables)
    if missing:
        raise InvalidData(
            f"{source} is not a kam database: it has no {', '.join(missing)} table"
            f"{'s' if len(missing) > 1 else ''}."
        )
    if contents.revision is None or not known_revision(contents.revision):
        raise InvalidData(
            f"{source} is at schema revision {contents.revision or '(none)'}, which this kam "
            "does not know (a newer kam wrote it?); upgrade kam first."
        )
    return contents


def identify_in_backup(
    database: Database, source: Path, *, door: Door, act_as: str | None = None
) -> Actor:
    """Who the user is by the users of the SQLite backup in `source`: for a restore onto a
    database file that is damaged or gone, which cannot say. On SQLite, whoever may write
    the file may write the data anyway; the restore still needs an admin."""
    from sqlalchemy import create_engine

    from db.backup import read_only_sqlite
    from kam.identity import identify

    source = source.expanduser().resolve()
    inspect_backup(database, source)
    engine = create_engine("sqlite://", creator=lambda: read_only_sqlite(source))
    try:
        with database.translated(), engine.connect() as connection:
            return identify(connection, door=door, act_as=act_as)
    finally:
        engine.dispose()


def restore(
    database: Database,
    actor: Actor,
    source: Path,
    *,
    force: bool = False,
    dry_run: bool = False,
    timeout_ms: int = 10_000,
) -> RestoreResult:
    """Replace everything in the database with the backup in `source`, upgrade it to the
    newest schema, and audit the restore in the restored database. A dry run checks the
    backup and changes nothing."""
    from db import backup as raw
    from db.migrate import current_revision, upgrade

    require(actor, Action.RESTORE)
    source = source.expanduser().resolve()
    live = _sqlite_file(database)
    if _same_file(source, live):
        raise RuleError(f"{source} is the database itself; name a backup file.")
    contents = inspect_backup(database, source)
    if dry_run:
        try:
            with database.translated():
                now = current_revision(database.engine)
        except (Damaged, NotInitialised):  # what a restore is for
            now = None
        return RestoreResult(str(source), contents.kind, _where(database), contents.revision, now)
    if not force:
        raise RuleError(
            f"Restoring replaces everything in {_where(database)} with {source}: every change "
            "made since that backup is lost. Add --force to restore it."
        )
    database.dispose()  # no pooled connection of ours holds the old database open
    kept = None
    try:
        if live is not None:
            kept = raw.sqlite_restore(source, live, timeout_s=timeout_ms / 1000)
        else:
            raw.pg_restore(database.engine.url, source)
    except raw.BackupError as error:
        raise SystemProblem(f"The restore failed: {error}") from error
    with database.translated():
        upgrade(database.engine)
    with database.writing() as session:
        audit.record(
            session,
            actor,
            entity="database",
            entity_id=None,
            customer_id=None,
            new=f"restored from {source}",
        )
    with database.translated():
        revision = current_revision(database.engine)
    return RestoreResult(
        str(source),
        contents.kind,
        _where(database),
        contents.revision,
        revision,
        str(kept) if kept else None,
    )
