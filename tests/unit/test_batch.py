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
    assert {line["action"] for line in EVERY_BATCH_ACTION} == set(batch._actions())


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
