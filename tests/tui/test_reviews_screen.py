"""Reviews: the accounts due and overdue; the account's manager records a review through a
form that validates as you type, then sees the account against the median and top quartile
of the key accounts; two reviews under the threshold recommend retirement; executives and
viewers read, without the record key.

The figures are the small base's (tests/conftest.py `add_small_base`) as of 2026-06-30."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Label, Static

from db.enums import ReviewDecision
from db.models import AuditEvent, BestPractice, KeyAccount, ProgrammeSetting, Review, ReviewPractice
from kam.database import Database
from kam.identity import Actor
from kam.services.reviews import record_review
from screens.app import KamApp, create_app
from screens.areas.reviews import ReviewsScreen
from screens.forms.review_form import ReviewForm
from screens.sheet.screen import AccountSheetScreen
from tests.support import Cast, add_small_base, make_cast
from tests.tui.support import keys, notices, rows, settle, text_of, tui

pytestmark = pytest.mark.today("2026-06-30")  # the day these stories happen

SIZE = (120, 40)
AS_OF = date(2026, 6, 30)
ACME = "Acme [/b] Ltd"
PRACTICE = "Joint [b]plan[/b] with [@click=app.quit]x[/]"


@pytest.fixture
def reviews_cast(sqlite_database: Database) -> Cast:
    """The cast and the small base (Acme active, never reviewed) and one best practice."""
    cast = make_cast(sqlite_database)
    add_small_base(sqlite_database)
    with sqlite_database.writing() as s:
        s.add(BestPractice(title=PRACTICE, source="Benchmark visit"))
    return cast


def reviews_app(database: Database, actor: Actor) -> KamApp:
    return create_app(database, tui(actor), as_of=AS_OF, area="accounts")


async def open_reviews(app: KamApp, pilot: Pilot[None]) -> ReviewsScreen:
    await settle(app, pilot)
    app.push_screen(ReviewsScreen())
    await settle(app, pilot)
    assert isinstance(app.screen, ReviewsScreen)
    return app.screen


def problem(form: ReviewForm, field: str) -> str:
    return str(form.query_one(f"#{field}-problem", Static).render())


async def test_a_manager_records_a_review_and_sees_the_account_against_the_key_accounts(
    sqlite_database: Database, reviews_cast: Cast
) -> None:
    app = reviews_app(sqlite_database, reviews_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reviews(app, pilot)
        assert rows(screen.query_one("#due", DataTable)) == [
            [ACME, "active", "mia", "–", "never scheduled"]
        ]
        assert "1 due within 30 days of 2026-06-30, 1 never scheduled" in text_of(
            screen.query_one("#summary", Static)
        )
        assert keys(app)["enter"] == "record"
        assert "Enter records the review of Acme [/b] Ltd." in text_of(
            screen.query_one("#hint", Static)
        )

        await pilot.press("enter")
        form = app.screen
        assert isinstance(form, ReviewForm)
        assert str(form.query_one("#heading", Label).render()) == (
            "Review of Acme [/b] Ltd on 2026-06-30"
        )
        await pilot.press(*"8", "tab", *"10", "tab")
        assert "Satisfaction 0.80: dissatisfied" in text_of(form.query_one("#satisfaction", Static))
        await pilot.press("enter", "down", "enter", "tab")  # decision: retain
        await pilot.press("4", "tab", *"Strong fit [TODO]", "tab")  # strategic fit
        await pilot.press("3", "tab", *"Refers us", "tab")  # advocacy
        await pilot.press("5", "tab", *"Ten years", "tab")  # relationship loyalty
        await pilot.press("space", "down", "down", "space", "tab")  # checklist: 1st and 3rd
        await pilot.press("space", "tab")  # the one best practice
        await pilot.press(*"Call [b]them[/b]", "ctrl+s")
        await settle(app, pilot)

        assert app.screen is screen
        assert "Review of Acme [/b] Ltd recorded: retain." in notices(app)
        with sqlite_database.reading() as s:
            review = s.exec(select(Review)).one()
            assert (review.reviewed_on, review.perceived, review.expected) == (AS_OF, 8, 10)
            assert (review.satisfaction, review.decision) == (0.8, ReviewDecision.RETAIN)
            assert review.next_review_on == date(2026, 12, 27)  # 180 days on
            assert review.notes == "Call [b]them[/b]"
            checklist = json.loads(review.checklist_json)
            assert [k for k, done in checklist.items() if done] == [
                "account_plan_updated",
                "commitments_reviewed_with_customer",
            ]
            linked = s.exec(select(ReviewPractice)).one()
            assert s.get(BestPractice, linked.practice_id).title == PRACTICE  # type: ignore[union-attr]
            account = s.exec(select(KeyAccount).where(KeyAccount.status == "active")).one()
            assert account.next_review_on == date(2026, 12, 27)
            event = s.exec(select(AuditEvent).where(AuditEvent.entity == "review")).one()
            assert (event.actor, event.door) == ("mia", "tui")

        result = text_of(screen.query_one("#result", Static))
        assert "REVIEW RECORDED  Acme [/b] Ltd  on 2026-06-30 by mia" in result
        # Metric criteria all score 5 (Acme leads the active base); manual 4, 3, 5 at weight
        # 10 each: 100 x (70 + 8 + 6 + 10) / 100 = 94.
        assert "94  (threshold 60)" in result
        assert "0.80 = perceived 8 / expected 10: dissatisfied" in result
        assert "2 of 6 done" in result and PRACTICE in result
        assert "Against the 1 key account" in result
        profit = next(line for line in result.splitlines() if "Profit (T12M)" in line)
        assert profit.split() == [
            "Profit",
            "(T12M)",
            "500",
            "500",
            "500",
            "at",
            "median",
        ]  # the one member
        assert "retirement recommended" not in result
        assert text_of(screen.query_one("#latest", Static)) == ""
        # Reviewed: not due for 180 days, so the list is empty.
        assert rows(screen.query_one("#due", DataTable)) == []
        assert "No review is due within 30 days" in text_of(screen.query_one("#summary", Static))
        assert "record" not in keys(app).values()


async def test_the_form_says_what_is_wrong_as_you_type_and_saves_nothing(
    sqlite_database: Database, reviews_cast: Cast
) -> None:
    app = reviews_app(sqlite_database, reviews_cast.admin)
    async with app.run_test(size=SIZE) as pilot:
        await open_reviews(app, pilot)
        await pilot.press("enter")
        form = app.screen
        assert isinstance(form, ReviewForm)
        await pilot.press(*"11")
        assert problem(form, "perceived") == "11 is outside 1 to 10."
        assert "Satisfaction =" in text_of(form.query_one("#satisfaction", Static))
        await pilot.press("tab", "tab", "tab", "tab", *"No score given")  # comment, no score
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form  # still open
        assert "4 fields to fix" in str(form.query_one("#problems", Static).render())
        assert problem(form, "expected") == "Write a whole number from 1 to 10."
        assert problem(form, "decision") == "Choose retain, watch or retire."
        assert problem(form, "score-0") == "Give a score with the reason."
        assert form.focused is form.query_one("#perceived")
        with sqlite_database.reading() as s:
            assert s.exec(select(Review)).all() == []
        await pilot.press("escape")  # typed in: the first Escape warns, the second closes
        assert app.screen is form
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewsScreen)


async def test_two_reviews_in_a_row_under_the_threshold_recommend_retirement(
    sqlite_database: Database, reviews_cast: Cast
) -> None:
    with sqlite_database.writing() as s:
        s.add(ProgrammeSetting(key="threshold", value="95"))
    with sqlite_database.writing() as s:
        manual = {c: (2, "weak") for c in ("strategic_fit", "advocacy", "relationship_loyalty")}
        first = record_review(
            s,
            tui(reviews_cast.manager),
            ACME,
            perceived=5,
            expected=8,
            decision=ReviewDecision.WATCH,
            manual=manual,
            reviewed_on=date(2026, 1, 10),
            next_review_on=date(2026, 6, 1),
        )
        assert first.total is not None and first.total < 95
    app = reviews_app(sqlite_database, reviews_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reviews(app, pilot)
        assert rows(screen.query_one("#due", DataTable)) == [
            [ACME, "under review", "mia", "2026-06-01", "29 days overdue"]
        ]
        last = text_of(screen.query_one("#latest", Static))  # beside the list, before recording
        assert "LAST REVIEW  Acme [/b] Ltd  on 2026-01-10 by mia" in last
        assert "0.62 = perceived 5 / expected 8: dissatisfied" in last
        await pilot.press("enter", *"4", "tab", *"8", "tab")
        await pilot.press("enter", "down", "down", "down", "enter")  # decision: retire
        await pilot.press("ctrl+s")  # the manual scores carry over from the last review
        await settle(app, pilot)
        assert app.screen is screen
        result = text_of(screen.query_one("#result", Static))
        assert "Two reviews in a row under the threshold (95): retirement recommended." in result
        assert "(threshold 95)" in result
        with sqlite_database.reading() as s:
            latest = s.exec(select(Review).order_by(Review.id.desc())).first()  # type: ignore[union-attr]
            assert latest is not None and latest.decision == ReviewDecision.RETIRE
            assert json.loads(latest.benchmark_json)["recommendation"] == "retire"

        # A newer review, recorded elsewhere (the CLI); Reload shows it, not the one above.
        with sqlite_database.writing() as s:
            record_review(s, tui(reviews_cast.manager), ACME, perceived=2, expected=8,
                          decision=ReviewDecision.RETIRE, manual=manual,
                          next_review_on=date(2026, 7, 1))  # fmt: skip
        await pilot.press("r")
        await settle(app, pilot)
        assert not screen.query_one("#result", Static).display
        last = text_of(screen.query_one("#latest", Static))
        assert "0.25 = perceived 2 / expected 8: dissatisfied" in last


@pytest.mark.parametrize("who", ["viewer", "executive"])
async def test_executives_and_viewers_read_the_reviews_due_without_a_record_key(
    sqlite_database: Database, reviews_cast: Cast, who: str
) -> None:
    app = reviews_app(sqlite_database, getattr(reviews_cast, who))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reviews(app, pilot)
        assert rows(screen.query_one("#due", DataTable))[0][0] == ACME
        assert "record" not in keys(app).values()  # absent from the footer, not failing
        assert "Read-only" in text_of(screen.query_one("#access", Static))
        assert text_of(screen.query_one("#latest", Static)) == (
            "Acme [/b] Ltd has not been reviewed yet: its comparison with the other key "
            "accounts (median, top quartile) appears here once it is."
        )
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen  # no form
        await pilot.press("o")  # the account is one key away
        await settle(app, pilot)
        assert isinstance(app.screen, AccountSheetScreen)
        assert app.screen.customer == ACME
        with sqlite_database.reading() as s:
            assert s.exec(select(Review)).all() == []


async def test_a_manager_has_no_record_key_on_an_account_someone_else_manages(
    sqlite_database: Database, reviews_cast: Cast
) -> None:
    app = reviews_app(sqlite_database, reviews_cast.other_manager)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reviews(app, pilot)
        assert "record" not in keys(app).values()
        assert not screen.query_one("#access", Static).display
        assert text_of(screen.query_one("#hint", Static)) == (
            "mia manages Acme [/b] Ltd: only they or an admin record its review."
        )
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen
