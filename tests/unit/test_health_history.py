"""Health with a history: a snapshot per key account per day, kept by the roles that write,
marked by reviews, read back as weeks and as the change since the last review.

The story happens on 2026-06-30: the T12M window is 2025-07-01 .. 2026-06-30, the twelve
months before 2024-07-01 .. 2025-06-30. Acme (active, Mia's, sponsored by Eve) had a margin
of 1,400 before (revenue 3,000, cost of goods 1,600) and 1,000 now (2,500 - 1,500), no cost
to serve, and a sponsor visit on 2026-05-01 (60 days ago, due every 90): its T12M profit
fell (1,400 - 1,000) / 1,400 = 28.57 %, more than 20 %, so Acme is red.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from db.enums import ReviewDecision
from db.models import HealthSnapshot, KeyAccount, Review, User, ValueFit
from kam.database import Database
from kam.errors import PermissionDenied
from kam.figures import value
from kam.identity import Actor
from kam.services import health, health_history, reviews, snapshots, sponsors
from kam.services.health_history import (
    SnapshotView,
    profit_change,
    spark,
    trend_sentence,
    weekly,
)
from tests.support import Cast, add_buyers

AS_OF = date(2026, 6, 30)
ACME = "Acme [/b] Ltd"
FELL = "T12M profit fell 28.6 % (from 1,400 to 1,000)"

pytestmark = pytest.mark.today("2026-06-30")


def sell(database: Database, on: str, revenue: float, cost_of_goods: float) -> None:
    with database.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sales_line (customer_id, sold_on, revenue, cost_of_goods, quantity, "
                "line_key) VALUES (1, :d, :r, :g, 1, :k)"
            ),
            {"d": date.fromisoformat(on), "r": revenue, "g": cost_of_goods, "k": f"{on}-{revenue}"},
        )


@pytest.fixture
def sliding(database: Database, cast: Cast) -> Cast:
    """Acme: margin 1,400 the year before, 1,000 in the T12M; visited 60 days ago: red."""
    sell(database, "2025-03-01", 3000, 1600)
    sell(database, "2026-03-01", 2500, 1500)
    with database.writing() as s:
        sponsors.record_visit(s, cast.executive, ACME, on=date(2026, 5, 1), notes="Roadmap")
    return cast


def snapshots_of(database: Database) -> list[HealthSnapshot]:
    with database.reading() as s:
        rows = list(s.exec(select(HealthSnapshot).order_by(HealthSnapshot.taken_on)).all())
        s.expunge_all()  # plain objects once the read ends
    return rows


def acme_id(database: Database) -> int:
    with database.reading() as s:
        found = s.exec(select(KeyAccount.id).where(KeyAccount.customer_id == 1)).one()
    assert found is not None
    return found


def look(database: Database, actor: Actor, as_of: date = AS_OF) -> health.HealthView:
    """Acme's health as a screen computes it: in a read, kept afterwards."""
    with snapshots.reading(database, actor) as s:
        return health.account_health(s, ACME, as_of=as_of)


def kept(database: Database, on: str, status: str, profit: float, *,
         review_id: int | None = None, p_alive: float | None = None) -> None:  # fmt: skip
    with database.writing() as s:
        s.add(HealthSnapshot(key_account_id=acme_id(database), taken_on=date.fromisoformat(on),
                             status=status, profit=profit, reasons_json="[]",
                             review_id=review_id, p_alive=p_alive))  # fmt: skip


def reviewed(database: Database, on: str) -> int:
    """A review of Acme on that day (satisfied: 8 of 8), straight into the table."""
    with database.writing() as s:
        admin = s.exec(select(User.id).where(User.login == "ada")).one()
        review = Review(key_account_id=acme_id(database), reviewed_on=date.fromisoformat(on),
                        perceived=8, expected=8, satisfaction=1.0, decision=ReviewDecision.RETAIN,
                        reviewed_by_id=admin)  # fmt: skip
        s.add(review)
        s.flush()
        assert review.id is not None
        return review.id


