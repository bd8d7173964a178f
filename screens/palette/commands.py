"""Command-palette pieces every area's Provider shares: safe highlighting and screen actions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from textual.command import Matcher
from textual.content import Content
from textual.screen import Screen

from kam.text import folded
from screens.formatting import safe


def highlight(matcher: Matcher, text: str) -> Content:
    """`text` with the fuzzy match highlighted, never parsed as markup (names are untrusted).

    Textual's own `Matcher.highlight` parses the candidate as markup, which would run
    `[@click=...]` in a customer name; this builds plain Content and styles the matched letters.
    The matcher's query is `folded` (the providers fold it), and so is the text it is matched
    against (a letter keeps its place).
    """
    text = safe(text)
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, folded(text))
    if not score:
        return content
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def screen_actions(screen: Screen[Any], noun: str) -> Iterator[tuple[str, str, Callable[[], Any]]]:
    """(name, help, run) for each action the screen's footer shows now, named '<noun>: <action>'.

    Only enabled, shown bindings of the screen and its widgets are offered, so a viewer's
    palette lacks the editing actions exactly as their footer does.
    """
    app = screen.app
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if active.node is app or not active.enabled or not binding.show:
            continue
        name = f"{noun}: {binding.description.lower()}"
        key_name = app.get_key_display(binding)
        help_text = f"{binding.tooltip or binding.description} (key {key_name or key})"
        yield name, help_text, partial(app.run_action, binding.action, active.node)
