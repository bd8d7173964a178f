"""`kam review due|record|show` and `kam practice add|list`."""

from __future__ import annotations

import pytest

from kam.database import Database
from tests.cli.conftest import Kam
from tests.cli.support import listed, ok, parsed, refused, usage_error
from tests.support import add_small_base

ACME = "Acme [/b] Ltd"
SCORES = ["--score", "strategic_fit=4", "--comment", "strategic_fit=Fit",
          "--score", "advocacy=4", "--comment", "advocacy=Yes",
          "--score", "relationship_loyalty=4", "--comment", "relationship_loyalty=Trust"]  # fmt: skip


@pytest.fixture
def base(cli_db: Database) -> Database:
    add_small_base(cli_db)
    return cli_db


@pytest.mark.today("2026-07-01")
def test_a_manager_records_a_review_and_reads_it_back(kam: Kam, base: Database) -> None:
    ok(kam("practice", "add", "Joint business plan", "--tag", "planning", as_user="mia"))
    view = parsed(kam("review", "record", ACME, "--perceived", "9", "--expected", "6",
                      "--decision", "retain", "--date", "2026-06-30", *SCORES,
                      "--check", "sponsor_visited", "--practice", "Joint business plan",
                      "--json", as_user="mia"))  # fmt: skip
    assert view["satisfaction"] == 1.5 and view["decision"] == "retain"
    assert view["practices"] == ["Joint business plan"]
    shown = ok(kam("review", "show", ACME)).stdout
    assert "1.50 = perceived 9 / expected 6" in shown and "at median" in shown  # the only member
    assert "plan            no plan for 2026" in shown
    assert parsed(kam("review", "show", ACME, "--json"))["id"] == view["id"]


def test_review_refusals_and_usage(kam: Kam, base: Database) -> None:
    refused(kam("review", "record", ACME, "--perceived", "5", "--expected", "5",
                "--decision", "retain", as_user="otto"), 1)  # fmt: skip
    usage_error(kam("review", "record", ACME, "--perceived", "11", "--expected", "5",
                    "--decision", "retain"))  # fmt: skip
    usage_error(kam("review", "record", ACME, "--perceived", "5", "--expected", "5",
                    "--decision", "celebrate"))  # fmt: skip
    assert "has not been reviewed yet" in refused(kam("review", "show", ACME), 1)


def test_reviews_due(kam: Kam, base: Database) -> None:
    due = listed(kam("review", "due", "--as-of", "2026-06-30", "--json"))
    assert [d["customer"] for d in due] == [ACME]


def test_practices_are_listed(kam: Kam, base: Database) -> None:
    ok(kam("practice", "add", "Quarterly business review", "--source", "Peer", "--tag", "cadence"))
    assert [p["title"] for p in listed(kam("practice", "list", "--tag", "cadence", "--json"))] == [
        "Quarterly business review"
    ]
    refused(kam("practice", "add", "Another", as_user="val"), 1)


@pytest.mark.today("2026-06-30")
def test_review_show_gives_the_plan_progress_the_review_recorded(kam: Kam, base: Database) -> None:
    plan = parsed(kam("plan", "goal", "add", ACME, "Grow profit", "--json", as_user="mia"))
    goal = plan["goals"][0]["id"]
    ok(
        kam(
            "plan",
            "objective",
            "add",
            str(goal),
            "Profit to 700",
            "--target",
            "700",
            "--baseline",
            "300",
            "--figure",
            "t12m_profit",
            "--due",
            "2026-12-31",
            as_user="mia",
        )
    )
    ok(
        kam(
            "plan",
            "objective",
            "add",
            str(goal),
            "Roadmap signed",
            "--target",
            "1",
            "--due",
            "2026-06-01",
            as_user="mia",
        )
    )
    ok(kam("review", "record", ACME, "--perceived", "8", "--expected", "8", "--decision",
           "retain", *SCORES, as_user="mia"))  # fmt: skip
    shown = ok(kam("review", "show", ACME)).stdout
    assert "plan            2026: 25%, 1 goal (objectives: 1 on track, 1 overdue)" in shown
    assert "Grow profit  25%       1         0       1        0" in shown
    recorded = parsed(kam("review", "show", ACME, "--json"))["metrics"]["plan"]
    assert recorded["progress"] == 0.25 and recorded["goals"][0]["title"] == "Grow profit"


