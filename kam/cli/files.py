"""Files named on the command line, where `-` means standard input."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: How messages and the audit name standard input.
STDIN = "standard input"


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
