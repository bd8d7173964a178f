"""Reviews and best practices: re-scoring, snapshot, benchmark, decisions, recommendations."""

from __future__ import annotations

from datetime import date

import pytest

from db.enums import ReviewDecision
from kam.database import Database
from kam.errors import InvalidData, NotFound, PermissionDenied, RuleError
from kam.services import accounts, practices, reviews
from kam.services.programme import set_setting
from tests.support import Cast, add_small_base

#: The reviews happen on AS_OF; the story is told the day after.
pytestmark = pytest.mark.today("2026-07-01")

AS_OF = date(2026, 6, 30)
LOW = {
    "strategic_fit": (1, "Drifting"),
    "advocacy": (1, "None"),
    "relationship_loyalty": (1, "Weak"),
}


@pytest.fixture
def base(database: Database, cast: Cast) -> Cast:
    add_small_base(database)
    return cast


def review(database: Database, who, **kw):  # type: ignore[no-untyped-def]
    options = {"perceived": 8, "expected": 10, "decision": ReviewDecision.WATCH,
               "manual": LOW, "reviewed_on": AS_OF} | kw  # fmt: skip
    with database.writing() as s:
        return reviews.record_review(s, who, "Acme [/b] Ltd", **options)


def test_a_manager_records_a_review_with_satisfaction_snapshot_and_benchmark(
    database: Database, base: Cast
) -> None:
    view = review(database, base.manager)
    # Acme is the only key account, so the reference is the base's top 25 (all three
    # customers): Acme is at or above their top quartile on profit (500 >= 285), revenue
    # (1500 >= 800) and CLV, and its headroom is the only one known (ties score 5); it is
    # above break-even and at the minimum profit (its own 500). With manual 1s:
    # (20*5 + 10*5 + 10*5 + 0*5 + 20*5 + 10*5 + 10*1 + 10*1 + 10*1) / 5 = 380 / 5 = 76.
    assert view.total == 76.0
    assert view.satisfaction == 0.8  # perceived 8 / expected 10: dissatisfied
    assert view.metrics["profit"] == 500 and view.metrics["cost_to_serve"] == 150
    assert view.next_review_on == date(2026, 12, 27)  # 2026-06-30 + 180 days
    # Acme is the only member, so it is its own median (and top quartile): at the median.
    assert view.benchmark["profit"] == {"account": 500, "median": 500, "top_quartile": 500,
                                        "position": "at median"}  # fmt: skip
    assert view.benchmark["satisfaction"]["account"] == 0.8
    with database.reading() as s:
        account = accounts.get_account(s, "Acme [/b] Ltd")
    assert (account.status, account.next_review_on) == ("under_review", date(2026, 12, 27))


def test_retain_returns_the_account_to_active(database: Database, base: Cast) -> None:
    review(database, base.manager, decision=ReviewDecision.WATCH)
    review(database, base.manager, decision=ReviewDecision.RETAIN)
    with database.reading() as s:
        assert accounts.get_account(s, "Acme [/b] Ltd").status == "active"


def test_two_reviews_in_a_row_under_the_threshold_recommend_retirement(
    database: Database, base: Cast
) -> None:
    with database.writing() as s:
        set_setting(s, base.admin, "threshold", "80")  # Acme scores 76
    first = review(database, base.manager)
    second = review(database, base.manager)
    assert (first.recommendation, second.recommendation) == (None, "retire")
    third = review(database, base.manager, manual={k: (5, "Recovered") for k in LOW})
    assert third.total == 100.0 and third.recommendation is None


def test_a_review_recorded_late_for_an_earlier_day_leaves_the_later_ones_in_charge(
    database: Database, base: Cast
) -> None:
    """A review dated before the last one is history: the recommendation compares it with
    the review before it in time, and the account's next review and status stay the
    latest review's."""
    with database.writing() as s:
        set_setting(s, base.admin, "threshold", "80")  # Acme scores 76 with LOW
    high = {k: (5, "Strong") for k in LOW}
    early = review(database, base.manager, manual=high, reviewed_on=date(2026, 3, 1),
                   decision=ReviewDecision.RETAIN)  # fmt: skip
    latest = review(database, base.manager)  # 2026-06-30, 76, watch: under review
    late = review(database, base.manager, reviewed_on=date(2026, 5, 1),
                  decision=ReviewDecision.RETAIN)  # fmt: skip

    assert early.total >= 80 and latest.total == late.total == 76.0
    assert (latest.recommendation, late.recommendation) == (None, None)  # the one before: early
    with database.reading() as s:
        account = accounts.get_account(s, "Acme [/b] Ltd")
    assert (account.status, account.next_review_on) == ("under_review", date(2026, 12, 27))
    # The next review, after the latest (76), is the second under 80 in a row.
    assert review(database, base.manager).recommendation == "retire"


