"""`kam db backup | restore | check`: what they print, and how they refuse (one line)."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from db.migrate import head_revision
from db.models import Customer
from kam.database import Database
from tests.cli.conftest import Kam
from tests.cli.support import count, ok, parsed, refused


def test_backup_prints_what_it_wrote_and_refuses_to_overwrite(
    kam: Kam, cli_db: Database, tmp_path: Path
) -> None:
    target = tmp_path / "kam-backup.db"

    written = parsed(kam("db", "backup", str(target), "--json"))

    assert written == {"path": str(target), "bytes": target.stat().st_size, "kind": "sqlite"}
    message = refused(kam("db", "backup", str(target)), 1)
    assert message == f"{target} already exists; add --force to overwrite it."
    assert "Backed up to" in ok(kam("db", "backup", str(target), "--force")).stderr


def test_restore_refuses_without_force_then_restores_and_audits(
    kam: Kam, cli_db: Database, tmp_path: Path
) -> None:
    saved = tmp_path / "saved.db"
    ok(kam("db", "backup", str(saved)))
    ok(kam("customer", "add", "After The Backup"))

    message = refused(kam("db", "restore", str(saved)), 1)
    assert "replaces everything" in message and "--force" in message
    assert "Dry run" in ok(kam("db", "restore", str(saved), "--dry-run")).stderr
    assert count(cli_db, Customer) == 4
    done = parsed(kam("db", "restore", str(saved), "--force", "--json"))

    assert done["path"] == str(saved) and done["kind"] == "sqlite"
    assert count(cli_db, Customer) == 3
    (event,) = parsed(kam("audit", "--entity", "database", "--json"))["rows"]
    assert event["new"] == f"restored from {saved}"


def test_restore_refuses_a_file_that_is_not_a_kam_database_in_one_line(
    kam: Kam, cli_db: Database, tmp_path: Path
) -> None:
    text = tmp_path / "customers.csv"
    text.write_text("name\nAcme\n")
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")

    assert "is not a kam backup" in refused(kam("db", "restore", str(text), "--force"), 1)
    assert "is not a kam database" in refused(kam("db", "restore", str(other), "--force"), 1)
    assert "no backup file" in refused(kam("db", "restore", str(tmp_path / "nope")), 1)
    assert refused(kam("db", "restore", str(text / "x.db")), 1) == (
        f"There is no folder {text} to read the backup from."
    )
    assert refused(kam("db", "restore", str(tmp_path), "--force"), 1) == (
        f"{tmp_path} is a folder; name the backup file."
    )


def test_backup_and_restore_are_for_admins(kam: Kam, cli_db: Database, tmp_path: Path) -> None:
    saved = tmp_path / "saved.db"
    ok(kam("db", "backup", str(saved)))

    assert "Only admins" in refused(kam("db", "backup", str(tmp_path / "x.db"), as_user="val"), 1)
    assert "Only admins" in refused(kam("db", "restore", str(saved), "--force", as_user="mia"), 1)


def test_check_lists_every_check_and_exits_1_listing_each_failure(
    kam: Kam, cli_db: Database
) -> None:
    report = parsed(kam("db", "check", "--json", as_user="val"))  # anyone may check
    assert report["ok"] is True
    assert [c["name"] for c in report["checks"]] == [
        "connection", "schema", "integrity", "foreign keys", "audit chain",
    ]  # fmt: skip
    assert "foreign keys" in ok(kam("db", "check")).stdout

    with closing(sqlite3.connect(str(cli_db.engine.url.database))) as connection:
        connection.execute("UPDATE key_account SET sponsor_id = 999 WHERE sponsor_id IS NOT NULL")
        connection.execute("UPDATE alembic_version SET version_num = '0002'")
        connection.commit()
    result = kam("db", "check")

    assert result.exit_code == 1 and "Traceback" not in result.output
    first, *failures = result.stderr.rstrip().splitlines()
    assert first == "kam: 2 of 5 checks failed:"
    assert failures == [
        f"  schema: at 0002, this kam's newest is {head_revision()}: run `kam db upgrade`",
        "  foreign keys: rows refer to rows that do not exist "
        "(1 key_account row refers to user_account rows that do not exist)",
    ]


def _damage(path: Path, how: str) -> None:
    """Damage the database file as a disk or a stray copy would."""
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    if how == "header":
        with path.open("r+b") as handle:
            handle.write(b"garbage" * 100)
    elif how == "truncated":
        os.truncate(path, path.stat().st_size // 2 + 17)
    else:
        path.unlink()


@pytest.mark.parametrize("how", ["header", "truncated", "deleted"])
def test_restore_replaces_a_damaged_or_lost_database_file(
    kam: Kam, cli_db: Database, tmp_path: Path, how: str
) -> None:
    saved = tmp_path / "saved.db"
    ok(kam("db", "backup", str(saved)))
    ok(kam("customer", "add", "After The Backup"))
    live = Path(str(cli_db.engine.url.database))
    cli_db.dispose()
    _damage(live, how)
    if how != "deleted":
        assert "is damaged" in refused(kam("customer", "list"), 1)

    assert "Only admins" in refused(kam("db", "restore", str(saved), "--force", as_user="mia"), 1)
    assert "Dry run" in ok(kam("db", "restore", str(saved), "--dry-run")).stderr
    done = parsed(kam("db", "restore", str(saved), "--force", "--json"))

    kept = f"{live}.damaged" if how != "deleted" else None
    assert done["path"] == str(saved) and done["damaged_kept"] == kept
    assert parsed(kam("db", "check", "--json"))["ok"] is True
    assert count(cli_db, Customer) == 3
    (event,) = parsed(kam("audit", "--entity", "database", "--json"))["rows"]
    assert event["new"] == f"restored from {saved}"


def test_restore_onto_a_damaged_file_still_refuses_a_damaged_backup(
    kam: Kam, cli_db: Database, tmp_path: Path
) -> None:
    saved = tmp_path / "saved.db"
    ok(kam("db", "backup", str(saved)))
    live = Path(str(cli_db.engine.url.database))
    cli_db.dispose()
    _damage(live, "header")
    with saved.open("r+b") as handle:  # its header sound, a page in the middle overwritten
        handle.seek(4096 * 3)
        handle.write(b"\xde\xad" * 2048)

    message = refused(kam("db", "restore", str(saved), "--force"), 1)

    assert message.startswith(f"{saved} ") and "restored" not in message.split(";")[0]
    assert live.read_bytes().startswith(b"garbage")  # nothing was replaced
