"""Reviews: the key accounts due and overdue for their periodic review; record one and see
how the account compares with the other key accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static
from textual.worker import Worker, WorkerState

from db.enums import Role
from kam.rules.permissions import Action, allowed_on_own
from kam.text import sentence
from screens.base import KamScreenMixin, after_typed_keys
from screens.formatting import day, money, safe, share, words
from screens.forms.review_form import ReviewSetup, satisfaction_words
from screens.palette.screen_commands import ScreenCommands
from screens.widgets.data_table import DataTable
from screens.widgets.footer import KamFooter

if TYPE_CHECKING:
    from kam.services.reviews import DueView, ReviewView
    from kam.views import AccountView

#: Reviews due within this many days are listed with the overdue ones.
WITHIN_DAYS = 30

COLUMNS = ("Customer", "Status", "Manager", "Due", "When")

#: The benchmarks compared, how each is labelled and how its values read.
BENCHMARK_ROWS: tuple[tuple[str, str], ...] = (
    ("profit", "Profit (T12M)"),
    ("clv", "CLV"),
    ("share_of_wallet", "Share of wallet"),
    ("satisfaction", "Satisfaction"),
    ("health", "Health"),
)

_HEALTH = {2.0: "green", 1.0: "amber", 0.0: "red"}

_NOTHING_DUE = "Nothing to compare: no account is due for review."


def _accounts(count: int) -> str:
    """'the 9 key accounts', or 'the 1 key account' when it is alone."""
    return f"the {count} key account{'' if count == 1 else 's'}"


def benchmark_value(name: str, value: Any) -> str:
    """One benchmark figure as it reads."""
    if value is None:
        return "–"
    number = float(value)
    if name in ("profit", "clv"):
        return money(number)
    if name == "share_of_wallet":
        return share(number)
    if name == "health":
        return _HEALTH.get(number, f"{number:.1f}")
    return f"{number:.2f}"


class ReviewsScreen(KamScreenMixin, Screen[None]):
    """The reviews due within 30 days and overdue, most overdue first; Enter records one
    (its manager or an admin) and the benchmark comparison appears beside the list."""

    AREA = "reviews"
    PALETTE_NOUN = "reviews"
    TITLE = "Reviews"
    CSS_PATH = "reviews.tcss"
    AUTO_FOCUS = "#due"
    COMMANDS: ClassVar = {ScreenCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "record",
            "Record review",
            id="reviews.record",
            tooltip="Record the highlighted account's review.",
            priority=True,
        ),
        Binding(
            "x",
            "retire",
            "Retire",
            id="reviews.retire",
            tooltip="Retire the highlighted account, whose last review recommends it.",
        ),
        Binding(
            "m",
            "toggle_mine",
            "All/mine",
            id="reviews.mine",
            tooltip="Show the reviews of every account, or only of those you manage or sponsor.",
        ),
        Binding(
            "o",
            "open_account",
            "Open account",
            id="reviews.open",
            tooltip="Open the highlighted account's sheet.",
        ),
        Binding(
            "r", "reload", "Reload", id="reviews.reload", tooltip="Read the reviews due again."
        ),
    ]

    class Loaded(Message):
        """The reviews due (and, for those who record, the form's setup) were read, with the
        members whose last review recommends retirement ({customer: why})."""

        def __init__(
            self, due: list[DueView], setup: ReviewSetup | None, retire: dict[str, str]
        ) -> None:
            super().__init__()
            self.due = due
            self.setup = setup
            self.retire = retire

    class LatestLoaded(Message):
        """An account's last review was read (None: never reviewed)."""

        def __init__(self, customer: str, review: ReviewView | None) -> None:
            super().__init__()
            self.customer = customer
            self.review = review

    def __init__(self) -> None:
        super().__init__()
        self.every: list[DueView] = []
        """The accounts due (and those whose retirement is recommended), as last read."""
        self.due: list[DueView] = []
        """Those of them listed: the user's own when asked and they have any."""
        self.retire: dict[str, str] = {}
        """The members whose last review recommends retirement, with the finding."""
        self.mine_only = True
        """List only the accounts the user manages or sponsors, when they have any due."""
        self.setup: ReviewSetup | None = None
        """What the review form offers; None for those who only read."""
        self.recorded: ReviewView | None = None
        """The review recorded last on this screen."""
        self._latest_for: str | None = None
        """The account whose last review the panel shows (or is reading)."""

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        """Header, access line, the list beside the comparison, footer."""
        yield Header()
        yield Static("", id="access")
        with Horizontal(id="columns"):
            with Vertical(id="list"):
                yield Static("", id="summary")
                yield DataTable(id="due", cursor_type="row", zebra_stripes=True)
                yield Static("", id="hint")
            with VerticalScroll(id="result-scroll"):
                yield Static("", id="result")
                yield Static("", id="latest")
        yield KamFooter()

    def on_mount(self) -> None:
        """Set the columns, say who may record, and read."""
        self.query_one(DataTable).add_columns(*COLUMNS)
        access = self._access_line()
        line = self.query_one("#access", Static)
        line.update(access)
        line.display = bool(access)
        self.query_one("#result", Static).display = False
        self.action_reload()

    def on_resize(self) -> None:
        """Below 140 columns the comparison goes under the list, not beside it."""
        self.query_one("#columns").set_class(self.size.width < 140, "-narrow")

    def on_screen_resume(self) -> None:
        """Back from an account or a form: read again, something may have changed."""
        if self.every:
            self._read()

    # ------------------------------------------------------------------ who may do what

    def _access_line(self) -> Content:
        role = self.kam.actor.role
        if role == Role.VIEWER:
            return Content(
                "Read-only: viewers see the reviews due; managers and admins record them."
            )
        if role == Role.EXECUTIVE:
            return Content(
                "Read-only: executives see the reviews due; "
                "the account's manager or an admin records them."
            )
        return Content("")

    @property
    def may_record(self) -> bool:
        """Whether this user records reviews at all (on the accounts the rule gives them)."""
        return allowed_on_own(self.kam.actor, Action.RECORD_REVIEW)

    def _may_record(self, due: DueView | None) -> bool:
        if due is None or self.setup is None:
            return False
        return self.kam.may(Action.RECORD_REVIEW, due)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Recording exists only for those who may record the highlighted account's review;
        retiring, for those who may retire, on an account whose last review recommends it;
        all/mine, for those with accounts of their own here."""
        if action == "record":
            return self._may_record(self.highlighted())
        if action == "retire":
            due = self.highlighted()
            return (
                due is not None and due.customer in self.retire and self.kam.may(Action.RETIRE, due)
            )
        if action == "toggle_mine":
            return bool(self._mine())
        if action == "open_account":
            return self.highlighted() is not None
        return True

    # ------------------------------------------------------------------ loading

    def action_reload(self) -> None:
        """Read the reviews due again in a worker, showing that it is loading; the review
        recorded here gives way to the last one as read (it may have been recorded since)."""
        self.recorded = None
        self.query_one("#result", Static).display = False
        self._read()

    def _read(self) -> None:
        self.query_one(DataTable).loading = True
        self._latest_for = None
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="reviews")
    def _load(self) -> None:
        from kam.rules import lifecycle
        from kam.services.accounts import list_accounts
        from kam.services.criteria import list_criteria
        from kam.services.dashboard import review_alerts
        from kam.services.practices import list_practices
        from kam.services.programme import load_settings
        from kam.services.reviews import CHECKLIST, DueView, reviews_due

        with self.kam.database.reading() as session:
            due = reviews_due(session, as_of=self.kam.as_of, within_days=WITHIN_DAYS)
            settings = load_settings(session)
            members = {a.customer_id: a for a in list_accounts(session)
                       if lifecycle.is_member(a.status)}  # fmt: skip
            names = {cid: a.customer for cid, a in members.items()}
            retire = {
                alert.customer: alert.text
                for alert in review_alerts(session, names, threshold=settings.threshold)
                if alert.kind == "retire"
            }
            listed = {d.customer for d in due}
            for a in members.values():  # retirement recommended, though no review is due
                if a.customer in retire and a.customer not in listed:
                    overdue = (self.kam.as_of - a.next_review_on).days if a.next_review_on else None
                    due.append(DueView(a.customer, a.status, a.manager, a.next_review_on,
                                       overdue, a.manager_id, a.sponsor_id))  # fmt: skip
            setup = ReviewSetup(  # what the review form offers
                manual=[c for c in list_criteria(session) if c.kind == "manual"],
                practices=[p.title for p in list_practices(session)],
                checklist=CHECKLIST,
                review_days=settings.review_days,
                threshold=settings.threshold,
            )
        self.post_message(self.Loaded(due, setup, retire))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.every = message.due
        self.retire = message.retire
        self.setup = message.setup
        self._scope()
        table = self.query_one(DataTable)
        table.loading = False
        self._fill()
        table.focus()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed load stops the loading indicator (KamScreenMixin says what went wrong)."""
        if event.worker.group == "reviews" and event.state in (
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            self.query_one(DataTable).loading = False

    def _mine(self) -> list[DueView]:
        """The accounts listed that the user manages or sponsors."""
        me = self.kam.actor.id
        return [d for d in self.every if me in (d.manager_id, d.sponsor_id)]

    def _scope(self) -> None:
        """List the user's own accounts when asked and they have any, else every one."""
        mine = self._mine()
        self.due = mine if self.mine_only and mine else list(self.every)

    def action_toggle_mine(self) -> None:
        """List every account due, or only the user's own."""
        self.mine_only = not self.mine_only
        self._scope()
        self._fill()

    # ------------------------------------------------------------------ showing

    def _fill(self) -> None:
        """One row per account due; names go in as Text, never markup."""
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for n, d in enumerate(self.due):
            table.add_row(
                Text(safe(d.customer)),
                Text(words(d.status)),
                Text(safe(d.manager or "–")),
                Text(day(d.next_review_on) or "–"),
                self._when(d),
                key=str(n),
            )
        if self.due:
            table.move_cursor(row=min(row, len(self.due) - 1))
        overdue = sum(1 for d in self.due if d.days_overdue is not None and d.days_overdue > 0)
        never = sum(1 for d in self.due if d.days_overdue is None)
        parts = [f"{len(self.due)} due within {WITHIN_DAYS} days of {day(self.kam.as_of)}"]
        if overdue:
            parts.append(f"{overdue} overdue")
        if never:
            parts.append(f"{never} never scheduled")
        retire = sum(1 for d in self.due if d.customer in self.retire)
        if retire:
            parts.append(f"{retire} to retire?")
        if not self.due:
            parts = [f"No review is due within {WITHIN_DAYS} days of {day(self.kam.as_of)}."]
        mine = len(self._mine())
        if mine and self.mine_only and len(self.every) > mine:
            parts.append(f"yours only (m: all {len(self.every)})")
        elif mine and not self.mine_only:
            parts.append(f"m: only your {mine}")
        self.query_one("#summary", Static).update(Content(", ".join(parts)))
        self._show_hint()

    def _when(self, d: DueView) -> Text:
        if d.customer in self.retire:
            return Text("retire recommended", style="bold red")
        if d.days_overdue is None:
            return Text("never scheduled", style="bold yellow")
        if d.days_overdue > 0:
            unit = "day" if d.days_overdue == 1 else "days"
            return Text(f"{d.days_overdue} {unit} overdue", style="bold red")
        if d.days_overdue == 0:
            return Text("due today", style="bold")
        unit = "day" if d.days_overdue == -1 else "days"
        return Text(f"in {-d.days_overdue} {unit}")

    def _show_hint(self) -> None:
        """Say what Enter does on the highlighted row, or why it does nothing."""
        due = self.highlighted()
        hint = self.query_one("#hint", Static)
        hint.display = due is not None and self.may_record
        if due is not None and due.customer in self.retire:
            hint.display = True
            how = (
                "x retires it, with the reason."
                if self.kam.may(Action.RETIRE, due)
                else "an executive or an admin retires it."
            )
            hint.update(Content.assemble(safe(due.customer), ": ", safe(self.retire[due.customer]),
                                         "; ", how))  # fmt: skip
        elif due is None or not self.may_record:
            hint.update("")
        elif self._may_record(due):
            hint.update(Content(sentence(f"Enter records the review of {safe(due.customer)}")))
        else:
            hint.update(
                Content.assemble(
                    safe(due.manager or "Nobody"),
                    " manages ",
                    safe(due.customer),
                    ": only they or an admin record its review.",
                )
            )
        self.refresh_bindings()
        self._show_latest(due)

    def _show_latest(self, due: DueView | None) -> None:
        """Read the highlighted account's last review, unless it is shown already."""
        latest = self.query_one("#latest", Static)
        if due is None:
            self._latest_for = None
            latest.update(Content(_NOTHING_DUE) if self.recorded is None else "")
            return
        if due.customer == self._latest_for:
            return
        self._latest_for = due.customer
        latest.update(Content.assemble("Reading the last review of ", safe(due.customer), "…"))
        self._load_latest(due.customer)

    @work(thread=True, exclusive=True, exit_on_error=False, group="reviews-latest")
    def _load_latest(self, customer: str) -> None:
        from kam.services.reviews import list_reviews

        with self.kam.database.reading() as session:
            reviews = list_reviews(session, customer)
        self.post_message(self.LatestLoaded(customer, reviews[0] if reviews else None))

    @on(LatestLoaded)
    def _latest_loaded(self, message: LatestLoaded) -> None:
        if message.customer != self._latest_for:
            return  # the cursor has moved on
        latest = self.query_one("#latest", Static)
        recorded = self.recorded
        if recorded is not None and recorded.customer == message.customer:
            if message.review is not None and message.review.id != recorded.id:
                self.recorded = None  # a newer review was recorded since, elsewhere
                self.query_one("#result", Static).display = False
        if message.review is not None:
            latest.update(self._comparison(message.review, "LAST REVIEW"))
            return
        latest.update(
            Content.assemble(
                (safe(message.customer), "bold"),
                " has not been reviewed yet: its comparison with the other key accounts "
                "(median, top quartile) appears here once it is.",
            )
        )

    def highlighted(self) -> DueView | None:
        """The account under the cursor."""
        table = self.query_one(DataTable)
        if not self.due or table.row_count == 0:
            return None
        return self.due[min(table.cursor_row, len(self.due) - 1)]

    @on(DataTable.RowHighlighted, "#due")
    def _row_highlighted(self) -> None:
        self._show_hint()

    @on(DataTable.RowSelected, "#due")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter (or a click) on a row records it, for those who may."""
        event.stop()
        if self._may_record(self.highlighted()):
            self.action_record()

    # ------------------------------------------------------------------ acting

    def action_open_account(self) -> None:
        """Open the highlighted account's sheet."""
        due = self.highlighted()
        if due is not None:
            self.kam.open_account(due.customer)

    def action_retire(self) -> None:
        """Retire the highlighted account, whose last review recommends it."""
        from screens.forms.retire_form import RetireForm

        due = self.highlighted()
        if due is None:
            return
        self.app.push_screen(
            RetireForm(due.customer, why=self.retire.get(due.customer, "")), self._retired
        )

    def _retired(self, view: AccountView | None) -> None:
        if view is not None:
            self.notify(f"{safe(view.customer)} retired; its history stays.", markup=False)
            self.action_reload()

    def action_record(self) -> None:
        """Open the review form for the highlighted account."""
        after_typed_keys(self.app, self._record_now)

    def _record_now(self) -> None:
        from screens.forms.review_form import ReviewForm

        due = self.highlighted()
        if due is None or self.setup is None:
            return
        self.app.push_screen(
            ReviewForm(due.customer, today=self.kam.as_of, setup=self.setup), self._recorded
        )

    def _recorded(self, view: ReviewView | None) -> None:
        if view is None:
            return
        self.recorded = view
        result = self.query_one("#result", Static)
        result.update(self._comparison(view, "REVIEW RECORDED"))
        result.display = True
        self.notify(f"Review of {safe(view.customer)} recorded: {view.decision}.", markup=False)
        self._read()

    def _comparison(self, v: ReviewView, heading: str) -> RenderableType:
        """The review's figures and the account against the key accounts' median and top
        quartile; the recommendation, if any, last and loud."""
        head = Text.assemble(
            (f"{heading}  ", "bold"),
            (safe(v.customer), "bold"),
            f"  on {day(v.reviewed_on)} by {safe(v.reviewed_by or '–')}",
        )
        facts = Table.grid(padding=(0, 2))
        facts.add_column(style="dim", no_wrap=True)
        facts.add_column()
        total = "incomplete (a manual criterion has no score yet)"
        if v.total is not None:
            total = f"{v.total:g}"
        under = v.total is not None and v.total < v.threshold
        facts.add_row(
            "Total",
            Text.assemble(
                (total, "bold red" if under else "bold"), f"  (threshold {v.threshold:g})"
            ),
        )
        if v.satisfaction is not None:
            facts.add_row(
                "Satisfaction",
                f"{v.satisfaction:.2f} = perceived {v.perceived} / expected {v.expected}: "
                f"{satisfaction_words(v.satisfaction)}",
            )
        facts.add_row("Decision", Text(v.decision, style="bold"))
        facts.add_row("Next review", day(v.next_review_on) or "–")
        done = [words(k) for k, ticked in v.checklist.items() if ticked]
        facts.add_row("Checklist", f"{len(done)} of {len(v.checklist)} done")
        if v.practices:
            facts.add_row("Practices", Text(safe(", ".join(v.practices))))

        parts: list[RenderableType] = [head, Text(""), facts, Text("")]
        if any(name in v.benchmark for name, _ in BENCHMARK_ROWS):
            parts.append(self._benchmark_table(v))
        else:
            parts.append(
                Text("No comparison with the other key accounts was kept with this review.")
            )
        if v.recommendation == "retire":
            parts += [
                Text(""),
                Text(
                    f"Two reviews in a row under the threshold ({v.threshold:g}): "
                    "retirement recommended.",
                    style="bold red",
                ),
            ]
        return Group(*parts)

    @staticmethod
    def _benchmark_table(v: ReviewView) -> Table:
        """This account, the median and the top quartile, and where it stands, per benchmark."""
        bench = Table(
            title=Text(f"Against {_accounts(v.benchmark.get('accounts', 0))}", style="bold"),
            title_justify="left",
            box=None,
            padding=(0, 1),
            header_style="dim",
        )
        bench.add_column("")
        for heading in ("This account", "Median", "Top quartile"):
            bench.add_column(heading, justify="right", no_wrap=True)
        bench.add_column("Position", no_wrap=True)
        for name, label in BENCHMARK_ROWS:
            row = v.benchmark.get(name) or {}
            position = row.get("position") or "–"
            style = {"top quartile": "green", "below median": "yellow"}.get(position, "")
            bench.add_row(
                label,
                benchmark_value(name, row.get("account")),
                benchmark_value(name, row.get("median")),
                benchmark_value(name, row.get("top_quartile")),
                Text(position, style=style),
            )
        return bench
