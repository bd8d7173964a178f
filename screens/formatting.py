"""How numbers and dates read on kam's screens."""

from __future__ import annotations

import math
from datetime import date, datetime

from kam.text import clean_text, compact_money
from kam.text import words as vocabulary_words

#: An amount in a narrow column: 702.9k, 5.6M (the one short form, kam.text.compact_money).
short_money = compact_money


def safe(value: str | None) -> str:
    """Untrusted text made safe to draw: terminal escapes, other control characters and bidi
    overrides removed (services clean text on the way in; this guards rows written otherwise).
    Wrap the result in Text/Content: it may still look like markup."""
    return clean_text(value or "", multiline=True)


def money(value: float | None) -> str:
    """A whole amount with thousands separators; a dash when unknown."""
    if value is None or math.isnan(value):
        return "–"
    rounded = round(value)
    return f"{rounded:,}" if rounded != 0 else "0"


def share(value: float | None, digits: int = 1) -> str:
    """A fraction as a percentage; a dash when unknown."""
    if value is None or math.isnan(value):
        return "–"
    return f"{value * 100:.{digits}f} %"


def day(value: date | datetime | None) -> str:
    """A date as YYYY-MM-DD (date-times as YYYY-MM-DD HH:MM); empty when missing."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def words(value: str | None) -> str:
    """A word of kam's vocabulary as it reads ('supply_chain' -> 'supply chain', 'clv' ->
    'CLV'): kam.text.VOCABULARY, the table the sheet and the exports read too."""
    return vocabulary_words(value)


def first_line(text: str, width: int = 60) -> str:
    """The first line of a note, cut to `width` characters; an ellipsis ends it when
    anything was left out (the rest of the line, or the lines below)."""
    lines = safe(text).strip().splitlines()
    line = lines[0].rstrip() if lines else ""
    more = len(lines) > 1
    if len(line) > width or (more and len(line) == width):
        return line[: width - 1] + "…"
    return line + "…" if more else line


def change_share(now: float, before: float) -> str:
    """The change from `before` to `now` as a signed percentage of `before`; a dash when
    before is not positive (no share to speak of)."""
    if before <= 0:
        return "–"
    return f"{(now - before) / before * 100:+.1f} %"


def is_mine(login: str, manager: str | None, sponsor: str | None) -> bool:
    """Whether an account is the user's own: they manage it or sponsor it."""
    return login in (manager, sponsor)
