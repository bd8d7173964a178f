"""Names that come from an import file (headers, sheet names, the file's own name): data
like any cell. They are cleaned before they are printed or stored, cut to a readable
length, and a message lists only the first few."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from kam.errors import InvalidData
from kam.services.importing.limits import MAX_COLUMNS, NAME_WIDTH, SHOWN
from kam.text import clean_text

#: Line and paragraph separators: no terminal acts on them, but text tools split lines there.
_SEPARATORS = re.compile("[\u2028\u2029]")


def one_line(text: str) -> str:
    """Text from a file as one safe line: escape sequences, control characters (tabs and
    newlines too), bidi marks and line separators removed."""
    return _SEPARATORS.sub("", clean_text(text))


def clean_name(name: object, width: int = NAME_WIDTH) -> str:
    """A name from a file, cleaned and cut to `width` characters (an ellipsis marks the cut)."""
    text = one_line("" if name is None else str(name))
    return text if len(text) <= width else text[: width - 1] + "…"


def listed(
    names: Iterable[str], limit: int = SHOWN, *, total: int | None = None, width: int = NAME_WIDTH
) -> str:
    """'a, b, c … and 7 more': the first `limit` names (cleaned, cut to `width`), then how
    many are left. `total`: how many there are in all, when only the first were kept."""
    items = list(names)
    shown = [clean_name(n, width) for n in items[:limit]]
    rest = (len(items) if total is None else total) - len(shown)
    return ", ".join(shown) + (f" … and {rest:,} more" if rest > 0 else "")


def indented(lines: Sequence[str], limit: int = SHOWN, *, total: int | None = None) -> str:
    """The first `limit` lines, each on its own indented line, then "… and N more" (`total`:
    how many there are in all, when only the first were kept)."""
    rest = (len(lines) if total is None else total) - min(limit, len(lines))
    shown = [f"  {one_line(line)}" for line in lines[:limit]]
    return "\n".join(shown + ([f"  … and {rest:,} more"] if rest > 0 else []))


def normalise_header(name: str) -> str:
    """`Cost of Goods` -> `cost_of_goods`: lower case, runs of non-word characters as `_`."""
    return re.sub(r"[^\w]+", "_", name.strip().lower()).strip("_")


def check_header(label: str, names: Sequence[str], *, complete: bool = True) -> None:
    """Refuse a header with more than MAX_COLUMNS columns, or with two columns of one name
    (after `normalise_header`: `Customer` and `customer ` are one name). Empty names are no
    names (spreadsheets leave them) and may repeat. `complete` is False when `names` is only
    the start of a header too long to read whole."""
    if len(names) > MAX_COLUMNS:
        raise InvalidData(
            f"{label}: {'' if complete else 'at least '}{len(names):,} columns; at most "
            f"{MAX_COLUMNS:,} are read (the header starts: {listed(names)})."
        )
    if not complete:
        raise InvalidData(f"{label}: the first line is too long to be a header.")
    positions: dict[str, list[int]] = {}
    for position, name in enumerate(names, start=1):
        key = normalise_header(one_line(str(name)))
        if key:
            positions.setdefault(key, []).append(position)
    repeated = [places for places in positions.values() if len(places) > 1]
    if repeated:
        described = [
            f"{' = '.join(dict.fromkeys(clean_name(names[p - 1]) for p in places))} "
            f"(columns {', '.join(str(p) for p in places)})"
            for places in repeated
        ]
        raise InvalidData(
            f"{label}: a column name appears twice (case, spaces and punctuation aside): "
            f"{listed(described, width=3 * NAME_WIDTH)}; rename or remove the extra column."
        )
