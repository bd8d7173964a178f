"""Candidates: the whole customer base ranked by profit or CLV, filtered as you type; nominate.

The base can hold 50,000 customers, so the ranking is computed once in a worker and the
table only ever holds the best `SHOWN` matches of the filter, re-chosen in memory per keystroke.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static
from textual.worker import Worker, WorkerState

from kam.rules.outlook import Stage
from kam.rules.permissions import Action
from screens.base import KamScreenMixin
from screens.formatting import money, safe, share, words
from screens.palette.candidates_commands import CandidatesCommands
from screens.widgets.footer import KamFooter

if TYPE_CHECKING:
    from kam.figures.ranking import CandidateView, RankingSummary
    from kam.views import AccountView

#: How many matching customers the table shows at most.
SHOWN = 200

COLUMNS = (
    "Rank", "Customer", "Programme", "Profit (T12M)", "Cum. profit", "CLV", "Cum. CLV", "Tier",
    "Stage",
)  # fmt: skip
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
        """The rows in the table now."""
        self.matching = 0
        """How many customers match the filter."""

    def compose(self) -> ComposeResult:
        """Header, summary, filter, table, status line, footer."""
        yield Header()
        yield Static("Ranking the customer base…", id="summary")
        yield Input(placeholder="/ filter by customer name…", id="filter", compact=True)
        yield DataTable(id="candidates", cursor_type="row", zebra_stripes=True)
        yield Static("", id="status")
        yield KamFooter()

    def on_mount(self) -> None:
        """Set the columns and compute the ranking."""
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        table.focus()
        self.action_reload()

    # ------------------------------------------------------------------ loading

    def action_reload(self) -> None:
        """Compute the ranking again in a worker (the table shows it is loading)."""
        self.query_one(DataTable).loading = True
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
            self.query_one(DataTable).loading = False
            self.query_one("#status", Static).update(
                Content("The customer base could not be ranked (see the message); r tries again.")
            )

    @on(Ranked)
    def _ranked(self, message: Ranked) -> None:
        self.summary = message.summary
        self._order(message.candidates)
        self.query_one(DataTable).loading = False
        self._show_summary()
        self._refill()

    def _order(self, candidates: list[CandidateView]) -> None:
        key = (lambda c: c.clv_rank) if self.by_clv else (lambda c: c.profit_rank)
        self.candidates = sorted(candidates, key=key)
        self._names = [c.name.lower() for c in self.candidates]

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

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self._refill()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.query_one(DataTable).focus()

    def _matches(self, needle: str) -> tuple[list[CandidateView], int]:
        """The first SHOWN candidates whose name contains `needle` (and in the stage shown),
        and how many match."""
        stage = self.stage
        if not needle and stage is None:
            return self.candidates[:SHOWN], len(self.candidates)
        hits = [
            i
            for i, name in enumerate(self._names)
            if needle in name and (stage is None or self.candidates[i].stage == stage)
        ]
        return [self.candidates[i] for i in hits[:SHOWN]], len(hits)

    def _refill(self) -> None:
        """Show the best matches; names go in as Text, never markup."""
        needle = self.query_one("#filter", Input).value.strip().lower()
        self.shown, self.matching = self._matches(needle)
        table = self.query_one(DataTable)
        table.clear()
        for c in self.shown:
            rank = c.clv_rank if self.by_clv else c.profit_rank
            programme = words(c.account_status) if c.account_status else ""
            table.add_row(
                Text(str(rank), justify="right"),
                Text(safe(c.name)),
                Text(programme, style="bold"),
                Text(money(c.profit), justify="right", style="red" if c.profit < 0 else ""),
                Text(share(c.profit_share), justify="right"),
                Text(money(c.clv), justify="right"),
                Text(share(c.clv_share), justify="right"),
                Text(c.tier, style="red" if c.tier == "loss" else ""),
                Text(c.stage or "", style="bold red" if c.at_risk else ""),
                key=str(c.customer_id),
            )
        total = len(self.candidates)
        if self.matching > len(self.shown):
            status = f"showing the best {len(self.shown)} of {self.matching:,} matching"
        else:
            status = f"{self.matching:,} of {total:,} customers"
        self.query_one("#status", Static).update(Content(status))
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
        self.query_one(DataTable).focus()

    # ------------------------------------------------------------------ ranking

    def watch_by_clv(self) -> None:
        """Re-rank in memory and relabel the toggle."""
        if self.candidates:
            self._order(self.candidates)
            self._show_summary()
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
        table = self.query_one(DataTable)
        if not self.shown or table.row_count == 0:
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

    @on(DataTable.RowHighlighted, "#candidates")
    def _row_highlighted(self) -> None:
        self.refresh_bindings()

    @on(DataTable.RowSelected, "#candidates")
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
        self._refill()
        self.notify(
            f"{safe(account.customer)} nominated; it is now in the key accounts.", markup=False
        )


def _with_status(candidate: CandidateView, status: str) -> CandidateView:
    from dataclasses import replace

    return replace(candidate, account_status=status)
