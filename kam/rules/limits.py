"""Field limits: lengths, patterns and the numbers that input models, forms and the schema
share.

Services build their pydantic input models from these; TUI forms read them back from the
input models (`screens.forms.limits`), so a limit changes in one place.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from kam.errors import InvalidData

#: A login: an OS account name (letters, digits, `_`, `.`, `-`, `@`; not starting with `-`).
LOGIN_PATTERN = r"^[A-Za-z0-9_.][A-Za-z0-9_.@-]*$"
LOGIN = 64
#: Names and titles of people, customers, practices, courses.
NAME = 200
#: A customer's code (an id from another system).
CODE = 64
#: Industry and region labels.
LABEL = 100
#: Phone numbers.
PHONE = 50
#: The people named on an interaction.
PEOPLE = 500
#: Notes, reasons, rationales, promises.
NOTE = 2000
#: Complaint summaries and resolutions.
LONG_NOTE = 5000
#: An interaction's summary.
SUMMARY = 10_000
#: A sold product's code and an order number, on imported sales lines.
PRODUCT = 100
ORDER_ID = 100


def not_finite(value: float) -> str | None:
    """Why a number given to kam is refused when it is inf or nan (JSON cannot write them,
    spreadsheets refuse them, nan equals nothing, not even itself), or None when it is finite."""
    return None if math.isfinite(value) else f"{value} is not a finite number"


#: The whole numbers a database column holds (SQLite's INTEGER, Postgres' BIGINT).
INTEGERS = range(-(2**63), 2**63)


def out_of_range(value: int) -> str | None:
    """Why a whole number given to kam is refused when no id, count or limit can be it (beyond
    64 bits, the database cannot even look it up), or None when it is in range."""
    if value in INTEGERS:
        return None
    if value > 0:
        return f"{value} is too large; at most {INTEGERS[-1]:,}"
    return f"{value} is too small; at least {INTEGERS[0]:,}"


#: Figures kept as a fraction (0.35), which people say as a percentage (35 %): a target or
#: threshold for one is a fraction from 0 to 1.
SHARES = frozenset({"share_of_wallet"})


def share(field: str, figure: str | None, value: float) -> float:
    """`value`, or InvalidData naming `field` when `figure` is a share and `value` is not a
    fraction from 0 to 1 (75 meant as 75 % would stay out of reach)."""
    if figure in SHARES and not 0 <= value <= 1:
        shown = f"{value / 100:g} for {value:g} %" if 1 < value <= 100 else "0.35 for 35 %"
        raise InvalidData(
            f"{field}: {value:g} is out of range; {figure.replace('_', ' ')} is a fraction "
            f"from 0 to 1 ({shown})."
        )
    return value


def finite(field: str, value: float) -> float:
    """`value`, or InvalidData naming `field` when it is not finite (`not_finite`)."""
    problem = not_finite(value)
    if problem:
        raise InvalidData(f"{field}: {problem}.")
    return value


class _Finite:
    """Input-model metadata: the number passes `not_finite`, and a refusal names the field.
    (pydantic is imported when a model is built, not with this module.)"""

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic_core import PydanticCustomError, core_schema

        def check(value: float) -> float:
            problem = not_finite(value)
            if problem:
                raise PydanticCustomError("finite_number", problem)
            return value

        return core_schema.no_info_after_validator_function(check, handler(source))


#: A number an input model takes (a wallet, a margin, a target): finite.
Number = Annotated[float, _Finite()]
