"""The plain tables the headline figures read (db.tables) are their models' columns: the
same names and the same kinds of type, so a read through them returns what the model's
table would (an enum's column reads as its text)."""

from __future__ import annotations

import pytest
from sqlmodel import SQLModel

import db.models
from db import tables

PLAIN = [
    tables.sales_line,
    tables.service_cost,
    tables.customer,
    tables.key_account,
    tables.value_fit,
    tables.customer_value,
]


@pytest.mark.parametrize("plain", PLAIN, ids=lambda t: t.name)
def test_each_plain_column_is_its_model_s_column(plain: object) -> None:
    db.models.load_all()
    model = SQLModel.metadata.tables[plain.name]  # type: ignore[attr-defined]
    for column in plain.c:  # type: ignore[attr-defined]
        assert column.name in model.c, f"{plain.name}.{column.name} is not in the model"
        expected = model.c[column.name].type._type_affinity
        assert column.type._type_affinity is expected, f"{plain.name}.{column.name}"
