"""`kam sheet`: the one-page account sheet in Markdown and HTML, untrusted text escaped."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from kam.database import Database
from tests.cli.conftest import Kam
from tests.cli.support import ok, refused
from tests.support import add_small_base

ACME = "Acme [/b] Ltd"

#: The story happens on this day, whatever the real date.
pytestmark = pytest.mark.today("2026-06-30")


@pytest.fixture
def base(cli_db: Database, kam: Kam) -> Database:
    add_small_base(cli_db)
    ok(kam("account", "update", ACME, "--retention", "0.5"))
    ok(kam("sponsor", "visit", ACME, "--date", "2026-05-01", "--notes", "Roadmap", as_user="eve"))
    with cli_db.engine.begin() as conn:  # hostile text in the records the sheet shows
        conn.execute(
            text(
                "INSERT INTO commitment (customer_id, description, department, due_on, status, created_at) "
                "VALUES (1, '<script>alert(1)</script> | **ship** [link](http://x)', 'sales', '2026-06-01', 'open', '2026-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO complaint (customer_id, summary, severity, status, recorded_on, resolution, created_at) "
                "VALUES (1, 'Late <b>pallets</b>', 'high', 'handled', '2026-06-10', '', '2026-01-01 00:00:00')"
            )
        )
    return cli_db


def test_the_markdown_sheet_has_who_worth_standing_and_what_is_open(
    kam: Kam, base: Database
) -> None:
    out = ok(kam("sheet", ACME, "--as-of", "2026-06-30")).stdout
    assert out.startswith("# Acme \\[/b\\] Ltd\n")
    for expected in ("## Who", "## Worth", "## Standing", "## Open", "Mia Manager", "Eve Executive",
                     "| Last sponsor visit | 2026-05-01 |", "| Profit after cost to serve (T12M) | 500 |",
                     "r 50.0% (override)", "H 5 years", "Health | red:"):  # fmt: skip
        assert expected in out, expected
    # Untrusted text is escaped: no raw HTML, no table-breaking pipe, no live link.
    assert "<script>" not in out and "\\<script\\>" in out
    assert "\\| \\*\\*ship\\*\\* \\[link\\]" in out
    assert "**overdue**" in out  # due 2026-06-01, open on 2026-06-30


def test_the_html_sheet_is_self_contained_and_escaped(
    kam: Kam, base: Database, tmp_path: Path
) -> None:
    target = tmp_path / "acme.html"
    ok(kam("sheet", ACME, "--format", "html", "--output", str(target), "--as-of", "2026-06-30"))
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "@media print" in page
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Late &lt;b&gt;pallets&lt;/b&gt;" in page
    assert "http" not in page.replace("http://x", "")  # nothing fetched from elsewhere
    assert "<h1>Acme [/b] Ltd</h1>" in page


def test_a_sheet_for_an_unknown_account_is_refused(kam: Kam, base: Database) -> None:
    assert "No customer is named" in refused(kam("sheet", "Nobody"), 1)
