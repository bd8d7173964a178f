"""Files named on the command line, where `-` means standard input."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: How messages and the audit name standard input.
STDIN = "standard input"


def writable(path: Path) -> None:
    """Refuse, before any work is done, a FILE to write that cannot be written there: its
    folder is missing or closed to this user, or it is a folder itself (`kam export`,
    `kam sheet --output`, `kam import --rejects`)."""
    import os

    from kam.errors import InvalidData
    from kam.services.importing.reading import file_label

    if path.is_dir():
        raise InvalidData(f"{file_label(path)} is a folder; name a file in it.")
    if not path.parent.is_dir():
        raise InvalidData(f"{file_label(path.parent)}: no such folder.")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise InvalidData(f"{file_label(path.parent)}: you may not write in this folder.")


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
