"""The dashboard's overview: size against the cap, CLV, the Pareto curve and the alerts."""

from __future__ import annotations

from datetime import date

import pytest

from db.enums import Department, Severity
from kam.database import Database
from kam.services import commitments, complaints
from kam.services.dashboard import programme_overview
from tests.support import Cast, add_small_base

AS_OF = date(2026, 6, 30)


@pytest.fixture
def base(database: Database, cast: Cast) -> Cast:
    add_small_base(database)
    with database.writing() as s:
        commitments.add_commitment(s, cast.manager, cast.customer, description="Price list",
                                   department=Department.SALES, due_on=date(2026, 6, 1))  # fmt: skip
        complaints.record_complaint(s, cast.manager, cast.customer, summary="Late pallets",
                                    severity=Severity.HIGH, recorded_on=date(2026, 6, 10))  # fmt: skip
    return cast


def test_the_overview_counts_the_programme_and_its_worth(database: Database, base: Cast) -> None:
    with database.reading() as s:
        o = programme_overview(s, as_of=AS_OF)
    assert (o.active, o.open_accounts, o.cap) == (1, 2, 25)  # Acme active, 北京 nominated
    # Only members count towards CLV: Acme's 500 x 2.118998 (see tests/cli/test_metrics_cli.py).
    assert o.total_clv == pytest.approx(1059.50, abs=0.01)
    assert (o.total_profit, o.key_account_profit) == (530, 500)
    assert (o.customers_for_80, o.below_break_even) == (1, 1)
    # Three customers by profit: 500, 70, -40 of 530. The first tenth rounds to one customer.
    assert o.pareto_curve[0] == pytest.approx((0.1, 500 / 530))
    assert o.pareto_curve[-1] == pytest.approx((1.0, 1.0))


def test_every_alert_names_its_account_most_pressing_first(database: Database, base: Cast) -> None:
    with database.reading() as s:
        alerts = programme_overview(s, as_of=AS_OF).alerts
    kinds = [(a.kind, a.customer) for a in alerts]
    assert kinds == [
        ("commitment", "Acme [/b] Ltd"),
        ("complaint", "Acme [/b] Ltd"),
        ("visit", "Acme [/b] Ltd"),  # never visited since admission on 2025-01-15
        ("review", "Acme [/b] Ltd"),  # never scheduled
    ]
    assert alerts[0].text == "commitment overdue since 2026-06-01: Price list"
    assert alerts[1].text.startswith("high complaint recorded since 2026-06-10")


def test_the_clv_of_key_accounts_counts_members_not_nominees(
    database: Database, base: Cast
) -> None:
    """Members are active and under-review accounts (kam.rules.lifecycle): a nominee being
    vetted is not a key account yet, whatever its worth."""
    from sqlalchemy import update

    from db.enums import AccountStatus
    from db.models import KeyAccount
    from kam.services import accounts

    acme_clv = 500 * 2.118998  # the base's retention 2/3, d 10 %, H 5
    plain_clv = 70 * 2.118998

    def total() -> float:
        with database.reading() as s:
            return programme_overview(s, as_of=AS_OF).total_clv

    def move(customer_id: int, status: AccountStatus) -> None:
        with database.writing() as s:
            s.exec(update(KeyAccount).where(KeyAccount.customer_id == customer_id)  # type: ignore[call-overload, arg-type]
                   .values(status=status))  # fmt: skip

    with database.writing() as s:
        accounts.create_account(s, base.manager, customer=base.plain_customer)
    move(3, AccountStatus.VETTING)  # Plain: being vetted
    assert total() == pytest.approx(acme_clv, abs=0.01)
    move(1, AccountStatus.UNDER_REVIEW)  # Acme: under review is still a member
    assert total() == pytest.approx(acme_clv, abs=0.01)
    move(3, AccountStatus.ACTIVE)
    assert total() == pytest.approx(acme_clv + plain_clv, abs=0.01)
