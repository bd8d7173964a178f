"""A command-palette Provider for an area whose palette offers only its screen's actions."""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider

from kam.text import folded
from screens.palette.commands import highlight, screen_actions


class ScreenCommands(Provider):
    """'<noun>: <action>' for each action the screen's footer offers now; the noun is the
    screen's PALETTE_NOUN ('vetting: admit', 'sponsors: record visit', …)."""

    def _noun(self) -> str:
        return str(getattr(self.screen, "PALETTE_NOUN", "screen"))

    async def discover(self) -> Hits:
        """Every action the screen offers now."""
        for name, help_text, run in screen_actions(self.screen, self._noun()):
            yield DiscoveryHit(name, run, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        """Actions whose names fuzzily match the query."""
        matcher = self.matcher(folded(query))
        for name, help_text, run in screen_actions(self.screen, self._noun()):
            score = matcher.match(folded(name))
            if score > 0:
                yield Hit(score, highlight(matcher, name), run, text=name, help=help_text)
