"""Manager and sponsor scorecards, worked out by hand on a manager with two accounts.

As of 2026-06-30 (T12M 2025-07-01 .. 2026-06-30; the twelve months before 2024-07-01 ..
2025-06-30), with tests.support.add_small_base's lines:

- Acme [/b] Ltd (mia, sponsor eve, admitted 2025-01-15): T12M profit 500 (margin 650 less
  cost to serve 150); before: one sale of 200 at cost 100, so 100.
- Plain Prospect GmbH, made an active key account of mia's, sponsored by eve, admitted
  2025-03-01: T12M profit 70 (100 - 30); before: 100 - 20 = 80.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from db.enums import CommitmentStatus, Department, InteractionKind, ReviewDecision
from db.models import Commitment, Customer, Interaction, KeyAccount, Review, User
from kam.database import Database
from kam.errors import PermissionDenied
from kam.services.scorecards import (
    manager_scorecard,
    read_scorecard,
    sponsor_scorecard,
    year_before,
)
from tests.support import Cast, add_small_base

pytestmark = pytest.mark.today("2026-07-01")

AS_OF = date(2026, 6, 30)
ACME, PLAIN = "Acme [/b] Ltd", "Plain Prospect GmbH"


def _factor(r: float, d: float = 0.10, h: int = 5) -> float:
    """sum over t = 1..h of r^(t-1) / (1+d)^t, written out term by term."""
    return sum(r ** (t - 1) / (1 + d) ** t for t in range(1, h + 1))


def _two_accounts(database: Database) -> None:
    """Mia's two accounts, their commitments, sponsor visits and reviews (see each line)."""
    add_small_base(database)
    with database.writing() as s:
        users = {u.login: u for u in s.exec(select(User)).all()}
        customers = {c.name: c for c in s.exec(select(Customer)).all()}
        acme = s.exec(select(KeyAccount).where(KeyAccount.customer_id == customers[ACME].id)).one()
        acme.next_review_on = date(2026, 7, 19)  # set by the review of 2026-01-20
        plain = KeyAccount(
            customer_id=customers[PLAIN].id,  # type: ignore[arg-type]
            manager_id=users["mia"].id,
            sponsor_id=users["eve"].id,
            status="active",
            admitted_on=date(2025, 3, 1),
            next_review_on=date(2025, 8, 28),  # admission + 180 days: never reviewed, overdue
        )
        s.add(plain)
        s.flush()
        a, p = customers[ACME].id, customers[PLAIN].id
        assert a is not None and p is not None
        commitments = [
            (a, date(2026, 5, 1), CommitmentStatus.OPEN, None),  # overdue
            (a, date(2026, 6, 1), CommitmentStatus.DONE, date(2026, 7, 10)),  # done after: overdue
            (a, date(2026, 6, 30), CommitmentStatus.OPEN, None),  # due today: not yet overdue
            (a, date(2026, 1, 1), CommitmentStatus.DONE, date(2025, 12, 20)),  # kept
        ]
        for customer_id, due, status, closed in commitments:
            s.add(Commitment(customer_id=customer_id, description="promise", due_on=due,
                             department=Department.SALES, status=status, closed_on=closed))  # fmt: skip
        visits = [
            (a, date(2025, 3, 1)),  # before the window: not counted
            (a, date(2025, 7, 20)),  # due 2025-03-01 + 90 = 2025-05-30: late
            (a, date(2025, 10, 10)),  # due 2025-07-20 + 90 = 2025-10-18: on time
            (a, date(2026, 1, 5)),  # due 2026-01-08: on time
            (a, date(2026, 4, 1)),  # due 2026-04-05: on time; next due 2026-06-30, not overdue
            (p, date(2025, 5, 20)),  # before the window
            (p, date(2026, 3, 15)),  # due 2025-05-20 + 90 = 2025-08-18: late; next due
            # 2026-06-13: overdue on 2026-06-30 (107 days since)
        ]
        for customer_id, day in visits:
            s.add(Interaction(customer_id=customer_id, kind=InteractionKind.EXECUTIVE_VISIT,
                              happened_on=day))  # fmt: skip
        reviewer = users["mia"].id
        assert acme.id is not None and reviewer is not None
        for reviewed, next_on in [
            (date(2025, 7, 10), date(2026, 1, 6)),  # due 2025-01-15 + 180 = 2025-07-14: on time
            (date(2026, 1, 20), date(2026, 7, 19)),  # due 2026-01-06: late
        ]:
            s.add(Review(key_account_id=acme.id, reviewed_on=reviewed, next_review_on=next_on,
                         decision=ReviewDecision.RETAIN, reviewed_by_id=reviewer))  # fmt: skip


