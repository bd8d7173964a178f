"""`kam.text.folded`: text as a search compares it, accents off, one character for one."""

from __future__ import annotations

import pytest
from textual.command import Matcher

from kam.text import folded
from screens.palette.commands import highlight


@pytest.mark.parametrize(
    ("text", "searched"),
    [
        ("Ñandú Retail B.V.", "nandu retail b.v."),
        ("Château Brun", "chateau brun"),
        ("Ölçer İnşaat", "olcer insaat"),  # İ lower-cases to two characters: its base is kept
        ("北京燕京啤酒", "北京燕京啤酒"),  # nothing to take off
        ("Straße Æ Ø", "straße æ ø"),  # no accent to take off: lower case only
    ],
)
def test_a_name_is_folded_character_for_character(text: str, searched: str) -> None:
    assert folded(text) == searched
    assert len(folded(text)) == len(text)


def test_the_palette_highlights_the_letters_matched_without_their_accents() -> None:
    matcher = Matcher(folded("nandu"))
    content = highlight(matcher, "account: Ñandú Retail")
    styled = {span.start for span in content.spans}
    assert styled == {9, 10, 11, 12, 13}  # Ñ a n d ú
