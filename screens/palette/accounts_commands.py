"""The accounts area's command-palette Provider: 'account: <name>' and the screen's actions."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from kam.text import folded
from screens.formatting import words
from screens.palette.commands import highlight, screen_actions

if TYPE_CHECKING:
    from screens.app import KamApp


@dataclass(frozen=True)
class AccountEntry:
    """One key account the palette can jump to."""

    customer: str
    status: str


class AccountsCommands(Provider):
    """Jump to any key account by name, from anywhere; run the accounts screens' actions."""

    AREA = "accounts"

    @property
    def kam(self) -> KamApp:
        """The app, typed."""
        return cast("KamApp", self.app)

    async def startup(self) -> None:
        """Read the key accounts once per palette opening, off the event loop."""
        self.accounts = await asyncio.to_thread(self._read_accounts)

    def _read_accounts(self) -> list[AccountEntry]:
        from kam.services.accounts import list_accounts

        with self.kam.database.reading() as session:
            return [AccountEntry(a.customer, a.status) for a in list_accounts(session)]

    def _in_area(self) -> bool:
        return getattr(self.screen, "AREA", None) == self.AREA

    def _noun(self) -> str:
        return str(getattr(self.screen, "PALETTE_NOUN", self.AREA))

    def _open(self, customer: str) -> None:
        self.kam.open_account(customer)

    async def discover(self) -> Hits:
        """Every key account, then the current screen's actions."""
        for entry in self.accounts:
            text = f"account: {entry.customer}"
            yield DiscoveryHit(
                highlight(self.matcher(""), text),
                partial(self._open, entry.customer),
                text=text,
                help=f"Open the account sheet ({words(entry.status)}).",
            )
        if self._in_area():
            for name, help_text, run in screen_actions(self.screen, self._noun()):
                yield DiscoveryHit(name, run, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        """Accounts and actions whose names fuzzily match the query."""
        matcher = self.matcher(folded(query))
        for entry in self.accounts:
            text = f"account: {entry.customer}"
            score = matcher.match(folded(text))
            if score > 0:
                yield Hit(
                    score,
                    highlight(matcher, text),
                    partial(self._open, entry.customer),
                    text=text,
                    help=f"Open the account sheet ({words(entry.status)}).",
                )
        if self._in_area():
            for name, help_text, run in screen_actions(self.screen, self._noun()):
                score = matcher.match(folded(name))
                if score > 0:
                    yield Hit(score, highlight(matcher, name), run, text=name, help=help_text)
