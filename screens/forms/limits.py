"""Field limits for forms, read from the services' input models (one source: a length or a
pattern changes in `kam.rules.limits` and reaches the services, the CLI and the forms)."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import BaseModel


def max_length(model: type[BaseModel], field: str) -> int:
    """The longest value the service accepts for `field` of `model`."""
    for rule in model.model_fields[field].metadata:
        limit = getattr(rule, "max_length", None)
        if limit is not None:
            return int(limit)
    raise LookupError(f"{model.__name__}.{field} has no length limit")


def pattern(model: type[BaseModel], field: str) -> re.Pattern[str]:
    """The pattern the service's `field` of `model` must match."""
    for rule in model.model_fields[field].metadata:
        found = getattr(rule, "pattern", None)
        if found is not None:
            return re.compile(found)
    raise LookupError(f"{model.__name__}.{field} has no pattern")


@cache
def login_pattern() -> re.Pattern[str]:
    """What a login looks like: the rule `kam user add` applies."""
    from kam.services.users import UserInput

    return pattern(UserInput, "login")


@cache
def login_length() -> int:
    """The longest login."""
    from kam.services.users import UserInput

    return max_length(UserInput, "login")


def bounds(model: type[BaseModel], field: str) -> tuple[int, int]:
    """The smallest and largest whole number the service accepts for `field` of `model`."""
    low = high = None
    for rule in model.model_fields[field].metadata:
        low = getattr(rule, "ge", low)
        high = getattr(rule, "le", high)
    if low is None or high is None:
        raise LookupError(f"{model.__name__}.{field} has no bounds")
    return int(low), int(high)
