"""Criteria that can't be gamed: metric criteria score against the current key accounts, and
a knock-out holds candidates to the programme's minimum profit.

The data is tests.support.add_programme_of_five, as of 2026-06-30. The five key accounts:

    profit   20,000  30,000  40,000  50,000  60,000   min 20,000  median 40,000  Q3 50,000
    revenue 100,000 150,000 200,000 250,000 300,000   min 100,000 median 200,000 Q3 250,000
    CLV = profit / 1.1 (no retention measurable), so it ranks as profit does
    headroom 150,000 200,000 250,000 300,000 900,000  min 150,000 median 250,000 Q3 300,000

(medians are the 3rd of five, top quartiles the 4th: positions 0.5 x 4 = 2 and 0.75 x 4 = 3).
The rest of the base is six small customers (tests.support.SMALL_CUSTOMERS).
"""

from __future__ import annotations

import math
from datetime import date

import pytest
from sqlalchemy import update

from db.enums import AccountStatus, CriterionKind
from db.models import Customer, KeyAccount
from kam.database import Database
from kam.errors import InvalidData, RuleError
from kam.figures import value
from kam.figures.base import base_figures, base_metrics
from kam.services import accounts, criteria, vetting
from kam.services.common import customer_by_name
from kam.services.programme import load_settings, minimum_profit, set_setting
from tests.support import Cast, add_buyers, add_programme_of_five

AS_OF = date(2026, 6, 30)
GENEROUS = {
    "strategic_fit": (5, "The CEO's friend"),
    "advocacy": (5, "Says nice things"),
    "relationship_loyalty": (5, "Has been with us for ever"),
}
MIDDLING = {k: (3, "Average") for k in GENEROUS}


@pytest.fixture
def five(database: Database, cast: Cast) -> Cast:
    add_programme_of_five(database)
    with database.writing() as s:
        for name in ("Tiny Trader", "Strong Co"):
            accounts.create_account(s, cast.admin, customer=name, manager="mia", sponsor="eve")
    return cast


def assess(database: Database, who: Cast, name: str, manual: dict) -> vetting.AssessmentView:
    with database.writing() as s:
        return vetting.assess(s, who.manager, name, manual=manual, as_of=AS_OF)


def quintile_of_the_base(value: float, base: list[float]) -> int:
    """How metric criteria scored before: the value's quintile among the customers buying in
    the T12M (the nominee among them), ceil(5 x rank / n), rank = 1 + how many are below."""
    rank = 1 + sum(1 for v in base if v < value)
    return math.ceil(5 * rank / len(base))


def test_a_small_customer_that_quintiles_of_the_base_admitted_is_refused_without_an_override(
    database: Database, five: Cast
) -> None:
    """Tiny Trader: T12M revenue 6,000.50 (the lowest of the base), profit 1,500, headroom
    193,999.50; manual 5s. Ranked among the 13 customers buying, it scored 66 and was admitted
    without an override; against the key accounts it scores 53.8, and its profit is under the
    lowest key account's."""
    with database.reading() as s:
        frame = base_metrics(s, as_of=AS_OF)
        tiny = frame.loc[customer_by_name(s, "Tiny Trader").id]
    buying = frame[frame["buying"]]
    assert len(buying) == 13 and tiny["revenue"] == buying["revenue"].min()
    before = {
        m: quintile_of_the_base(tiny[m], list(buying[m].dropna()))
        for m in ("profit", "revenue", "clv", "headroom")
    }
    # Profit and CLV (one signal twice): 4th of 13, ceil(20 / 13) = 2; revenue 1st: 1;
    # headroom 8th of 13 (six small customers and Member Two have less): ceil(40 / 13) = 4.
    assert before == {"profit": 2, "revenue": 1, "clv": 2, "headroom": 4}
    # With above_break_even's 5 and manual 5s: (20x2 + 10x1 + 10x5 + 20x2 + 10x4 + 10x5 x 3)
    # / 5 = 330 / 5 = 66, over the threshold 60 with no knock-out failed: admitted as it was.
    weights = [(20, 2), (10, 1), (10, 5), (20, 2), (10, 4), (10, 5), (10, 5), (10, 5)]
    assert criteria.total_score(weights) == 66.0

    view = assess(database, five, "Tiny Trader", GENEROUS)
    scores = {s.criterion: s.score for s in view.scores}
    assert scores == {
        "profit_contribution": 1.0,  # 1,500 at or below the members' lowest, 20,000
        "purchase_volume": 1.0,  # 6,000.50 below 100,000
        "above_break_even": 5.0,  # 1,500 > 0
        "minimum_profit": 0.0,  # 1,500 < 20,000, the lowest member's profit
        "forward_clv": 1.0,  # 1,500 / 1.1 below 20,000 / 1.1
        # 1 + 2 x (193,999.50 - 150,000) / (250,000 - 150,000) = 1.87999, to 1.9
        "wallet_headroom": 1.9,
        "strategic_fit": 5.0, "advocacy": 5.0, "relationship_loyalty": 5.0,
    }  # fmt: skip
    # (20x1 + 10x1 + 10x5 + 0x0 + 20x1 + 10x1.9 + 10x5 x 3) / 5 = 269 / 5 = 53.8 of 100
    assert (view.total, view.knock_out_failed) == (53.8, True)
    (failed,) = [s for s in view.scores if s.failed]
    assert failed.reason == "T12M profit 1,500 is below the programme's minimum profit 20,000"
    with pytest.raises(RuleError) as refused, database.writing() as s:
        vetting.admit(s, five.executive, "Tiny Trader", rationale="The CEO insists")
    message = str(refused.value)
    assert "its total 53.8 is under the threshold 60" in message
    assert (
        "knock-out criterion failed: minimum_profit (T12M profit 1,500 is below the "
        "programme's minimum profit 20,000)" in message
    )
    with database.reading() as s:
        assert accounts.get_account(s, "Tiny Trader").status == AccountStatus.VETTING


