"""Backups and restores: the dialect-specific part (SQLite's online backup API; pg_dump and
pg_restore). Nothing here knows kam's rules: `kam.services.backup` checks roles, refuses to
overwrite, and audits; a failure here is a `BackupError` with one sentence.

SQLite: `sqlite3.Connection.backup` copies the live database page by page under one read
transaction, so the copy is a consistent snapshot even while others write (copying the
file itself can give a corrupt copy). The copy is written to a private temporary file in
the target's folder (mode 0600), switched out of WAL mode so it is one self-contained file,
then moved into place. PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean
--if-exists --single-transaction` (all or nothing), found on PATH or under
/usr/lib/postgresql/*/bin; the password goes through PGPASSWORD, never the command line.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import URL

SQLITE_MAGIC = b"SQLite format 3\x00"
#: What a PostgreSQL custom-format archive begins with.
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup, restore or inspection could not be done; the message says why."""


@dataclass(frozen=True)
class Contents:
    """What a backup file holds, as far as a restore needs to know before it starts."""

    kind: str
    """"sqlite" or "postgresql" (a pg_dump custom-format archive)."""
    tables: frozenset[str]
    revision: str | None
    """The schema revision in its alembic_version table (None if unknown or absent)."""
    problems: tuple[str, ...] = ()
    """What SQLite's integrity check found (empty when the file is sound)."""


def kind_of_file(path: Path) -> str | None:
    """ "sqlite", "postgresql" or None, from the file's first bytes."""
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    return None


@contextmanager
def _private_file(target: Path) -> Iterator[Path]:
    """A new empty file (0600) beside `target`, removed unless the caller moved it away."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


def _move_into_place(temporary: Path, target: Path, *, overwrite: bool) -> None:
    """Give the finished file its name: atomically, and without overwriting unless asked."""
    if overwrite:
        os.replace(temporary, target)
        return
    try:
        os.link(temporary, target)  # fails if target exists, even if it appeared meanwhile
    except FileExistsError:
        raise BackupError(f"{target} already exists.") from None


# --- SQLite -----------------------------------------------------------------------------


def _connect(path: Path, *, timeout_s: float, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        uri = f"file:{quote(str(path.resolve()))}?mode=ro"
        return sqlite3.connect(uri, uri=True, timeout=timeout_s)
    return sqlite3.connect(path, timeout=timeout_s)


def read_only_sqlite(path: Path, *, timeout_s: float = 10.0) -> sqlite3.Connection:
    """A read-only connection to the SQLite file at `path`."""
    return _connect(path, timeout_s=timeout_s, read_only=True)


def sqlite_backup(source: Path, target: Path, *, overwrite: bool, timeout_s: float) -> int:
    """Copy the live database `source` into `target` (0600); return the copy's size."""
    if not source.is_file():
        raise BackupError(f"There is no database file at {source}.")
    with _private_file(target) as temporary:
        try:
            with (
                closing(_connect(source, timeout_s=timeout_s)) as live,
                closing(_connect(temporary, timeout_s=timeout_s)) as copy,
            ):
                live.backup(copy)  # one step: the whole snapshot under one read transaction
                copy.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.Error as error:
            raise BackupError(f"SQLite could not back up {source}: {error}.") from error
        size = temporary.stat().st_size
        _move_into_place(temporary, target, overwrite=overwrite)
    return size


def sqlite_contents(path: Path, *, timeout_s: float = 10.0) -> Contents:
    """Open a SQLite file read-only: its integrity check, tables and schema revision."""
    try:
        with closing(_connect(path, timeout_s=timeout_s, read_only=True)) as connection:
            problems = integrity_problems(connection)
            tables = frozenset(
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            )
            revision = None
            if "alembic_version" in tables:
                row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
    except sqlite3.Error as error:
        raise BackupError(f"SQLite cannot read it ({error}).") from error
    return Contents("sqlite", tables, revision, tuple(problems))


