"""Criteria, vetting and admission: every rule's allowed and refused path.

The data is tests.conftest.add_small_base, as of 2026-06-30: Acme (profit 500, revenue 1500,
CLV 500 x f, headroom 998,500), Plain (profit 70, revenue 100, CLV 70 x f, no wallet) and
北京 (profit -40, revenue 0, CLV -40 x f, no wallet), with f the one CLV factor of the base
(no retention overrides), so CLV ranks as profit does.

Acme is the only key account, fewer than 5: metric criteria score against the base's top 25
customers, here all three. Profit: minimum -40, median 70, top quartile (position 0.75 x 2
= 1.5) 70 + 0.5 x (500 - 70) = 285. Revenue: 0, 100, 100 + 0.5 x 1400 = 800. Headroom is
known for Acme alone: minimum, median and top quartile 998,500; no wallet counts as 0.
The minimum profit (unset) is Acme's, 500.
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


def plain_qualifies(database: Database, base: Cast) -> None:
    """An admin lowers the minimum profit to 50 (Plain makes 70; Acme's 500 would knock it
    out) and nominates Plain with mia managing and eve sponsoring."""
    with database.writing() as s:
        set_setting(s, base.admin, "min_profit", "50")
        accounts.create_account(
            s, base.admin, customer=base.plain_customer, manager="mia", sponsor="eve"
        )


def test_the_default_criteria_are_saved_once_as_version_1(database: Database, cast: Cast) -> None:
    with database.writing() as s:
        views = criteria.list_criteria(s)
        assert criteria.list_criteria(s) == views
    assert {v.set_version for v in views} == {1}
    assert sum(v.weight for v in views) == 100
    assert [v.name for v in views if v.knock_out] == ["above_break_even", "minimum_profit"]
    assert not any("quintile" in v.description for v in views)


def test_a_manager_assesses_their_nominee_with_metric_scores_from_the_data(
    database: Database, base: Cast
) -> None:
    with database.writing() as s:
        view = vetting.assess(s, base.other_manager, base.other_customer,
                              manual=BEIJING_MANUAL, as_of=AS_OF)  # fmt: skip
    scores = {sc.criterion: sc.score for sc in view.scores}
    # 北京 is at the minimum of profit (-40), revenue (0) and CLV: 1 each; its headroom
    # counts as 0, under Acme's 998,500: 1. -40 is not above 0, and below the minimum 500.
    assert scores == {
        "profit_contribution": 1, "purchase_volume": 1, "above_break_even": 0,
        "minimum_profit": 0, "forward_clv": 1, "wallet_headroom": 1,
        "strategic_fit": 4, "advocacy": 2, "relationship_loyalty": 3,
    }  # fmt: skip
    # (20*1 + 10*1 + 10*0 + 0*0 + 20*1 + 10*1 + 10*4 + 10*2 + 10*3) / 5 = 150 / 5 = 30 of 100
    assert (view.total, view.complete, view.knock_out_failed) == (30.0, True, True)
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
    assert "its total 30 is under the threshold 60" in message
    assert (
        "knock-out criterion failed: above_break_even (T12M profit -40 is not above 0), "
        "minimum_profit (T12M profit -40 is below the programme's minimum profit 500)" in message
    )
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
    plain_qualifies(database, base)
    with database.writing() as s:
        view = vetting.assess(s, base.manager, base.plain_customer, as_of=AS_OF,
                              manual={k: (5, "Strong") for k in BEIJING_MANUAL})  # fmt: skip
        # Plain is at the median of profit (70), revenue (100) and CLV: 3 each; its headroom
        # counts as 0: 1; above break-even and the minimum 50: 5 and 5; manual 5s:
        # (20*3 + 10*3 + 10*5 + 0*5 + 20*3 + 10*1 + 10*5 + 10*5 + 10*5) / 5 = 360 / 5 = 72
        assert view.total == 72.0 and not view.knock_out_failed
        result = vetting.admit(s, base.executive, base.plain_customer, rationale="Qualifies")
    assert result.account.status == "active" and not result.override
    assert result.warnings  # 2 active accounts is under the 5 a programme needs


@pytest.mark.today("2026-07-01")
def test_admission_is_dated_today_and_reviewed_after_the_cadence(
    database: Database, base: Cast
) -> None:
    plain_qualifies(database, base)
    with database.writing() as s:
        vetting.assess(s, base.manager, base.plain_customer, as_of=AS_OF,
                       manual={k: (5, "Strong") for k in BEIJING_MANUAL})  # fmt: skip
        result = vetting.admit(s, base.executive, base.plain_customer, rationale="Qualifies")
    # Admitted on kam's today; the first review 180 days later (the programme's cadence).
    assert result.account.admitted_on == date(2026, 7, 1)
    assert result.account.next_review_on == date(2026, 12, 28)
    assert result.account.nominated_on == date(2026, 7, 1)


@pytest.mark.parametrize(("threshold", "admitted"), [("72", True), ("72.01", False)])
def test_a_total_exactly_at_the_threshold_is_admitted(
    database: Database, base: Cast, threshold: str, admitted: bool
) -> None:
    plain_qualifies(database, base)
    with database.writing() as s:
        set_setting(s, base.admin, "threshold", threshold)
        view = vetting.assess(s, base.manager, base.plain_customer, as_of=AS_OF,
                              manual={k: (5, "Strong") for k in BEIJING_MANUAL})  # fmt: skip
    assert view.total == 72.0  # worked out above
    if admitted:
        with database.writing() as s:
            result = vetting.admit(s, base.executive, base.plain_customer, rationale="At 72")
        assert result.account.status == "active" and not result.override
    else:
        with pytest.raises(RuleError, match="total 72 is under the threshold 72.01"):
            with database.writing() as s:
                vetting.admit(s, base.executive, base.plain_customer, rationale="At 72")


def test_admission_is_refused_when_the_programme_is_at_its_cap(
    database: Database, base: Cast
) -> None:
    plain_qualifies(database, base)
    with database.writing() as s:
        set_setting(s, base.admin, "warn_below", "1")
        set_setting(s, base.admin, "cap", "1")  # Acme is already active
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


def test_a_criterion_s_weight_and_threshold_are_finite_and_a_metric_one_names_its_metric(
    database: Database, cast: Cast
) -> None:
    """nan compares false with everything: as a threshold it would pass or fail nobody."""
    for problem, fields in [
        ("threshold: nan is not a finite number", {"metric": "profit", "threshold": float("nan")}),
        ("weight: inf is not a finite number", {"metric": "profit", "weight": float("inf")}),
        ("metric: a metric criterion needs --metric, one of profit, revenue", {}),
    ]:
        with pytest.raises(InvalidData, match=problem), database.writing() as s:
            criteria.add_criterion(s, cast.admin, "m1", **{"kind": "metric", "weight": 1, **fields})  # type: ignore[arg-type]
    with (
        pytest.raises(InvalidData, match="threshold: -inf is not a finite"),
        database.writing() as s,
    ):
        criteria.change_criterion(s, cast.admin, "purchase_volume", threshold=float("-inf"))
    with (
        pytest.raises(InvalidData, match="threshold: inf is not a finite"),
        database.writing() as s,
    ):
        set_setting(s, cast.admin, "threshold", "inf")
    with database.reading() as s:
        assert {c.set_version for c in criteria.list_criteria(s)} == {1}


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