def test_the_knock_out_refuses_whatever_the_total(database: Database, five: Cast) -> None:
    with database.writing() as s:
        set_setting(s, five.admin, "threshold", "50")  # 53.8 passes now
    assess(database, five, "Tiny Trader", GENEROUS)
    with pytest.raises(RuleError) as refused, database.writing() as s:
        vetting.admit(s, five.executive, "Tiny Trader", rationale="Over the threshold")
    assert "under the threshold" not in str(refused.value)
    assert "minimum_profit (T12M profit 1,500 is below" in str(refused.value)


def test_a_genuinely_strong_candidate_is_admitted_on_middling_manual_scores(
    database: Database, five: Cast
) -> None:
    """Profit 45,000, revenue 230,000, headroom 470,000; manual 3s."""
    view = assess(database, five, "Strong Co", MIDDLING)
    scores = {s.criterion: s.score for s in view.scores}
    assert scores == {
        "profit_contribution": 4.0,  # 3 + 2 x (45,000 - 40,000) / (50,000 - 40,000)
        "purchase_volume": 4.2,  # 3 + 2 x (230,000 - 200,000) / (250,000 - 200,000)
        "above_break_even": 5.0,
        "minimum_profit": 5.0,  # 45,000 >= 20,000
        "forward_clv": 4.0,  # as profit: every CLV is profit / 1.1
        "wallet_headroom": 5.0,  # 470,000 >= 300,000
        "strategic_fit": 3.0, "advocacy": 3.0, "relationship_loyalty": 3.0,
    }  # fmt: skip
    # (20x4 + 10x4.2 + 10x5 + 0x5 + 20x4 + 10x5 + 10x3 x 3) / 5 = 392 / 5 = 78.4
    assert (view.total, view.knock_out_failed) == (78.4, False)
    with database.writing() as s:
        result = vetting.admit(s, five.executive, "Strong Co", rationale="Qualifies")
    assert result.account.status == AccountStatus.ACTIVE and not result.override
    assert result.warnings == []  # six active accounts


def test_an_admin_may_still_admit_the_small_customer_by_override(
    database: Database, five: Cast
) -> None:
    assess(database, five, "Tiny Trader", GENEROUS)
    with database.writing() as s:
        result = vetting.admit(s, five.admin, "Tiny Trader", rationale="Pilot",
                               override_reason="Board decision")  # fmt: skip
    assert result.override and any("minimum_profit" in w for w in result.waived)


def test_the_minimum_profit_is_the_lowest_key_accounts_unless_set(
    database: Database, five: Cast
) -> None:
    with database.reading() as s:
        assert load_settings(s).min_profit is None
        least = minimum_profit(s, as_of=AS_OF)
    assert (least.value, least.set, least.accounts) == (20_000, False, 5)  # Acme's profit
    # A member under review counts too: Member Two (30,000) is now the lowest of four.
    with database.writing() as s:
        acme = accounts.account_by_name(s, "Acme [/b] Ltd")
        s.exec(update(KeyAccount).where(KeyAccount.id == acme.id)  # type: ignore[call-overload]
               .values(status=AccountStatus.RETIRED))  # fmt: skip
        two = accounts.account_by_name(s, "Member Two")
        s.exec(update(KeyAccount).where(KeyAccount.id == two.id)  # type: ignore[call-overload]
               .values(status=AccountStatus.UNDER_REVIEW))  # fmt: skip
    with database.reading() as s:
        assert minimum_profit(s, as_of=AS_OF).value == 30_000
    with database.writing() as s:
        set_setting(s, five.admin, "min_profit", "1000")
        least = minimum_profit(s, as_of=AS_OF)
    assert (least.value, least.set) == (1000, True)


