"""The demo data's plans and people: every member account has a plan for the year in a
realistic state and a relationship map, and the accounts differ as real ones do."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from db.enums import Role
from db.models import User
from kam.database import Database
from kam.errors import InvalidData
from kam.rules import lifecycle
from kam.services import accounts, people, plans
from kam.services.demo import DemoOptions, DemoSummary, load_demo
from kam.sheet import build_sheet, render_markdown
from tests.support import actor_of, fresh_sqlite

AS_OF = date(2026, 6, 30)

#: The demo ends on AS_OF, a day that has come (a demo in the future is refused).
pytestmark = pytest.mark.today("2026-07-01")
OPTIONS = DemoOptions(customers=20, years=1, as_of=AS_OF)


def _load(database: Database, options: DemoOptions = OPTIONS) -> DemoSummary:
    with database.writing() as s:
        admin = User(login="ada", display_name="Ada Admin", role=Role.ADMIN)
        s.add(admin)
        s.flush()
        return load_demo(s, actor_of(admin), options)


def _wide(text: str) -> bool:
    return any(unicodedata.east_asian_width(ch) in "WF" for ch in text)


@pytest.fixture
def demo(database: Database) -> Database:
    _load(database)
    return database


def test_every_member_has_a_plan_and_a_map_and_the_accounts_differ(demo: Database) -> None:
    with demo.reading() as s:
        members = [a for a in accounts.list_accounts(s) if lifecycle.is_member(a.status)]
        charts = {a.customer: people.people_map(s, a.customer, as_of=AS_OF) for a in members}
        views = {a.customer: plans.get_plan(s, a.customer, as_of=AS_OF) for a in members}
    assert len(members) == 9
    for customer, plan in views.items():
        assert plan.id is not None and plan.fiscal_year == 2026, customer
        assert 2 <= len(plan.goals) <= 4 and plan.complete, customer
        assert any(o.figure for o in plan.objectives), customer  # at least one follows a figure
        assert any(a.owner_department and a.owner_name for a in plan.actions), customer
        chart = charts[customer]
        assert 5 <= len(chart.people) <= 12, customer
        stances = [p.stance for p in chart.people]
        assert "champion" in stances and "blocker" in stances, customer
        assert len(chart.roots) == 1 and chart.reports, customer  # one chart under the CEO
        assert any(p.overdue for p in chart.people), customer  # derived from interactions
    every = [o for p in views.values() for o in p.objectives]
    states = {o.state for o in every}
    assert {"on track", "behind"} <= states
    assert {o.figure for o in every} >= {"t12m_profit", "contacts_met_90d", "satisfaction"}
    actions = [a for p in views.values() for a in p.actions]
    assert any(a.overdue for a in actions)
    # An action addresses the blocker on some accounts, not on all.
    blockers = {c: next(p.id for p in m.people if p.stance == "blocker") for c, m in charts.items()}
    addressed = {c for c, p in views.items() if any(a.contact_id == blockers[c] for a in p.actions)}
    assert addressed and addressed != set(views)
    # Coverage varies: some accounts have findings, some none; every kind of finding occurs.
    findings = {c: [f.kind for f in m.findings] for c, m in charts.items()}
    assert any(findings.values()) and not all(findings.values())
    assert set().union(*findings.values()) == {"decision_maker", "blocker", "single_threaded",
                                               "counterpart"}  # fmt: skip
    assert sum(m.counterpart_id is not None for m in charts.values()) >= len(charts) // 2
    assert any(_wide(p.name) for m in charts.values() for p in m.people)  # CJK names
    strong = [p for m in charts.values() for p in m.people
              if p.stance == "blocker" and (p.influence or 0) >= 4]  # fmt: skip
    assert strong and len(strong) < len(charts)  # some blockers of high influence


def test_promises_are_made_by_outside_people_and_to_named_contacts(demo: Database) -> None:
    with demo.reading() as s:
        members = [a for a in accounts.list_accounts(s) if lifecycle.is_member(a.status)]
        sheets = [build_sheet(s, a.customer, as_of=AS_OF) for a in members]
    promises = [c for sheet in sheets for c in sheet.open_commitments]
    former = [c for c in promises if c.made_by_name == "Tom Brandt"]
    assert former and all(c.made_by_department == "sales" and c.contact for c in former)
    assert any(c.made_by_department is None and c.made_by for c in promises)  # kam users too
    page = render_markdown(next(s for s in sheets if any(c in former for c in s.open_commitments)))
    assert "- Tom Brandt (sales, outside kam)" in page
    assert all(sheet.plan and sheet.plan.id for sheet in sheets)


def test_the_demo_plans_and_people_are_the_same_for_the_same_seed(
    sqlite_database: Database, sqlite_template: Path, tmp_path: Path
) -> None:
    (tmp_path / "other").mkdir()
    other = fresh_sqlite(sqlite_template, tmp_path / "other")
    seen = []
    for database in (sqlite_database, other):
        summary = _load(database)
        with database.reading() as s:
            from db.models import Contact, PlanAction, PlanObjective

            seen.append((
                summary.to_dict(),
                [(c.name, c.stance, c.influence, c.reports_to_id, c.owner_id)
                 for c in s.exec(select(Contact).order_by(Contact.id)).all()],
                [(o.title, o.baseline, o.target, o.due_on, o.current)
                 for o in s.exec(select(PlanObjective).order_by(PlanObjective.id)).all()],
                [(a.title, a.due_on, a.status, a.contact_id)
                 for a in s.exec(select(PlanAction).order_by(PlanAction.id)).all()],
            ))  # fmt: skip
    other.dispose()
    assert seen[0] == seen[1]
    assert seen[0][0]["plans"] == 9 and seen[0][0]["plan_actions"] > 9 * 4


def test_the_demo_ranks_differently_by_clv_and_warns_of_churn(database: Database) -> None:
    """Some profitable customers went quiet months ago and some small ones grow fast: the
    CLV ranking is not the profit ranking, and the churn list has customers on it."""
    from kam.figures.reports import metrics_report

    _load(database, DemoOptions(customers=400, years=3, as_of=AS_OF))
    with database.reading() as s:
        clv = metrics_report(s, "clv", as_of=AS_OF)
        profit = metrics_report(s, "profit", as_of=AS_OF)
        churn = metrics_report(s, "churn", as_of=AS_OF)
    by_clv, by_profit = list(clv.rows.index[:50]), list(profit.rows.index[:50])
    assert by_clv != by_profit
    assert clv.summary["model"] == "probabilistic"
    quiet = clv.rows.loc[clv.rows["p_alive"] < 0.5].index
    assert len(set(quiet) & set(profit.rows.index[:300])) > 0  # profitable, and lapsing
    assert len(churn.rows) > 0 and set(churn.rows["stage"]) >= {"lapsing", "lost"}


def test_a_demo_ending_in_the_future_is_refused(database: Database) -> None:
    """Sales in the future, which an import refuses, left the trailing twelve months empty."""
    with pytest.raises(
        InvalidData, match=r"as_of: 2026-07-02 is in the future \(today is 2026-07-01\)"
    ):
        _load(database, DemoOptions(customers=20, years=1, as_of=date(2026, 7, 2)))


def test_each_assessment_totals_its_scores_and_the_override_is_under_the_threshold(
    demo: Database,
) -> None:
    """The override's total read 50 over scores that made 84."""
    from db.models import Assessment, AssessmentScore, Criterion

    with demo.reading() as s:
        assessments = s.exec(select(Assessment).where(Assessment.complete)).all()
        weights = {c.id: c.weight for c in s.exec(select(Criterion)).all()}
        scores: dict[int, list[tuple[float, int]]] = {}
        for row in s.exec(select(AssessmentScore)).all():
            scores.setdefault(row.assessment_id, []).append((weights[row.criterion_id], row.score))
        assert assessments
        for a in assessments:  # total = Σ weight × score / 5 (weights sum to 100)
            assert a.total == pytest.approx(sum(w * sc for w, sc in scores[a.id]) / 5)
        [override] = [a.total for a in assessments if a.override]
    # every criterion scored 2: 2 × 100 / 5 = 40, under the threshold of 60
    assert override == 40.0


