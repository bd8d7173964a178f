"""The visit schedule: every active and under-review account with its next sponsor visit due,
the overdue ones first; `overdue_visits` is the overdue part of it."""

from __future__ import annotations

from datetime import date

import pytest

from db.enums import AccountStatus
from kam.database import Database
from kam.services import sponsors
from tests.support import Cast
from tests.unit.test_sponsors_managers import ACME, add_accounts

#: The story happens on this day, whatever the real date.
pytestmark = pytest.mark.today("2026-07-15")


def test_the_schedule_lists_every_visited_account_by_urgency_with_days_left_or_late(
    database: Database, cast: Cast
) -> None:
    add_accounts(database, "Fresh", 1, sponsor="eve", admitted_on=date(2026, 6, 1))
    add_accounts(database, "Orphan", 1, admitted_on=date(2026, 5, 1))
    add_accounts(
        database, "Nominee", 1, sponsor="eve", status=AccountStatus.NOMINATED, admitted_on=None
    )
    with database.writing() as s:
        sponsors.record_visit(s, cast.executive, ACME, on=date(2026, 4, 1), notes="QBR")
    as_of = date(2026, 7, 15)
    with database.reading() as s:
        schedule = sponsors.visit_schedule(s, as_of)
        overdue = sponsors.overdue_visits(s, as_of)
    # Acme: 2026-04-01 + 90 = 2026-06-30 (15 days late); Orphan: 2026-05-01 + 90 = 2026-07-30;
    # Fresh: 2026-06-01 + 90 = 2026-08-30. The nominee expects no visits yet.
    assert [(v.customer, v.sponsor, v.due_on, v.days_overdue, v.overdue) for v in schedule] == [
        (ACME, "eve", date(2026, 6, 30), 15, True),
        ("Orphan 1", None, date(2026, 7, 30), -15, False),
        ("Fresh 1", "eve", date(2026, 8, 30), -46, False),
    ]
    assert schedule[0].last_visit == date(2026, 4, 1) and schedule[0].days_since == 105
    assert schedule[0].visit_days == 90
    assert [(v.customer, v.days_overdue) for v in overdue] == [(ACME, 15)]
