"""One set of date rules, applied by the services: nothing that happened is dated in the
future, no step comes before the one it follows, a late promise is a warning."""

from __future__ import annotations

from datetime import date

import pytest

from db.enums import ComplaintStatus, Department, InteractionKind, ReviewDecision, Severity
from kam.database import Database
from kam.errors import InvalidData
from kam.services import commitments, complaints, interactions, managers, reviews, sponsors
from tests.support import Cast

pytestmark = pytest.mark.today("2026-06-30")
TOMORROW = date(2026, 7, 1)


def test_an_interaction_cannot_be_dated_in_the_future(database: Database, cast: Cast) -> None:
    with pytest.raises(InvalidData, match="happened_on: 2026-07-01 is in the future"):
        with database.writing() as s:
            interactions.log_interaction(s, cast.manager, cast.customer,
                                         kind=InteractionKind.CALL, happened_on=TOMORROW)  # fmt: skip
    with database.writing() as s:
        view = interactions.log_interaction(s, cast.manager, cast.customer,
                                            kind=InteractionKind.CALL, happened_on=date(2026, 6, 30))  # fmt: skip
    with pytest.raises(InvalidData, match="in the future"), database.writing() as s:
        interactions.update_interaction(s, cast.manager, view.id, happened_on=date(2030, 1, 1))


def test_a_sponsor_visit_training_and_review_cannot_be_in_the_future(
    database: Database, cast: Cast
) -> None:
    with pytest.raises(InvalidData, match="in the future"), database.writing() as s:
        sponsors.record_visit(s, cast.executive, cast.customer, on=TOMORROW, notes="x")
    with pytest.raises(InvalidData, match="taken_on: 2026-07-01 is in the future"):
        with database.writing() as s:
            managers.add_training(s, cast.admin, "mia", course="Finance", on=TOMORROW)
    with pytest.raises(InvalidData, match="reviewed_on: 2026-07-01 is in the future"):
        with database.writing() as s:
            reviews.record_review(s, cast.manager, cast.customer, perceived=8, expected=8,
                                  decision=ReviewDecision.RETAIN, reviewed_on=TOMORROW,
                                  manual={k: (3, "x") for k in
                                          ("strategic_fit", "advocacy", "relationship_loyalty")})  # fmt: skip


def test_a_complaint_step_cannot_come_before_the_one_it_follows(
    database: Database, cast: Cast
) -> None:
    with pytest.raises(InvalidData, match="recorded_on: 2026-07-01 is in the future"):
        with database.writing() as s:
            complaints.record_complaint(s, cast.manager, cast.customer, summary="Late",
                                        severity=Severity.LOW, recorded_on=TOMORROW)  # fmt: skip
    with database.writing() as s:
        view = complaints.record_complaint(s, cast.manager, cast.customer, summary="Late",
                                           severity=Severity.LOW, recorded_on=date(2026, 6, 10))  # fmt: skip
    with pytest.raises(
        InvalidData, match="handled_on: 2026-06-09 is before the complaint was recorded"
    ):
        with database.writing() as s:
            complaints.advance_complaint(s, cast.manager, view.id, to=ComplaintStatus.HANDLED,
                                         on=date(2026, 6, 9))  # fmt: skip
    with database.writing() as s:
        complaints.advance_complaint(s, cast.manager, view.id, to=ComplaintStatus.HANDLED,
                                     on=date(2026, 6, 12))  # fmt: skip
    with pytest.raises(
        InvalidData, match="verified_on: 2026-06-11 is before the complaint was handled"
    ):
        with database.writing() as s:
            complaints.advance_complaint(s, cast.manager, view.id, to=ComplaintStatus.VERIFIED,
                                         on=date(2026, 6, 11))  # fmt: skip


def test_a_promise_recorded_after_its_due_date_is_kept_with_a_warning(
    database: Database, cast: Cast
) -> None:
    with database.writing() as s:
        late = commitments.add_commitment(s, cast.manager, cast.customer, description="Price list",
                                          department=Department.SALES, due_on=date(2026, 6, 1))  # fmt: skip
        due = commitments.add_commitment(s, cast.manager, cast.customer, description="Samples",
                                         department=Department.SALES, due_on=date(2026, 7, 15))  # fmt: skip
    assert late.warning == "The promise was due 2026-06-01, 29 days ago; it is recorded as overdue."
    assert late.overdue and due.warning is None