def test_no_key_accounts_make_a_minimum_profit_of_zero(database: Database, cast: Cast) -> None:
    with database.writing() as s:
        s.exec(update(KeyAccount).values(status=AccountStatus.RETIRED))  # type: ignore[call-overload]
    with database.reading() as s:
        least = minimum_profit(s, as_of=AS_OF)
    assert (least.value, least.accounts) == (0, 0)


def test_an_explicit_minimum_profit_moves_the_knock_out(database: Database, five: Cast) -> None:
    with database.writing() as s:
        set_setting(s, five.admin, "min_profit", "1000")
    small = assess(database, five, "Tiny Trader", GENEROUS)
    assert not small.knock_out_failed  # 1,500 >= 1,000; its total 53.8 still refuses it
    with database.writing() as s:
        set_setting(s, five.admin, "min_profit", "50000")
    strong = assess(database, five, "Strong Co", MIDDLING)
    (failed,) = [s for s in strong.scores if s.failed]
    assert failed.reason == "T12M profit 45,000 is below the programme's minimum profit 50,000"
    assert failed.threshold == 50_000 and failed.value == 45_000
    # Back to the default: the lowest member's 20,000 again.
    with database.writing() as s:
        assert set_setting(s, five.admin, "min_profit", "default").min_profit is None
    assert not assess(database, five, "Strong Co", MIDDLING).knock_out_failed


def test_a_share_of_wallet_threshold_is_a_fraction(database: Database, cast: Cast) -> None:
    """A threshold of 50 meant as 50 % was one no customer could pass."""
    with pytest.raises(InvalidData, match=r"threshold: 50 is out of range; share of wallet is a fraction from 0 to 1 \(0\.5 for 50 %\)"):  # fmt: skip
        with database.writing() as s:
            criteria.add_criterion(s, cast.admin, "wallet_share", kind=CriterionKind.METRIC,
                                   metric="share_of_wallet", weight=5, threshold=50)  # fmt: skip
    with database.writing() as s:
        criteria.add_criterion(s, cast.admin, "wallet_share", kind=CriterionKind.METRIC,
                               metric="share_of_wallet", weight=5, threshold=0.5)  # fmt: skip
    with pytest.raises(InvalidData, match="threshold: 40 is out of range"), database.writing() as s:
        criteria.change_criterion(s, cast.admin, "wallet_share", threshold=40)


def test_min_profit_is_checked_and_belongs_to_the_programme(database: Database, cast: Cast) -> None:
    with pytest.raises(InvalidData, match="not a number"), database.writing() as s:
        set_setting(s, cast.admin, "min_profit", "lots")
    with (
        pytest.raises(InvalidData, match="min_profit: nan is not a finite number"),
        database.writing() as s,
    ):
        set_setting(s, cast.admin, "min_profit", "nan")
    with pytest.raises(InvalidData, match="kam programme set min_profit"):
        with database.writing() as s:
            criteria.change_criterion(s, cast.admin, "minimum_profit", threshold=5000)
    with pytest.raises(InvalidData, match="only a knock-out may weigh 0"):
        with database.writing() as s:
            criteria.change_criterion(s, cast.admin, "minimum_profit", knock_out=False)
    with pytest.raises(InvalidData, match="only a knock-out may weigh 0"):
        with database.writing() as s:
            criteria.add_criterion(s, cast.admin, "x", kind="manual", weight=0)  # type: ignore[arg-type]


@pytest.mark.today("2026-07-01")
def test_the_clv_criterion_scores_the_probabilistic_clv_where_the_model_speaks(
    database: Database, cast: Cast
) -> None:
    """Two years of buyers who buy at their own rates and may have left: the model speaks, so
    forward_clv scores the customer's expected future margin, not T12M profit a second time."""
    add_buyers(database)
    with database.reading() as s:
        figures = base_figures(s, as_of=AS_OF)
    clv = figures.clv
    assert figures.fit is not None and figures.fit.model == value.PROBABILISTIC
    spoken = clv[clv["model"] == value.PROBABILISTIC]
    profit = figures.profit["profit"].reindex(spoken.index)
    # Ranked by T12M profit and by CLV, the buyers come in different orders.
    assert list(profit.rank()) != list(spoken["clv"].rank())
    buyer = int((spoken["clv"] - spoken["simple_clv"]).abs().idxmax())
    with database.reading() as s:
        name = s.get(Customer, buyer).name  # type: ignore[union-attr]
    with database.writing() as s:
        accounts.create_account(s, cast.admin, customer=name, manager="mia", sponsor="eve")
    view = assess(database, cast, name, MIDDLING)
    (scored,) = [s for s in view.scores if s.criterion == "forward_clv"]
    assert scored.value == pytest.approx(clv.loc[buyer, "clv"], abs=0.01)
    assert scored.value != pytest.approx(clv.loc[buyer, "simple_clv"], abs=0.01)
