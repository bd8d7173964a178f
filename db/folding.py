"""Lower case in SQL for every script: SQLite's own lower() folds ASCII letters only ('Ñ'
stays 'Ñ'), so on SQLite `lowered` calls a function of Python's str.lower that each
connection registers (db.engine); PostgreSQL's lower() folds by the database's locale.

Both sides of a comparison go through `lowered`, so a name matches itself as the database
folds it: `lowered(Customer.name) == lowered(name)`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

#: The name SQLite connections know `sqlite_lower` by.
SQLITE_FUNCTION = "kam_lower"


class lowered(FunctionElement[str]):  # noqa: N801 - reads as a SQL function
    """lower(text), for every script on SQLite too."""

    type = String()
    inherit_cache = True
    name = "lowered"


@compiles(lowered)
def _lower(element: lowered, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(lowered, "sqlite")
def _sqlite_lower(element: lowered, compiler: Any, **kw: Any) -> str:
    return f"{SQLITE_FUNCTION}({compiler.process(element.clauses, **kw)})"


def sqlite_lower(value: object) -> object:
    """The SQLite function: text in lower case; anything else (NULL) as it is."""
    return value.lower() if isinstance(value, str) else value