# --- kept once a day ----------------------------------------------------------------------------


def test_health_computed_twice_a_day_is_kept_once_and_follows_the_day(
    database: Database, sliding: Cast
) -> None:
    first = look(database, sliding.manager)
    look(database, sliding.manager)
    (row,) = snapshots_of(database)
    assert (row.taken_on, row.status, row.profit, row.p_alive, row.review_id) == (
        AS_OF, "red", 1000, None, None)  # fmt: skip
    assert json.loads(row.reasons_json) == first.reasons == [FELL]

    sell(database, "2026-06-01", 1400, 1000)  # margin 1,000 + 400 = 1,400: level, green
    assert look(database, sliding.manager).status == "green"
    (row,) = snapshots_of(database)
    assert (row.status, row.profit, json.loads(row.reasons_json)) == ("green", 1400, [])


def test_every_role_that_writes_keeps_health_and_a_viewer_keeps_nothing(
    database: Database, sliding: Cast
) -> None:
    assert look(database, sliding.viewer).status == "red"  # computed on the fly
    assert snapshots_of(database) == []
    for actor in (sliding.executive, sliding.other_manager, sliding.admin):
        look(database, actor)
    assert len(snapshots_of(database)) == 1


def test_health_for_another_day_than_today_is_shown_but_not_kept(
    database: Database, sliding: Cast
) -> None:
    look(database, sliding.manager, as_of=date(2026, 5, 31))
    assert snapshots_of(database) == []


def test_the_programme_health_keeps_every_open_account(database: Database, sliding: Cast) -> None:
    with snapshots.reading(database, sliding.manager) as s:
        views = health.programme_health(s, AS_OF)
    assert {r.key_account_id for r in snapshots_of(database)} == {v.account_id for v in views}
    assert len(views) == 2  # Acme and the nominee 北京燕京啤酒


def test_two_writers_recording_the_same_day_leave_one_row(
    database: Database, sliding: Cast
) -> None:
    """The second writer waits for the first (SQLite's write lock; PostgreSQL's unique index)
    and then rewrites the day instead of failing on the unique constraint."""
    with database.reading() as s:
        view = health.account_health(s, ACME, as_of=AS_OF)
    failures: list[BaseException] = []

    def second() -> None:
        try:
            with database.writing() as s:
                snapshots.record(s, sliding.admin, [view])
        except BaseException as error:  # noqa: B036 - reported below
            failures.append(error)

    with database.writing() as s:
        assert snapshots.record(s, sliding.manager, [view]) == (1, 0)
        other = threading.Thread(target=second)
        other.start()
        other.join(0.5)  # it waits for this transaction
    other.join(30)
    assert failures == [] and not other.is_alive()
    assert len(snapshots_of(database)) == 1


def test_recording_refuses_a_viewer(database: Database, sliding: Cast) -> None:
    with database.reading() as s:
        view = health.account_health(s, ACME, as_of=AS_OF)
    with pytest.raises(PermissionDenied, match="may store computed figures"):
        with database.writing() as s:
            snapshots.record(s, sliding.viewer, [view])


# --- reviews ------------------------------------------------------------------------------------

MANUAL = {name: (3, "Steady") for name in ("strategic_fit", "advocacy", "relationship_loyalty")}


def test_a_review_marks_its_days_snapshot_and_recomputing_the_day_keeps_the_mark(
    database: Database, sliding: Cast
) -> None:
    with database.writing() as s:
        review = reviews.record_review(s, sliding.manager, ACME, perceived=6, expected=8,
                                       decision=ReviewDecision.WATCH, manual=MANUAL)  # fmt: skip
    (row,) = snapshots_of(database)
    # After the review: satisfaction 6 / 8 = 0.75, below 0.9, is a red reason too.
    assert (row.taken_on, row.review_id, row.status) == (AS_OF, review.id, "red")
    assert json.loads(row.reasons_json) == [
        FELL, "satisfaction index 0.75 at the review of 2026-06-30 (below 0.9)"]  # fmt: skip

    look(database, sliding.manager)
    (row,) = snapshots_of(database)
    assert row.review_id == review.id