def sqlite_restore(source: Path, target: Path, *, timeout_s: float) -> Path | None:
    """Replace the database in `target` with the one in `source`, with the backup API (it
    takes the write lock, so other kam processes wait rather than see half a database).

    A `target` SQLite cannot read (damaged: truncated, its header overwritten) is instead
    moved aside, with its -wal and -shm, to `target`.damaged (returned), and a copy of
    `source` takes its place."""
    try:
        with (
            closing(_connect(source, timeout_s=timeout_s, read_only=True)) as backup,
            closing(_connect(target, timeout_s=timeout_s)) as live,
        ):
            backup.backup(live)
        return None
    except sqlite3.OperationalError as error:  # locked, busy, cannot open: not damage
        raise BackupError(f"SQLite could not restore {source} into {target}: {error}.") from error
    except sqlite3.DatabaseError:  # the target is damaged: replace the file itself
        pass
    with _private_file(target) as temporary:
        try:
            with (
                closing(_connect(source, timeout_s=timeout_s, read_only=True)) as backup,
                closing(_connect(temporary, timeout_s=timeout_s)) as copy,
            ):
                backup.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.Error as error:
            raise BackupError(f"SQLite could not copy {source}: {error}.") from error
        kept = target.with_name(f"{target.name}.damaged")
        for suffix in ("-wal", "-shm"):  # an earlier restore's: they belong to no file now
            kept.with_name(kept.name + suffix).unlink(missing_ok=True)
        for suffix in ("", "-wal", "-shm"):  # a stale -wal must not meet the new file
            damaged = target.with_name(target.name + suffix)
            if damaged.exists():
                os.replace(damaged, kept.with_name(kept.name + suffix))
        os.replace(temporary, target)
    return kept


def integrity_problems(connection: sqlite3.Connection) -> list[str]:
    """What `PRAGMA integrity_check` reports (empty when the database is sound)."""
    rows = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    return [] if rows == ["ok"] else [str(row) for row in rows]


# --- PostgreSQL -------------------------------------------------------------------------


def find_tool(name: str) -> Path | None:
    """A PostgreSQL client program on PATH, else the newest under /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return Path(found)

    def version(path: Path) -> tuple[int, ...]:
        number = path.parent.parent.name
        return tuple(int(p) for p in number.split(".") if p.isdigit())

    candidates = [p for p in Path("/usr/lib/postgresql").glob(f"*/bin/{name}") if p.is_file()]
    return max(candidates, key=version) if candidates else None


def libpq_target(url: URL) -> tuple[str, dict[str, str]]:
    """The libpq connection URI for `url` (no password in it) and the environment that
    carries the password (PGPASSWORD), so no secret appears in a process listing."""
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return uri, env


def _run(tool: Path, arguments: list[str], env: dict[str, str]) -> str:
    """Run a client program; its first error line becomes a BackupError. Returns stdout."""
    done = subprocess.run(
        [str(tool), *arguments], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        first = lines[0] if lines else f"exit status {done.returncode}"
        raise BackupError(f"{tool.name} failed: {first.removeprefix(f'{tool.name}: ')}")
    return done.stdout


def pg_dump(url: URL, target: Path, *, overwrite: bool) -> int:
    """`pg_dump --format=custom` of the database into `target` (0600); return its size."""
    tool = find_tool("pg_dump")
    if tool is None:
        raise BackupError("pg_dump is not installed")
    uri, env = libpq_target(url)
    with _private_file(target) as temporary:
        _run(tool, ["--format=custom", f"--file={temporary}", f"--dbname={uri}"], env)
        size = temporary.stat().st_size
        _move_into_place(temporary, target, overwrite=overwrite)
    return size


def pg_contents(path: Path) -> Contents:
    """The tables a pg_dump archive holds (`pg_restore --list`) and the schema revision in
    its alembic_version data."""
    tool = find_tool("pg_restore")
    if tool is None:
        raise BackupError("pg_restore is not installed")
    env = dict(os.environ)
    tables = set()
    for line in _run(tool, ["--list", str(path)], env).splitlines():
        # an entry: "215; 1259 16390 TABLE public customer postgres" (not "TABLE DATA ...")
        parts = line.split()
        if not line.startswith(";") and len(parts) >= 6 and parts[3] == "TABLE":
            if parts[4] != "DATA":
                tables.add(parts[5])
    revision = None
    if "alembic_version" in tables:
        data = _run(
            tool, ["--data-only", "--table=alembic_version", "--file=-", str(path)], env
        ).splitlines()
        copying = [i for i, line in enumerate(data) if line.startswith("COPY ")]
        if copying and copying[0] + 1 < len(data) and data[copying[0] + 1] != "\\.":
            revision = data[copying[0] + 1].strip()
    return Contents("postgresql", frozenset(tables), revision)


def pg_restore(url: URL, source: Path) -> None:
    """Replace the database's objects with the archive's, in one transaction: the tables
    the archive holds are dropped and recreated, owned by the restoring login."""
    tool = find_tool("pg_restore")
    if tool is None:
        raise BackupError("pg_restore is not installed")
    uri, env = libpq_target(url)
    arguments = ["--clean", "--if-exists", "--no-owner", "--single-transaction"]
    _run(tool, [*arguments, f"--dbname={uri}", str(source)], env)
