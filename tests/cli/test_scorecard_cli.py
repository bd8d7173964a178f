"""`kam manager scorecard`, `kam sponsor scorecard` and `kam metrics what-if`, on the cast with
tests.support.add_small_base's lines (worked out in tests/unit/test_scorecards.py and
tests/unit/test_whatif.py): as of 2026-06-30 mia's one account, Acme, made a T12M profit of
500 (100 the twelve months before); the base's retention is 2/3.
"""

from __future__ import annotations

import pytest

from kam.database import Database
from tests.cli.conftest import Kam
from tests.cli.support import listed, ok, parsed, refused, usage_error
from tests.support import add_small_base

pytestmark = pytest.mark.today("2026-07-01")

AS_OF = ("--as-of", "2026-06-30")


def _factor(r: float) -> float:
    """sum over t = 1..5 of r^(t-1) / 1.1^t."""
    return sum(r ** (t - 1) / 1.1**t for t in range(1, 6))


@pytest.fixture
def sales(cli_db: Database) -> Database:
    add_small_base(cli_db)
    cli_db.dispose()
    return cli_db


def test_an_admin_sees_every_managers_scorecard_as_json(sales: Database, kam: Kam) -> None:
    data = parsed(kam("manager", "scorecard", *AS_OF, "--json"))
    assert (data["as_of"], data["kind"], data["everyone"]) == ("2026-06-30", "manager", True)
    rows = {row["login"]: row for row in data["rows"]}
    assert set(rows) == {"mia", "otto"}
    mia = rows["mia"]
    assert (mia["accounts"], mia["profit"], mia["profit_before"]) == (1, 500, 100)
    assert mia["profit_change"] == 400
    assert mia["clv"] == pytest.approx(500 * _factor(2 / 3))
    # Acme's first review was due 2025-01-15 + 180 = 2025-07-14 and none was recorded: late.
    assert (mia["due"], mia["on_time"], mia["on_time_share"]) == (1, 0, 0.0)


def test_the_scorecard_table_reads_for_people(sales: Database, kam: Kam) -> None:
    out = ok(kam("manager", "scorecard", *AS_OF)).stdout
    assert "Mia Manager (mia)" in out and "+400 (+400.0 %)" in out
    assert "Reviews on time" in out and "0/1 (0 %)" in out


def test_a_manager_sees_only_their_own_row_and_is_told(sales: Database, kam: Kam) -> None:
    rows = listed(kam("manager", "scorecard", *AS_OF, "--json", as_user="mia"))
    assert [r["login"] for r in rows] == ["mia"]
    out = ok(kam("manager", "scorecard", *AS_OF, as_user="mia")).stdout
    assert "You see your own scorecard; executives and admins see every manager's." in out
    message = refused(kam("manager", "scorecard", "otto", *AS_OF, as_user="mia"), 1)
    assert message == (
        "A manager sees only their own scorecard; you (mia) asked for 'otto'. Executives and "
        "admins see every manager's."
    )


def test_sponsor_scorecards_are_for_executives_and_admins(sales: Database, kam: Kam) -> None:
    rows = listed(kam("sponsor", "scorecard", *AS_OF, "--json", as_user="eve"))
    assert [(r["login"], r["accounts"], r["profit"]) for r in rows] == [("eve", 1, 500)]
    message = refused(kam("sponsor", "scorecard", *AS_OF, as_user="val"), 1)
    assert message.startswith("Only executives or admins may see every manager's")


def test_the_what_if_has_its_own_json_and_names_the_model(sales: Database, kam: Kam) -> None:
    data = parsed(kam("metrics", "what-if", "--retention", "+5", *AS_OF, "--json"))
    assert (data["points"], data["model"], data["clamped_customers"]) == (5, "simple", 0)
    assert "probabilistic model has no retention to move" in data["note"]
    assert data["base_retention_then"] == pytest.approx(2 / 3 + 0.05)
    clv = data["key_accounts"]["clv"]  # Acme alone: 500 a year
    assert clv["now"] == pytest.approx(500 * _factor(2 / 3))
    assert clv["then"] == pytest.approx(500 * _factor(2 / 3 + 0.05))
    assert data["base"]["customers"] == 3


def test_the_what_if_says_when_retention_was_clamped(sales: Database, kam: Kam) -> None:
    out = ok(kam("metrics", "what-if", "--retention", "-80", *AS_OF)).stdout
    assert "3 customers' retention kept within 0 and 99%" in out
    assert "-80 points: the base's 66.7% becomes 0.0%" in out
    assert "Profit 5y: the profit over the next 5 years, undiscounted" in out


def test_the_what_if_refuses_more_than_a_hundred_points(sales: Database, kam: Kam) -> None:
    assert "--retention" in usage_error(kam("metrics", "what-if", "--retention", "150"))


def test_asking_for_someone_who_runs_nothing_says_who_does(sales: Database, kam: Kam) -> None:
    message = refused(kam("manager", "scorecard", "eve", *AS_OF), 1)
    assert message == (
        "'eve' is not a manager and runs no open key account; `kam manager list` names the "
        "managers."
    )
