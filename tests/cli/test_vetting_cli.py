"""`kam account nominate|assess|admit|reject|retire`, `kam criteria` and `kam programme`."""

from __future__ import annotations

import pytest

from kam.database import Database
from tests.cli.conftest import Kam
from tests.cli.support import listed, ok, parsed, refused, usage_error
from tests.support import add_programme_of_five, add_small_base

PLAIN = "Plain Prospect GmbH"
MANUAL = ["--score", "strategic_fit=5", "--comment", "strategic_fit=Roadmap",
          "--score", "advocacy=5", "--comment", "advocacy=Reference",
          "--score", "relationship_loyalty=5", "--comment", "relationship_loyalty=Trust"]  # fmt: skip


@pytest.fixture
def base(cli_db: Database) -> Database:
    add_small_base(cli_db)
    return cli_db


def test_a_manager_nominates_and_assesses_and_an_executive_admits(kam: Kam, base: Database) -> None:
    assert (
        parsed(kam("account", "nominate", PLAIN, "--reason", "Growing", "--json", as_user="mia"))[
            "manager"
        ]
        == "mia"
    )
    ok(kam("account", "update", PLAIN, "--sponsor", "eve"))
    ok(kam("programme", "set", "min_profit", "50"))  # Plain makes 70; Acme's 500 is the default
    view = parsed(
        kam("account", "assess", PLAIN, "--as-of", "2026-06-30", *MANUAL, "--json", as_user="mia")
    )
    assert view["total"] == 72.0 and view["complete"]  # worked out in tests/unit/test_vetting.py
    admitted = kam("account", "admit", PLAIN, "--rationale", "Qualifies", "--json", as_user="eve")
    result = parsed(admitted)
    assert result["account"]["status"] == "active" and result["override"] is False
    assert "Warning: The programme has 2 active accounts" in admitted.stderr


def test_assessment_output_for_people_lists_every_criterion(kam: Kam, base: Database) -> None:
    ok(kam("account", "nominate", PLAIN, as_user="mia"))
    out = ok(kam("account", "assess", PLAIN, "--as-of", "2026-06-30", as_user="mia")).stdout
    assert "above_break_even" in out and "Total: incomplete" in out
    assert "Missing manual scores: strategic_fit, advocacy, relationship_loyalty" in out
    assert "strategic_fit" in ok(kam("account", "assessment", PLAIN)).stdout


def test_admission_refused_names_the_rules_and_exits_1(kam: Kam, base: Database) -> None:
    message = refused(kam("account", "admit", "北京燕京啤酒", "--rationale", "x"), 1)
    assert "cannot be admitted" in message and "no executive sponsor" in message


def test_an_override_needs_a_reason_and_an_admin(kam: Kam, base: Database) -> None:
    usage_error(kam("account", "admit", "北京燕京啤酒", "--rationale", "x", "--override"))
    message = refused(kam("account", "admit", "北京燕京啤酒", "--rationale", "x", "--override",
                          "--reason", "Board", as_user="eve"), 1)  # fmt: skip
    assert "Only admins may override" in message
    result = parsed(kam("account", "admit", "北京燕京啤酒", "--rationale", "x", "--override",
                        "--reason", "Board decision", "--json"))  # fmt: skip
    assert result["override"] and result["account"]["admitted_by_override"]


def test_reject_and_retire(kam: Kam, base: Database) -> None:
    assert (
        parsed(
            kam("account", "reject", "北京燕京啤酒", "--rationale", "Loss", "--json", as_user="eve")
        )["status"]
        == "rejected"
    )
    assert "Only executives or admins may retire" in refused(
        kam("account", "retire", "Acme [/b] Ltd", "--reason", "x", as_user="mia"), 1
    )
    assert (
        parsed(
            kam("account", "retire", "Acme [/b] Ltd", "--reason", "Weak", "--json", as_user="eve")
        )["status"]
        == "retired"
    )


def test_bad_score_syntax_is_a_usage_error(kam: Kam, base: Database) -> None:
    usage_error(kam("account", "assess", "北京燕京啤酒", "--score", "strategic_fit"))
    usage_error(kam("account", "assess", "北京燕京啤酒", "--score", "strategic_fit=high"))
    usage_error(kam("account", "assess", "北京燕京啤酒", "--comment", "advocacy=alone"))


def test_criteria_are_listed_and_changed_by_admins(kam: Kam, base: Database) -> None:
    criteria = listed(kam("criteria", "list", "--json"))
    assert len(criteria) == 9 and {c["set_version"] for c in criteria} == {1}
    changed = listed(kam("criteria", "set", "advocacy", "--weight", "15", "--json"))
    assert {c["set_version"] for c in changed} == {2}
    refused(kam("criteria", "set", "advocacy", "--weight", "15", as_user="mia"), 1)
    assert "no criterion is named" in refused(kam("criteria", "remove", "charm"), 1).lower()


