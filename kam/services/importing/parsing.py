"""Vectorised parsing of imported cells: numbers, dates and text, with a reason per bad cell.

Each parser first takes the cells that machine-written files nearly always hold (plain numbers,
YYYY-MM-DD dates, text without control characters) with Arrow compute kernels, and hands only
the other cells to the general regex rules, which read (or refuse) them exactly as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kam.rules import dates
from kam.text import BREAKS, UNSAFE_LINE

_CURRENCY = re.compile(r"^[\s$€£¥]+|[\s$€£¥]+$")
#: `UNSAFE_LINE` spelled for RE2, the regex engine of Arrow's kernels (\uXXXX -> \x{XXXX}).
_UNSAFE_RE2 = re.sub(r"\\u([0-9a-fA-F]{4})", r"\\x{\1}", UNSAFE_LINE.pattern)
#: Cells taken by the fast paths: a plain number of at most 18 integer digits, an ISO date.
_FAST_NUMBER = r"^[+-]?[0-9]{1,18}(?:%s[0-9]+)?$"
_FAST_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
#: Years the date fast path reads itself; others take the general rules.
_FAST_YEARS = dates.YEARS


@dataclass(frozen=True)
class Parsed:
    """A parsed column and, for each row, why it could not be parsed (None when fine)."""

    values: pd.Series
    errors: pd.Series


def arrow_text_dtype() -> pd.StringDtype | None:
    """pandas' `str` dtype when it is Arrow-backed (pandas 3 with pyarrow), else None."""
    dtype = pd.Series([], dtype=str).dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return dtype
    return None


def text_series(cells: pa.Array | pa.ChunkedArray, index: pd.Index) -> pd.Series:
    """Arrow string cells as a pandas `str` column (no copy when pandas' `str` is Arrow)."""
    dtype = arrow_text_dtype()
    if dtype is None:
        return pd.Series(cells.to_numpy(zero_copy_only=False), index=index, dtype=str)
    return pd.Series(dtype.__from_arrow__(cells), index=index, copy=False)


def _is_arrow_text(raw: pd.Series) -> bool:
    return isinstance(raw.dtype, pd.StringDtype) and raw.dtype.storage == "pyarrow"


def _cells(text: pd.Series) -> pa.Array | pa.ChunkedArray:
    """The cells of a text column as Arrow strings (no copy for Arrow-backed columns)."""
    return pa.array(text, type=pa.large_string(), from_pandas=True)


def _matches(cells: pa.Array | pa.ChunkedArray, pattern: str) -> np.ndarray:
    """Which cells match an RE2 pattern, as a numpy bool array."""
    if len(cells) == 0:
        return np.zeros(0, dtype=bool)
    found = pc.match_substring_regex(cells, pattern).fill_null(False)
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)


def _part(raw: pd.Series, positions: np.ndarray) -> pd.Series:
    """The cells at `positions`, numbered 0..n-1 (the general rules work on labels)."""
    part = raw.iloc[positions]
    part.index = pd.RangeIndex(len(part))
    return part


def _fixed_width(cells: pa.Array | pa.ChunkedArray, width: int) -> np.ndarray:
    """The bytes of ASCII cells that are all `width` bytes long, as an (n, width) uint8 array."""
    if isinstance(cells, pa.ChunkedArray):
        cells = cells.combine_chunks()
    cells = cells.cast(pa.large_string())
    if len(cells) == 0:
        return np.zeros((0, width), dtype=np.uint8)
    start = int(np.frombuffer(cells.buffers()[1], dtype=np.int64)[cells.offset])
    data = np.frombuffer(cells.buffers()[2], dtype=np.uint8)
    return data[start : start + width * len(cells)].reshape(len(cells), width)


def _no_errors(raw: pd.Series) -> pd.Series:
    return pd.Series(None, index=raw.index, dtype=object)


def _clean_unsafe(raw: pd.Series) -> pd.Series:
    """Tabs and line breaks read as a space, then the other unsafe characters removed."""
    return raw.str.replace(BREAKS, " ", regex=True).str.replace(UNSAFE_LINE, "", regex=True)


