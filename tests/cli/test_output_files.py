"""Files a command writes (`kam export`, `kam sheet --output`, `kam import --rejects`) never
overwrite kam's own database or the file being read, and an existing file only with
--force: `kam sheet --output kam.db` once replaced the database with a page of Markdown."""

from __future__ import annotations

from pathlib import Path

from db.models import Customer
from kam.database import Database
from tests.cli.conftest import Kam
from tests.cli.support import count, ok, refused


def test_no_command_writes_over_the_database_itself(cli_db: Database, kam: Kam) -> None:
    live = Path(cli_db.engine.url.database or "")
    before = live.read_bytes()[:16]

    for command in (
        ("sheet", "Acme [/b] Ltd", "--output", str(live), "--force"),
        ("export", "customers", str(live), "--force"),
    ):
        message = refused(kam(*command), 1)
        assert message == f"{live} is kam's database itself; name another file."
    assert live.read_bytes()[:16] == before == b"SQLite format 3\x00"
    assert count(cli_db, Customer) == 3


def test_a_sheet_overwrites_its_output_only_with_force(
    cli_db: Database, kam: Kam, tmp_path: Path
) -> None:
    page = tmp_path / "acme.md"
    page.write_text("notes kept", encoding="utf-8")
    assert refused(kam("sheet", "Acme [/b] Ltd", "--output", str(page)), 1).endswith(
        "acme.md exists; add --force to overwrite it."
    )
    assert page.read_text(encoding="utf-8") == "notes kept"
    ok(kam("sheet", "Acme [/b] Ltd", "--output", str(page), "--force"))
    assert "Acme" in page.read_text(encoding="utf-8")


def test_rejects_are_never_written_over_the_file_being_imported(
    cli_db: Database, kam: Kam, tmp_path: Path
) -> None:
    source = tmp_path / "people.csv"
    text = "customer,name\nNobody Ltd,Kim\n"
    source.write_text(text, encoding="utf-8")
    message = refused(kam("import", "contacts", str(source), "--skip-invalid",
                          "--rejects", str(source), "--dry-run"), 1)  # fmt: skip
    assert message.endswith("people.csv is the file being read; name another file.")
    assert source.read_text(encoding="utf-8") == text
