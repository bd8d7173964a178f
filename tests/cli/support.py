"""Checks the CLI tests share: success, JSON, refusals with their exit codes, row counts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from typer.testing import Result


def ok(result: Result) -> Result:
    """Assert the command succeeded, showing its output if not."""
    assert result.exit_code == 0, (
        f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}\n"
        f"exception: {result.exception!r}"
    )
    return result


def parsed(result: Result) -> Any:
    """The JSON a successful `--json` command printed on stdout."""
    return json.loads(ok(result).stdout)


def listed(result: Result) -> list[Any]:
    """The rows a successful `--json` list printed, checking the list shape on the way."""
    data = parsed(result)
    assert isinstance(data, dict) and isinstance(data.get("rows"), list), data
    assert isinstance(data.get("total"), int) and data["total"] >= len(data["rows"]), data
    return data["rows"]


def refused(result: Result, exit_code: int) -> str:
    """Assert a domain refusal: the exit code, one `kam: ...` line on stderr, no traceback.

    Returns the message (without the `kam: ` prefix).
    """
    assert result.exit_code == exit_code, (
        f"expected exit {exit_code}, got {result.exit_code}\nstdout:\n{result.stdout}\n"
        f"stderr:\n{result.stderr}\nexception: {result.exception!r}"
    )
    assert isinstance(result.exception, SystemExit), f"uncaught {result.exception!r}"
    assert "Traceback" not in result.output
    lines = result.stderr.rstrip().splitlines()
    assert lines[0].startswith("kam: "), result.stderr
    # One sentence; only an import's refusal lists its first errors, each on an indented line.
    assert all(line.startswith("  ") for line in lines[1:]), f"not one message:\n{result.stderr}"
    assert result.stdout == ""
    return lines[0].removeprefix("kam: ")


def usage_error(result: Result) -> str:
    """Assert a usage error: exit 2, no traceback; returns stderr as one line of words.

    Typer draws the error in a box and wraps it to the terminal; the box and the line
    breaks are removed, so a test can look for a whole sentence.
    """
    assert result.exit_code == 2, (
        f"expected exit 2, got {result.exit_code}\nstdout:\n{result.stdout}\n"
        f"stderr:\n{result.stderr}\nexception: {result.exception!r}"
    )
    assert isinstance(result.exception, SystemExit), f"uncaught {result.exception!r}"
    assert "Traceback" not in result.output
    return " ".join(result.stderr.translate(str.maketrans("", "", "│╭╮╰╯─")).split())


def commands() -> Iterator[tuple[str, set[str]]]:
    """Every command of the app ("account list"), with its option names: the leaves, and
    the groups that run on their own too (`kam audit` lists, `kam audit verify` checks)."""
    import typer.main

    from kam.cli.main import app

    def walk(command: Any, path: tuple[str, ...]) -> Iterator[tuple[str, set[str]]]:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            if path and command.invoke_without_command and command.params:
                yield " ".join(path), {o for p in command.params for o in getattr(p, "opts", [])}
            for name, sub in subcommands.items():
                yield from walk(sub, (*path, name))
        else:
            yield " ".join(path), {o for p in command.params for o in getattr(p, "opts", [])}

    yield from walk(typer.main.get_command(app), ())


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


def count(url_or_db: Any, model: type, *where: Any) -> int:
    """How many rows of `model` (matching `where`) a database holds."""
    from sqlalchemy import func
    from sqlmodel import select

    from kam.database import Database

    database = url_or_db
    if isinstance(url_or_db, str | Path):
        from db.engine import make_engine

        database = Database(
            make_engine(url_or_db if isinstance(url_or_db, str) else sqlite_url(url_or_db))
        )
    try:
        with database.reading() as session:
            query = select(func.count()).select_from(model)
            for condition in where:
                query = query.where(condition)
            return session.exec(query).one()
    finally:
        database.dispose()
