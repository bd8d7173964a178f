"""Untrusted text on the way in: control characters and bidi overrides removed."""

from __future__ import annotations

import math
import re
import unicodedata

# C0 controls except tab/newline, DEL, C1 controls, the bidi embedding/override/isolate marks,
# and the invisible characters that would make two names that read alike differ (zero-width
# space, word joiner and invisible operators, byte order mark, Mongolian vowel separator).
# The zero-width (non-)joiners stay: emoji and some scripts need them.
UNSAFE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
    r"\u200b\u2060-\u2064\ufeff\u180e]"
)
UNSAFE_LINE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
    r"\u200b\u2060-\u2064\ufeff\u180e\u2028\u2029]"
)
#: A tab or line break with the spaces around it: on one line (a name, a title, a note printed
#: as a line) it reads as one space, so "Acme\nGmbH" is "Acme GmbH", never "AcmeGmbH".
BREAKS = re.compile(r"\s*[\t\n\x0b\x0c\r\x1c-\x1e\x85\u2028\u2029]\s*")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Strip terminal escapes, other control characters, bidi overrides and invisible
    characters; compose accents (NFC: 'n' + combining tilde is 'ñ'); trim the ends. Text that
    reads the same is then stored the same, so a name cannot be added twice in disguise.

    Single-line fields (names, titles) have each tab or line break read as a space;
    multiline fields (notes, summaries) keep them.
    """
    if multiline:
        return composed(UNSAFE.sub("", value)).strip()
    return composed(UNSAFE_LINE.sub("", BREAKS.sub(" ", value))).strip()


def composed(value: str) -> str:
    """Text in Unicode's composed form (NFC), as keyboards type it."""
    if value.isascii():
        return value
    return unicodedata.normalize("NFC", value)


#: Characters JSON leaves raw (C1 controls, DEL, bidi marks) that a terminal would act on.
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def terminal_json(text: str) -> str:
    """JSON text with the characters a terminal would act on written as \\uXXXX escapes
    (still the same JSON: nothing is lost, nothing reaches the terminal raw)."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def for_terminal(value: str, *, multiline: bool = False) -> str:
    """Text from data as it may reach a terminal: escape sequences, other controls and bidi
    marks removed (the one cleaning every printed string goes through); on one line (not
    `multiline`), each tab or line break reads as a space."""
    if multiline:
        return UNSAFE.sub("", value)
    return UNSAFE_LINE.sub("", BREAKS.sub(" ", value))


def clean_optional(value: str | None, *, multiline: bool = False) -> str | None:
    """`clean_text` for an optional value; empty results become None."""
    if value is None:
        return None
    cleaned = clean_text(value, multiline=multiline)
    return cleaned or None


def csv_safe(value: object) -> object:
    """Neutralise spreadsheet formulas: text starting with = + - @ tab or CR gets a leading '.

    Plain numbers (e.g. -12.5) are left alone (OWASP CSV injection). Text that already starts
    with ' before such a character gets one more, so `csv_unsafe` gives back exactly the text.
    """
    if not isinstance(value, str) or not value:
        return value
    if _formula_like(value):
        return "'" + value
    return value


def _formula_like(text: str) -> bool:
    """Whether a spreadsheet would run `text` as a formula, or it is ' before such text."""
    first = text[:1]
    if first in ("=", "+", "@", "\t", "\r"):
        return True
    if first == "-":
        return not _is_number(text)
    return first == "'" and _formula_like(text[1:])


def csv_unsafe(value: str) -> str:
    """The text `csv_safe` neutralised, as it was: the leading ' that it added removed (and
    only that one: `csv_unsafe(csv_safe(s)) == s` for every text s)."""
    if value.startswith("'") and _formula_like(value[1:]):
        return value[1:]
    return value


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


#: kam's words that read otherwise than with their "_" as spaces (everything else does:
#: `under_review` is "under review", `profit_contribution` "profit contribution"). One table
#: for the sheet, the exports and the TUI (screens.formatting.words).
VOCABULARY: dict[str, str] = {
    "clv": "CLV",
    "forward_clv": "forward CLV",
    "t12m_profit": "T12M profit",
    "t12m_revenue": "T12M revenue",
    "above_break_even": "above break-even",
    "contacts_met_90d": "contacts met (90 days)",
    "p_alive": "P(alive)",
    "rfm": "RFM",
}


class _Folding(dict[int, str]):
    """str.translate's table for `folded`, filled one character at a time as text needs."""

    def __missing__(self, code: int) -> str:
        import unicodedata

        char = chr(code)
        parts = unicodedata.normalize("NFD", char)
        accented = len(parts) > 1 and all(unicodedata.combining(p) for p in parts[1:])
        base = parts[0] if accented else char
        lower = base.lower()
        self[code] = folded_char = lower if len(lower) == 1 else base
        return folded_char


_FOLDING = _Folding()


def folded(text: str) -> str:
    """`text` as a search compares it: lower case, accents off ('Ñandú' → 'nandu'), one
    character for each of `text`'s, so a match's positions are the text's own."""
    return text.lower() if text.isascii() else text.translate(_FOLDING)


def words(value: str | None) -> str:
    """A word of kam's vocabulary (a status, role, category, criterion…) as it reads in a
    sentence: "under review", "forward CLV"."""
    if not value:
        return ""
    return VOCABULARY.get(value, value.replace("_", " "))


def a_or_an(value: str | None) -> str:
    """A word of kam's vocabulary after its article, as it reads in a sentence: "an
    executive", "a manager"."""
    said = words(value)
    return f"{'an' if said[:1].lower() in tuple('aeiou') else 'a'} {said}"


def label(value: str | None) -> str:
    """A word of kam's vocabulary as a label, with a capital: "Under review", "Profit
    contribution", "CLV"."""
    said = words(value)
    return said[:1].upper() + said[1:]


def sentence(text: str) -> str:
    """The text ended with a full stop, unless it ends with one already (a name such as
    "Massive Components B.V.", or a question or exclamation)."""
    return text if text.endswith((".", "?", "!", "…")) else f"{text}."


def compact_money(value: float | None, *, signed: bool = False) -> str:
    """An amount in at most six characters, abbreviated rather than cut mid-number, for
    narrow columns and chart labels: 702, 702.9k, 5.6M, 1.2B; a dash when unknown; `signed`
    adds + before a gain. The one short form of an amount, in the TUI and on the sheets."""
    if value is None or math.isnan(value):
        return "–"
    size = abs(value)
    shown = f"{round(size):d}"
    if round(size) >= 1000:
        for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if round(size / limit, 1) >= 1:  # 999,960 reads 1.0M, not 1000.0k
                shown = f"{size / limit:.1f}{suffix}"
                break
    if shown == "0":
        return shown
    return ("-" if value < 0 else "+" if signed and value > 0 else "") + shown