@pytest.mark.today("2026-06-30")
def test_plan_show_says_a_plan_short_of_goals_is_incomplete(kam: Kam, base: Database) -> None:
    """A plan needs two goals (kam.rules.plans.MIN_GOALS); one with enough says nothing of
    it, rather than calling a plan "complete" halfway through its year."""
    ok(kam("plan", "goal", "add", ACME, "Grow profit", as_user="mia"))
    one = ok(kam("plan", "show", ACME, as_user="mia")).stdout.splitlines()[1]
    assert one.endswith("; incomplete: 1 goal of the 2 a plan needs.")
    ok(kam("plan", "goal", "add", ACME, "Broaden the relationship", as_user="mia"))
    two = ok(kam("plan", "show", ACME, as_user="mia")).stdout.splitlines()[1]
    assert two.startswith("Progress ") and two.endswith(" as of 2026-06-30.")


@pytest.mark.today("2026-06-30")
def test_an_objective_added_by_mistake_is_dropped_and_taken_up_again(
    kam: Kam, base: Database
) -> None:
    plan = parsed(kam("plan", "goal", "add", ACME, "Grow profit", "--json", as_user="mia"))
    goal = str(plan["goals"][0]["id"])
    ok(kam("plan", "objective", "add", goal, "Workshops", "--target", "4", "--due",
           "2026-12-31", as_user="mia"))  # fmt: skip
    plan = parsed(kam("plan", "objective", "add", goal, "Typo", "--target", "1", "--due",
                      "2026-12-31", "--json", as_user="mia"))  # fmt: skip
    workshops, typo = (str(o["id"]) for o in plan["goals"][0]["objectives"])
    ok(kam("plan", "objective", "update", workshops, "--value", "2", "--comment", "Two held",
           as_user="mia"))  # fmt: skip
    refused(kam("plan", "objective", "update", typo, "--drop", as_user="val"), 1)
    result = ok(kam("plan", "objective", "update", typo, "--drop", as_user="mia"))
    assert f"Objective {typo} saved." in result.stderr
    shown = ok(kam("plan", "show", ACME, as_user="mia")).stdout
    # Workshops 2 of 4 = 50 %; the dropped typo's 0 % is left out of the goal and the plan
    assert f"Goal {goal}: Grow profit [open] 50%" in shown
    assert "Progress 50% as of 2026-06-30" in shown
    assert f"Objective {typo}: Typo" in shown and "0% dropped; updated by hand" in shown
    plan = parsed(kam("plan", "objective", "update", typo, "--restore", "--json", as_user="mia"))
    assert plan["goals"][0]["progress"] == 0.25  # (0.5 + 0) / 2
    assert plan["goals"][0]["objectives"][1]["dropped_on"] is None


def test_a_plan_action_is_handed_to_a_person_outside_kam_and_back(kam: Kam, base: Database) -> None:
    plan = parsed(kam("plan", "goal", "add", ACME, "Grow profit", "--json", as_user="mia"))
    plan = parsed(kam("plan", "objective", "add", str(plan["goals"][0]["id"]), "Workshops",
                      "--target", "2", "--due", "2026-12-31", "--json", as_user="mia"))  # fmt: skip
    plan = parsed(kam("plan", "action", "add", str(plan["goals"][0]["objectives"][0]["id"]),
                      "Book the venue", "--due", "2026-11-30", "--json", as_user="mia"))  # fmt: skip
    action = str(plan["goals"][0]["objectives"][0]["actions"][0]["id"])
    said = refused(kam("plan", "action", "update", action, "--owner-name", "Bob", as_user="mia"), 1)
    assert said.startswith("owner_department: say which department")
    plan = parsed(kam("plan", "action", "update", action, "--owner-name", "Bob Outsider",
                      "--department", "finance", "--json", as_user="mia"))  # fmt: skip
    moved = plan["goals"][0]["objectives"][0]["actions"][0]
    assert (moved["owner"], moved["owner_name"], moved["owner_department"]) == (
        "Bob Outsider", "Bob Outsider", "finance")  # fmt: skip
    plan = parsed(kam("plan", "action", "update", action, "--owner", "mia", "--json",
                      as_user="mia"))  # fmt: skip
    back = plan["goals"][0]["objectives"][0]["actions"][0]
    assert (back["owner"], back["owner_department"]) == ("mia", None)


@pytest.mark.today("2026-06-30")
def test_plan_show_prints_a_situation_of_several_lines_with_its_words_apart(
    kam: Kam, base: Database
) -> None:
    """A note printed on one line reads each line break or tab as a space, not as nothing."""
    situation = "Expand in Asia.\nCut\tcosts."
    ok(kam("plan", "edit", ACME, "--situation", situation, as_user="mia"))
    shown = ok(kam("plan", "show", ACME, as_user="mia")).stdout
    assert "Situation: Expand in Asia. Cut costs.\n" in shown
