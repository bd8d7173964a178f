"""Criteria, vetting and admission: every rule's allowed and refused path.

The data is tests.conftest.add_small_base, as of 2026-06-30. Active base (T12M revenue):
Acme (profit 500, revenue 1500, CLV 1059.50, headroom 998,500) and Plain (profit 70,
revenue 100, CLV 70 x 2.118998 = 148.33, no wallet). 北京 is not active (profit -40).
"""

from __future__ import annotations

from datetime import date

import pytest

from kam.database import Database
from kam.errors import InvalidData, PermissionDenied, RuleError
from kam.services import accounts, criteria, vetting
from kam.services.audit import list_events
from kam.services.programme import set_setting
from tests.support import Cast, add_small_base

AS_OF = date(2026, 6, 30)
BEIJING_MANUAL = {
    "strategic_fit": (4, "Joint expansion in the north"),
    "advocacy": (2, "Not yet a reference"),
    "relationship_loyalty": (3, "Price loyalty"),
}


@pytest.fixture
def base(database: Database, cast: Cast) -> Cast:
    add_small_base(database)
    return cast


def test_quintile_and_total_are_the_written_rule() -> None:
    assert criteria.quintile(500, [500, 70]) == 5  # rank 2 of 2: ceil(5 * 2/2)
    assert criteria.quintile(70, [500, 70]) == 3  # rank 1 of 2: ceil(5 * 1/2)
    assert criteria.quintile(7, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == 4  # ceil(5 * 7/10) = 4
    assert criteria.quintile(1, [1, 1, 1, 9]) == 2  # ties take the lowest rank: ceil(5/4)
    assert criteria.total_score([(20, 5), (10, 0), (10, 3)]) == 100 * (20 + 0 + 6) / 40


def test_the_default_criteria_are_saved_once_as_version_1(database: Database, cast: Cast) -> None:
    with database.writing() as s:
        views = criteria.list_criteria(s)
        assert criteria.list_criteria(s) == views
    assert {v.set_version for v in views} == {1}
    assert sum(v.weight for v in views) == 100
    assert [v.name for v in views if v.knock_out] == ["above_break_even"]


def test_a_manager_assesses_their_nominee_with_metric_scores_from_the_data(
    database: Database, base: Cast
) -> None:
    with database.writing() as s:
        view = vetting.assess(s, base.other_manager, base.other_customer,
                              manual=BEIJING_MANUAL, as_of=AS_OF)  # fmt: skip
    scores = {sc.criterion: sc.score for sc in view.scores}
    # 北京 ranks lowest among [Acme, Plain, 北京]: ceil(5 * 1/3) = 2. Headroom is known for
    # Acme only (no wallet: zero), so 北京 ranks 1 of [Acme, 北京]: ceil(5 * 1/2) = 3.
    assert scores == {
        "profit_contribution": 2, "purchase_volume": 2, "above_break_even": 0,
        "forward_clv": 2, "wallet_headroom": 3,
        "strategic_fit": 4, "advocacy": 2, "relationship_loyalty": 3,
    }  # fmt: skip
    # (20*2 + 10*2 + 10*0 + 20*2 + 10*3 + 10*4 + 10*2 + 10*3) / 5 = 220 / 5 = 44 of 100
    assert (view.total, view.complete, view.knock_out_failed) == (44.0, True, True)
    with database.reading() as s:
        assert accounts.get_account(s, base.other_customer).status == "vetting"


def test_manual_scores_are_carried_over_until_the_assessment_is_complete(
    database: Database, base: Cast
) -> None:
    with database.writing() as s:
        first = vetting.assess(s, base.other_manager, base.other_customer,
                               manual={"strategic_fit": (4, "Fit")}, as_of=AS_OF)  # fmt: skip
        assert (first.complete, first.total, first.missing) == (
            False, None, ["advocacy", "relationship_loyalty"],
        )  # fmt: skip
        second = vetting.assess(
            s,
            base.other_manager,
            base.other_customer,
            as_of=AS_OF,
            manual={"advocacy": (2, "x"), "relationship_loyalty": (3, "y")},
        )
    assert (
        second.complete
        and {sc.criterion: sc.comment for sc in second.scores}["strategic_fit"] == "Fit"
    )


@pytest.mark.parametrize(
    ("manual", "problem"),
    [
        ({"strategic_fit": (6, "x")}, "outside 1-5"),
        ({"strategic_fit": (4, "  ")}, "needs a comment"),
        ({"forward_clv": (4, "x")}, "scores itself from the data"),
        ({"charm": (4, "x")}, "not a criterion"),
    ],
)
def test_bad_manual_scores_are_refused(
    database: Database, base: Cast, manual: dict, problem: str
) -> None:
    with pytest.raises(InvalidData, match=problem), database.writing() as s:
        vetting.assess(s, base.other_manager, base.other_customer, manual=manual, as_of=AS_OF)


def test_only_the_accounts_manager_or_an_admin_assesses(database: Database, base: Cast) -> None:
    for who in (base.manager, base.executive, base.viewer):
        with pytest.raises(PermissionDenied), database.writing() as s:
            vetting.assess(s, who, base.other_customer, manual=BEIJING_MANUAL, as_of=AS_OF)
    with database.writing() as s:
        vetting.assess(s, base.admin, base.other_customer, manual=BEIJING_MANUAL, as_of=AS_OF)


def test_admission_is_refused_naming_every_broken_rule(database: Database, base: Cast) -> None:
    with database.writing() as s:
        vetting.assess(
            s, base.other_manager, base.other_customer, manual=BEIJING_MANUAL, as_of=AS_OF
        )
    with pytest.raises(RuleError) as refused, database.writing() as s:
        vetting.admit(s, base.executive, base.other_customer, rationale="Growth")
    message = str(refused.value)
    assert "its total 44 is under the threshold 60" in message
    assert "knock-out criterion failed: above_break_even" in message
    assert "it has no executive sponsor" in message


def test_admission_without_any_assessment_is_refused(database: Database, base: Cast) -> None:
    with pytest.raises(RuleError, match="has no assessment"), database.writing() as s:
        vetting.admit(s, base.admin, base.other_customer, rationale="Because")


def test_an_admin_overrides_with_a_reason_and_the_override_is_kept_and_audited(
    database: Database, base: Cast
) -> None:
    with database.writing() as s:
        vetting.assess(
            s, base.other_manager, base.other_customer, manual=BEIJING_MANUAL, as_of=AS_OF
        )
    with pytest.raises(PermissionDenied, match="Only admins may override"), database.writing() as s:
        vetting.admit(s, base.executive, base.other_customer, rationale="x", override_reason="y")
    with pytest.raises(InvalidData, match="written reason"), database.writing() as s:
        vetting.admit(s, base.admin, base.other_customer, rationale="x", override_reason=" ")
    with database.writing() as s:
        result = vetting.admit(s, base.admin, base.other_customer, rationale="Entry to China",
                               override_reason="Board decision to enter the market")  # fmt: skip
        assessment = vetting.get_assessment(s, base.other_customer)
    assert result.override and result.account.admitted_by_override
    assert result.account.status == "active" and len(result.waived) == 3
    assert (assessment.decision, assessment.override, assessment.decided_by) == (
        "admit",
        True,
        "ada",
    )
    with database.reading() as s:
        override = [e for e in list_events(s) if e.field == "override"]
    assert override and override[0].new == "Board decision to enter the market"


def test_an_executive_admits_a_nominee_that_meets_every_rule(
    database: Database, base: Cast
) -> None:
    with database.writing() as s:
        accounts.create_account(
            s, base.admin, customer=base.plain_customer, manager="mia", sponsor="eve"
        )
        view = vetting.assess(s, base.manager, base.plain_customer, as_of=AS_OF,
                              manual={k: (5, "Strong") for k in BEIJING_MANUAL})  # fmt: skip
        # Plain among [Acme, Plain]: quintiles 3; above break-even 5; manual 5s:
        # (20*3 + 10*3 + 10*5 + 20*3 + 10*3 + 10*5 + 10*5 + 10*5) / 5 = 76
        assert view.total == 76.0
        result = vetting.admit(s, base.executive, base.plain_customer, rationale="Qualifies")
    assert result.account.status == "active" and not result.override
    assert result.warnings  # 2 active accounts is under the 5 a programme needs


@pytest.mark.today("2026-07-01")
def test_admission_is_dated_today_and_reviewed_after_the_cadence(
    database: Database, base: Cast
) -> None:
    with database.writing() as s:
        accounts.create_account(
            s, base.admin, customer=base.plain_customer, manager="mia", sponsor="eve"
        )
        vetting.assess(s, base.manager, base.plain_customer, as_of=AS_OF,
                       manual={k: (5, "Strong") for k in BEIJING_MANUAL})  # fmt: skip
        result = vetting.admit(s, base.executive, base.plain_customer, rationale="Qualifies")
    # Admitted on kam's today; the first review 180 days later (the programme's cadence).
    assert result.account.admitted_on == date(2026, 7, 1)
    assert result.account.next_review_on == date(2026, 12, 28)
    assert result.account.nominated_on == date(2026, 7, 1)


@pytest.mark.parametrize(("threshold", "admitted"), [("76", True), ("76.01", False)])
def test_a_total_exactly_at_the_threshold_is_admitted(
    database: Database, base: Cast, threshold: str, admitted: bool
) -> None:
    with database.writing() as s:
        set_setting(s, base.admin, "threshold", threshold)
        accounts.create_account(
            s, base.admin, customer=base.plain_customer, manager="mia", sponsor="eve"
        )
        view = vetting.assess(s, base.manager, base.plain_customer, as_of=AS_OF,
                              manual={k: (5, "Strong") for k in BEIJING_MANUAL})  # fmt: skip
    assert view.total == 76.0
    if admitted:
        with database.writing() as s:
            result = vetting.admit(s, base.executive, base.plain_customer, rationale="At 76")
        assert result.account.status == "active" and not result.override
    else:
        with pytest.raises(RuleError, match="total 76 is under the threshold 76.01"):
            with database.writing() as s:
                vetting.admit(s, base.executive, base.plain_customer, rationale="At 76")


def test_admission_is_refused_when_the_programme_is_at_its_cap(
    database: Database, base: Cast
) -> None:
    with database.writing() as s:
        set_setting(s, base.admin, "warn_below", "1")
        set_setting(s, base.admin, "cap", "1")  # Acme is already active
        accounts.create_account(
            s, base.admin, customer=base.plain_customer, manager="mia", sponsor="eve"
        )
        vetting.assess(s, base.manager, base.plain_customer, as_of=AS_OF,
                       manual={k: (5, "Strong") for k in BEIJING_MANUAL})  # fmt: skip
    with pytest.raises(RuleError, match="at its cap of 1 active accounts"), database.writing() as s:
        vetting.admit(s, base.executive, base.plain_customer, rationale="Qualifies")


def test_managers_and_viewers_cannot_admit_reject_or_retire(database: Database, base: Cast) -> None:
    for who in (base.manager, base.viewer):
        with pytest.raises(PermissionDenied), database.writing() as s:
            vetting.admit(s, who, base.other_customer, rationale="x")
        with pytest.raises(PermissionDenied), database.writing() as s:
            vetting.reject(s, who, base.other_customer, rationale="x")
        with pytest.raises(PermissionDenied), database.writing() as s:
            vetting.retire(s, who, base.customer, reason="x")


def test_an_executive_rejects_a_nominee_and_retires_a_member_keeping_history(
    database: Database, base: Cast
) -> None:
    with database.writing() as s:
        rejected = vetting.reject(s, base.executive, base.other_customer, rationale="Loss-making")
        retired = vetting.retire(s, base.executive, base.customer, reason="Two weak reviews")
    assert (rejected.status, retired.status) == ("rejected", "retired")
    assert retired.retired_on is not None and retired.reason == "Two weak reviews"
    with database.writing() as s:  # history stays: the customer may be nominated again
        again = accounts.create_account(s, base.admin, customer=base.customer)
    assert again.status == "nominated"
    with pytest.raises(RuleError, match="only members can be retired"), database.writing() as s:
        vetting.retire(s, base.executive, base.other_customer, reason="x")


def test_criteria_changes_make_a_new_version_and_are_admin_only(
    database: Database, cast: Cast
) -> None:
    with pytest.raises(PermissionDenied), database.writing() as s:
        criteria.change_criterion(s, cast.manager, "advocacy", weight=30)
    with database.writing() as s:
        views = criteria.change_criterion(s, cast.admin, "advocacy", weight=30, knock_out=True)
        added = criteria.add_criterion(s, cast.admin, "Innovation partner", kind="manual", weight=5)  # type: ignore[arg-type]
        removed = criteria.remove_criterion(s, cast.admin, "purchase_volume")
    assert {v.set_version for v in views} == {2}
    assert next(v for v in views if v.name == "advocacy").weight == 30
    assert "innovation_partner" in [v.name for v in added] and added[0].set_version == 3
    assert "purchase_volume" not in [v.name for v in removed] and removed[0].set_version == 4
    with pytest.raises(InvalidData, match="metric"), database.writing() as s:
        criteria.add_criterion(s, cast.admin, "x", kind="metric", metric="vibes", weight=1)  # type: ignore[arg-type]


def test_programme_settings_are_admin_only_validated_and_audited(
    database: Database, cast: Cast
) -> None:
    with pytest.raises(PermissionDenied), database.writing() as s:
        set_setting(s, cast.manager, "cap", "10")
    for key, value, problem in [("cap", "ten", "not an integer"), ("threshold", "120", "outside"),
                                ("colour", "red", "not a programme setting")]:  # fmt: skip
        with pytest.raises(InvalidData, match=problem), database.writing() as s:
            set_setting(s, cast.admin, key, value)
    with database.writing() as s:
        assert set_setting(s, cast.admin, "discount_rate", "0.08").discount_rate == 0.08
    with database.reading() as s:
        (event,) = list_events(s, entity="programme_setting")
    assert (event.field, event.old, event.new) == ("discount_rate", "0.1", "0.08")