def test_a_total_exactly_at_the_threshold_is_not_under_it(database: Database, base: Cast) -> None:
    with database.writing() as s:
        set_setting(s, base.admin, "threshold", "76")  # Acme scores exactly 76
    first, second = review(database, base.manager), review(database, base.manager)
    assert (first.total, second.total) == (76.0, 76.0)
    assert second.recommendation is None
    with database.writing() as s:
        set_setting(s, base.admin, "threshold", "76.01")  # now 76 is under it, twice in a row
    assert review(database, base.manager).recommendation == "retire"


def test_the_benchmark_places_each_member_against_seven_exactly(
    database: Database, cast: Cast
) -> None:
    """Seven members whose T12M profit is 100, 200, ... 700 (one sale each, no costs):
    median 400 (the 4th), top quartile 550 (between the 5th and 6th: 500 + 0.5 * 100)."""
    from sqlalchemy import text
    from sqlmodel import select

    from db.enums import AccountStatus
    from db.models import Customer, KeyAccount

    with database.writing() as s:
        for n in range(2, 8):
            customer = Customer(name=f"Member {n}")
            s.add(customer)
            s.flush()
            s.add(KeyAccount(customer_id=customer.id, status=AccountStatus.ACTIVE))  # type: ignore[arg-type]
        s.flush()
        ids = {c.name: c.id for c in s.exec(select(Customer)).all()}
    profits = {"Acme [/b] Ltd": 100, **{f"Member {n}": n * 100 for n in range(2, 8)}}
    with database.engine.begin() as conn:
        for name, profit in profits.items():
            conn.execute(
                text("INSERT INTO sales_line (customer_id, sold_on, revenue, cost_of_goods, "
                     "quantity, line_key) VALUES (:c, :d, :r, 0, 1, :k)"),
                {"c": ids[name], "d": date(2026, 3, 1), "r": profit, "k": name},
            )  # fmt: skip
    with database.reading() as s:
        rows = {
            name: s.exec(select(KeyAccount).where(KeyAccount.customer_id == ids[name])).one()
            for name in profits
        }
        placed = {
            name: reviews.benchmark(s, row, as_of=AS_OF, satisfaction=None)["profit"]
            for name, row in rows.items()
        }
    assert {p["median"] for p in placed.values()} == {400.0}
    assert {p["top_quartile"] for p in placed.values()} == {550.0}
    assert {name: p["position"] for name, p in placed.items()} == {
        "Acme [/b] Ltd": "below median",
        "Member 2": "below median",
        "Member 3": "below median",
        "Member 4": "at median",
        "Member 5": "above median",
        "Member 6": "top quartile",
        "Member 7": "top quartile",
    }


def test_positions_at_the_cent() -> None:
    assert reviews.position(214_869.70, 214_869.70, 300_000.0) == "at median"
    assert reviews.position(214_869.70, 214_869.699999999, 300_000.0) == "at median"
    assert reviews.position(214_869.71, 214_869.70, 300_000.0) == "above median"
    assert reviews.position(214_869.69, 214_869.70, 300_000.0) == "below median"
    assert reviews.position(300_000.0, 214_869.70, 300_000.0) == "top quartile"
    assert reviews.position(None, 1.0, 2.0) is None


def test_review_input_is_validated(database: Database, base: Cast) -> None:
    with pytest.raises(InvalidData, match="perceived: 11 is outside 1-10"):
        review(database, base.manager, perceived=11)
    with pytest.raises(InvalidData, match="checklist: hugs"):
        review(database, base.manager, checklist=["hugs"])
    with pytest.raises(NotFound, match="best practice"):
        review(database, base.manager, practices=["Unknown practice"])


def test_only_the_accounts_manager_or_an_admin_records_a_review(
    database: Database, base: Cast
) -> None:
    for who in (base.other_manager, base.executive, base.viewer):
        with pytest.raises(PermissionDenied):
            review(database, who)
    review(database, base.admin)


def test_only_members_are_reviewed(database: Database, base: Cast) -> None:
    with pytest.raises(RuleError, match="only members are reviewed"), database.writing() as s:
        reviews.record_review(s, base.admin, "北京燕京啤酒", perceived=5, expected=5,
                              decision=ReviewDecision.RETAIN)  # fmt: skip


def test_reviews_due_lists_unscheduled_and_overdue_accounts(database: Database, base: Cast) -> None:
    with database.reading() as s:
        (due,) = reviews.reviews_due(s, as_of=AS_OF)
    assert (due.customer, due.next_review_on, due.days_overdue) == ("Acme [/b] Ltd", None, None)
    review(database, base.manager)  # next review 2026-12-27
    with database.reading() as s:
        assert reviews.reviews_due(s, as_of=date(2026, 7, 1)) == []
        (late,) = reviews.reviews_due(s, as_of=date(2027, 1, 10))
    assert late.days_overdue == 14  # 2026-12-27 -> 2027-01-10


