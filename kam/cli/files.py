"""Files named on the command line, where `-` means standard input."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: How messages and the audit name standard input.
STDIN = "standard input"


def writable(path: Path, *, force: bool = True, read: Path | None = None) -> None:
    """Refuse, before any work is done, a FILE to write that cannot be written there: its
    folder is missing or closed to this user, or it is a folder itself (`kam export`,
    `kam sheet --output`, `kam import --rejects`); or it is kam's own database, or the
    file being `read`, or (without `force`) a file that exists."""
    import os

    from kam.errors import InvalidData
    from kam.services.importing.reading import file_label

    if path.is_dir():
        raise InvalidData(f"{file_label(path)} is a folder; name a file in it.")
    if path.exists():
        database = _database_file()
        if database is not None and _same(path, database):
            raise InvalidData(f"{file_label(path)} is kam's database itself; name another file.")
        if read is not None and _same(path, read):
            raise InvalidData(f"{file_label(path)} is the file being read; name another file.")
        if not force:
            raise InvalidData(f"{file_label(path)} exists; add --force to overwrite it.")
    if not path.parent.is_dir():
        raise InvalidData(f"{file_label(path.parent)}: no such folder.")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise InvalidData(f"{file_label(path.parent)}: you may not write in this folder.")


def _database_file() -> Path | None:
    """The SQLite file kam works on (KAM_DATABASE_URL or the default), or None."""
    from sqlalchemy.engine import make_url

    from kam.settings import Settings

    url = make_url(Settings.from_env().database_url)
    name = url.database or ""
    if url.get_backend_name() != "sqlite" or name in ("", ":memory:") or name.startswith("file:"):
        return None
    return Path(name).expanduser()


def _same(one: Path, other: Path) -> bool:
    """Whether two paths name one file, or a file and its SQLite journal (-wal, -shm)."""
    try:
        if not other.exists():
            return False
        if one.samefile(other):
            return True
    except OSError:
        return False
    return one.resolve().name in (
        f"{other.resolve().name}-wal",
        f"{other.resolve().name}-shm",
    ) and (one.resolve().parent == other.resolve().parent)


def cannot_write(path: Path, error: OSError) -> Exception:
    """The refusal of a FILE the system would not let kam write (no permission, disk full)."""
    from kam.errors import SystemProblem
    from kam.services.importing.reading import file_label

    return SystemProblem(f"{file_label(path)}: cannot be written ({error.strerror or error}).")


@contextmanager
def readable(path: Path) -> Iterator[tuple[Path, str | None]]:
    """The file to read and the name to show for it: FILE itself (name None: its own), or, for
    `-`, standard input copied into a temporary file (readers check a file's size and first
    bytes before reading it) that is removed afterwards."""
    import os
    import shutil
    import sys
    import tempfile

    if str(path) != "-":
        yield path, None
        return
    handle, name = tempfile.mkstemp(prefix="kam-stdin-")
    copy = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            shutil.copyfileobj(sys.stdin.buffer, out)
        yield copy, STDIN
    finally:
        copy.unlink(missing_ok=True)
