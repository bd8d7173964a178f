"""Account health by the written rule: each reason, red and amber, and green, worked by hand.

As of 2026-06-30 the T12M window is 2025-07-01 .. 2026-06-30 and the twelve months before
are 2024-07-01 .. 2025-06-30. Acme (active since 2025-01-15, sponsor eve) starts healthy:
a margin of 400 in each window (revenue 1000, cost of goods 600) and a sponsor visit on
2026-05-01, 60 days before. A visit is due every 90 days.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import select

from db.enums import AccountStatus, CommitmentStatus, ComplaintStatus, Department, Severity
from db.models import Commitment, Complaint, Customer, KeyAccount, Review, User
from kam.database import Database
from kam.errors import NotFound
from kam.services import accounts, health, sponsors
from kam.services.programme import set_setting
from tests.support import Cast

AS_OF = date(2026, 6, 30)

#: The story happens on this day, whatever the real date.
pytestmark = pytest.mark.today("2026-06-30")
ACME, BEER = "Acme [/b] Ltd", "北京燕京啤酒"


def customer_id(database: Database, name: str) -> int:
    with database.reading() as s:
        found = s.exec(select(Customer.id).where(Customer.name == name)).one()
    assert found is not None
    return found


def sell(database: Database, name: str, on: str, revenue: float, cost_of_goods: float) -> None:
    cid = customer_id(database, name)
    with database.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sales_line (customer_id, sold_on, revenue, cost_of_goods, quantity, "
                "line_key) VALUES (:c, :d, :r, :g, 1, :k)"
            ),
            {"c": cid, "d": date.fromisoformat(on), "r": revenue, "g": cost_of_goods,
             "k": f"{cid}-{on}-{revenue}"},
        )  # fmt: skip


def spend(database: Database, name: str, on: str, amount: float) -> None:
    cid = customer_id(database, name)
    with database.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO service_cost (customer_id, incurred_on, category, amount, note, "
                "line_key) VALUES (:c, :d, 'support', :a, '', :k)"
            ),
            {"c": cid, "d": date.fromisoformat(on), "a": amount, "k": f"{cid}-{on}-{amount}"},
        )


def add(database: Database, *rows: object) -> None:
    with database.writing() as s:
        s.add_all(rows)


def review(
    database: Database, on: str, perceived: int, expected: int, *, stored: bool = True
) -> Review:
    with database.reading() as s:
        account_id = s.exec(select(KeyAccount.id).where(KeyAccount.customer_id == 1)).one()
        reviewer = s.exec(select(User.id).where(User.login == "ada")).one()
    return Review(
        key_account_id=account_id,
        reviewed_on=date.fromisoformat(on),
        perceived=perceived,
        expected=expected,
        satisfaction=perceived / expected if stored else None,
        decision="retain",
        reviewed_by_id=reviewer,
    )


def complaint(severity: Severity, *, fed_back_on: str | None = None) -> Complaint:
    return Complaint(
        customer_id=1,
        summary="Late deliveries",
        severity=severity,
        status=ComplaintStatus.FED_BACK if fed_back_on else ComplaintStatus.HANDLED,
        recorded_on=date(2026, 3, 1),
        fed_back_on=date.fromisoformat(fed_back_on) if fed_back_on else None,
    )


def commitment(due: str, status: CommitmentStatus = CommitmentStatus.OPEN,
               closed: str | None = None) -> Commitment:  # fmt: skip
    return Commitment(
        customer_id=1,
        description="Price list for 2026",
        department=Department.SALES,
        due_on=date.fromisoformat(due),
        status=status,
        closed_on=date.fromisoformat(closed) if closed else None,
    )


def acme(database: Database, as_of: date = AS_OF) -> tuple[str, list[str]]:
    with database.reading() as s:
        view = health.account_health(s, ACME, as_of=as_of)
    return view.status, view.reasons


@pytest.fixture
def steady(database: Database, cast: Cast) -> Cast:
    """Acme with a steady margin of 400 a year and a sponsor visit 60 days ago."""
    assert customer_id(database, ACME) == 1
    sell(database, ACME, "2025-03-01", 1000, 600)
    sell(database, ACME, "2026-03-01", 1000, 600)
    with database.writing() as s:
        sponsors.record_visit(s, cast.executive, ACME, on=date(2026, 5, 1), notes="Roadmap")
    return cast


# --- green --------------------------------------------------------------------------------------


def test_a_steady_account_visited_60_days_ago_is_green(database: Database, steady: Cast) -> None:
    with database.reading() as s:
        view = health.account_health(s, ACME, as_of=AS_OF)
    assert (view.customer, view.as_of, view.status, view.reasons) == (ACME, AS_OF, "green", [])
    assert view.to_dict()["as_of"] == "2026-06-30"


def test_a_customer_gone_quiet_is_amber_at_risk_of_churning(
    database: Database, steady: Cast
) -> None:
    """Acme bought monthly from July to October 2025 too: its purchase days 2025-03-01,
    07-01, 08-01, 09-01, 10-01 and 2026-03-01 are 122, 31, 31, 30 and 151 days apart, the
    usual gap 31; by 2026-06-30 it is 121 days since the last, over 2 x 31 and 30 days.
    Its profit grew (margin 400 + 4 x 400 against 400), so nothing else is flagged."""
    for day in ("2025-07-01", "2025-08-01", "2025-09-01", "2025-10-01"):
        sell(database, ACME, day, 1000, 600)
    assert acme(database) == (
        "amber",
        ["at risk of churning: 121 days since the last purchase, over 2x its usual 31"],
    )


def test_health_is_found_by_key_account_id_too(database: Database, steady: Cast) -> None:
    with database.reading() as s:
        account_id = accounts.get_account(s, ACME).id
        assert health.account_health(s, account_id, as_of=AS_OF).status == "green"
        with pytest.raises(NotFound, match="No key account has id 999"):
            health.account_health(s, 999, as_of=AS_OF)


def test_the_written_rule_is_there_to_show() -> None:
    for words in ("fell more than 20 %", "below 0.9", "high or critical", "2 or more",
                  "broken in the last 90 days", "2 x visit_days", "Otherwise green"):  # fmt: skip
        assert words in health.RULE
    assert "Red if any of" in (health.__doc__ or "")


# --- profit -------------------------------------------------------------------------------------


def test_profit_falling_12_5_percent_is_amber(database: Database, steady: Cast) -> None:
    spend(database, ACME, "2026-04-01", 50)  # 400 - 50 = 350: (400 - 350) / 400 = 12.5 %
    assert acme(database) == ("amber", ["T12M profit fell 12.5 % (from 400 to 350)"])


def test_profit_falling_exactly_20_percent_is_still_amber(database: Database, steady: Cast) -> None:
    spend(database, ACME, "2026-04-01", 80)  # 320 is 20 % down: not more than 20 %
    assert acme(database) == ("amber", ["T12M profit fell 20 % (from 400 to 320)"])


def test_profit_falling_more_than_20_percent_is_red(database: Database, steady: Cast) -> None:
    spend(database, ACME, "2026-04-01", 100)  # 300 is 25 % down
    spend(database, ACME, "2026-07-01", 1000)  # after the as-of date: does not count
    assert acme(database) == ("red", ["T12M profit fell 25 % (from 400 to 300)"])


def test_negative_profit_is_red(database: Database, steady: Cast) -> None:
    spend(database, ACME, "2026-04-01", 500)  # 400 - 500 = -100
    assert acme(database) == ("red", ["T12M profit is negative (-100, down from 400)"])


def test_profit_that_grew_is_no_flag(database: Database, steady: Cast) -> None:
    sell(database, ACME, "2026-06-30", 100, 0)  # the as-of day counts: 500 against 400
    spend(database, ACME, "2025-06-30", 300)  # the last day of the year before: 100
    assert acme(database) == ("green", [])
    from kam.figures.worth import customer_worth

    with database.reading() as s:
        worth = customer_worth(s, 1, as_of=AS_OF)  # Acme is the cast's first customer
        sheet_health = health.account_health(s, ACME, as_of=AS_OF, worth=worth)
    assert (worth.profit, worth.previous_profit) == (500, 100)
    assert (sheet_health.status, sheet_health.reasons) == ("green", [])


# --- satisfaction -------------------------------------------------------------------------------


def test_latest_satisfaction_below_0_9_is_red(database: Database, steady: Cast) -> None:
    add(database, review(database, "2025-08-01", 10, 5), review(database, "2026-02-01", 8, 9))
    assert acme(database) == (
        "red",
        ["satisfaction index 0.89 at the review of 2026-02-01 (below 0.9)"],
    )


def test_satisfaction_of_exactly_0_9_is_amber(database: Database, steady: Cast) -> None:
    add(database, review(database, "2026-02-01", 9, 10))
    assert acme(database) == (
        "amber",
        ["satisfaction index 0.90 at the review of 2026-02-01 (below 1.0)"],
    )


def test_satisfaction_is_computed_from_perceived_and_expected_when_not_stored(
    database: Database, steady: Cast
) -> None:
    add(database, review(database, "2026-02-01", 8, 10, stored=False))
    assert acme(database)[1] == ["satisfaction index 0.80 at the review of 2026-02-01 (below 0.9)"]


def test_a_satisfied_customer_and_reviews_after_the_date_are_no_flag(
    database: Database, steady: Cast
) -> None:
    add(database, review(database, "2026-02-01", 8, 8), review(database, "2026-07-15", 2, 9))
    assert acme(database) == ("green", [])


# --- complaints ---------------------------------------------------------------------------------


def test_an_open_low_complaint_is_amber(database: Database, steady: Cast) -> None:
    add(database, complaint(Severity.LOW))
    assert acme(database) == ("amber", ["1 open complaint"])


def test_an_open_high_complaint_is_red(database: Database, steady: Cast) -> None:
    add(database, complaint(Severity.HIGH))
    assert acme(database) == ("red", ["1 open complaint of severity high or critical"])


def test_open_complaints_are_counted_with_the_serious_ones_named(
    database: Database, steady: Cast
) -> None:
    add(database, complaint(Severity.CRITICAL), complaint(Severity.MEDIUM),
        complaint(Severity.LOW))  # fmt: skip
    assert acme(database) == ("red", ["3 open complaints, 1 of severity high or critical"])


def test_a_complaint_fed_back_is_closed_but_was_open_before_it_was(
    database: Database, steady: Cast
) -> None:
    add(database, complaint(Severity.CRITICAL, fed_back_on="2026-05-01"))
    assert acme(database) == ("green", [])
    # On 2026-04-30 it was open, and the 2026-05-01 visit was still to come (470 days since
    # admission: 531 - 61).
    assert acme(database, date(2026, 4, 30)) == (
        "red",
        [
            "1 open complaint of severity high or critical",
            "no sponsor visit in the 470 days since admission (due every 90)",
        ],
    )


# --- commitments --------------------------------------------------------------------------------


def test_one_overdue_commitment_is_amber(database: Database, steady: Cast) -> None:
    add(database, commitment("2026-06-01"), commitment("2026-06-30"),  # due today: not overdue
        commitment("2026-05-01", CommitmentStatus.DONE, "2026-05-02"))  # fmt: skip
    assert acme(database) == ("amber", ["1 commitment overdue"])


def test_two_overdue_commitments_are_red(database: Database, steady: Cast) -> None:
    add(database, commitment("2026-06-01"), commitment("2026-06-29"))
    assert acme(database) == ("red", ["2 commitments overdue"])


def test_a_commitment_kept_after_the_date_was_overdue_on_it(
    database: Database, steady: Cast
) -> None:
    add(database, commitment("2026-06-01", CommitmentStatus.DONE, "2026-07-10"))
    assert acme(database) == ("amber", ["1 commitment overdue"])


def test_a_commitment_broken_76_days_ago_is_red(database: Database, steady: Cast) -> None:
    # 2026-04-15 to 2026-06-30: 15 + 31 + 30 = 76 days.
    add(database, commitment("2026-04-10", CommitmentStatus.BROKEN, "2026-04-15"))
    assert acme(database) == ("red", ["1 commitment broken in the last 90 days"])


def test_a_commitment_broken_121_days_ago_no_longer_counts(
    database: Database, steady: Cast
) -> None:
    # 2026-03-01 to 2026-06-30: 30 + 30 + 31 + 30 = 121 days.
    add(database, commitment("2026-02-20", CommitmentStatus.BROKEN, "2026-03-01"))
    assert acme(database) == ("green", [])


# --- sponsor ------------------------------------------------------------------------------------


def test_a_sponsor_visit_100_days_ago_is_amber(database: Database, cast: Cast) -> None:
    with database.writing() as s:  # 2026-03-22 to 2026-06-30: 9 + 30 + 31 + 30 = 100 days
        sponsors.record_visit(s, cast.executive, ACME, on=date(2026, 3, 22), notes="x")
    assert acme(database) == ("amber", ["last sponsor visit 100 days ago (due every 90)"])


def test_a_sponsor_visit_211_days_ago_is_red(database: Database, cast: Cast) -> None:
    with database.writing() as s:  # 2025-12-01 to 2026-06-30: 30+31+28+31+30+31+30 = 211
        sponsors.record_visit(s, cast.executive, ACME, on=date(2025, 12, 1), notes="x")
    assert acme(database) == ("red", ["last sponsor visit 211 days ago (due every 90)"])


def test_a_sponsor_visit_exactly_180_days_ago_is_amber_not_red(
    database: Database, cast: Cast
) -> None:
    with database.writing() as s:  # 2026-01-01 to 2026-06-30: 30 + 28 + 31 + 30 + 31 + 30
        sponsors.record_visit(s, cast.executive, ACME, on=date(2026, 1, 1), notes="x")
    assert acme(database) == ("amber", ["last sponsor visit 180 days ago (due every 90)"])


def test_an_account_never_visited_is_counted_from_its_admission(
    database: Database, cast: Cast
) -> None:
    # Admitted 2025-01-15: 365 days to 2026-01-15, then 31+28+31+30+31 to 06-15, +15 = 531.
    assert acme(database) == (
        "red",
        ["no sponsor visit in the 531 days since admission (due every 90)"],
    )
    assert acme(database, date(2025, 4, 15)) == ("green", [])  # 90 days: just due


def test_an_active_account_without_a_sponsor_is_red(database: Database, steady: Cast) -> None:
    with database.writing() as s:
        accounts.update_account(s, steady.admin, ACME, sponsor=None)
    assert acme(database) == ("red", ["no executive sponsor"])


def test_a_nominee_without_a_sponsor_is_not_flagged_for_it(database: Database, cast: Cast) -> None:
    with database.reading() as s:
        view = health.account_health(s, BEER, as_of=AS_OF)
    assert (view.status, view.reasons) == ("green", [])


def test_the_visit_cadence_in_health_follows_the_programme_setting(
    database: Database, steady: Cast
) -> None:
    with database.writing() as s:
        set_setting(s, steady.admin, "visit_days", "30")
    # 60 days: more than 30 (amber), not more than 60 (red).
    assert acme(database) == ("amber", ["last sponsor visit 60 days ago (due every 30)"])


# --- together -----------------------------------------------------------------------------------


def test_every_flag_is_listed_red_ones_first(database: Database, steady: Cast) -> None:
    spend(database, ACME, "2026-04-01", 50)  # amber: 12.5 % down
    add(database, complaint(Severity.HIGH), commitment("2026-06-01"),
        review(database, "2026-02-01", 9, 10))  # fmt: skip
    assert acme(database) == (
        "red",
        [
            "1 open complaint of severity high or critical",
            "T12M profit fell 12.5 % (from 400 to 350)",
            "satisfaction index 0.90 at the review of 2026-02-01 (below 1.0)",
            "1 commitment overdue",
        ],
    )


def test_programme_health_covers_every_open_account_red_first_in_one_load(
    database: Database, steady: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kam.figures.frames

    with database.writing() as s:
        for name in ("Zeta Retired", "Alpha Active"):
            s.add(Customer(name=name))
        s.flush()
        ids = dict(s.exec(select(Customer.name, Customer.id)).all())
        s.add(KeyAccount(customer_id=ids["Zeta Retired"], status=AccountStatus.RETIRED))
        s.add(KeyAccount(customer_id=ids["Alpha Active"], status=AccountStatus.ACTIVE,
                         admitted_on=date(2026, 6, 1)))  # fmt: skip
    add(database, complaint(Severity.LOW))
    loads = []
    real = kam.figures.frames.window

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        loads.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(kam.figures.frames, "window", counted)
    with database.reading() as s:
        views = health.programme_health(s, as_of=AS_OF)
    assert [(v.customer, v.status, v.reasons) for v in views] == [
        ("Alpha Active", "red", ["no executive sponsor"]),
        (ACME, "amber", ["1 open complaint"]),
        (BEER, "green", []),
    ]
    # Two sums in the database (this year, the year before) for every open account at once.
    assert len(loads) == 2
    assert all(sorted(load["customer_ids"]) == sorted([1, 2, ids["Alpha Active"]])
               for load in loads)  # fmt: skip
