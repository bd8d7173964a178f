"""The dashboard: the programme against its cap, its worth, the base's Pareto curve, a
retention what-if (+ and - move it a point), and the alerts to act on, each one key away
from its account."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static
from textual.worker import Worker, WorkerState, get_current_worker

from kam.figures.fits import PROBABILISTIC
from screens.base import KamScreenMixin, after_typed_keys
from screens.formatting import day, first_line, is_mine, money, safe, share, short_money
from screens.palette.screen_commands import ScreenCommands
from screens.widgets.data_table import DataTable
from screens.widgets.footer import KamFooter
from screens.widgets.pareto_chart import ParetoChart

if TYPE_CHECKING:
    from kam.figures.whatif import RetentionWhatIf
    from kam.services.dashboard import Alert, Overview

COLUMNS = ("Alert", "Date", "Customer", "What")

#: The retention what-if's first move, in percentage points, and how far + and - take it.
WHAT_IF_POINTS = 5
WHAT_IF_LIMIT = 50

#: How long the alerts wait for the figures to be drawn before they are computed anyway.
FIGURES_FIRST = 2.0

#: How each alert kind reads, and its colour.
KINDS: dict[str, tuple[str, str]] = {
    "commitment": ("Commitment", "bold red"),
    "complaint": ("Complaint", "bold red"),
    "churn": ("Churn risk", "bold red"),
    "retire": ("Retire?", "bold red"),
    "criteria": ("Criteria", "bold yellow"),
    "visit": ("Sponsor visit", "yellow"),
    "review": ("Review due", "yellow"),
    "plan": ("Plan", "yellow"),
    "coverage": ("Coverage", "cyan"),
    "override": ("Override", "magenta"),
}


class DashboardScreen(KamScreenMixin, Screen[None]):
    """Programme size against the cap, total CLV, key-account profit against the base, the
    Pareto curve, and the alerts; Enter on an alert opens its account's sheet."""

    AREA = "dashboard"
    PALETTE_NOUN = "dashboard"
    TITLE = "Dashboard"
    CSS_PATH = "dashboard.tcss"
    AUTO_FOCUS = "#alerts"
    COMMANDS: ClassVar = {ScreenCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "open_alert",
            "Open account",
            id="dashboard.open",
            tooltip="Open the sheet of the highlighted alert's account.",
            priority=True,
        ),
        Binding(
            "m",
            "toggle_mine",
            "All/mine",
            id="dashboard.mine",
            tooltip="Show the alerts of every account, or only of those you manage or sponsor.",
        ),
        Binding(
            "r", "reload", "Reload", id="dashboard.reload", tooltip="Compute the figures again."
        ),
        Binding(
            "plus",
            "what_if(1)",
            "Retention +1",
            id="dashboard.what_if_up",
            tooltip="The retention what-if one point higher.",
            show=False,
        ),
        Binding(
            "minus",
            "what_if(-1)",
            "Retention -1",
            id="dashboard.what_if_down",
            tooltip="The retention what-if one point lower.",
            show=False,
        ),
    ]

    class Loaded(Message):
        """The overview's figures were computed; its alerts follow (AlertsFound) once
        `shown` is set, when the figures are on screen."""

        def __init__(self, overview: Overview, shown: threading.Event) -> None:
            super().__init__()
            self.overview = overview
            self.shown = shown

    class AlertsFound(Message):
        """The alerts were listed (`mine`: the customers the user manages or sponsors)."""

        def __init__(self, alerts: list[Alert], mine: set[str]) -> None:
            super().__init__()
            self.alerts = alerts
            self.mine = mine

    class Fitted(Message):
        """The lifetime-value model was fitted: `modelled` holds the members' CLV when the
        fit could not be kept (a viewer's), None when it was stored."""

        def __init__(self, modelled: dict[int, float] | None) -> None:
            super().__init__()
            self.modelled = modelled

    class WhatIf(Message):
        """The retention what-if was computed."""

        def __init__(self, found: RetentionWhatIf) -> None:
            super().__init__()
            self.found = found

    def __init__(self) -> None:
        super().__init__()
        self.points = WHAT_IF_POINTS
        """The retention what-if's move, in percentage points."""
        self.what_if: RetentionWhatIf | None = None
        """The what-if as last computed (for `points`, or a move before it)."""
        self.overview: Overview | None = None
        """The figures and alerts as last computed."""
        self._modelled: dict[int, float] | None = None
        """Members' probabilistic CLV from a fit this session computed but could not keep."""
        self._fitting = False
        self._shown = threading.Event()
        """Set once the figures of the load in progress are on screen: its alerts wait."""
        self.mine: set[str] = set()
        """The customers whose accounts the user manages or sponsors."""
        self.mine_only = True
        """Show only the alerts on the user's own accounts, when they have any."""
        self.shown: list[Alert] = []
        """The alerts in the table, in its order."""

    def compose(self) -> ComposeResult:
        """Header, the figures beside the Pareto chart, the alerts, footer."""
        yield Header()
        with Vertical(id="body"):
            with Horizontal(id="top"):
                yield Static("", id="figures")
                yield ParetoChart(id="pareto")
            yield Static("", id="alerts-title")
            yield DataTable(id="alerts", cursor_type="row", zebra_stripes=True)
        yield KamFooter()

    def on_mount(self) -> None:
        """Set the columns and compute."""
        self.query_one(DataTable).add_columns(*COLUMNS)
        self.action_reload()

    def on_resize(self) -> None:
        """Below 100 columns the chart narrows; below 30 rows it gets shorter; the alerts'
        columns follow the width."""
        body = self.query_one("#body")
        body.set_class(self.size.width < 100, "-narrow")
        body.set_class(self.size.height < 30, "-short")
        if self.overview is not None:
            self._fill_alerts(self.overview.alerts)

    def on_screen_resume(self) -> None:
        """Back from an account: compute again, something may have changed."""
        if self.overview is not None:
            self.action_reload()

    # ------------------------------------------------------------------ loading

    def action_reload(self) -> None:
        """Compute the overview again in a worker, showing that it is loading."""
        self._modelled = None  # the data may have changed since that fit
        self.query_one("#body").loading = True
        self._start_load()

    def _start_load(self) -> None:
        """Compute the figures, then the alerts; the what-if follows (_after_alerts)."""
        waiting, self._shown = self._shown, threading.Event()
        self._load(self._shown)  # cancels the load before it, if any, ...
        waiting.set()  # ... which stops if it was waiting for its figures to show

    def on_unmount(self) -> None:
        """A load waiting for its figures to show stops waiting."""
        self._shown.set()

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard")
    def _load(self, shown: threading.Event) -> None:
        """The figures, then, once they are on screen (`shown`), the alerts: this thread
        holds the interpreter from the one that draws while it computes, so the alerts wait
        their turn (FIGURES_FIRST seconds at most)."""
        from kam.services.dashboard import programme_overview

        early = self.kam.early_overview
        with self.kam.database.reading() as session:
            overview = early.take() if early is not None and self._modelled is None else None
            if overview is None:
                overview = programme_overview(
                    session, as_of=self.kam.as_of, modelled=self._modelled, alerts=False
                )
            self.post_message(self.Loaded(overview, shown))
            shown.wait(FIGURES_FIRST)
            if get_current_worker().is_cancelled:
                return
            from kam.services.accounts import list_accounts
            from kam.services.dashboard import programme_alerts

            login = self.kam.actor.login
            alerts = programme_alerts(session, as_of=self.kam.as_of)
            mine = {
                a.customer for a in list_accounts(session) if is_mine(login, a.manager, a.sponsor)
            }
        self.post_message(self.AlertsFound(alerts, mine))

    @work(thread=True, exclusive=True, exit_on_error=False, group="what-if")
    def _what_if(self) -> None:
        from kam.figures.whatif import retention_what_if

        with self.kam.database.reading() as session:
            found = retention_what_if(session, as_of=self.kam.as_of, points=self.points)
        self.post_message(self.WhatIf(found))

    @on(WhatIf)
    def _what_if_found(self, message: WhatIf) -> None:
        self.what_if = message.found
        if self.overview is not None and message.found.points == self.points:
            self.query_one("#figures", Static).update(self._figures(self.overview))

    def action_what_if(self, step: int) -> None:
        """Move the retention what-if by `step` points (within ±WHAT_IF_LIMIT)."""
        moved = max(-WHAT_IF_LIMIT, min(WHAT_IF_LIMIT, self.points + step))
        if moved != self.points:
            self.points = moved
            self._what_if()

    @work(thread=True, exclusive=True, exit_on_error=False, group="lifetime")
    def _fit(self) -> None:
        """Fit the lifetime-value model (kept when the user may keep figures), then show the
        CLV it gives; the figures shown meanwhile are the simple ones, and say so."""
        from kam.figures.fits import PROBABILISTIC, request
        from kam.services.lifetime import lifetime_values

        figures = lifetime_values(self.kam.database, self.kam.actor, request(self.kam.as_of))
        table = figures.table
        modelled = table.loc[table["model"] == PROBABILISTIC, "clv"].astype(float).to_dict()
        self.post_message(self.Fitted(None if figures.stored else modelled))

    @on(Fitted)
    def _fitted(self, message: Fitted) -> None:
        self._fitting = False
        self._modelled = message.modelled
        self._start_load()

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        o = message.overview
        if self.overview is not None:  # the alerts shown stay until the new ones come
            o = replace(o, alerts=self.overview.alerts)
        self.overview = o
        self.query_one("#body").loading = False
        self.query_one("#figures", Static).update(self._figures(o))
        self.query_one(ParetoChart).show(o.pareto_curve, o.share_for_80)
        table = self.query_one(DataTable)
        table.loading = not self.shown
        table.focus()
        self.call_after_refresh(message.shown.set)

    @on(AlertsFound)
    def _alerts_found(self, message: AlertsFound) -> None:
        if self.overview is None:
            return
        self.overview = replace(self.overview, alerts=message.alerts)
        self.mine = message.mine
        self.query_one(DataTable).loading = False
        self._fill_alerts(message.alerts)
        self.refresh_bindings()
        self._after_alerts()

    def _after_alerts(self) -> None:
        """The what-if (it loads pandas and sums the base again) and, when no fit is stored,
        the fit (scipy): after the figures and the alerts rather than slowing them down."""
        self._what_if()
        if self.overview is not None and self.overview.fit_pending and not self._fitting:
            self._fitting = True
            self._fit()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed load stops the loading indicators (KamScreenMixin says what went wrong);
        a cancelled one leaves them to the load that replaced it."""
        if event.state not in (WorkerState.ERROR, WorkerState.CANCELLED):
            return
        if event.worker.group == "dashboard" and event.state == WorkerState.ERROR:
            self.query_one("#body").loading = False
            self.query_one(DataTable).loading = False
            if self.overview is not None:
                self._after_alerts()  # the figures show: their what-if need not wait
        elif event.worker.group == "lifetime":
            self._fitting = False

    # ------------------------------------------------------------------ showing

    def _figures(self, o: Overview) -> Group:
        """The programme's size and worth, in lines short enough for an 80-column terminal."""
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column()
        grid.add_row("Size", Text(f"{o.active} of {o.cap} active; warn under {o.warn_below}"))
        if o.active > o.cap:
            grid.add_row("", Text(f"over the cap by {o.active - o.cap}", style="bold red"))
        elif o.active < o.warn_below:
            grid.add_row("", Text(f"under the minimum of {o.warn_below}", style="bold yellow"))
        pipeline = o.open_accounts - o.active
        if pipeline:
            grid.add_row("", Text(f"+ {pipeline} nominated/vetting/review", style="dim"))
        grid.add_row("CLV", Text.assemble((money(o.total_clv), "bold"), " of key accounts"))
        if o.fit_pending:
            model = "simple model; fitting the probabilistic one…"
        elif o.clv_model == PROBABILISTIC:
            model = "probabilistic model (BG/NBD, Gamma-Gamma)"
        else:
            model = "simple model (`kam metrics clv` says why)"
        grid.add_row("", Text(model, style="dim"))
        if o.retention_unknown:  # nobody bought in the year before the T12M window
            unknown = "retention unknown: 0 %" if self.size.width < 100 else (
                "base retention unknown, taken as 0 %")  # fmt: skip
            grid.add_row("", Text(unknown, style="yellow"))
        profit_share = o.key_account_profit / o.total_profit if o.total_profit > 0 else None
        grid.add_row(
            "Profit",
            Text.assemble(
                (money(o.key_account_profit), "bold"),
                " key accounts",
                f" ({share(profit_share, 0)})" if profit_share is not None else "",
            ),
        )
        grid.add_row("", Text(f"{money(o.total_profit)} whole base, T12M", style="dim"))
        grid.add_row("Base", Text(f"{o.customers:,} customers, {o.below_break_even:,} losing"))
        if o.share_for_80 is not None and o.customers_for_80 is not None:
            grid.add_row(
                "Pareto",
                Text.assemble(
                    (f"{share(o.share_for_80, 0)} of customers", "bold"),
                    " make ",
                    ("80 %", "bold"),
                ),
            )
            grid.add_row(
                "", Text(f"of profit: {o.customers_for_80:,} of {o.customers:,}", style="dim")
            )
        else:
            grid.add_row("Pareto", Text("no profit in the last twelve months", style="italic"))
        self._what_if_rows(grid)
        title = Text.assemble(("PROGRAMME", "bold"), (f"  as of {day(o.as_of)}", "dim"))
        return Group(title, grid)

    def _what_if_rows(self, grid: Table) -> None:
        """'If +5 pts retention → CLV +x (+y %)' of the key accounts, under the simple model;
        below 100 columns on three short lines, the amount abbreviated (1.00M)."""
        found = self.what_if
        if found is None or found.points != self.points:
            grid.add_row("If", Text(f"{self.points:+d} pts retention: computing…", "dim"))
            return
        narrow = self.size.width < 100
        keys = found.key_accounts
        change = keys.clv_then - keys.clv_now
        amount = short_money(change, signed=True)
        if not narrow:
            shown = money(abs(change))
            amount = ("-" if change < 0 else "+" if shown != "0" else "") + shown
        percent = f"{change / keys.clv_now * 100:+.1f} %" if keys.clv_now > 0 else "–"
        moved = (f"{self.points:+d} pts", "bold")
        clamped = "; kept within 0–99 %" if found.clamped else ""
        # The base's retention not measurable: the move starts from 0 %, and says so.
        unknown = found.base_retention is None
        if narrow:
            grid.add_row("If", Text.assemble(moved, " retention → CLV"))
            grid.add_row("", Text.assemble((amount, "bold"), f" ({percent}); simple CLV"))
            start = ", from 0 %" if unknown else ""
            grid.add_row("", Text(f"key accounts{start}{clamped}; + / -", "dim"))
            return
        grid.add_row(
            "If",
            Text.assemble(moved, " retention → CLV ", (amount, "bold"), f" ({percent})"),
        )
        if unknown:
            grid.add_row("", Text(f"key accounts, from 0 % (base unknown){clamped}; + / -", "dim"))
            return
        grid.add_row("", Text(f"key accounts, simple model{clamped}; + / - move it", "dim"))

    def action_toggle_mine(self) -> None:
        """Show the alerts of every account, or only of the user's own."""
        if not self.mine:
            self.notify("You manage or sponsor no key account: every alert is shown.")
            return
        self.mine_only = not self.mine_only
        if self.overview is not None:
            self._fill_alerts(self.overview.alerts)

    def _fill_alerts(self, every: list[Alert]) -> None:
        """One row per alert (the user's own accounts' only, when asked); names and notes go
        in as Text, never markup. The text wraps in the room left, never cut."""
        alerts = [a for a in every if a.customer in self.mine] if self.mine_only else every
        if self.mine_only and not self.mine:
            alerts = every
        self.shown = alerts
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        narrow = self.size.width < 120
        name_width = 20 if narrow else 28
        # Room left for the text: the other columns, their padding, the scrollbar.
        used = 13 + name_width + (0 if narrow else 10) + 2 * (3 if narrow else 4) + 3
        text_width = max(20, self.size.width - used)
        table.add_column("Alert", width=13)
        if not narrow:
            table.add_column("Date", width=10)
        table.add_column("Customer", width=name_width)
        table.add_column("What", width=text_width)
        for n, a in enumerate(alerts):
            label, style = KINDS.get(a.kind, (a.kind, ""))
            name = Text(safe(a.customer))
            name.truncate(name_width, overflow="ellipsis")
            what = first_line(a.text, 400)
            if narrow and a.since:
                what = f"{what} ({day(a.since)})" if day(a.since) not in what else what
            cells = [Text(label, style=style), name, Text(what)]
            if not narrow:
                cells.insert(1, Text(day(a.since) or "–"))
            table.add_row(*cells, key=str(n), height=None)
        if alerts:
            table.move_cursor(row=min(row, len(alerts) - 1))
        count = len(alerts)
        title = self.query_one("#alerts-title", Static)
        whose = ""
        if self.mine:
            whose = (
                f"  ·  yours; m: all {len(every)}"
                if self.mine_only
                else f"  ·  m: only yours ({sum(a.customer in self.mine for a in every)})"
            )
        if count:
            title.update(
                Content.assemble(
                    (f"ALERTS ({count})", "bold"),
                    ("  ·  Enter opens the account", "dim"),
                    (whose, "dim"),
                )
            )
        else:
            title.update(
                Content.assemble(
                    ("ALERTS", "bold"),
                    ("  ·  nothing overdue, due, broken or open: no alerts", "dim"),
                    (whose, "dim"),
                )
            )

    # ------------------------------------------------------------------ opening accounts

    def highlighted(self) -> Alert | None:
        """The alert under the cursor."""
        table = self.query_one(DataTable)
        if self.overview is None or table.row_count == 0 or not self.shown:
            return None
        return self.shown[min(table.cursor_row, len(self.shown) - 1)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Opening needs an alert under the cursor; all/mine, accounts of one's own."""
        if action == "open_alert":
            return self.highlighted() is not None
        if action == "toggle_mine":
            return bool(self.mine)  # only for those who manage or sponsor an account
        return True

    def action_open_alert(self) -> None:
        """Open the highlighted alert's account."""
        after_typed_keys(self.app, self._open_alert_now)

    def _open_alert_now(self) -> None:
        alert = self.highlighted()
        if alert is not None:
            self.kam.open_account(alert.customer)

    @on(DataTable.RowSelected, "#alerts")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_alert()
