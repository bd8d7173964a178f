"""Scripts stay fast: the CLI never imports pandas (metrics) or textual (the TUI) to do its job.

Each case runs `kam` in a fresh interpreter, so modules imported by other tests do not count.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kam.database import Database

HEAVY = ("pandas", "textual")

# kam's main ends the process itself once the command is done, running the exit handlers
# first: the modules are written by one.
WRAPPER = """
import atexit, json, sys
modules_file, *args = sys.argv[1:]
sys.argv = ["kam", *args]

@atexit.register
def written():
    with open(modules_file, "w") as out:
        json.dump(sorted(sys.modules), out)

from kam.cli.main import main
main()
"""


def run_kam(tmp_path: Path, *args: str) -> tuple[int, list[str], str]:
    """Run `kam ARGS` in a new interpreter: its exit code, the modules it loaded, its stdout."""
    modules_file = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, str(modules_file), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert modules_file.exists(), f"the wrapper did not finish:\n{done.stderr}"
    return done.returncode, json.loads(modules_file.read_text(encoding="utf-8")), done.stdout


def heavy_modules(modules: list[str]) -> list[str]:
    """The loaded modules that belong to a heavy package."""
    return [m for m in modules if m.split(".")[0] in HEAVY]


def test_kam_help_imports_neither_pandas_nor_textual(tmp_path: Path) -> None:
    exit_code, modules, stdout = run_kam(tmp_path, "--help")

    assert exit_code == 0
    assert "account" in stdout
    assert "kam.cli.main" in modules  # the wrapper really ran the app
    assert heavy_modules(modules) == []
    # The nouns are listed by their summaries: none of their modules is built.
    assert [m for m in modules if m.startswith("kam.cli.") and m != "kam.cli.main"] == []


def test_listing_accounts_as_json_imports_neither_pandas_nor_textual(
    cli_db: Database, tmp_path: Path
) -> None:
    exit_code, modules, stdout = run_kam(tmp_path, "account", "list", "--json")

    assert exit_code == 0
    assert [a["customer"] for a in json.loads(stdout)["rows"]] == ["Acme [/b] Ltd", "北京燕京啤酒"]
    assert "kam.services.accounts" in modules  # the command really ran
    assert heavy_modules(modules) == []


#: What listing accounts does without: SQLModel, pydantic and the ORM (the read is on
#: SQLAlchemy Core alone), the figures' and the TUI's libraries, and PostgreSQL's dialect
#: on SQLite.
NOT_FOR_A_LIST = ("sqlmodel", "pydantic", "pydantic_core", "pandas", "textual")
NOT_FOR_A_LIST_BELOW = ("sqlalchemy.orm", "sqlalchemy.dialects.postgresql")


@pytest.mark.parametrize("args", [("--json",), ("--csv", "--all"), ()], ids=str)
def test_listing_accounts_reads_on_sqlalchemy_core_alone(
    cli_db: Database, tmp_path: Path, args: tuple[str, ...]
) -> None:
    exit_code, modules, stdout = run_kam(tmp_path, "account", "list", *args)

    assert exit_code == 0
    assert "Acme [/b] Ltd" in stdout
    assert "db.reads" in modules  # the command really ran, on the light handles
    loaded = [
        m
        for m in modules
        if m.split(".")[0] in NOT_FOR_A_LIST
        or any(m == below or m.startswith(f"{below}.") for below in NOT_FOR_A_LIST_BELOW)
    ]
    assert loaded == []


def test_the_pareto_report_imports_neither_pandas_nor_textual(
    cli_db: Database, tmp_path: Path
) -> None:
    """The database ranks the profits; the report is one pass over its rows."""
    exit_code, modules, stdout = run_kam(tmp_path, "metrics", "pareto", "--json")

    assert exit_code == 0
    assert json.loads(stdout)["report"] == "pareto"
    assert "kam.figures.headline" in modules
    assert heavy_modules(modules) == []


def test_writes_import_neither_pandas_nor_numpy(cli_db: Database, tmp_path: Path) -> None:
    """Every write records audit events: that path must not load the figures' libraries
    (it did once, through the bulk-insert helper, and held the write lock while it did)."""
    for args in (
        ("account", "update", "Acme [/b] Ltd", "--reason", "Q3 plan"),
        ("contact", "add", "Acme [/b] Ltd", "Kim Park", "--role", "decision_maker"),
        ("plan", "goal", "add", "Acme [/b] Ltd", "Grow share"),
    ):
        exit_code, modules, _stdout = run_kam(tmp_path, *args)
        assert exit_code == 0, args
        assert "kam.services.audit" in modules  # the write really ran
        assert [m for m in modules if m.split(".")[0] in (*HEAVY, "numpy")] == [], args


def test_a_command_line_loads_only_the_noun_it_names(cli_db: Database, tmp_path: Path) -> None:
    from kam.cli.main import COMMANDS, NOUNS

    exit_code, modules, _stdout = run_kam(tmp_path, "account", "list", "--json")
    assert exit_code == 0
    others = {module for noun, (module, _) in {**NOUNS, **COMMANDS}.items()} - {"kam.cli.account"}
    assert "kam.cli.account" in modules
    assert sorted(others & set(modules)) == []


@pytest.mark.parametrize(("args", "code"), [(("--help",), 0), ((), 2)])
def test_help_lists_every_noun_and_command(tmp_path: Path, args: tuple[str], code: int) -> None:
    """`kam --help`, and `kam` alone without a terminal, show every command."""
    from kam.cli.main import COMMANDS, NOUNS, OWN

    exit_code, _modules, stdout = run_kam(tmp_path, *args)
    assert exit_code == code
    # Plain help (stdout is not a terminal) lists "  name  help"; Rich's "│ name  help".
    listed = {line.split()[1] if line.startswith("│ ") else line.split()[0]
              for line in stdout.splitlines() if line.startswith(("│ ", "  ")) and line.strip()}  # fmt: skip
    assert {*NOUNS, *COMMANDS, *OWN} <= listed
