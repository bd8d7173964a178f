"""The candidates area's command-palette Provider: the candidates screen's actions."""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider

from kam.text import folded
from screens.palette.commands import highlight, screen_actions


class CandidatesCommands(Provider):
    """'candidates: nominate', 'candidates: rank by clv', … as the footer offers them."""

    NOUN = "candidates"

    async def discover(self) -> Hits:
        """Every action the candidates screen offers now."""
        for name, help_text, run in screen_actions(self.screen, self.NOUN):
            yield DiscoveryHit(name, run, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        """Actions whose names fuzzily match the query."""
        matcher = self.matcher(folded(query))
        for name, help_text, run in screen_actions(self.screen, self.NOUN):
            score = matcher.match(folded(name))
            if score > 0:
                yield Hit(score, highlight(matcher, name), run, text=name, help=help_text)
