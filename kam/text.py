"""Untrusted text on the way in: control characters and bidi overrides removed."""

from __future__ import annotations

import re

# C0 controls except tab/newline, DEL, C1 controls, and the bidi embedding/override/isolate marks.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_UNSAFE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Strip terminal escapes, other control characters and bidi overrides; trim the ends.

    Single-line fields (names, titles) lose tabs and newlines too; multiline fields
    (notes, summaries) keep them.
    """
    pattern = _UNSAFE if multiline else _UNSAFE_LINE
    return pattern.sub("", value).strip()


def clean_optional(value: str | None, *, multiline: bool = False) -> str | None:
    """`clean_text` for an optional value; empty results become None."""
    if value is None:
        return None
    cleaned = clean_text(value, multiline=multiline)
    return cleaned or None