def test_a_managers_scorecard_sums_their_two_accounts(database: Database, cast: Cast) -> None:
    _two_accounts(database)
    with database.reading() as s:
        card = manager_scorecard(s, cast.executive, as_of=AS_OF)
    mia = next(score for score in card.scores if score.login == "mia")
    assert card.everyone and mia.accounts == 2
    assert mia.profit == pytest.approx(500 + 70)
    assert mia.profit_before == pytest.approx(100 + 80)
    assert mia.profit_change == pytest.approx(570 - 180)
    # Simple CLV (too little history for the model). Now: the base's retention is 2/3 (Acme,
    # 北京 and Plain bought the year before; Acme and Plain bought again). A year before
    # (2025-06-30): nobody bought in the twelve months before that, retention taken as 0,
    # so the CLV is one year's profit discounted: (100 + 80) / 1.1.
    assert mia.clv == pytest.approx((500 + 70) * _factor(2 / 3))
    assert mia.clv_before == pytest.approx((100 + 80) / 1.1)
    # Acme red (2 overdue commitments); Plain amber (profit fell 12.5 % from 80 to 70, and
    # its sponsor visit is 107 days old, over 90).
    assert (mia.green, mia.amber, mia.red) == (0, 1, 1)
    assert (mia.overdue_commitments, mia.overdue_visits) == (2, 1)
    # Reviews: Acme's 2025-07-10 on time, 2026-01-20 late; Plain's first review overdue.
    assert (mia.due, mia.on_time, mia.on_time_share) == (3, 1, pytest.approx(1 / 3))


def test_a_sponsors_scorecard_counts_visits_on_time(database: Database, cast: Cast) -> None:
    _two_accounts(database)
    with database.reading() as s:
        card = sponsor_scorecard(s, cast.admin, as_of=AS_OF)
    (eve,) = card.scores
    assert (eve.login, eve.accounts) == ("eve", 2)
    assert eve.profit == pytest.approx(570) and eve.clv == pytest.approx(570 * _factor(2 / 3))
    assert (eve.green, eve.amber, eve.red) == (0, 1, 1)
    # Acme: 4 visits in the window, 3 on time; Plain: 1 late in the window and 1 overdue.
    assert (eve.due, eve.on_time) == (4 + 2, 3)
    assert eve.overdue_visits == 1


def test_a_manager_sees_only_their_own_scorecard(database: Database, cast: Cast) -> None:
    _two_accounts(database)
    with database.reading() as s:
        mine = manager_scorecard(s, cast.manager, as_of=AS_OF)
        assert [sc.login for sc in mine.scores] == ["mia"] and not mine.everyone
        everyone = manager_scorecard(s, cast.executive, as_of=AS_OF)
        assert [sc.login for sc in everyone.scores] == ["mia", "otto"]
        with pytest.raises(PermissionDenied, match="only their own scorecard.*'otto'"):
            manager_scorecard(s, cast.manager, as_of=AS_OF, login="otto")
        with pytest.raises(PermissionDenied, match="Only executives or admins"):
            sponsor_scorecard(s, cast.manager, as_of=AS_OF)
        with pytest.raises(PermissionDenied, match="you \\(val\\) are a viewer"):
            manager_scorecard(s, cast.viewer, as_of=AS_OF)


def _fits(database: Database) -> list[tuple[date, date]]:
    from db.models import ValueFit

    with database.reading() as s:
        return [(f.as_of, f.calibration_end) for f in s.exec(select(ValueFit)).all()]


def test_the_fit_a_year_before_is_made_once_and_kept_for_the_next_scorecard(
    database: Database, cast: Cast
) -> None:
    """The CLV a year before comes from a fit at 2025-06-30 (the end of the twelve months
    before the T12M window): made and kept at the first scorecard, read at the next."""
    _two_accounts(database)
    assert _fits(database) == []

    first = year_before(database, cast.admin, "manager", as_of=AS_OF)
    assert first is not None and first.stored
    assert _fits(database) == [(date(2025, 6, 30), date(2025, 6, 30))]
    again = year_before(database, cast.admin, "sponsor", as_of=AS_OF)
    assert again is not None and again.key == first.key
    assert _fits(database) == [(date(2025, 6, 30), date(2025, 6, 30))]

    card = read_scorecard(database, cast.executive, "manager", as_of=AS_OF)
    mia = next(score for score in card.scores if score.login == "mia")
    assert mia.clv_before == pytest.approx((100 + 80) / 1.1)  # as without it (above)
    assert _fits(database) == [(date(2025, 6, 30), date(2025, 6, 30))]


def test_no_fit_a_year_before_is_made_without_an_open_account_or_for_a_refused_user(
    database: Database, cast: Cast
) -> None:
    _two_accounts(database)
    with pytest.raises(PermissionDenied, match="only their own scorecard"):
        year_before(database, cast.manager, "manager", as_of=AS_OF, login="otto")
    with pytest.raises(PermissionDenied, match="you \\(val\\) are a viewer"):
        year_before(database, cast.viewer, "manager", as_of=AS_OF)
    assert _fits(database) == []

    with database.writing() as s:
        for account in s.exec(select(KeyAccount)).all():
            account.status = "retired"
            s.add(account)
    assert year_before(database, cast.admin, "manager", as_of=AS_OF) is None
    card = read_scorecard(database, cast.admin, "manager", as_of=AS_OF)
    assert _fits(database) == []
    assert {(sc.login, sc.accounts, sc.clv, sc.clv_before) for sc in card.scores} == {
        ("mia", 0, 0.0, 0.0),
        ("otto", 0, 0.0, 0.0),
    }