def clean_text_column(raw: pd.Series) -> pd.Series:
    """Every cell as `kam.text.clean_text` cleans it: control characters, bidi overrides and
    invisible characters removed, accents composed (NFC), ends trimmed."""
    if not _is_arrow_text(raw):
        return _clean_unsafe(raw).str.normalize("NFC").str.strip()
    cells = _cells(raw)
    unsafe = _matches(cells, _UNSAFE_RE2)
    if unsafe.any():
        positions = np.flatnonzero(unsafe)
        raw = raw.copy()
        raw.iloc[positions] = _clean_unsafe(raw.iloc[positions])
    # Only text beyond ASCII can change in NFC: the rest is left as it is.
    ascii_ = pc.string_is_ascii(cells).fill_null(True).to_numpy(zero_copy_only=False)
    if not ascii_.all():
        positions = np.flatnonzero(~np.asarray(ascii_, dtype=bool))
        raw = raw.copy() if not unsafe.any() else raw
        raw.iloc[positions] = raw.iloc[positions].str.normalize("NFC")
    return raw.str.strip()


def parse_numbers(raw: pd.Series, *, decimal: str = ".") -> Parsed:
    """Numbers with optional thousands separators, currency signs and (accounting) negatives.

    `decimal` is the decimal mark ("." or ","); the other mark, spaces and apostrophes are
    accepted as thousands separators only in groups of three.
    """
    text = raw.fillna("").astype(str)
    cells = _cells(text)
    fast = _matches(cells, _FAST_NUMBER % re.escape(decimal))
    values = np.full(len(raw), np.nan)
    errors = _no_errors(raw)
    numbers = cells.filter(pa.array(fast))
    if decimal != ".":
        numbers = pc.replace_substring(numbers, decimal, ".")
    values[fast] = pc.cast(numbers, pa.float64()).to_numpy(zero_copy_only=False)
    slow = np.flatnonzero(~fast)
    numbers_slow = pa.array([], type=pa.large_string())
    if len(slow):
        part = _part(raw, slow)
        normal, ok, part_errors = _normalise_numbers(part, decimal)
        errors.iloc[slow] = part_errors.to_numpy()
        taken = _cells(normal[ok])
        readable = _matches(taken, r"^[+-]?[0-9]+(?:\.[0-9]+)?$")
        numbers_slow = taken.filter(pa.array(readable))
        read = slow[ok][readable]
        values[read] = pc.cast(numbers_slow, pa.float64()).to_numpy(zero_copy_only=False)
        # A number of hundreds of digits reads as inf: refused, as 1e999 is.
        huge = read[np.isinf(values[read])]
        if len(huge):
            errors.iloc[huge] = (
                "is too large to hold: " + raw.iloc[huge].astype(str).str.slice(0, 40)
            ).to_numpy()
            values[huge] = np.nan
    if not np.isnan(values).any():
        values = _as_pandas_reads_integers(values, numbers, numbers_slow)
    return Parsed(pd.Series(values, index=raw.index, name=raw.name), errors)


def _normalise_numbers(raw: pd.Series, decimal: str) -> tuple[pd.Series, np.ndarray, pd.Series]:
    """The general rules: each cell's number text (digits, sign, '.'), whether it is one, and
    why not."""
    thousands = "," if decimal == "." else "."
    text = raw.fillna("").astype(str).str.strip()
    text = text.str.replace(_CURRENCY, "", regex=True)
    negative_paren = text.str.match(r"^\(.*\)$")
    text = text.where(~negative_paren, "-" + text.str.slice(1, -1))
    grouped = (
        r"^[+-]?[0-9]{1,3}(?:["
        + re.escape(thousands)
        + r"\s'’\u00a0\u202f][0-9]{3})+(?:"
        + re.escape(decimal)
        + r"[0-9]+)?$"
    )
    # ASCII digits only: other scripts' digits (e.g. Arabic-Indic) are refused, not misread.
    plain = r"^[+-]?[0-9]+(?:" + re.escape(decimal) + r"[0-9]+)?$"
    ok = text.str.match(plain) | text.str.match(grouped)
    normal = text.str.replace(r"[\s'’\u00a0\u202f]", "", regex=True)
    normal = normal.str.replace(thousands, "", regex=False)
    if decimal != ".":
        normal = normal.str.replace(decimal, ".", regex=False)
    empty = text == ""
    errors = _no_errors(raw)
    errors[~ok & ~empty] = "is not a number: " + raw[~ok & ~empty].astype(str).str.slice(0, 40)
    errors[empty] = "is empty"
    return normal, ok.to_numpy(dtype=bool), errors


