"""The continuous scale metric criteria score on (kam.rules.scale), worked out by hand."""

from __future__ import annotations

import math

import pytest

from kam.rules import scale
from kam.services.criteria import amount, reference_words, total_score

#: Five key accounts' figures: minimum 10; median the 3rd, 30 (position 0.5 x 4 = 2);
#: top quartile the 4th, 40 (position 0.75 x 4 = 3).
FIVE = [50.0, 10.0, 40.0, 20.0, 30.0]


def test_percentiles_interpolate_linearly_between_closest_ranks() -> None:
    assert scale.percentile([4, 1, 3, 2], 0.5) == 2.5  # position 1.5: 2 + 0.5 x (3 - 2)
    assert scale.percentile([4, 1, 3, 2], 0.75) == 3.25  # position 2.25: 3 + 0.25 x (4 - 3)
    assert scale.percentile(FIVE, 0.5) == 30 and scale.percentile(FIVE, 0.75) == 40
    assert scale.percentile([7], 0.75) == 7 and scale.percentile([], 0.5) is None


def test_five_key_accounts_are_the_reference() -> None:
    ref = scale.reference(FIVE, base=[1e9])  # the base's top customer does not count
    assert ref == scale.Reference(scale.MEMBERS_GROUP, 5, 10.0, 30.0, 40.0)
    assert reference_words(ref) == "the 5 key accounts: minimum 10, median 30, top quartile 40"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (-5.0, 1.0),  # below the minimum
        (10.0, 1.0),  # at the minimum
        (20.0, 2.0),  # halfway from minimum to median: 1 + 2 x (20 - 10) / (30 - 10)
        (12.5, 1.3),  # 1 + 2 x 2.5 / 20 = 1.25, half up to one decimal
        (30.0, 3.0),  # at the median
        (35.0, 4.0),  # halfway from median to top quartile: 3 + 2 x (35 - 30) / (40 - 30)
        (37.0, 4.4),  # 3 + 2 x 7 / 10
        (40.0, 5.0),  # at the top quartile
        (1e6, 5.0),  # beyond it
    ],
)
def test_the_scale_at_and_between_its_points(value: float, expected: float) -> None:
    assert scale.score(value, scale.reference(FIVE, base=[])) == expected


def test_with_fewer_than_five_key_accounts_the_base_top_25_is_the_reference() -> None:
    """Four members (27..30) in a base of 30 customers valued 1..30: the reference is the 25
    highest, 6..30 — minimum 6, median the 13th (position 0.5 x 24 = 12): 18, top quartile
    the 19th (position 0.75 x 24 = 18): 24."""
    base = [float(v) for v in range(1, 31)]
    ref = scale.reference([27.0, 28.0, 29.0, 30.0], base)
    assert ref == scale.Reference(scale.TOP_GROUP, 25, 6.0, 18.0, 24.0)
    assert scale.score(5.0, ref) == 1.0  # under the top 25
    assert scale.score(12.0, ref) == 2.0  # 1 + 2 x (12 - 6) / (18 - 6)
    assert scale.score(21.0, ref) == 4.0  # 3 + 2 x (21 - 18) / (24 - 18)
    assert scale.score(27.0, ref) == 5.0
    assert reference_words(ref) == (
        "the top 25 customers of the base (fewer than 5 key accounts): minimum 6, median 18, "
        "top quartile 24"
    )


def test_unknown_figures_are_left_out_of_the_reference() -> None:
    nan = math.nan
    # Five members, one without a figure: four known, so the base's top customers count,
    # and a small base is taken whole (its unknown figure left out too): 1, 2, 3.
    ref = scale.reference([1.0, 2.0, 3.0, 4.0, nan], base=[3.0, nan, 1.0, 2.0])
    assert ref == scale.Reference(scale.TOP_GROUP, 3, 1.0, 2.0, 2.5)  # Q3: 2 + 0.5 x 1
    assert scale.reference([], base=[nan]) is None
    assert scale.score(100.0, None) == 1.0  # nothing to compare with: the lowest score


def test_ties_take_the_higher_score() -> None:
    same = scale.reference([7.0] * 5, base=[])
    assert scale.score(7.0, same) == 5.0  # at the minimum, the median and the top quartile
    assert scale.score(6.9, same) == 1.0
    # Minimum and median both 10, top quartile 20: 10 is at the median, so 3.
    ref = scale.reference([10.0, 10.0, 10.0, 20.0, 30.0], base=[])
    assert (scale.score(10.0, ref), scale.score(15.0, ref)) == (3.0, 4.0)  # 3 + 2 x 5/10


def test_total_and_amounts() -> None:
    # (20 x 5 + 10 x 0 + 10 x 3.4) / 5 = 134 / 5 = 26.8 points of the 40 weight: 67 of 100
    assert total_score([(20, 5), (10, 0), (10, 3.4)]) == 67.0
    assert total_score([(0, 5), (10, 2.5)]) == 50.0  # a knock-out weighing 0 adds nothing
    assert (amount(1234.0), amount(6000.5), amount(-40.0)) == ("1,234", "6,000.50", "-40")
