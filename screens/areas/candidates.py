"""Candidates: the whole customer base ranked by profit or CLV, filtered as you type; nominate.

The base can hold 50,000 customers, so the ranking is computed once in a worker, the
filter re-chooses the matches in memory per keystroke, and the table (a VirtualTable) draws
only the rows on the screen, however many match.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Header, Input, Static
from textual.worker import Worker, WorkerState

from kam.rules.outlook import Stage
from kam.rules.permissions import Action
from kam.text import folded
from screens.base import KamScreenMixin
from screens.formatting import money, safe, share, words
from screens.palette.candidates_commands import CandidatesCommands
from screens.widgets.footer import KamFooter
from screens.widgets.virtual_table import Column, VirtualTable

if TYPE_CHECKING:
    from kam.figures.ranking import CandidateView, RankingSummary
    from kam.views import AccountView

#: The customer column's widest (longer names end in an ellipsis).
NAME_WIDTH = 40
#: The derived stages the stage filter steps through (None: every customer).
STAGES: tuple[str | None, ...] = (None, *(stage.value for stage in Stage))


class CandidatesScreen(KamScreenMixin, Screen[None]):
    """The customer base ranked by profit or CLV with Pareto positions; nominate from here."""

    AREA = "candidates"
    PALETTE_NOUN = "candidates"
    TITLE = "Candidates"
    CSS_PATH = "candidates.tcss"
    AUTO_FOCUS = "#candidates"
    COMMANDS: ClassVar = {CandidatesCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "n",
            "nominate",
            "Nominate",
            id="candidates.nominate",
            tooltip="Nominate the highlighted customer into the key account programme.",
        ),
        Binding(
            "t",
            "rank_by('clv')",
            "Rank by CLV",
            id="candidates.by_clv",
            tooltip="Rank by forward customer lifetime value.",
        ),
        Binding(
            "t",
            "rank_by('profit')",
            "Rank by profit",
            id="candidates.by_profit",
            tooltip="Rank by trailing-twelve-month profit after cost to serve.",
        ),
        Binding(
            "s",
            "next_stage",
            "Stage",
            id="candidates.stage",
            tooltip="Show only one derived stage (new, growing, steady, declining, lapsing, "
            "lost); press again for the next, then all.",
        ),
        Binding(
            "slash",
            "focus_filter",
            "Filter",
            id="candidates.filter",
            tooltip="Type part of a name; Enter goes to the table.",
            priority=True,  # at once, so the keys typed next reach the filter
        ),
        Binding(
            "b",
            "break_even",
            "Break-even",
            id="candidates.break_even",
            tooltip="The customers below break-even, with what drives each loss.",
        ),
        Binding(
            "r", "reload", "Reload", id="candidates.reload", tooltip="Compute the ranking again."
        ),
        Binding(
            "escape",
            "clear_filter",
            "Clear",
            id="candidates.clear",
            tooltip="Empty the filter; with nothing to clear, go back.",
            show=False,
        ),
    ]

    by_clv: reactive[bool] = reactive(False)
    """Rank by CLV (True) or by T12M profit (False)."""
    stage: reactive[str | None] = reactive(None)
    """Show only customers in this derived stage (None: all)."""

    class Ranked(Message):
        """The ranking of the whole base was computed."""

        def __init__(self, candidates: list[CandidateView], summary: RankingSummary) -> None:
            super().__init__()
            self.candidates = candidates
            self.summary = summary

    class Nominated(Message):
        """A customer was nominated."""

        def __init__(self, account: AccountView) -> None:
            super().__init__()
            self.account = account

    def __init__(self) -> None:
        super().__init__()
        self.candidates: list[CandidateView] = []
        """The whole base, in the current ranking's order."""
        self._names: list[str] = []
        """Lower-cased names, parallel to `candidates`, for filtering."""
        self.summary: RankingSummary | None = None
        """What the ranking says about the base."""
        self.shown: list[CandidateView] = []
        """The rows in the table now (every match of the filter)."""
        self.matching = 0
        """How many customers match the filter."""
        self._keys_shown: tuple[bool | None, bool] | None = None
        """What the footer was last drawn for (see `_bindings_changed`)."""
        self._to_table_when_ranked = False
        """Enter was pressed in the filter while the table was loading."""

    def compose(self) -> ComposeResult:
        """Header, summary, filter, table, status line, footer."""
        yield Header()
        yield Static("Ranking the customer base…", id="summary")
        yield Input(placeholder="/ filter by customer name…", id="filter", compact=True)
        yield VirtualTable(id="candidates")
        yield Static("", id="status")
        yield KamFooter()

    def on_mount(self) -> None:
        """Compute the ranking; refilter as the filter's text changes."""
        self.query_one(VirtualTable).focus()
        # Watched, not left to Input.Changed: the table is refilled while the key is
        # handled, so the frame that shows the typed letter shows its matches too (the
        # message would arrive after that frame and the result one frame later).
        self.watch(self.query_one("#filter", Input), "value", self._filter_changed, init=False)
        self.action_reload()

    # ------------------------------------------------------------------ loading

    def action_reload(self) -> None:
        """Compute the ranking again in a worker (the table shows it is loading)."""
        self.query_one(VirtualTable).loading = True
        self.query_one("#status", Static).update("Computing profit and CLV for every customer…")
        self._rank()

    @work(thread=True, exclusive=True, exit_on_error=False, group="candidates")
    def _rank(self) -> None:
        from kam.figures.fits import request
        from kam.figures.ranking import rank_candidates
        from kam.services.lifetime import lifetime_values

        as_of = self.kam.as_of
        figures = lifetime_values(self.kam.database, self.kam.actor, request(as_of))
        with self.kam.database.reading() as session:
            candidates, summary = rank_candidates(session, as_of=as_of, lifetime=figures)
        self.post_message(self.Ranked(candidates, summary))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed ranking stops the loading indicator and says so on the status line
        (KamScreenMixin says what went wrong)."""
        if event.state is WorkerState.ERROR and event.worker.group == "candidates":
            self.query_one(VirtualTable).loading = False
            self.query_one("#status", Static).update(
                Content("The customer base could not be ranked (see the message); r tries again.")
            )

    @on(Ranked)
    def _ranked(self, message: Ranked) -> None:
        self.summary = message.summary
        self._order(message.candidates)
        table = self.query_one(VirtualTable)
        table.loading = False
        table.set_columns(self._columns(), self._cells)
        self._show_summary()
        self._refill()
        if self._to_table_when_ranked:
            self._to_table_when_ranked = False
            table.focus()
        # The ranked base (50,000 customers and more) lives as long as the screen: leave it
        # out of the cyclic collector's full passes, which would otherwise walk it every
        # so often while the user types (a 0.1-0.2 s stall). Reference counting still
        # frees it when the screen lets it go.
        gc.freeze()

    def _order(self, candidates: list[CandidateView]) -> None:
        key = (lambda c: c.clv_rank) if self.by_clv else (lambda c: c.profit_rank)
        self.candidates = sorted(candidates, key=key)
        self._names = [folded(c.name) for c in self.candidates]

    def _show_summary(self) -> None:
        s = self.summary
        if s is None:
            return
        parts = [f"{s.customers:,} customers as of {s.as_of.isoformat()}"]
        if s.customers_for_80 is not None:
            parts.append(f"{s.customers_for_80:,} ({share(s.share_for_80)}) make 80 % of profit")
        parts.append(f"{s.below_break_even:,} below break-even")
        parts.append(f"total CLV {money(s.total_clv)} ({s.model})")
        ranking = "CLV" if self.by_clv else "T12M profit"
        only = ("  —  only ", (str(self.stage), "bold")) if self.stage else ()
        self.query_one("#summary", Static).update(
            Content.assemble(" · ".join(parts), "  —  ranked by ", (ranking, "bold"), *only)
        )
        self.query_one("#summary", Static).tooltip = s.why

    # ------------------------------------------------------------------ filtering

    def _filter_changed(self) -> None:
        if self.candidates:
            self._refill()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        table = self.query_one(VirtualTable)
        if table.loading:  # a table still loading takes no focus: it will, once ranked
            self._to_table_when_ranked = True
        else:
            table.focus()

    def _matches(self, needle: str) -> list[CandidateView]:
        """The candidates whose name contains `needle` (and in the stage shown), in order."""
        stage = self.stage
        if not needle and stage is None:
            return self.candidates
        candidates = self.candidates
        return [
            candidates[i]
            for i, name in enumerate(self._names)
            if needle in name and (stage is None or candidates[i].stage == stage)
        ]

    def _columns(self) -> list[Column]:
        """Columns as wide as the widest value in the whole base (not in the rows shown, so
        they keep still while the filter narrows)."""
        base = self.candidates
        amounts = [c.profit for c in base] + [c.clv for c in base]
        widest_money = max((len(money(a)) for a in (min(amounts), max(amounts))), default=1)
        names = max((cell_len(safe(c.name)) for c in base), default=0)
        statuses = {c.account_status for c in base if c.account_status}
        return [
            Column("Rank", max(4, len(f"{len(base)}")), "right"),
            Column("Customer", max(8, min(names, NAME_WIDTH))),
            Column("Programme", max([9, *(len(words(s)) for s in statuses)])),
            Column("Profit (T12M)", max(13, widest_money), "right"),
            Column("Cum. profit", 11, "right"),
            Column("CLV", max(3, widest_money), "right"),
            Column("Cum. CLV", 8, "right"),
            Column("Tier", 4),
            Column("Stage", max([5, *(len(stage.value) for stage in Stage)])),
        ]

    def _cells(self, c: CandidateView) -> tuple[Text, ...]:
        """A candidate's cells; the name goes in as Text, never markup."""
        return (
            Text(str(c.clv_rank if self.by_clv else c.profit_rank)),
            Text(safe(c.name)),
            Text(words(c.account_status) if c.account_status else "", style="bold"),
            Text(money(c.profit), style="red" if c.profit < 0 else ""),
            Text(share(c.profit_share)),
            Text(money(c.clv)),
            Text(share(c.clv_share)),
            Text(c.tier, style="red" if c.tier == "loss" else ""),
            Text(c.stage or "", style="bold red" if c.at_risk else ""),
        )

    def _refill(self, *, keep_cursor: bool = False) -> None:
        """Show every match; the table draws only the rows in view."""
        needle = folded(self.query_one("#filter", Input).value.strip())
        self.shown = self._matches(needle)
        self.matching = len(self.shown)
        self.query_one(VirtualTable).set_rows(self.shown, keep_cursor=keep_cursor)
        status = f"{self.matching:,} of {len(self.candidates):,} customers"
        self.query_one("#status", Static).update(Content(status), layout=False)
        self._bindings_changed()

    def _bindings_changed(self) -> None:
        """Redraw the footer only when a key comes or goes (nominate follows the row)."""
        keys = (self.check_action("nominate", ()), self.by_clv)
        if keys != self._keys_shown:
            self._keys_shown = keys
            self.refresh_bindings()

    def action_break_even(self) -> None:
        """Open the break-even work list."""
        self.kam.open_break_even()

    def action_focus_filter(self) -> None:
        """Move to the filter box (in it, '/' is just a character)."""
        box = self.query_one("#filter", Input)
        if self.focused is box:
            raise SkipAction()
        self.set_focus(box)

    def action_clear_filter(self) -> None:
        """Empty the filter; with nothing to clear, Escape goes back."""
        box = self.query_one("#filter", Input)
        if not box.value and self.focused is not box:
            raise SkipAction()
        box.value = ""
        self.query_one(VirtualTable).focus()

    # ------------------------------------------------------------------ ranking

    def watch_by_clv(self) -> None:
        """Re-rank in memory and relabel the toggle."""
        if self.candidates:
            self._order(self.candidates)
            self._show_summary()
            self.query_one(VirtualTable).redraw()  # the rank column follows the ranking
            self._refill()
        self.refresh_bindings()

    def action_rank_by(self, measure: str) -> None:
        """Rank by 'clv' or by 'profit'."""
        self.by_clv = measure == "clv"

    def action_next_stage(self) -> None:
        """Show only the next derived stage; after the last, every customer again."""
        self.stage = STAGES[(STAGES.index(self.stage) + 1) % len(STAGES)]

    def watch_stage(self) -> None:
        if self.candidates:
            self._show_summary()
            self._refill()

    # ------------------------------------------------------------------ nominating

    def highlighted(self) -> CandidateView | None:
        """The customer under the cursor."""
        table = self.query_one(VirtualTable)
        if not self.shown:
            return None
        return self.shown[min(table.cursor_row, len(self.shown) - 1)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Nominating exists for managers and admins only, and needs a customer outside
        the programme under the cursor."""
        if action == "nominate":
            if not self.kam.may(Action.NOMINATE):
                return False
            candidate = self.highlighted()
            return candidate is not None and candidate.account_status is None
        if action == "rank_by":
            return (parameters[0] == "clv") != self.by_clv
        return True

    @on(VirtualTable.RowHighlighted, "#candidates")
    def _row_highlighted(self) -> None:
        self._bindings_changed()

    @on(VirtualTable.RowSelected, "#candidates")
    def _row_selected(self) -> None:
        candidate = self.highlighted()
        if candidate is not None and candidate.account_status is not None:
            self.kam.open_account(candidate.name)

    def action_nominate(self) -> None:
        """Ask, then nominate the highlighted customer."""
        from screens.forms.confirm import ConfirmScreen

        candidate = self.highlighted()
        if candidate is None:
            return
        question = Content.assemble(
            "Nominate ",
            (safe(candidate.name), "bold"),
            " into the key account programme?\n\n",
            f"Profit (T12M) {money(candidate.profit)}, CLV {money(candidate.clv)}. "
            "It starts as nominated; vetting against the criteria decides admission.",
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._nominate(candidate.name)

        self.app.push_screen(ConfirmScreen(question, yes="Nominate"), answered)

    @work(thread=True, exit_on_error=False, group="nominate")
    def _nominate(self, customer: str) -> None:
        from kam.services.accounts import create_account

        with self.kam.database.writing() as session:
            account = create_account(session, self.kam.actor, customer=customer)
        self.post_message(self.Nominated(account))

    @on(Nominated)
    def _nominated(self, message: Nominated) -> None:
        account = message.account
        self.candidates = [
            _with_status(c, account.status) if c.customer_id == account.customer_id else c
            for c in self.candidates
        ]
        self._refill(keep_cursor=True)
        self.notify(
            f"{safe(account.customer)} nominated; it is now in the key accounts.", markup=False
        )


def _with_status(candidate: CandidateView, status: str) -> CandidateView:
    from dataclasses import replace

    return replace(candidate, account_status=status)
