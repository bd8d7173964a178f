"""How numbers and dates read on kam's screens."""

from __future__ import annotations

import math
from datetime import date, datetime

from kam.text import clean_text


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
    """An enum value as words ('supply_chain' -> 'supply chain')."""
    return (value or "").replace("_", " ")


def first_line(text: str, width: int = 60) -> str:
    """The first line of a note, cut to `width` characters with an ellipsis."""
    text = safe(text)
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def short_money(value: float | None) -> str:
    """A whole amount in at most 6 cells, so a narrow column never cuts it mid-number:
    702, 702.9k, 5.6M, 1.2B; a dash when unknown."""
    if value is None or math.isnan(value):
        return "–"
    sign, size = ("-" if value < 0 else ""), abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if round(size, -int(math.log10(limit)) + 1) >= limit:
            return f"{sign}{size / limit:.1f}{suffix}"
    return f"{sign}{round(size):d}"


def is_mine(login: str, manager: str | None, sponsor: str | None) -> bool:
    """Whether an account is the user's own: they manage it or sponsor it."""
    return login in (manager, sponsor)