def test_a_review_of_an_earlier_day_marks_that_day(database: Database, sliding: Cast) -> None:
    with database.writing() as s:
        review = reviews.record_review(s, sliding.manager, ACME, perceived=8, expected=8,
                                       decision=ReviewDecision.RETAIN, manual=MANUAL,
                                       reviewed_on=date(2026, 6, 1))  # fmt: skip
    (row,) = snapshots_of(database)
    assert (row.taken_on, row.review_id) == (date(2026, 6, 1), review.id)


# --- the trend since the last review ------------------------------------------------------------


def test_the_profit_change_is_a_signed_share_of_the_earlier_profit() -> None:
    assert profit_change(1400, 1000) == "T12M profit −29 %"  # -400 / 1,400 = -28.57 %
    assert profit_change(1000, 1120) == "T12M profit +12 %"  # 120 / 1,000
    assert profit_change(-100, -200) == "T12M profit −100 %"  # -100 / |-100|
    assert profit_change(-200, -100) == "T12M profit +50 %"  # 100 / |-200|
    assert profit_change(1000, 1004) == "T12M profit +0.4 %"  # 4 / 1,000
    assert profit_change(0, 500) == "T12M profit from 0 to 500"
    assert profit_change(1000, 1000.001) == "T12M profit unchanged"


def test_p_alive_unchanged_at_two_decimals_is_named_once() -> None:
    then = SnapshotView(date(2026, 3, 31), "green", 1000.0, 0.996, 7, [])
    now = health.HealthView(1, ACME, AS_OF, "green", [], profit=1000.0, p_alive=0.9951)
    assert trend_sentence(date(2026, 3, 31), then, now) == (
        "since the last review (2026-03-31): still green (T12M profit unchanged, P(alive) 1.00)")  # fmt: skip


def test_since_the_last_review_amber_turned_red_with_profit_down_29_percent(
    database: Database, sliding: Cast
) -> None:
    reviewed(database, "2025-12-31")  # an earlier review: not the last
    review = reviewed(database, "2026-03-31")
    kept(database, "2026-03-01", "green", 1500)  # before the last review: not compared
    kept(database, "2026-03-31", "amber", 1400, review_id=review)
    kept(database, "2026-05-01", "red", 1100)  # after it, but not the first

    now = look(database, sliding.viewer)

    assert now.trend == "since the last review (2026-03-31): amber → red (T12M profit −29 %)"


def test_without_a_snapshot_on_the_review_day_the_next_one_is_compared(
    database: Database, sliding: Cast
) -> None:
    reviewed(database, "2026-03-31")
    kept(database, "2026-04-07", "red", 1250)  # (1,000 - 1,250) / 1,250 = -20 %
    assert look(database, sliding.viewer).trend == (
        "since the last review (2026-03-31): still red (T12M profit −20 %)")  # fmt: skip


def test_a_snapshot_kept_long_after_the_review_is_not_the_reviews_state(
    database: Database, sliding: Cast
) -> None:
    """Health read today keeps today's snapshot; read again, that snapshot is the first
    since a review months ago, and the trend compared today with itself."""
    reviewed(database, "2026-03-31")
    assert look(database, sliding.executive).trend is None  # it keeps today's
    assert [s.taken_on for s in snapshots_of(database)] == [AS_OF]
    assert look(database, sliding.executive).trend is None  # read again
    kept(database, "2026-04-08", "amber", 1250)  # 8 days after the review: not its state
    assert look(database, sliding.viewer).trend is None


def test_no_trend_without_a_review_or_without_a_snapshot_since(
    database: Database, sliding: Cast
) -> None:
    kept(database, "2026-03-01", "green", 1500)
    assert look(database, sliding.viewer).trend is None  # never reviewed
    reviewed(database, "2026-03-31")
    assert look(database, sliding.viewer).trend is None  # nothing kept since


