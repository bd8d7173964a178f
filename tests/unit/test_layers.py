"""The house rules, checked: imports run one way (import-linter's contracts in
pyproject.toml), no SQL text outside db/, no status literal outside the lifecycle module."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from db.enums import AccountStatus, ComplaintStatus

ROOT = Path(__file__).resolve().parents[2]
SQL_WORDS = ("SELECT ", "INSERT ", "UPDATE ", "DELETE ", "PRAGMA ", "CREATE ", "DROP ", "ALTER ")
#: Status words that are also the names of other things (the vetting area).
NOT_STATUSES = {("screens", "vetting"), ("kam/cli/main.py", "vetting")}


def _strings(path: Path) -> list[tuple[int, str]]:
    """Every string constant of a module except docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def _sources(*folders: str) -> list[Path]:
    return [p for folder in folders for p in sorted((ROOT / folder).rglob("*.py"))]


def test_imports_run_one_way() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command; "
         "lint_imports_command()"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_sql_text_outside_db() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text[:50]!r}"
        for path in _sources("kam", "screens")
        for line, text in _strings(path)
        if text.lstrip().upper().startswith(SQL_WORDS)
    ]
    assert found == []


def test_no_status_literal_outside_the_lifecycle() -> None:
    statuses = {s.value for s in AccountStatus} | {s.value for s in ComplaintStatus}
    lifecycle = ROOT / "kam" / "rules" / "lifecycle.py"
    found = []
    for path in _sources("kam", "screens"):
        if path == lifecycle:
            continue
        where = str(path.relative_to(ROOT))
        for line, text in _strings(path):
            allowed = any(
                where.startswith(prefix) and text == word for prefix, word in NOT_STATUSES
            )
            if text in statuses and not allowed:
                found.append(f"{where}:{line}: {text!r}")
    assert found == []
