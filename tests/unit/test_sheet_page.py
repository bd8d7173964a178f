"""The one-page account sheet of a well-filled account: what yields when the page is full
(kam.sheet's rule), and the printed HTML is exactly one A4 page (headless Chromium).

The account has everything at once: a long name in two scripts, ten years of sales, an
override with a long reason, 20 people (long names, CJK, decision makers nobody owns,
blockers), a plan of five goals with four objectives each and their actions, 15 open
promises (kam users and named outside people), 6 open complaints, long notes everywhere.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from db.enums import AssessmentKind, Department, InteractionKind, PlanFigure, ReviewDecision
from db.models import Assessment, AssessmentScore, HealthSnapshot, KeyAccount, Review
from kam.database import Database
from kam.services import commitments, complaints, contacts, interactions, plans
from kam.sheet import (
    MAX_GOALS,
    MAX_PEOPLE,
    MOST,
    YIELDING,
    build_sheet,
    page_fit,
    render_html,
    render_markdown,
)
from tests.support import Cast, add_small_base, make_cast

pytestmark = pytest.mark.today("2026-06-30")
AS_OF = date(2026, 6, 30)
NAME = ("株式会社山田製作所 Yamada Global Precision Components and Advanced Materials Holdings "
        "International (Europe) GmbH & Co. KGaA")  # fmt: skip
LONG = "Extraordinarily long text that goes on and on about the details " * 30
CJK = "北京燕京啤酒集团有限公司华北区域采购与供应链管理中心高级总监助理"


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def pdf_pages(data: bytes) -> int:
    """How many pages a PDF has: its /Type /Page objects (not /Pages), checked against the
    page tree's /Count when there is exactly one."""
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", data))
    counts = re.findall(rb"/Count\s+(\d+)", data)
    if len(counts) == 1:
        assert int(counts[0]) == pages, (counts, pages)
    return pages


