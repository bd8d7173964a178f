"""Fixtures of the CLI tier: a runner that invokes `kam`, and an empty database file."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from kam.cli.main import app
from tests.cli.support import sqlite_url

Kam = Callable[..., Result]


@pytest.fixture
def kam() -> Kam:
    """Run `kam ARGS...` in-process; `as_user` sets KAM_USER, `env` adds variables, `input`
    is standard input."""
    runner = CliRunner()

    def run(
        *args: str,
        as_user: str | None = None,
        env: Mapping[str, str] | None = None,
        input: str | bytes | None = None,
    ) -> Result:
        overrides: dict[str, str | None] = dict(env or {})
        if as_user is not None:
            overrides["KAM_USER"] = as_user
        return runner.invoke(app, list(args), env=overrides, prog_name="kam", input=input)

    return run


@pytest.fixture
def empty_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty SQLite file (no schema, no users) that the CLI will use."""
    path = tmp_path / "fresh" / "kam.db"
    path.parent.mkdir()
    path.touch()
    monkeypatch.setenv("KAM_DATABASE_URL", sqlite_url(path))
    monkeypatch.delenv("KAM_USER", raising=False)
    return path