def test_programme_settings_show_and_set(kam: Kam, base: Database) -> None:
    assert parsed(kam("programme", "show", "--json"))["cap"] == 25
    ok(kam("programme", "set", "cap", "12"))
    assert parsed(kam("programme", "show", "--json"))["cap"] == 12
    assert "outside" in refused(kam("programme", "set", "horizon", "0"), 1)
    refused(kam("programme", "set", "cap", "12", as_user="eve"), 1)


def test_a_cap_below_the_active_accounts_is_refused_naming_force(
    kam: Kam, cli_db: Database
) -> None:
    add_programme_of_five(cli_db)
    ok(kam("programme", "set", "warn_below", "0"))
    below = refused(kam("programme", "set", "cap", "1"), 1)
    assert "cap 1 is below the 5 active key accounts" in below
    assert below.rstrip().endswith("--force sets it anyway.")
    ok(kam("programme", "set", "cap", "1", "--force"))


def test_programme_show_names_each_setting_as_set_takes_it(kam: Kam, cli_db: Database) -> None:
    shown = ok(kam("programme", "show")).stdout
    assert "sponsor_limit" in shown and "sponsor limit" not in shown
    ok(kam("programme", "set", "sponsor_limit", "4"))
    assert parsed(kam("programme", "show", "--json"))["sponsor_limit"] == 4
    assert "above the cap" in refused(kam("programme", "set", "warn_below", "30"), 1)


def words(text: str) -> str:
    """Help text as plain words: the boxes' borders and the line breaks gone."""
    return " ".join(text.translate({ord(c): " " for c in "│╭╮╰╯─"}).split())


@pytest.fixture
def five(cli_db: Database) -> Database:
    add_programme_of_five(cli_db)
    return cli_db


def test_criteria_list_and_help_say_how_metric_criteria_score(kam: Kam, cli_db: Database) -> None:
    shown = ok(kam("criteria", "list")).stdout
    assert "minimum_profit" in shown and "T12M profit at least min_profit" in shown
    assert "quintile" not in shown
    helped = words(ok(kam("criteria", "--help")).stdout)
    assert "1 at or below their lowest, 3 at their median, 5 at or above their top quartile" in (
        helped
    )
    assert "fewer than 5 key accounts, against the 25 customers of the whole base" in helped
    assert "interpolate linearly between closest ranks (numpy's default)" in helped
    assert "top quartile" in words(ok(kam("criteria", "set", "--help")).stdout)


def test_the_minimum_profit_knock_out_takes_its_threshold_from_the_programme(
    kam: Kam, cli_db: Database
) -> None:
    message = refused(kam("criteria", "set", "minimum_profit", "--threshold", "5000"), 1)
    assert "kam programme set min_profit VALUE" in message
    assert "only a knock-out may weigh 0" in refused(
        kam("criteria", "set", "minimum_profit", "--no-knock-out"), 1
    )


def test_a_small_customer_is_assessed_and_refused_with_the_reason(kam: Kam, five: Database) -> None:
    """The numbers are worked out in tests/unit/test_admission_criteria.py."""
    ok(kam("account", "add", "Tiny Trader", "--manager", "mia", "--sponsor", "eve"))
    out = ok(kam("account", "assess", "Tiny Trader", "--as-of", "2026-06-30", *MANUAL,
                 as_user="mia")).stdout  # fmt: skip
    assert "Total: 53.8 / 100" in out
    assert (
        "Knock-out failed: minimum_profit: T12M profit 1,500 is below the programme's minimum "
        "profit 20,000." in out
    )
    assert " 1.9 " in out  # wallet headroom, to one decimal
    message = refused(kam("account", "admit", "Tiny Trader", "--rationale", "x", as_user="eve"), 1)
    assert "minimum_profit (T12M profit 1,500 is below the programme's minimum profit 20,000)" in (
        message
    )


@pytest.mark.today("2026-06-30")  # programme show: the default is the lowest T12M profit today
def test_min_profit_is_set_shown_and_set_back_to_its_default(kam: Kam, five: Database) -> None:
    shown = parsed(kam("programme", "show", "--json"))
    assert (shown["min_profit"], shown["min_profit_in_force"]) == (None, 20_000)
    assert (
        "default: the lowest T12M profit of the 5 key accounts"
        in ok(kam("programme", "show")).stdout
    )
    assert "min_profit is now 1000.0." in ok(kam("programme", "set", "min_profit", "1000")).stderr
    shown = parsed(kam("programme", "show", "--json"))
    assert (shown["min_profit"], shown["min_profit_in_force"]) == (1000, 1000)
    assert "not a number" in refused(kam("programme", "set", "min_profit", "lots"), 1)
    refused(kam("programme", "set", "min_profit", "0", as_user="eve"), 1)
    assert "its default" in ok(kam("programme", "set", "min_profit", "default")).stderr
    assert parsed(kam("programme", "show", "--json"))["min_profit"] is None