@pytest.fixture
def full(sqlite_database: Database) -> tuple[Database, Cast]:
    """The cast's key account, renamed and filled to the brim (see the module docstring)."""
    database = sqlite_database
    cast = make_cast(database)
    add_small_base(database)
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE customer SET name = :n, industry = :i, region = :r WHERE id = 1"),
                     {"n": NAME, "i": "Industrial " * 9, "r": "Asia-Pacific " * 8})  # fmt: skip
        conn.execute(text("UPDATE user_account SET display_name = :n WHERE login = 'mia'"),
                     {"n": "Mia Maximiliane Manager-Montgomery-Fitzgerald 美娅"})  # fmt: skip
        for year in range(2016, 2026):  # eleven years of sales: the profit trend must yield
            conn.execute(
                text("INSERT INTO sales_line (customer_id, sold_on, revenue, cost_of_goods, "
                     "quantity, order_id, line_key) VALUES (1, :d, 1000, 400, 1, :o, :o)"),
                {"d": date(year, 3, 1), "o": f"Y{year}"},
            )  # fmt: skip
        for n in range(3):  # Plain buys three categories the account does not: opportunities
            conn.execute(text("INSERT INTO product_category (product, category) VALUES (:p, :c)"),
                         {"p": f"X{n}", "c": f"{CJK} category {n}"})  # fmt: skip
            conn.execute(
                text("INSERT INTO sales_line (customer_id, sold_on, revenue, cost_of_goods, "
                     "quantity, product, order_id, line_key) VALUES (3, :d, 100, 10, 1, :p, :o, :o)"),
                {"d": date(2026, 6, 1), "p": f"X{n}", "o": f"X{n}"},
            )  # fmt: skip
    m, eve = cast.manager, cast.executive
    with database.writing() as s:
        from kam.services.criteria import current_criteria, ensure_criteria

        account = s.get(KeyAccount, 1)
        assert account is not None
        account.admitted_by_override = True
        ensure_criteria(s)
        vetting = Assessment(key_account_id=1, kind=AssessmentKind.VETTING, criteria_version=1,
                             total=48, complete=True, override=True, override_reason=LONG,
                             created_by_id=m.id)  # fmt: skip
        s.add(vetting)
        s.flush()
        for c in current_criteria(s):
            s.add(AssessmentScore(assessment_id=vetting.id, criterion_id=c.id, score=2,  # type: ignore[arg-type]
                                  comment=LONG))  # fmt: skip
        s.add(Review(key_account_id=1, assessment_id=vetting.id, reviewed_on=date(2026, 5, 1),
                     perceived=4, expected=9, satisfaction=0.444, decision=ReviewDecision.WATCH,
                     benchmark_json='{"recommendation": "retire"}', reviewed_by_id=m.id))  # fmt: skip
    people: list[int] = []
    with database.writing() as s:
        boss = None
        for i in range(20):
            name = [f"{CJK}{i}", f"Dr. Maximilian Alexander von Hohenzollern-Sigmaringen {i} " * 3,
                    f"Ana María {i} de la Santísima Trinidad Fernández", f"김민준 {i}"][i % 4]  # fmt: skip
            view = contacts.add_contact(
                s, m, NAME, name=name, job_title=f"Senior Vice President of Global Strategic {i} "
                "Procurement, Supply Chain and Operational Excellence",
                buying_role=["decision_maker", "influencer", "user"][i % 3],
                stance=["blocker", "champion", "skeptic", "supporter"][i % 4],
                influence=5 - i % 3, owner="mia" if i % 5 else None, reports_to=boss,
            )  # fmt: skip
            boss = view.id if i % 6 == 0 else boss
            people.append(view.id)
        for k in range(12):  # met long ago, one person mostly: overdue and single-threaded
            interactions.log_interaction(s, m, NAME, kind=InteractionKind.MEETING,
                                         happened_on=AS_OF - timedelta(days=40 + k),
                                         contacts=[people[1]] + ([people[k]] if k == 3 else []))  # fmt: skip
        for k in range(15):
            outside = k % 3 == 0
            commitments.add_commitment(
                s, m, NAME, description=f"{k} {LONG}", department=Department.SUPPLY_CHAIN,
                due_on=AS_OF + timedelta(days=k * 9 - 60), contact=people[k],
                made_by_name=f"Bartholomew Maximilian Outside-Colleague {k % 2} 外部同事"
                if outside else None,
                made_by_department=Department.OPERATIONS if outside else None,
                made_by=None if outside else ["mia", "ada"][k % 2],
            )  # fmt: skip
        broken = commitments.add_commitment(s, m, NAME, description="Broken", due_on=AS_OF,
                                            department=Department.SALES)  # fmt: skip
        commitments.update_commitment(s, m, broken.id, status="broken")
        for k in range(6):
            complaints.record_complaint(s, m, NAME, summary=f"{k} {LONG}",
                                        severity=["critical", "high", "medium"][k % 3],
                                        recorded_on=AS_OF - timedelta(days=k * 7))  # fmt: skip
        for g in range(5):
            view = plans.add_goal(s, m, NAME, title=f"Goal {g} {LONG}"[:200], owner="mia")
            goal = view.goals[-1].id
            for o in range(4):
                view = plans.add_objective(
                    s, m, goal, title=f"Objective {g}.{o} {CJK}{LONG}"[:200], target=10,
                    due_on=[date(2026, 5, 1), date(2026, 7, 31), date(2026, 12, 31),
                            date(2026, 8, 15)][o],
                    figure=PlanFigure.CONTACTS_MET_90D if o == 2 else None,
                )  # fmt: skip
                objective = view.goals[-1].objectives[-1].id
                for a in range(2):
                    plans.add_action(s, m, objective, title=f"Action {a} {LONG}"[:200],
                                     due_on=date(2026, 6, 1 + a), owner_name=f"Outside {CJK}",
                                     owner_department=Department.SERVICE)  # fmt: skip
        plans.comment_plan(s, eve, NAME, text=LONG[:500])
    with database.writing() as s:  # health kept every week, and on the review's day
        review = s.exec(select(Review.id)).one()
        for back in range(1, 12):
            s.add(HealthSnapshot(key_account_id=1, taken_on=AS_OF - timedelta(days=7 * back),
                                 status=["red", "amber", "green"][back % 3], profit=-1e9))  # fmt: skip
        s.add(HealthSnapshot(key_account_id=1, taken_on=date(2026, 5, 1), status="green",
                             profit=987_654_321.5, p_alive=0.123, review_id=review))  # fmt: skip
    return database, cast


