"""Vectorised parsing of imported cells: numbers, dates and text, with a reason per bad cell."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kam.text import _UNSAFE_LINE

_NUMBER_PLAIN = r"[+-]?\d+(?:\.\d+)?"
_CURRENCY = re.compile(r"^[\s$€£¥]+|[\s$€£¥]+$")


@dataclass(frozen=True)
class Parsed:
    """A parsed column and, for each row, why it could not be parsed (None when fine)."""

    values: pd.Series
    errors: pd.Series


def clean_text_column(raw: pd.Series) -> pd.Series:
    """Strip control characters and bidi overrides from every cell, then trim."""
    return raw.str.replace(_UNSAFE_LINE, "", regex=True).str.strip()


def parse_numbers(raw: pd.Series, *, decimal: str = ".") -> Parsed:
    """Numbers with optional thousands separators, currency signs and (accounting) negatives.

    `decimal` is the decimal mark ("." or ","); the other mark, spaces and apostrophes are
    accepted as thousands separators only in groups of three.
    """
    thousands = "," if decimal == "." else "."
    text = raw.fillna("").astype(str).str.strip()
    text = text.str.replace(_CURRENCY, "", regex=True)
    negative_paren = text.str.match(r"^\(.*\)$")
    text = text.where(~negative_paren, "-" + text.str.slice(1, -1))
    grouped = (
        r"^[+-]?\d{1,3}(?:["
        + re.escape(thousands)
        + r"\s'’\u00a0\u202f]\d{3})+(?:"
        + re.escape(decimal)
        + r"\d+)?$"
    )
    plain = r"^[+-]?\d+(?:" + re.escape(decimal) + r"\d+)?$"
    ok = text.str.match(plain) | text.str.match(grouped)
    normal = text.str.replace(r"[\s'’\u00a0\u202f]", "", regex=True)
    normal = normal.str.replace(thousands, "", regex=False)
    if decimal != ".":
        normal = normal.str.replace(decimal, ".", regex=False)
    values = pd.to_numeric(normal.where(ok), errors="coerce")
    empty = text == ""
    errors = pd.Series(None, index=raw.index, dtype=object)
    errors[~ok & ~empty] = "is not a number: " + raw[~ok & ~empty].astype(str).str.slice(0, 40)
    errors[empty] = "is empty"
    return Parsed(values.astype(float), errors)


_ISO = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_SLASHED = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$")


def slash_order(raw: pd.Series, *, hint: str | None = None) -> tuple[str | None, str | None]:
    """Decide whether D/M/Y or M/D/Y for a column's slashed dates.

    Returns (order, problem): order is "dmy" or "mdy" (or None when there are no slashed
    dates); problem is a sentence when the column is ambiguous or contradicts itself.
    """
    if hint in ("dmy", "mdy"):
        return hint, None
    parts = raw.str.extract(_SLASHED).dropna()
    if parts.empty:
        return None, None
    first, second = parts[0].astype(int), parts[1].astype(int)
    says_dmy, says_mdy = bool((first > 12).any()), bool((second > 12).any())
    if says_dmy and says_mdy:
        return None, "mixes day/month/year and month/day/year dates"
    if says_dmy:
        return "dmy", None
    if says_mdy:
        return "mdy", None
    if bool((first != second).any()):
        example = raw[parts.index[(first != second).to_numpy()][0]]
        return None, (
            f"has dates like {example} that could be day/month or month/day; "
            "use YYYY-MM-DD or pass --date-order dmy|mdy"
        )
    return "dmy", None  # every slashed date has day == month: either order reads the same


def parse_dates(raw: pd.Series, *, order: str | None = None) -> Parsed:
    """ISO dates (YYYY-MM-DD), D.M.YYYY, and D/M/YYYY or M/D/YYYY in the column's one order."""
    text = raw.fillna("").astype(str).str.strip()
    # Excel cells may arrive as timestamps "2026-03-01 00:00:00".
    text = text.str.replace(r"^(\d{4}-\d{2}-\d{2})[ T]00:00(:00)?(\.0+)?$", r"\1", regex=True)
    year = pd.Series(np.nan, index=raw.index)
    month = pd.Series(np.nan, index=raw.index)
    day = pd.Series(np.nan, index=raw.index)
    iso = text.str.extract(_ISO).astype(float)
    hit = iso[0].notna()
    year[hit], month[hit], day[hit] = iso[0][hit], iso[1][hit], iso[2][hit]
    dotted = text.str.extract(_DOTTED).astype(float)
    hit = dotted[0].notna()
    day[hit], month[hit], year[hit] = dotted[0][hit], dotted[1][hit], dotted[2][hit]
    detected, problem = slash_order(text, hint=order)
    errors = pd.Series(None, index=raw.index, dtype=object)
    slashed = text.str.extract(_SLASHED).astype(float)
    hit = slashed[0].notna()
    if problem is not None:
        errors[hit] = f"the column {problem}"
    elif detected == "mdy":
        month[hit], day[hit], year[hit] = slashed[0][hit], slashed[1][hit], slashed[2][hit]
    else:
        day[hit], month[hit], year[hit] = slashed[0][hit], slashed[1][hit], slashed[2][hit]
    parts = pd.DataFrame({"year": year, "month": month, "day": day})
    values = pd.to_datetime(parts.dropna(), errors="coerce").reindex(raw.index)
    empty = text == ""
    shaped = year.notna()
    errors[empty] = "is empty"
    bad_shape = ~empty & ~shaped & errors.isna()
    errors[bad_shape] = "is not a date (use YYYY-MM-DD): " + text[bad_shape].str.slice(0, 40)
    impossible = shaped & values.isna() & errors.isna()
    errors[impossible] = "is not a real date: " + text[impossible]
    return Parsed(values, errors)