def test_the_trend_names_p_alive_once_the_model_knows_it(database: Database, sliding: Cast) -> None:
    """With buyers enough for the model, `kam snapshot` keeps the fit, and Acme's health
    carries its P(alive) (Acme bought again a year after its first purchase: the model
    speaks for it); the trend compares it with the review day's."""
    add_buyers(database)
    review = reviewed(database, "2026-03-31")
    kept(database, "2026-03-31", "amber", 1400, review_id=review, p_alive=0.99)

    report = snapshots.take_snapshots(database, sliding.admin, as_of=AS_OF)

    assert report.steps[0].counts["kept"] == 1
    with database.reading() as s:
        figures = value.stored(s, value.request(AS_OF))
    assert figures is not None and figures.fit.model == value.PROBABILISTIC
    acme = float(figures.table.loc[1, "p_alive"])
    assert 0 < acme < 0.99
    now = look(database, sliding.viewer)  # the kept fit answers, pandas-free
    assert now.p_alive == pytest.approx(acme)
    assert now.trend == ("since the last review (2026-03-31): amber → red "
                         f"(T12M profit −29 %, P(alive) 0.99 → {acme:.2f})")  # fmt: skip
    acme_days = [r.p_alive for r in snapshots_of(database) if r.key_account_id == acme_id(database)]
    assert acme_days == [0.99, pytest.approx(acme)]
    # 北京燕京啤酒 never bought: the model does not speak for it.
    assert [r.p_alive for r in snapshots_of(database) if r.key_account_id != acme_id(database)
            ] == [None]  # fmt: skip


def test_without_a_kept_fit_p_alive_is_unknown_and_the_simple_model_gives_none(
    database: Database, sliding: Cast
) -> None:
    assert look(database, sliding.manager).p_alive is None  # no fit kept: nothing fitted here
    snapshots.take_snapshots(database, sliding.admin, as_of=AS_OF)  # two buyers: simple model
    assert look(database, sliding.manager).p_alive is None
    assert [r.p_alive for r in snapshots_of(database)] == [None, None]


# --- weeks --------------------------------------------------------------------------------------


def _seen(day: date, status: str) -> SnapshotView:
    return SnapshotView(day, status, 0.0, None, None, [])


def test_each_week_shows_its_latest_snapshot_and_the_last_week_shows_now() -> None:
    days = [
        _seen(AS_OF - timedelta(days=1), "red"),  # this week: now wins
        _seen(AS_OF - timedelta(days=8), "amber"),  # week 1 back, the later of two
        _seen(AS_OF - timedelta(days=9), "green"),
        _seen(AS_OF - timedelta(days=83), "green"),  # 11 weeks back: the first week
        _seen(AS_OF - timedelta(days=84), "red"),  # 12 weeks back: off the line
    ]
    weeks = weekly(days, as_of=AS_OF, now="green")
    assert weeks == ["green", *[None] * 9, "amber", "green"]
    assert spark(weeks) == "▇·········▄▇"


def test_the_weeks_come_from_the_kept_snapshots(database: Database, sliding: Cast) -> None:
    kept(database, "2026-06-22", "amber", 1200)  # 8 days back: the week before this one
    kept(database, "2026-04-07", "green", 1500)  # 84 days back: off the line
    assert look(database, sliding.viewer).weekly == [*[None] * 10, "amber", "red"]


# --- the history --------------------------------------------------------------------------------


def test_the_history_is_newest_first_with_today_as_computed_now(
    database: Database, sliding: Cast
) -> None:
    review = reviewed(database, "2026-03-31")
    kept(database, "2026-03-31", "amber", 1400, review_id=review)
    # Today's, kept earlier today with the fit then kept: now replaces it, P(alive) stays.
    kept(database, "2026-06-30", "green", 2000, p_alive=0.7)
    kept(database, "2026-07-01", "green", 2000)  # after the date asked: left out
    with database.reading() as s:
        now, days = health_history.history(s, ACME, as_of=AS_OF)
    assert [(d.taken_on, d.status, d.profit, d.review_id) for d in days] == [
        (AS_OF, "red", 1000, None),
        (date(2026, 3, 31), "amber", 1400, review),
    ]
    assert days[0].reasons == [FELL] and now.trend is not None
    assert (now.p_alive, days[0].p_alive) == (None, 0.7)  # no fit kept now


