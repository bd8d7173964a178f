"""`kam batch FILE`: everything is checked first, then all lines apply in one transaction or none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kam.database import Database
from tests.cli.conftest import Kam
from tests.cli.support import ok, parsed, refused

ACME, BEER = "Acme [/b] Ltd", "北京燕京啤酒"


def jsonl(path: Path, *lines: object) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)
                              for x in lines) + "\n", encoding="utf-8")  # fmt: skip
    return path


def test_a_batch_applies_every_line_and_reports_each(
    kam: Kam, cli_db: Database, tmp_path: Path
) -> None:
    path = jsonl(
        tmp_path / "b.jsonl",
        "# quarterly clean-up",
        {
            "action": "account.update",
            "account": ACME,
            "reason": "Q3 plan",
            "next_review_on": "2026-12-01",
        },
        {"action": "customer.add", "name": "Neue Kunde GmbH", "industry": "Energy"},
        {"action": "account.nominate", "customer": "Neue Kunde GmbH", "manager": "mia"},
        {
            "action": "commitment.add",
            "customer": ACME,
            "description": "Price list",
            "department": "sales",
            "due_on": "2026-10-01",
        },
        {"action": "programme.set", "key": "cap", "value": "20"},
    )
    report = parsed(kam("batch", str(path), "--json"))
    assert (report["lines"], report["applied"]) == (5, 5)
    assert [r["line"] for r in report["results"]] == [2, 3, 4, 5, 6]
    acme = parsed(kam("account", "show", ACME, "--json"))
    assert (acme["reason"], acme["next_review_on"]) == ("Q3 plan", "2026-12-01")
    assert parsed(kam("account", "show", "Neue Kunde GmbH", "--json"))["manager"] == "mia"
    assert parsed(kam("programme", "show", "--json"))["cap"] == 20


def test_invalid_lines_are_all_named_and_nothing_is_applied(
    kam: Kam, cli_db: Database, tmp_path: Path
) -> None:
    path = jsonl(
        tmp_path / "b.jsonl",
        {"action": "account.update", "account": ACME, "reason": "fine"},
        "{not json",
        {"action": "account.explode", "account": ACME},
        {"action": "account.update", "account": ACME, "colour": "red"},
        {
            "action": "commitment.add",
            "customer": ACME,
            "description": "x",
            "department": "sales",
            "due_on": "someday",
        },
        {"action": "account.retire", "account": ACME},
    )
    result = kam("batch", str(path))
    message = refused(result, 1)
    # Named by the file, whatever the lines' fields are called.
    assert message.startswith("b.jsonl: 5 invalid lines; nothing was applied")
    for expected in ("line 2: not JSON", "line 3: unknown action 'account.explode'",
                     "line 4: account.update has no field 'colour'",
                     "line 5 (commitment.add): due_on: 'someday' is not a date (YYYY-MM-DD)",
                     "line 6: account.retire needs 'reason'"):  # fmt: skip
        assert expected in result.stderr
    assert parsed(kam("account", "show", ACME, "--json"))["reason"] == ""


def test_a_refusal_on_any_line_rolls_back_the_whole_batch(
    kam: Kam, cli_db: Database, tmp_path: Path
) -> None:
    path = jsonl(
        tmp_path / "b.jsonl",
        {"action": "account.update", "account": ACME, "reason": "applied first"},
        {"action": "account.update", "account": BEER, "reason": "not mine"},
    )
    message = refused(kam("batch", str(path), as_user="mia"), 1)
    assert message.startswith("line 2 (account.update): Managers edit only the key accounts")
    assert parsed(kam("account", "show", ACME, "--json"))["reason"] == ""


def test_a_stale_version_in_a_batch_exits_3(kam: Kam, cli_db: Database, tmp_path: Path) -> None:
    path = jsonl(tmp_path / "b.jsonl",
                 {"action": "account.update", "account": ACME, "reason": "x", "if_version": 7})  # fmt: skip
    assert "line 1" in refused(kam("batch", str(path)), 3)


def test_dry_run_checks_and_reports_but_writes_nothing(
    kam: Kam, cli_db: Database, tmp_path: Path
) -> None:
    path = jsonl(
        tmp_path / "b.jsonl", {"action": "account.update", "account": ACME, "reason": "maybe"}
    )
    result = ok(kam("batch", str(path), "--dry-run"))
    assert "would apply 1 of 1 lines" in result.stderr
    assert parsed(kam("account", "show", ACME, "--json"))["reason"] == ""


def test_a_missing_batch_file_is_named(kam: Kam, cli_db: Database, tmp_path: Path) -> None:
    assert "no such file" in refused(kam("batch", str(tmp_path / "none.jsonl")), 1)


@pytest.mark.parametrize("parent", ["sales.csv", "gone"])
def test_a_batch_file_whose_folder_is_a_file_or_missing_names_that_folder(
    kam: Kam, cli_db: Database, tmp_path: Path, parent: str
) -> None:
    """Under a file, this crashed: "unexpected NotADirectoryError"."""
    (tmp_path / "sales.csv").write_text("customer\n", encoding="utf-8")
    message = refused(kam("batch", str(tmp_path / parent / "x.jsonl")), 1)

    assert message == f"{tmp_path / parent}: no such folder."


def test_a_folder_given_as_the_batch_file_is_called_a_folder(
    kam: Kam, cli_db: Database, tmp_path: Path
) -> None:
    message = refused(kam("batch", str(tmp_path)), 1)

    assert message == f"{tmp_path} is a folder; name a file in it."


@pytest.mark.today("2026-07-01")
def test_every_batch_action_runs_through_kam_batch(
    kam: Kam, cli_db: Database, tmp_path: Path
) -> None:
    from tests.support import EVERY_BATCH_ACTION, add_small_base

    add_small_base(cli_db)
    path = jsonl(tmp_path / "all.jsonl", *EVERY_BATCH_ACTION)
    report = parsed(kam("batch", str(path), "--json"))
    assert report["applied"] == len(EVERY_BATCH_ACTION)
    assert [r["action"] for r in report["results"]] == [x["action"] for x in EVERY_BATCH_ACTION]


def test_a_batch_records_its_changes_through_the_batch_door(
    kam: Kam, cli_db: Database, tmp_path: Path
) -> None:
    path = jsonl(
        tmp_path / "b.jsonl", {"action": "account.update", "account": ACME, "reason": "Q4"}
    )
    ok(kam("batch", str(path)))

    events = parsed(kam("audit", "--json"))["rows"]
    assert [(e["field"], e["new"], e["door"]) for e in events] == [("reason", "Q4", "batch")]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ({"action": "practice.add", "title": 5}, "title: expected str, not a number"),
        ({"action": "practice.add", "title": "T", "tags": "abc"},
         "tags: expected list[str], not text"),
        ({"action": "account.assess", "account": ACME, "manual": {"advocacy": "x"}},
         "manual.advocacy: expected [int, str], not text"),
        ({"action": "account.update", "account": ["a"]}, "account: expected str, not a list"),
        ({"action": "programme.set", "key": "cap", "value": True},
         "value: expected str | int | float, not true/false"),
        ({"action": "plan.carry", "account": ACME, "goals": [1, "2"]},
         "goals[1]: expected int, not text"),
        ('{"action": "customer.add", "name": "Infco", "estimated_wallet": Infinity}',
         "estimated_wallet: inf is not a finite number"),
        ({"action": "user.add", "login": "zed", "role": "god"},
         "role: 'god' is not one of admin, manager, executive, viewer"),
        ({"action": "contact.update", "id": 10**20},
         "id: 100000000000000000000 is too large; at most 9,223,372,036,854,775,807"),
    ],
    ids=["number-for-text", "text-for-list", "text-for-pair", "list-for-text", "flag-for-value",
         "text-in-ids", "infinity", "unknown-role", "id-beyond-64-bits"],
)  # fmt: skip
def test_a_value_of_the_wrong_type_is_one_line_naming_line_and_field(
    kam: Kam, cli_db: Database, tmp_path: Path, line: object, expected: str
) -> None:
    """These crashed ("unexpected …Error"), stored 'abc' as three tags, kept Infinity, or
    (an unknown role) were counted twice with a spurious "needs 'role'"."""
    path = jsonl(tmp_path / "b.jsonl", {"action": "account.update", "account": ACME, "reason": "x"},
                 line)  # fmt: skip
    result = kam("batch", str(path))
    message = refused(result, 1)

    assert message == "b.jsonl: 1 invalid line; nothing was applied."
    action = (json.loads(line) if isinstance(line, str) else line)["action"]
    assert result.stderr.splitlines()[1:] == [f"  line 2 ({action}): {expected}"]
    assert parsed(kam("account", "show", ACME, "--json"))["reason"] == ""


def test_a_programme_setting_takes_a_json_number(
    kam: Kam, cli_db: Database, tmp_path: Path
) -> None:
    path = jsonl(tmp_path / "b.jsonl", {"action": "programme.set", "key": "cap", "value": 10})

    ok(kam("batch", str(path)))
    assert parsed(kam("programme", "show", "--json"))["cap"] == 10


def test_the_action_list_names_every_skill_a_manager_is_scored_on(kam: Kam) -> None:
    listed = ok(kam("batch", "--actions")).stdout.splitlines()

    assert (
        "manager.skills  user: str, finance?: int, consulting?: int, planning?: int, "
        "interpersonal?: int, influence?: int" in listed
    )
    assert "estimated_wallet?: float" in next(x for x in listed if x.startswith("customer.add "))