def test_the_demo_keeps_most_reviews_and_visits_on_time(demo: Database) -> None:
    """With one review and one visit per account, every one came late after admission and the
    scorecards read 0 % on time: the demo has its history since admission now, each review
    setting the next 180 days on and most done by then."""
    from db.models import Review
    from kam.services.scorecards import read_scorecard

    with demo.reading() as s:
        ada = actor_of(s.exec(select(User).where(User.login == "ada")).one())
        reviews = s.exec(select(Review).order_by(Review.key_account_id, Review.reviewed_on)).all()
        by_account: dict[int, list[tuple[date, date]]] = {}
        for r in reviews:
            by_account.setdefault(r.key_account_id, []).append((r.reviewed_on, r.next_review_on))
    assert any(len(rs) >= 2 for rs in by_account.values())
    kept = late = 0
    for rs in by_account.values():
        for before, after in zip(rs, rs[1:], strict=False):
            assert before[1] == before[0] + timedelta(days=180)
            kept += after[0] <= before[1]
            late += after[0] > before[1]
    assert kept > late
    for kind in ("manager", "sponsor"):
        card = read_scorecard(demo, ada, kind, as_of=AS_OF)
        shares = [c.on_time_share for c in card.scores if c.on_time_share is not None]
        assert shares and sum(shares) / len(shares) > 0.4, kind
