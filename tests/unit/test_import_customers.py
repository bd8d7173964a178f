"""Re-importing customers changes only what the file says: the columns it has, the cells it
fills (or, with blank_clears, the cells it leaves blank); each changed field is audited with
its old and new value, and each import is one event with its counts and the file's SHA-256."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from db.models import Customer
from kam.database import Database
from kam.services.importing.customers import DEFAULTS
from kam.services.importing.importer import run_import
from kam.services.importing.report import ImportRefused, ImportReport
from tests.support import Cast


def write(path: Path, content: str) -> Path:
    path.write_text(content, encoding="utf-8")
    return path


def run(database: Database, cast: Cast, kind: str, path: Path, **options: Any) -> ImportReport:
    with database.writing() as s:
        return run_import(s, cast.admin, kind, path, **options)


def customer(database: Database, name: str) -> dict[str, Any]:
    with database.engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT id, code, industry, region, status, lifecycle_stage, loyalty_type, "
                "estimated_wallet FROM customer WHERE name = :name"
            ),
            {"name": name},
        ).one()
    return dict(row._mapping)


def events(database: Database, entity: str) -> list[tuple[Any, ...]]:
    with database.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT entity_id, customer_id, field, old, new FROM audit_event "
                    "WHERE entity = :entity ORDER BY id"
                ),
                {"entity": entity},
            )
        ]


def first_import(database: Database, cast: Cast, tmp_path: Path) -> int:
    """Nordwind AG, code N1, in region EU at the loyalty stage, trusting, wallet 5,000."""
    path = write(
        tmp_path / "first.csv",
        "name,code,industry,region,lifecycle_stage,loyalty_type,estimated_wallet\n"
        "Nordwind AG,N1,Energy,EU,loyalty,trust,5000\n",
    )
    assert run(database, cast, "customers", path).written == 1
    return int(customer(database, "Nordwind AG")["id"])


def test_a_re_import_changes_only_the_columns_the_file_has(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    first_import(database, cast, tmp_path)
    path = write(tmp_path / "again.csv",
                 "name,code,industry,estimated_wallet\nNordwind AG,N1,Chemicals,7500\n")  # fmt: skip
    report = run(database, cast, "customers", path)
    assert (report.written, report.updated, report.unchanged) == (0, 1, 0)
    stored = customer(database, "Nordwind AG")
    assert (stored["region"], stored["lifecycle_stage"], stored["loyalty_type"]) == (
        "EU", "loyalty", "trust"
    )  # fmt: skip
    assert (stored["industry"], stored["estimated_wallet"]) == ("Chemicals", 7500.0)


def test_a_blank_cell_leaves_the_stored_value(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    first_import(database, cast, tmp_path)
    path = write(
        tmp_path / "again.csv",
        "name,code,industry,region,status,lifecycle_stage,loyalty_type,estimated_wallet\n"
        "Nordwind AG,N1,,,,,,\n",
    )
    report = run(database, cast, "customers", path)
    assert (report.updated, report.unchanged) == (0, 1)
    stored = customer(database, "Nordwind AG")
    assert (stored["industry"], stored["region"], stored["status"], stored["lifecycle_stage"],
            stored["loyalty_type"], stored["estimated_wallet"]) == (
        "Energy", "EU", "active", "loyalty", "trust", 5000.0
    )  # fmt: skip


def test_blank_clears_empties_text_and_nulls_the_wallet_loyalty_and_code(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    first_import(database, cast, tmp_path)
    path = write(tmp_path / "again.csv",
                 "name,code,region,loyalty_type,estimated_wallet\nNordwind AG,,,,\n")  # fmt: skip
    assert run(database, cast, "customers", path, blank_clears=True).updated == 1
    stored = customer(database, "Nordwind AG")
    assert (stored["code"], stored["region"], stored["loyalty_type"],
            stored["estimated_wallet"]) == (None, "", None, None)  # fmt: skip
    assert (stored["industry"], stored["lifecycle_stage"]) == ("Energy", "loyalty")  # absent


def test_blank_clears_refuses_a_blank_status_or_stage_which_cannot_be_cleared(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    first_import(database, cast, tmp_path)
    path = write(tmp_path / "again.csv",
                 "name,status,lifecycle_stage\nNordwind AG,,\nNew One,active,usage\n")  # fmt: skip
    with pytest.raises(ImportRefused) as refused:
        run(database, cast, "customers", path, blank_clears=True)
    assert {(e.row, e.column) for e in refused.value.errors} == {
        (2, "status"), (2, "lifecycle_stage")
    }  # fmt: skip
    assert "lifecycle_stage cannot be cleared" in str(refused.value)
    assert customer(database, "Nordwind AG")["lifecycle_stage"] == "loyalty"


def test_new_customers_get_the_defaults_for_absent_and_blank_columns(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    path = write(tmp_path / "new.csv", "name,region,status\nFjord AS,,\n")
    assert run(database, cast, "customers", path, blank_clears=False).written == 1
    stored = customer(database, "Fjord AS")
    assert (stored["code"], stored["industry"], stored["region"], stored["status"],
            stored["lifecycle_stage"], stored["loyalty_type"], stored["estimated_wallet"]) == (
        None, "", "", "active", "purchase", None, None
    )  # fmt: skip
    plain = Customer(name="x")
    assert (DEFAULTS["status"], DEFAULTS["lifecycle_stage"]) == (
        plain.status.value, plain.lifecycle_stage.value
    )  # fmt: skip


def test_every_changed_field_is_audited_with_its_old_and_new_value(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    nordwind = first_import(database, cast, tmp_path)
    path = write(
        tmp_path / "again.csv",
        "name,code,industry,region,status,estimated_wallet\n"
        "Nordwind AG,N1,Chemicals,EU,inactive,7500\n"  # region unchanged
        "Acme [/b] Ltd,ACME,Retail,South,,\n",  # found by name: gets a code; industry unchanged
    )
    assert run(database, cast, "customers", path).updated == 2
    acme = customer(database, "Acme [/b] Ltd")["id"]
    assert events(database, "customer") == [
        (nordwind, nordwind, "industry", "Energy", "Chemicals"),
        (nordwind, nordwind, "status", "active", "inactive"),
        (nordwind, nordwind, "estimated_wallet", "5000.0", "7500.0"),
        (acme, acme, "code", None, "ACME"),
        (acme, acme, "region", "North", "South"),
    ]


def test_each_import_is_one_event_with_its_counts_and_the_files_sha256(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    customers = write(tmp_path / "c.csv", "name,code\nFjord AS,F1\nAcme [/b] Ltd,ACME\n")
    sales = write(tmp_path / "s.csv", "customer,date,revenue,cost_of_goods\nF1,2026-01-05,100,60\n")
    costs = write(tmp_path / "k.csv", "customer,date,category,amount\nF1,2026-01-05,support,7\n")
    for kind, path in (("customers", customers), ("transactions", sales), ("costs", costs)):
        report = run(database, cast, kind, path)
        assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    imports = [(field, json.loads(new)) for _, _, field, _, new in events(database, "import")]
    assert [field for field, _ in imports] == ["customers", "transactions", "costs"]
    assert [(e["file"], e["sha256"], e["written"], e.get("updated")) for _, e in imports] == [
        ("c.csv", hashlib.sha256(customers.read_bytes()).hexdigest(), 1, 1),
        ("s.csv", hashlib.sha256(sales.read_bytes()).hexdigest(), 1, 0),
        ("k.csv", hashlib.sha256(costs.read_bytes()).hexdigest(), 1, 0),
    ]
    assert len(events(database, "customer")) == 1  # Acme's code; Fjord's creation is counted


def test_the_name_changes_only_on_a_customer_found_by_its_code(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    first_import(database, cast, tmp_path)
    path = write(tmp_path / "again.csv", "name,code\nNordwind Energy AG,N1\nACME [/B] LTD,\n")
    assert run(database, cast, "customers", path).updated == 1
    with database.engine.connect() as conn:
        names = conn.execute(text("SELECT name FROM customer ORDER BY name")).scalars().all()
    assert "Nordwind Energy AG" in names and "Acme [/b] Ltd" in names  # spelling kept


def test_rows_that_would_break_the_customers_keys_are_refused(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    first_import(database, cast, tmp_path)
    path = write(
        tmp_path / "again.csv",
        "name,code\nNordwind AG,N1\nnordwind ag,N9\nAcme [/b] Ltd,N1X\nPlain Prospect GmbH,N1X2\n"
        "Fjord AS,F1\n",
    )
    write(tmp_path / "rename.csv", "name,code\nAcme [/b] Ltd,N1\n")
    with pytest.raises(ImportRefused) as refused:
        run(database, cast, "customers", path)
    assert "row 3, name: repeats row 2" in str(refused.value)
    with pytest.raises(ImportRefused) as refused:
        run(database, cast, "customers", tmp_path / "rename.csv")
    assert "'Acme [/b] Ltd' is another customer's name, but code N1 is 'Nordwind AG'" in str(
        refused.value
    )
    twice = write(tmp_path / "twice.csv", "name,code\nFjord AS,N1\nNordwind AG,\n")
    with pytest.raises(ImportRefused, match="row 3, name: is the same customer as row 2"):
        run(database, cast, "customers", twice)
    assert customer(database, "Nordwind AG")["code"] == "N1"
