"""`kam sheet`: the one-page account sheet in Markdown and HTML, untrusted text escaped."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from db.models import User
from kam.database import Database
from kam.services import commitments, contacts, plans
from tests.cli.conftest import Kam
from tests.cli.support import ok, refused
from tests.support import actor_of, add_small_base

ACME = "Acme [/b] Ltd"
#: Hostile text in the people, the plan and the promises the sheet shows.
BOSS = "<img src=x> | **Boss** [x](y)"
GOAL = "<b>Grow</b> | _profit_ # now"
AIM = "`Roadmap` <i>signed</i>"
OUTSIDER = "Tom <script>B</script> | *rep*"

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
    with cli_db.writing() as s:
        mia = actor_of(s.exec(select(User).where(User.login == "mia")).one())
        boss = contacts.add_contact(s, mia, ACME, name=BOSS, job_title="CEO <br>",
                                    buying_role="decision_maker", stance="blocker", influence=5)  # fmt: skip
        contacts.add_contact(s, mia, ACME, name="Cleo Champion", buying_role="influencer",
                             stance="champion", influence=3, owner="mia", reports_to=boss.id)  # fmt: skip
        goal = plans.add_goal(s, mia, ACME, title=GOAL).goals[0].id
        plans.add_objective(s, mia, goal, title=AIM, target=1, due_on=date(2026, 6, 1))
        commitments.add_commitment(s, mia, ACME, description="Rebate", department="finance",
                                   due_on=date(2026, 9, 1), made_by_name=OUTSIDER,
                                   made_by_department="sales", contact=boss.id)  # fmt: skip
    return cli_db


def test_the_markdown_sheet_has_who_worth_standing_and_what_is_open(
    kam: Kam, base: Database
) -> None:
    out = ok(kam("sheet", ACME, "--as-of", "2026-06-30")).stdout
    assert out.startswith("# Acme \\[/b\\] Ltd\n")
    for expected in ("## Who", "## Worth", "## Standing", "## Open", "Mia Manager", "Eve Executive",
                     "| Last sponsor visit | 2026-05-01 |",
                     "| Profit after cost to serve | EUR 500 | T12M |",
                     "r 50.0% (override)", "H 5 years", "| Health | Red:"):  # fmt: skip
        assert expected in out, expected
    # Untrusted text is escaped: no raw HTML, no table-breaking pipe, no live link.
    assert "<script>" not in out and "\\<script\\>" in out
    assert "\\| \\*\\*ship\\*\\* \\[link\\]" in out
    assert "**overdue**" in out  # due 2026-06-01, open on 2026-06-30
    # The new sections, escaped as well: key people, the plan, coverage, promises by maker.
    for expected in ("## Plan", "## Key people", "## Coverage", "### Promises, by who made them",
                     "Plan 2026: 0% of the way, 1 goal (incomplete: fewer than 2)",
                     "| decision maker · blocker | 5/5 | none | never **overdue** |",
                     "| Cleo Champion | — | influencer · champion | 3/5 | Mia Manager | never **overdue** |",
                     "overdue: \\`Roadmap\\` \\<i\\>signed\\</i\\>",
                     "| \\<b\\>Grow\\</b\\> \\| \\_profit\\_ \\# now | 0% |",
                     "- Tom \\<script\\>B\\</script\\> \\| \\*rep\\* (sales, outside kam)",
                     "  - due 2026-09-01: Rebate — to \\<img src=x\\> \\| \\*\\*Boss\\*\\* "
                     "\\[x\\](y); finance keeps it",
                     "- decision maker \\<img src=x\\> \\| \\*\\*Boss\\*\\* \\[x\\](y) has "
                     "no owner on our side"):  # fmt: skip
        assert expected in out, expected
    for raw in (BOSS, GOAL, AIM, OUTSIDER, "<br>", "<i>", "<script>"):
        assert raw not in out, raw


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
    for raw in (BOSS, GOAL, AIM, OUTSIDER, "<img", "<br>", "<i>", "<b>Grow", "<script>"):
        assert raw not in page, raw
    for escaped in (html.escape(BOSS), html.escape(GOAL), html.escape(AIM),
                    html.escape(OUTSIDER), "CEO &lt;br&gt;", "Key people", "Plan 2026:",
                    "Open promises, by who made them", "Coverage"):  # fmt: skip
        assert escaped in page, escaped


def test_a_sheet_for_an_unknown_account_is_refused(kam: Kam, base: Database) -> None:
    assert "No customer is named" in refused(kam("sheet", "Nobody"), 1)


def test_a_sheet_to_a_folder_that_is_missing_or_a_file_that_is_a_folder_is_refused(
    kam: Kam, base: Database, tmp_path: Path
) -> None:
    """The way `kam export` refuses the same FILE (it was an unexpected FileNotFoundError)."""
    missing = tmp_path / "nowhere" / "s.md"

    assert refused(kam("sheet", ACME, "--output", str(missing)), 1) == (
        f"{missing.parent}: no such folder."
    )
    assert refused(kam("sheet", ACME, "--output", str(tmp_path)), 1) == (
        f"{tmp_path} is a folder; name a file in it."
    )
    assert not missing.parent.exists()


def test_an_account_admitted_by_override_without_an_assessment_shows_the_reason_given(
    kam: Kam, base: Database
) -> None:
    beijing = "北京燕京啤酒"  # nominated, never assessed
    ok(kam("sponsor", "assign", beijing, "eve", as_user="ada"))
    ok(kam("account", "admit", beijing, "--rationale", "Entry to Asia", "--override",
           "--reason", "Board decision: strategic entry", as_user="ada"))  # fmt: skip
    for form in ("md", "html"):
        page = ok(kam("sheet", beijing, "--format", form, as_user="eve")).stdout
        assert "Board decision: strategic entry" in page
        assert "no reason recorded" not in page
