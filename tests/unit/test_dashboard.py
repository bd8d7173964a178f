"""The dashboard's overview: size against the cap, CLV, the Pareto curve and the alerts."""

from __future__ import annotations

from datetime import date

import pytest

from db.enums import Department, Severity
from kam.database import Database
from kam.services import commitments, complaints
from kam.services.dashboard import ALERT_ORDER, programme_overview
from tests.support import Cast, add_small_base

pytestmark = pytest.mark.today("2026-06-30")  # the day these stories happen

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


def test_the_overview_says_when_the_clv_took_an_unknown_base_retention_as_0(
    database: Database, base: Cast
) -> None:
    """Without the sales of the year before the T12M window (2024-07-01 .. 2025-06-30), the
    base's retention cannot be measured: Acme's CLV takes r = 0 and the overview says so; a
    retention override on Acme gives it an r, and nothing is taken as 0."""
    from sqlalchemy import text

    from kam.services import accounts

    with database.reading() as s:
        assert not programme_overview(s, as_of=AS_OF, alerts=False).retention_unknown
    with database.engine.begin() as conn:  # A0, B0 and P0: the year before's three buyers
        conn.execute(text("DELETE FROM sales_line WHERE sold_on < :d"), {"d": date(2025, 7, 1)})
    with database.reading() as s:
        o = programme_overview(s, as_of=AS_OF, alerts=False)
    # Acme's profit 500 in the first year only: 500 / 1.1 = 454.55
    assert (o.retention_unknown, o.total_clv) == (True, pytest.approx(454.55, abs=0.01))
    with database.writing() as s:
        accounts.update_account(s, base.manager, base.customer, reason="QBR",
                                retention_override=0.5)  # fmt: skip
    with database.reading() as s:
        o = programme_overview(s, as_of=AS_OF, alerts=False)
    # r = 0.5: 500 x (1/1.1 + 0.5/1.21 + 0.25/1.331 + 0.125/1.4641 + 0.0625/1.61051)
    #        = 500 x (0.909091 + 0.413223 + 0.187829 + 0.085377 + 0.038808) = 817.16
    assert (o.retention_unknown, o.total_clv) == (False, pytest.approx(817.16, abs=0.01))


def test_every_alert_names_its_account_most_pressing_first(database: Database, base: Cast) -> None:
    with database.reading() as s:
        alerts = programme_overview(s, as_of=AS_OF).alerts
    kinds = [(a.kind, a.customer) for a in alerts]
    assert kinds == [
        ("commitment", "Acme [/b] Ltd"),
        ("complaint", "Acme [/b] Ltd"),
        ("visit", "Acme [/b] Ltd"),  # never visited since admission on 2025-01-15
        ("review", "Acme [/b] Ltd"),  # never scheduled
        ("plan", "Acme [/b] Ltd"),
        ("coverage", "Acme [/b] Ltd"),
        ("coverage", "Acme [/b] Ltd"),
    ]
    assert alerts[0].text == "commitment overdue since 2026-06-01: Price list"
    assert alerts[1].text.startswith("high complaint recorded since 2026-06-10")
    assert [a.text for a in alerts[4:]] == [
        "no plan for 2026",
        "nobody at the customer met in 180 days",
        "our executive sponsor has no counterpart at the customer",
    ]


@pytest.mark.today("2026-06-30")
def test_members_plans_and_the_coverage_of_their_people_raise_alerts(
    database: Database, base: Cast
) -> None:
    """A member's overdue plan action, a decision maker nobody owns, a blocker of high
    influence no action addresses; a nominee's people are not the programme's concern yet."""
    from kam.services import contacts, interactions, people, plans

    acme = base.customer
    with database.writing() as s:
        view = plans.add_goal(s, base.manager, acme, title="Grow share")
        view = plans.add_objective(s, base.manager, view.goals[0].id, title="Workshops",
                                   target=4, due_on=date(2026, 12, 31))  # fmt: skip
        plans.add_action(s, base.manager, view.objectives[0].id, title="Book the first",
                         owner="mia", due_on=date(2026, 6, 15))  # fmt: skip
        plans.add_action(s, base.manager, view.objectives[0].id, title="Not yet due",
                         owner="mia", due_on=date(2026, 7, 15))  # fmt: skip
        ceo = contacts.add_contact(s, base.manager, acme, name="陈伟 Chen Wei",
                                   buying_role="decision_maker").id  # fmt: skip
        cfo = contacts.add_contact(s, base.manager, acme, name="Bea Block", stance="blocker",
                                   influence=5, owner="mia").id  # fmt: skip
        for day, who in ((date(2026, 6, 20), ceo), (date(2026, 6, 25), cfo)):
            interactions.log_interaction(s, base.manager, acme, kind="meeting",
                                         happened_on=day, contacts=[who])  # fmt: skip
        people.set_counterpart(s, base.manager, acme, ceo)
        contacts.add_contact(s, base.other_manager, base.other_customer, name="Nobody Owns",
                             buying_role="decision_maker")  # fmt: skip
    with database.reading() as s:
        alerts = programme_overview(s, as_of=AS_OF).alerts
    later = [(a.kind, a.customer, a.text, a.since) for a in alerts if a.kind in
             ("plan", "coverage")]  # fmt: skip
    assert later == [
        ("plan", acme, "plan action overdue since 2026-06-15: Book the first", date(2026, 6, 15)),
        ("coverage", acme, "decision maker 陈伟 Chen Wei has no owner on our side", None),
        (
            "coverage",
            acme,
            "Bea Block blocks us with influence 5 and no plan action addresses them",
            None,
        ),  # fmt: skip
    ]
    assert [a.kind for a in alerts] == sorted(
        (a.kind for a in alerts), key=lambda kind: ALERT_ORDER.index(kind)
    )


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


def test_a_key_account_drifting_away_raises_a_churn_alert(database: Database, base: Cast) -> None:
    """Acme buys as often as ever (the last of its purchase days 2024-09-01, 2025-03-01,
    2025-08-01, 2026-03-01 is 121 days back, its usual gap 181), so P(alive) would not
    warn; but its gross margin fell from 100 + 1,000 in the year before to 650 in the
    T12M: (650 - 1100) / 1100 = -41 %."""
    from sqlalchemy import text

    with database.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sales_line (customer_id, sold_on, revenue, cost_of_goods, quantity, "
                "order_id, line_key) VALUES (1, '2025-03-01', 2000, 1000, 1, 'A9', 'A9')"
            )
        )
    with database.reading() as s:
        alerts = programme_overview(s, as_of=AS_OF).alerts
    churn = [a for a in alerts if a.kind == "churn"]
    assert [(a.customer, a.text) for a in churn] == [
        ("Acme [/b] Ltd", "at risk of churning (declining): T12M gross margin -41% year on year")
    ]
    assert alerts.index(churn[0]) == 2  # after the commitment and the complaint