def _as_pandas_reads_integers(
    values: np.ndarray, *numbers: pa.Array | pa.ChunkedArray
) -> np.ndarray:
    """Keep the sign of zero as `pd.to_numeric` did: when every cell is a whole number that
    fits 64 bits, pandas read the column as integers, so "-0" was 0.0, not -0.0."""
    negative_zero = (values == 0) & np.signbit(values)
    if not negative_zero.any():
        return values
    big: list[int] = []
    for texts in numbers:
        if len(texts) == 0:
            continue
        if pc.any(pc.match_substring(texts, ".")).as_py():
            return values
        long = pc.greater(pc.utf8_length(pc.utf8_ltrim(texts, "+-")), 18)
        big += [int(s) for s in texts.filter(long).to_pylist()]
    fits_signed = all(-(2**63) <= b < 2**63 for b in big)
    fits_unsigned = all(0 <= b < 2**64 for b in big) and not (values < 0).any()
    return values + 0.0 if fits_signed or fits_unsigned else values


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
    # A date column repeats a few thousand values at most: read each distinct cell once (in
    # order of first appearance, so the column's first ambiguous date is still the example).
    codes, distinct = pd.factorize(raw.fillna("").astype(str))
    values, errors = _parse_distinct_dates(pd.Series(distinct), order)
    return Parsed(
        pd.Series(values[codes], index=raw.index),
        pd.Series(errors[codes], index=raw.index, dtype=object),
    )


def _parse_distinct_dates(raw: pd.Series, order: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Dates (datetime64[us], NaT where unreadable) and reasons (NaN where fine) by position."""
    values = np.full(len(raw), np.datetime64("NaT"), dtype="datetime64[us]")
    errors = _no_errors(raw)
    cells = _cells(raw)
    fast = _matches(cells, _FAST_DATE)
    if fast.any():
        digits = _fixed_width(cells.filter(pa.array(fast)), 10).astype(np.int64) - ord("0")
        year = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
        month = digits[:, 5] * 10 + digits[:, 6]
        day = digits[:, 8] * 10 + digits[:, 9]
        months = (year - 1970) * 12 + (month - 1)
        first = months.astype("datetime64[M]").astype("datetime64[D]")
        length = ((months + 1).astype("datetime64[M]").astype("datetime64[D]") - first).astype(int)
        real = (
            (year >= _FAST_YEARS[0]) & (year <= _FAST_YEARS[1])
            & (month >= 1) & (month <= 12) & (day >= 1) & (day <= length)
        )  # fmt: skip
        where = np.flatnonzero(fast)
        values[where[real]] = (first[real] + (day[real] - 1)).astype("datetime64[us]")
        fast[where[~real]] = False
    slow = np.flatnonzero(~fast)
    if len(slow):
        # Slashed dates never take the fast path, so their column order is decided on all of them.
        general = _parse_dates_general(_part(raw, slow), order=order)
        values[slow] = general.values.to_numpy(dtype="datetime64[us]")
        errors.iloc[slow] = general.errors.to_numpy()
    return values, errors.to_numpy(dtype=object)


def _parse_dates_general(raw: pd.Series, *, order: str | None = None) -> Parsed:
    """The general rules for every date shape, with the column's slashed-date order."""
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
    errors = _no_errors(raw)
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
    # Years outside dates.YEARS are typing or spreadsheet errors (0000-01-01 is Excel's zero).
    implausible = shaped & values.notna() & ~year.between(*_FAST_YEARS) & errors.isna()
    errors[implausible] = (
        f"is not a plausible date (year {_FAST_YEARS[0]} to {_FAST_YEARS[1]}): " + text[implausible]
    )
    values[implausible] = pd.NaT
    return Parsed(values, errors)
