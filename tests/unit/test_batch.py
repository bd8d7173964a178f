"""Every batch action applies through the batch (its JSON fields become the services'
dates and vocabularies), on each backend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kam.database import Database
from kam.errors import InvalidData
from kam.services import batch
from tests.support import EVERY_BATCH_ACTION, Cast, add_small_base

pytestmark = pytest.mark.today("2026-07-01")


def _file(path: Path, lines: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), "utf-8")
    return path


def test_the_table_names_every_batch_action() -> None:
    assert (
        {line["action"] for line in EVERY_BATCH_ACTION}
        == set(batch.ACTIONS)
        == set(batch._actions())
    )


def test_every_batch_action_applies(database: Database, cast: Cast, tmp_path: Path) -> None:
    add_small_base(database)
    steps = batch.parse(_file(tmp_path / "all.jsonl", EVERY_BATCH_ACTION))
    with database.writing() as s:
        report = batch.apply(s, cast.admin, steps, file="all.jsonl", dry_run=False)
    assert report.applied == len(EVERY_BATCH_ACTION)
    from kam.services.complaints import list_complaints

    with database.reading() as s:
        [complaint] = list_complaints(s, "Batch Co")
    assert (complaint.status, complaint.resolution) == ("handled", "Resent")


def test_a_word_outside_the_vocabulary_is_refused_naming_the_choices(tmp_path: Path) -> None:
    path = _file(tmp_path / "bad.jsonl", [{"action": "complaint.advance", "id": 1, "to": "done"}])
    with pytest.raises(InvalidData, match="'done' is not one of recorded, handled, verified"):
        batch.parse(path)


def test_a_line_names_its_record_once_and_a_customer_is_renamed_by_name(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    """A `name` field took the place of the record named: a customer.update renamed nothing
    and changed whichever customer `name` named; an account.update with `name` changed
    another account."""
    path = _file(tmp_path / "bad.jsonl", [
        {"action": "account.update", "account": cast.customer, "name": "Plain Prospect GmbH",
         "reason": "x"},
    ])  # fmt: skip
    with pytest.raises(InvalidData, match="line 1: account.update has no field 'name'"):
        batch.parse(path)
    steps = batch.parse(_file(tmp_path / "rename.jsonl", [
        {"action": "customer.update", "customer": cast.plain_customer, "name": "Plain Renamed",
         "region": "South"},
    ]))  # fmt: skip
    with database.writing() as s:
        batch.apply(s, cast.admin, steps, file="rename.jsonl", dry_run=False)
    from kam.services.customers import get_customer

    with database.reading() as s:
        renamed = get_customer(s, "Plain Renamed")
        acme = get_customer(s, cast.customer)
    assert (renamed.region, acme.region) == ("South", "North")


def test_a_field_of_the_services_input_model_takes_only_its_own_json_type(
    tmp_path: Path,
) -> None:
    """Fields checked by the input models alone took what pydantic turns into their type:
    true as a retention of 100 %, "5" as 5, 0 as 1970-01-01."""
    path = _file(tmp_path / "types.jsonl", [
        {"action": "account.update", "account": "A", "retention_override": True},
        {"action": "contact.update", "id": 5, "influence": "5"},
        {"action": "plan.action.add", "objective": 1, "title": "x", "due_on": 0},
    ])  # fmt: skip
    with pytest.raises(InvalidData) as refused:
        batch.parse(path)
    told = str(refused.value).splitlines()
    assert told[0] == "types.jsonl: 3 invalid lines; nothing was applied."
    assert told[1:] == [
        "  line 1 (account.update): retention_override: expected float, not true/false",
        "  line 2 (contact.update): influence: expected int, not text",
        "  line 3 (plan.action.add): due_on: expected date, not a number",
    ]


def _account_state(database: Database, name: str) -> tuple[int, str | None, float | None]:
    from kam.services.accounts import get_account

    with database.reading() as s:
        view = get_account(s, name)
    return view.version, view.reason, view.margin_override


def _trail(database: Database) -> list[tuple[str, str | None, object, object]]:
    from sqlmodel import select

    from db.models import AuditEvent

    with database.reading() as s:
        events = s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()  # type: ignore[arg-type]
        return [(e.entity, e.field, e.old, e.new) for e in events]


def test_a_run_of_account_updates_writes_what_each_line_says_in_order(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    """The set-based path keeps the per-line meaning: versions step once per changing line,
    a line that changes nothing keeps the version, each changed field has its audit event
    in line order, and a line changing the manager (checked one by one) sits between."""
    acme, beer = cast.customer, cast.other_customer
    v_acme, _, _ = _account_state(database, acme)
    v_beer, _, _ = _account_state(database, beer)
    lines = [
        {"action": "account.update", "account": acme, "reason": "First", "if_version": v_acme},
        {"action": "account.update", "account": acme, "margin_override": 0.3,
         "if_version": v_acme + 1},
        {"action": "account.update", "account": acme, "reason": "First"},  # no change
        {"action": "account.update", "account": beer, "next_review_on": "2026-09-01"},
        {"action": "account.update", "account": beer, "manager": "mia"},
        {"action": "account.update", "account": beer, "reason": "Handed over"},
    ]  # fmt: skip
    steps = batch.parse(_file(tmp_path / "run.jsonl", lines))
    before = len(_trail(database))
    with database.writing() as s:
        report = batch.apply(s, cast.admin, steps, file="run.jsonl", dry_run=False)
    assert [r["version"] for r in report.results] == [
        v_acme + 1, v_acme + 2, v_acme + 2, v_beer + 1, v_beer + 2, v_beer + 3,
    ]  # fmt: skip
    assert _account_state(database, acme) == (v_acme + 2, "First", 0.3)
    assert _account_state(database, beer)[:2] == (v_beer + 3, "Handed over")
    trail = [(entity, field) for entity, field, _, _ in _trail(database)[before:]]
    assert trail == [
        ("key_account", "reason"), ("key_account", "margin_override"),
        ("key_account", "next_review_on"), ("key_account", "manager"),
        ("key_account", "reason"),
    ]  # fmt: skip


def test_a_stale_version_in_a_run_names_its_line_and_applies_nothing(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    from kam.errors import ConflictError

    acme = cast.customer
    version, reason, margin = _account_state(database, acme)
    lines = [
        {"action": "account.update", "account": acme, "reason": "New", "if_version": version},
        {"action": "account.update", "account": acme, "margin_override": 0.2,
         "if_version": version},  # stale: line 1 moved it on
    ]  # fmt: skip
    steps = batch.parse(_file(tmp_path / "stale.jsonl", lines))
    before = _trail(database)
    with pytest.raises(ConflictError, match=r"line 2 \(account.update\).*Nothing was applied"):
        with database.writing() as s:
            batch.apply(s, cast.admin, steps, file="stale.jsonl", dry_run=False)
    assert _account_state(database, acme) == (version, reason, margin)
    assert _trail(database) == before


def test_a_manager_s_run_stops_at_an_account_that_is_not_theirs(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    from kam.errors import PermissionDenied

    lines = [
        {"action": "account.update", "account": cast.customer, "reason": "Mine"},
        {"action": "account.update", "account": cast.other_customer, "reason": "Not mine"},
    ]
    steps = batch.parse(_file(tmp_path / "theirs.jsonl", lines))
    version, reason, _ = _account_state(database, cast.customer)
    with pytest.raises(PermissionDenied, match=r"line 2 \(account.update\)"):
        with database.writing() as s:
            batch.apply(s, cast.manager, steps, file="theirs.jsonl", dry_run=False)
    assert _account_state(database, cast.customer)[:2] == (version, reason)


def test_a_change_made_while_the_run_was_reading_is_not_overwritten(
    database: Database, cast: Cast
) -> None:
    """The UPDATE checks the version each account was read at: if another writer moved it
    on after the read, the run refuses rather than overwrite."""
    from sqlalchemy import text

    from kam.errors import ConflictError
    from kam.services import accounts

    version, reason, _ = _account_state(database, cast.customer)
    update = accounts.AccountUpdate(1, cast.customer, None, {"reason": "Late"})
    with pytest.raises(ConflictError, match="changed one of these key accounts"):
        with database.writing() as s:
            accounts.account_and_customer(s, cast.customer)  # read at `version`
            s.connection().execute(text("UPDATE key_account SET version = version + 5"))
            accounts.update_accounts(s, cast.admin, [update])
    assert _account_state(database, cast.customer)[:2] == (version, reason)