# --- a login that may only read -----------------------------------------------------------------


@pytest.mark.parametrize("database", [pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)  # fmt: skip
def test_a_select_only_postgresql_login_computes_health_and_keeps_nothing(
    database: Database, sliding: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    from sqlalchemy.engine import make_url

    from db.engine import make_engine

    url = database.engine.url
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kam_reader') "
            "THEN CREATE ROLE kam_reader LOGIN; END IF; END $$"
        )
        conn.exec_driver_sql(f'GRANT CONNECT ON DATABASE "{url.database}" TO kam_reader')
        conn.exec_driver_sql("GRANT USAGE ON SCHEMA public TO kam_reader")
        conn.exec_driver_sql("GRANT SELECT ON ALL TABLES IN SCHEMA public TO kam_reader")
    reader = Database(make_engine(make_url(url).set(username="kam_reader").render_as_string(
        hide_password=False)))  # fmt: skip
    try:
        with caplog.at_level(logging.DEBUG, logger="kam.services.snapshots"):
            assert look(reader, sliding.manager).status == "red"
        (line,) = [r for r in caplog.records if r.name == "kam.services.snapshots"]
        assert "not kept" in line.getMessage() and "permission denied" in line.getMessage()
        with pytest.raises(PermissionDenied, match="may only read"):
            snapshots.take_snapshots(reader, sliding.admin, as_of=AS_OF)
    finally:
        reader.dispose()
    assert snapshots_of(database) == []


# --- kam snapshot -------------------------------------------------------------------------------


def test_taking_snapshots_refreshes_the_fit_then_records_every_open_account_once_a_day(
    database: Database, sliding: Cast
) -> None:
    first = snapshots.take_snapshots(database, sliding.admin, as_of=AS_OF)
    fitted, step = first.steps
    # Two buyers are too few for the probabilistic model: the simple one is kept all the same.
    assert (fitted.step, fitted.counts) == ("values", {"customers": 1, "repeat_customers": 1,
                                                       "reused": 0, "kept": 1})  # fmt: skip
    assert fitted.said.startswith("Lifetime value at 2026-06-30: fitted and kept; simple: ")
    # Acme red; the nominee 北京燕京啤酒 has no sales either year and no sponsor rules: green.
    assert (step.step, step.counts) == ("health", {"accounts": 2, "new": 2, "rewritten": 0,
                                                   "green": 1, "amber": 0, "red": 1})  # fmt: skip
    again = snapshots.take_snapshots(database, sliding.manager, as_of=AS_OF)
    assert again.steps[0].counts["reused"] == 1
    assert "the kept fit still holds" in again.steps[0].said
    assert (again.steps[1].counts["new"], again.steps[1].counts["rewritten"]) == (0, 2)
    assert len(snapshots_of(database)) == 2
    with database.reading() as s:
        assert len(s.exec(select(ValueFit)).all()) == 1


def test_a_dry_run_of_snapshots_writes_nothing_and_a_viewer_is_refused(
    database: Database, sliding: Cast
) -> None:
    report = snapshots.take_snapshots(database, sliding.admin, as_of=AS_OF, dry_run=True)
    assert "would fit and keep" in report.steps[0].said
    assert report.steps[1].counts["new"] == 2 and "would record 2 new" in report.steps[1].said
    assert snapshots_of(database) == []
    with database.reading() as s:
        assert s.exec(select(ValueFit)).all() == []
    with pytest.raises(PermissionDenied, match="you \\(val\\) are a viewer"):
        snapshots.take_snapshots(database, sliding.viewer, as_of=AS_OF)