def test_best_practices_are_recorded_by_managers_and_linked_from_reviews(
    database: Database, base: Cast
) -> None:
    with database.writing() as s:
        practices.add_practice(s, base.manager, title="Joint business plan",
                               source="Peer company", tags=["Planning", "planning"])  # fmt: skip
    with pytest.raises(InvalidData, match="already recorded"), database.writing() as s:
        practices.add_practice(s, base.admin, title="joint business plan")
    with pytest.raises(PermissionDenied), database.writing() as s:
        practices.add_practice(s, base.viewer, title="Anything")
    view = review(database, base.manager, practices=["JOINT BUSINESS PLAN"],
                  checklist=["account_plan_updated"])  # fmt: skip
    assert view.practices == ["Joint business plan"]
    assert view.checklist["account_plan_updated"] and not view.checklist["sponsor_visited"]
    with database.reading() as s:
        assert [p.tags for p in practices.list_practices(s, tag="planning")] == [["planning"]]
        assert [r.id for r in reviews.list_reviews(s, "Acme [/b] Ltd")] == [view.id]


def test_a_review_without_new_manual_scores_keeps_those_of_the_vetting(
    database: Database, base: Cast
) -> None:
    """Acme was scored at vetting (manual 4, 3, 2); a review that gives no manual score
    keeps them, so its total is complete. Its metric scores are 5s, as worked out above:
    (20*5 + 10*5 + 10*5 + 0*5 + 20*5 + 10*5 + 10*4 + 10*3 + 10*2) / 5 = 440 / 5 = 88."""
    from db.enums import AssessmentKind
    from kam.services import vetting

    with database.writing() as s:
        account = accounts.account_by_name(s, "Acme [/b] Ltd")
        vetting.score_account(
            s, base.admin, account, kind=AssessmentKind.VETTING, as_of=AS_OF,
            manual={"strategic_fit": (4, "Fit"), "advocacy": (3, "Refers"),
                    "relationship_loyalty": (2, "Price")},
        )  # fmt: skip
    view = review(database, base.manager, manual={})
    assert view.total == 88.0


def test_a_review_with_no_score_anywhere_is_refused_before_anything_is_saved(
    database: Database, base: Cast
) -> None:
    with pytest.raises(RuleError, match="no earlier assessment .* has a score for strategic_fit"):
        review(database, base.manager, manual={})
    with database.reading() as s:
        assert reviews.list_reviews(s, "Acme [/b] Ltd") == []


@pytest.mark.today("2026-06-30")
def test_a_review_records_the_plan_progress_of_its_day(database: Database, base: Cast) -> None:
    from db.enums import PlanFigure
    from kam.services import plans

    assert review(database, base.manager).metrics["plan"] == {
        "period": "2026", "exists": False, "progress": None, "complete": False,
        "objectives": {"on track": 0, "behind": 0, "overdue": 0, "done": 0},
        "overdue_actions": 0, "goals": [],
    }  # fmt: skip
    with database.writing() as s:
        goal = plans.add_goal(s, base.manager, "Acme [/b] Ltd", title="Grow profit").goals[0].id
        # profit 500 from 300 to 700 by year end: 0.5, on track
        plans.add_objective(s, base.manager, goal, title="T12M profit to 700", target=700,
                            baseline=300, due_on=date(2026, 12, 31),
                            figure=PlanFigure.T12M_PROFIT)  # fmt: skip
        view = plans.add_objective(s, base.manager, goal, title="Roadmap signed", target=1,
                                   due_on=date(2026, 6, 1))  # 0, overdue  # fmt: skip
        plans.add_action(s, base.manager, view.objectives[-1].id, title="Draft it",
                         due_on=date(2026, 6, 15), owner="mia")  # past its date  # fmt: skip
        other = plans.add_goal(s, base.manager, "Acme [/b] Ltd", title="Broaden").goals[1].id
        view = plans.add_objective(s, base.manager, other, title="Workshops", target=4,
                                   due_on=date(2026, 9, 30))  # fmt: skip
        plans.update_objective(s, base.manager, view.objectives[-1].id, current=1,
                               comment="Kick-off")  # 0.25 with 0.66 of the time gone: behind  # fmt: skip
    snapshot = review(database, base.manager).metrics["plan"]
    assert snapshot == {
        "period": "2026", "exists": True, "progress": 0.25, "complete": True,
        "objectives": {"on track": 1, "behind": 1, "overdue": 1, "done": 0},
        "overdue_actions": 1,
        "goals": [
            {"title": "Grow profit", "status": "open", "progress": 0.25,
             "objectives": {"on track": 1, "behind": 0, "overdue": 1, "done": 0}},
            {"title": "Broaden", "status": "open", "progress": 0.25,
             "objectives": {"on track": 0, "behind": 1, "overdue": 0, "done": 0}},
        ],
    }  # fmt: skip
    with database.reading() as s:  # kept with the review, read back as recorded
        assert reviews.list_reviews(s, "Acme [/b] Ltd")[0].metrics["plan"] == snapshot
