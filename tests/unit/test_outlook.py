"""Where a customer is heading: the churn warning, the derived stage and the value tiers
(kam.rules.outlook), each case worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from kam.figures.outlook import purchase_rhythm
from kam.rules.outlook import Signals, Stage, judge, tiers

AS_OF = date(2026, 6, 30)


def signals(**given: object) -> Signals:
    facts: dict[str, object] = {
        "first_day": date(2024, 1, 1), "last_day": date(2026, 6, 20), "typical_gap": 10.0,
        "p_alive": None, "margin_now": 100.0, "margin_before": 100.0,
    }  # fmt: skip
    return Signals(**(facts | given))  # type: ignore[arg-type]


def test_a_customer_buying_as_usual_is_steady_and_not_at_risk() -> None:
    o = judge(signals(), as_of=AS_OF, churn_p_alive=0.5)
    assert (o.stage, o.at_risk, o.reasons, o.gap_days) == (Stage.STEADY, False, (), 10)


def test_a_gap_beyond_twice_the_usual_one_and_a_month_is_lapsing() -> None:
    # Usual gap 20 days: 40 days since the last purchase is not over 2x20; 41 is.
    at_40 = judge(signals(typical_gap=20.0, last_day=date(2026, 5, 21)), as_of=AS_OF,
                  churn_p_alive=0.5)  # fmt: skip
    at_41 = judge(signals(typical_gap=20.0, last_day=date(2026, 5, 20)), as_of=AS_OF,
                  churn_p_alive=0.5)  # fmt: skip
    assert (at_40.stage, at_40.at_risk) == (Stage.STEADY, False)
    assert (at_41.stage, at_41.at_risk) == (Stage.LAPSING, True)
    assert at_41.reasons == ("41 days since the last purchase, over 2x its usual 20",)
    # A weekly buyer 20 days out is within a month: not yet a warning.
    weekly = judge(signals(typical_gap=7.0, last_day=date(2026, 6, 10)), as_of=AS_OF,
                   churn_p_alive=0.5)  # fmt: skip
    assert weekly.at_risk is False


def test_p_alive_below_the_setting_is_lapsing_and_below_a_tenth_lost() -> None:
    lapsing = judge(signals(p_alive=0.42), as_of=AS_OF, churn_p_alive=0.5)
    assert (lapsing.stage, lapsing.reasons) == (Stage.LAPSING, ("P(alive) 0.42 is below 0.50",))
    lost = judge(signals(p_alive=0.05), as_of=AS_OF, churn_p_alive=0.5)
    assert (lost.stage, lost.at_risk) == (Stage.LOST, True)
    assert judge(signals(p_alive=0.42), as_of=AS_OF, churn_p_alive=0.4).at_risk is False


def test_one_purchase_over_a_year_ago_is_lapsing() -> None:
    once = signals(first_day=date(2025, 6, 29), last_day=date(2025, 6, 29), typical_gap=None)
    o = judge(once, as_of=AS_OF, churn_p_alive=0.5)
    assert (o.stage, o.reasons) == (Stage.LAPSING, ("one purchase, 366 days ago",))
    recent = signals(first_day=date(2025, 7, 1), last_day=date(2025, 7, 1), typical_gap=None)
    assert judge(recent, as_of=AS_OF, churn_p_alive=0.5).at_risk is False  # 364 days


def test_new_growing_and_declining_follow_the_first_purchase_and_the_margin() -> None:
    new = signals(first_day=date(2026, 4, 2))  # 89 days before 2026-06-30
    assert judge(new, as_of=AS_OF, churn_p_alive=0.5).stage == Stage.NEW
    assert judge(signals(first_day=date(2026, 4, 1)), as_of=AS_OF,
                 churn_p_alive=0.5).stage == Stage.STEADY  # fmt: skip  # 90 days
    # 100 -> 79 is -21 %: declining; 100 -> 80 is -20 %: steady; 100 -> 121: growing.
    assert judge(signals(margin_now=79.0), as_of=AS_OF, churn_p_alive=0.5).stage == Stage.DECLINING
    assert judge(signals(margin_now=80.0), as_of=AS_OF, churn_p_alive=0.5).stage == Stage.STEADY
    assert judge(signals(margin_now=121.0), as_of=AS_OF, churn_p_alive=0.5).stage == Stage.GROWING
    # Margin where there was none is growth; a declining customer is not warned of unless
    # it is a key account (the model's P(alive) misses a frequent buyer drifting away).
    assert judge(signals(margin_before=0.0), as_of=AS_OF, churn_p_alive=0.5).stage == Stage.GROWING
    assert judge(signals(margin_now=50.0), as_of=AS_OF, churn_p_alive=0.5).at_risk is False


def test_a_key_account_drifting_away_is_warned_of_with_its_reasons() -> None:
    drifting = signals(
        key_account=True, p_alive=0.99, margin_now=70.0, margin_before=100.0,
        share_now=0.38, share_before=0.54,
    )  # fmt: skip
    o = judge(drifting, as_of=AS_OF, churn_p_alive=0.5)
    assert (o.stage, o.at_risk) == (Stage.DECLINING, True)
    assert o.margin_change == pytest.approx(-0.30)
    assert o.reasons == (
        "T12M gross margin -30% year on year",
        "share of wallet fell from 54% to 38%",
    )
    # A share down exactly 5 points is within the rule.
    steady = signals(key_account=True, share_now=0.45, share_before=0.50)
    assert judge(steady, as_of=AS_OF, churn_p_alive=0.5).at_risk is False


def test_a_customer_who_never_bought_has_no_stage() -> None:
    o = judge(signals(first_day=None, last_day=None), as_of=AS_OF, churn_p_alive=0.5)
    assert (o.stage, o.at_risk) == (None, False)


def test_value_tiers_split_the_positive_clv_80_15_and_the_rest() -> None:
    # Positive CLV 50+30+10+6+4+0 = 100. Before each: 0, 50, 80, 90, 96, 100 (as shares
    # 0, .5, .8, .9, .96, 1): A while under .80, B while under .95, then C; -5 is "loss".
    values = [(1, 50.0), (2, 30.0), (3, 10.0), (4, 6.0), (5, 4.0), (6, 0.0), (7, -5.0)]
    assert tiers(values, a_share=0.80, b_share=0.15) == {
        1: "A", 2: "A", 3: "B", 4: "B", 5: "C", 6: "C", 7: "loss",
    }  # fmt: skip
    assert tiers(values, a_share=0.5, b_share=0.5) == {
        1: "A", 2: "B", 3: "B", 4: "B", 5: "B", 6: "C", 7: "loss",
    }  # fmt: skip
    assert tiers([], a_share=0.8, b_share=0.15) == {}


def test_the_purchase_rhythm_is_the_median_gap_between_purchase_days() -> None:
    days = [(1, "2026-01-01"), (1, "2026-01-11"), (1, "2026-01-15"), (1, "2026-02-14"),
            (2, "2026-03-01")]  # fmt: skip
    rows = [(cid, date.fromisoformat(day).toordinal()) for cid, day in days]
    # Customer 1's gaps: 10, 4, 30 days: median 10.
    assert purchase_rhythm(rows) == {
        1: (date(2026, 1, 1), date(2026, 2, 14), 10.0),
        2: (date(2026, 3, 1), date(2026, 3, 1), None),
    }