def test_a_full_page_keeps_the_highest_ranked_and_says_how_many_more(
    full: tuple[Database, Cast],
) -> None:
    database, _cast = full
    with database.reading() as s:
        sheet = build_sheet(s, NAME, as_of=AS_OF)
    assert len(sheet.key_people) > MAX_PEOPLE and len(sheet.open_commitments) == 15
    assert sheet.plan is not None and len(sheet.plan.goals) == MAX_GOALS
    influence = [p.influence for p in sheet.key_people]
    assert influence == sorted(influence, reverse=True)  # the most influential first
    # The page is full: the older years yield first (2024-2026 kept of 2016-2026), then the
    # lowest-ranked item of each list in turn, none below its floor (kam.sheet.fit_page).
    fit = page_fit(sheet)
    assert fit["years"] == 3 and all(
        MOST[part] > fit[part] >= floor for part, floor in YIELDING if part != "years"
    ), fit
    page = render_markdown(sheet)
    assert f"… and {len(sheet.key_people) - fit['people']} more |" in page
    assert f"- … and {15 - fit['promises']} more" in page
    assert f"- … and {6 - fit['complaints']} more" in page
    assert "| … and 8 earlier years | | | |" in page  # 2016-2023
    assert "| 2024 | EUR 700 |" in page and "| 2023 |" not in page
    assert "| 2026 (to date) | EUR 250 | EUR 150 | EUR 100 |" in page
    # Each goal names 2 objectives in trouble (overdue first) and counts the others.
    goals = fit["goals"]
    assert page.count("overdue: Objective") == goals and page.count("; … and 2 more") == goals
    assert f"| … and {5 - goals} more goals |" in page
    assert LONG not in page and "…" in page  # long text is shortened
    assert "| Last 12 weeks | ▇▄▂▇▄▂▇▄▂▇▄▂ (oldest first; " in page
    assert (
        "| Trend | since the last review (2026-05-01): green → red (T12M profit −100 %) |" in page
    )
    # Three opportunities: the Markdown names them all, the printed page those that fit.
    assert len(sheet.opportunities) == 3
    line = next(x for x in page.splitlines() if x.startswith("Top opportunities: "))
    assert line.count(" · ") == 2
    # The Markdown and the HTML show the same selection.
    html_page = render_html(sheet)
    assert "(+2)" in html_page  # the printed line keeps what fits on it
    for shown in (f"… and {6 - fit['complaints']} more", f"… and {15 - fit['promises']} more",
                  "… and 8 earlier years", f"… and {5 - goals} more goals"):  # fmt: skip
        assert shown in html_page
    # Labels, not identifiers; satisfaction to two decimals, as the TUI shows it.
    assert "Profit contribution" in html_page and "profit_contribution" not in html_page
    assert "decision maker · blocker" in html_page and "decision_maker" not in html_page
    assert "2026-05-01: watch, satisfaction 0.44, recommends retire" in page


@pytest.mark.chromium
@pytest.mark.skipif(_chromium() is None, reason="Chromium is not installed (apt-get install "
                    "chromium): the one-page print check needs a browser")  # fmt: skip
def test_the_html_sheet_of_a_full_account_prints_on_one_a4_page(
    full: tuple[Database, Cast], tmp_path: Path
) -> None:
    database, _cast = full
    with database.reading() as s:
        page = render_html(build_sheet(s, NAME, as_of=AS_OF))
    source, pdf = tmp_path / "sheet.html", tmp_path / "sheet.pdf"
    source.write_text(page, encoding="utf-8")
    browser = _chromium()
    assert browser is not None
    command = [browser, "--headless", "--disable-gpu", "--no-pdf-header-footer",
               "--disable-background-networking", "--disable-component-update",
               "--no-first-run", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
               f"--print-to-pdf={pdf}", source.as_uri()]  # fmt: skip
    if os.geteuid() == 0:  # Chromium's sandbox refuses to run as root
        command.insert(1, "--no-sandbox")
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert pdf.exists(), done.stderr[-2000:]
    assert pdf_pages(pdf.read_bytes()) == 1
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
        assert re.search(r"^Pages:\s+1$", info.stdout, re.M), info.stdout
        assert re.search(r"^Page size:.* pts \(A4\)$", info.stdout, re.M), info.stdout
