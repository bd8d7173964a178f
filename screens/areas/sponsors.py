"""Sponsors: the executives with the accounts they sponsor against the limit and, for
executives and admins, their scorecards (visits on time, health mix, portfolio CLV and
profit); the visit cadence of every active account with the overdue visits first; record a
visit (v)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from db.enums import Role
from kam.rules import clock
from kam.rules.permissions import Action, allowed_on_own
from screens.base import KamScreenMixin
from screens.formatting import change_share, day, safe, short_money, words
from screens.palette.screen_commands import ScreenCommands
from screens.widgets.data_table import DataTable
from screens.widgets.footer import KamFooter

if TYPE_CHECKING:
    from kam.services.programme import ProgrammeSettings
    from kam.services.scorecards import Scorecard
    from kam.services.sponsors import SponsorView, VisitDueView
    from kam.views import InteractionView

SPONSOR_COLUMNS = ("Sponsor", "Accounts", "Overdue", "Sponsors", "Title")
#: The scorecard's columns, after "Overdue", for those who see every scorecard.
SCORE_COLUMNS = ("Visits on time", "G/A/R", "CLV", "Profit", "Profit ±")
#: Below this many columns of terminal, sponsors go by login and "Visits on time" is "On time",
#: so that every number fits before the names of the accounts.
NARROW = 100
#: The accounts sponsored wrap in what the other columns leave, at least this many cells
#: (the titles go under the names to make it).
ACCOUNTS_ROOM = 20
VISIT_COLUMNS = ("Customer", "Visit", "Next due", "Last visit", "Sponsor", "Status")

#: A visit due within this many days is shown as coming up.
SOON = 14


@dataclass(frozen=True)
class SponsorsData:
    """The sponsors and the visit schedule, read in one transaction."""

    sponsors: list[SponsorView]
    schedule: list[VisitDueView]
    settings: ProgrammeSettings


class SponsorsScreen(KamScreenMixin, Screen[None]):
    """Executive sponsors, their load against the limit and the visits due; v records one."""

    AREA = "sponsors"
    PALETTE_NOUN = "sponsors"
    TITLE = "Sponsors"
    CSS_PATH = "sponsors.tcss"
    AUTO_FOCUS = "#visits"
    COMMANDS: ClassVar = {ScreenCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "v",
            "record_visit",
            "Record visit",
            id="sponsors.visit",
            tooltip="Record a sponsor visit to the highlighted account.",
        ),
        Binding(
            "p",
            "assign_sponsor",
            "Assign sponsor",
            id="sponsors.assign",
            tooltip="Choose the highlighted account's executive sponsor.",
        ),
        Binding(
            "o",
            "open_sheet",
            "Sheet",
            id="sponsors.sheet",
            tooltip="Open the highlighted account's sheet.",
        ),
        Binding("r", "reload", "Reload", id="sponsors.reload", tooltip="Read the sponsors again."),
    ]

    class Loaded(Message):
        """The sponsors and the visit schedule were read."""

        def __init__(self, data: SponsorsData) -> None:
            super().__init__()
            self.data = data

    class Scored(Message):
        """The sponsors' scorecards were computed."""

        def __init__(self, card: Scorecard) -> None:
            super().__init__()
            self.card = card

    def __init__(self) -> None:
        super().__init__()
        self.data: SponsorsData | None = None
        """What was last read."""
        self.card: Scorecard | None = None
        """The sponsors' scorecards, for executives and admins (None: not computed, or not
        theirs to see)."""
        self._narrow: bool | None = None

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        """Header, the rules, who may do what, the sponsors, the visit schedule."""
        yield Header()
        yield Static("Reading the sponsors…", id="rules")
        access = Static(self._access_line(), id="access")
        visits_some = self.kam.may(Action.RECORD_SPONSOR_VISIT) or (
            self.kam.actor.role == Role.EXECUTIVE  # on the accounts they sponsor
        )
        access.set_class(not visits_some, "-read-only")
        yield access
        yield Static(Content(self._sponsors_caption()), classes="caption", id="sponsors-caption")
        yield DataTable(id="sponsors", cursor_type="row", zebra_stripes=True)
        yield Static(
            Content("Sponsor visits, the most overdue first"),
            id="visits-caption",
            classes="caption",
        )
        yield DataTable(id="visits", cursor_type="row", zebra_stripes=True)
        yield KamFooter()

    def _access_line(self) -> Content:
        role = self.kam.actor.role
        if role == Role.ADMIN:
            return Content(
                "You record sponsor visits on any sponsored account (v) and assign sponsors (p)."
            )
        if role == Role.EXECUTIVE:
            return Content("You record your visits to the accounts you sponsor (v).")
        return Content("Read-only: an account's sponsor, or an admin, records its visits.")

    @property
    def _sees_scores(self) -> bool:
        from kam.services.scorecards import sees_every_scorecard

        return sees_every_scorecard(self.kam.actor)

    def _sponsors_caption(self) -> str:
        if self._sees_scores:
            return "Executive sponsors, with their scorecards (open accounts, ± a year before)"
        return "Executive sponsors (scorecards: executives and admins)"

    def _sponsor_columns(self, *, title: bool = True) -> tuple[str, ...]:
        """The sponsors table's headings (`title` False: without the titles' column)."""
        sponsor = SPONSOR_COLUMNS if title else SPONSOR_COLUMNS[:-1]
        if not self._sees_scores:
            return sponsor
        scores = ("On time", *SCORE_COLUMNS[1:]) if self._narrow else SCORE_COLUMNS
        return (*sponsor[:3], *scores, *sponsor[3:])

    def on_resize(self) -> None:
        """Below NARROW columns the sponsors table shortens its names and headings; at any
        width the accounts sponsored wrap in the room left (once the table has its width)."""
        narrow = self.size.width < NARROW
        if narrow != self._narrow:
            self._narrow = narrow
            self._add_sponsor_columns()
        if self.data is not None:
            self.call_after_refresh(self._fill_sponsors, self.data)

    def _add_sponsor_columns(self, room: int | None = None, *, title: bool = True) -> None:
        """The sponsors table's columns afresh; the accounts sponsored `room` cells wide
        (None: as wide as the widest); `title` False: the titles are under the names."""
        table = self.query_one("#sponsors", DataTable)
        table.clear(columns=True)
        for heading in self._sponsor_columns(title=title):
            table.add_column(heading, width=room if heading == "Sponsors" else None, key=heading)

    def on_mount(self) -> None:
        """Set the columns and read."""
        self.on_resize()
        self.query_one("#visits", DataTable).add_columns(*VISIT_COLUMNS)
        self.action_reload()

    # ------------------------------------------------------------------ loading

    def action_reload(self) -> None:
        """Read the sponsors and the visit schedule again, and (for executives and admins)
        compute the scorecards, in workers."""
        self._load()
        if self._sees_scores:
            self._score()

    @work(thread=True, exclusive=True, exit_on_error=False, group="scorecard")
    def _score(self) -> None:
        from kam.services.scorecards import read_scorecard

        card = read_scorecard(self.kam.database, self.kam.actor, "sponsor", as_of=self.kam.as_of)
        self.post_message(self.Scored(card))

    @on(Scored)
    def _scored(self, message: Scored) -> None:
        self.card = message.card
        if self.data is not None:
            self._fill_sponsors(self.data)

    @work(thread=True, exclusive=True, exit_on_error=False, group="sponsors")
    def _load(self) -> None:
        from kam.services.programme import load_settings
        from kam.services.sponsors import list_sponsors, visit_schedule

        with self.kam.database.reading() as session:
            data = SponsorsData(
                sponsors=list_sponsors(session),
                schedule=visit_schedule(session, self.kam.as_of),
                settings=load_settings(session),
            )
        self.post_message(self.Loaded(data))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.data = message.data
        self._show_rules(message.data)
        self._fill_sponsors(message.data)
        self._fill_visits(message.data)
        self.refresh_bindings()

    def on_screen_resume(self) -> None:
        """Back from a form or an account sheet: read again."""
        if self.data is not None:
            self.action_reload()

    # ------------------------------------------------------------------ showing

    def _show_rules(self, data: SponsorsData) -> None:
        s = data.settings
        overdue = sum(v.overdue for v in data.schedule)
        self.query_one("#rules", Static).update(
            Content.assemble(
                f"A sponsor visit is due every {s.visit_days} days",
                ("  ·  ", "dim"),
                f"an executive sponsors at most {s.sponsor_limit} accounts",
                ("  ·  ", "dim"),
                (f"{overdue} overdue", "bold $error") if overdue else ("none overdue", "$success"),
                (f" as of {self.kam.as_of.isoformat()}", "dim"),
            )
        )

    def _fill_sponsors(self, data: SponsorsData) -> None:
        """One row per sponsor; names go in as Text, never markup."""
        table = self.query_one("#sponsors", DataTable)
        kept = table.cursor_key()
        overdue: dict[str, int] = {}
        for v in data.schedule:
            if v.overdue and v.sponsor:
                overdue[v.sponsor] = overdue.get(v.sponsor, 0) + 1
        lines: list[tuple[str, list[Text]]] = []
        for s in data.sponsors:
            name = Text(safe(s.login if self._narrow else f"{s.display_name} ({s.login})"))
            if s.login == self.kam.actor.login:
                name.append("  you", style="bold")
            load_style = "bold red" if s.count > s.limit else "yellow" if s.count == s.limit else ""
            late = overdue.get(s.login, 0)
            lines.append((s.login, [
                name,
                Text(f"{s.count}/{s.limit}", style=load_style, justify="right"),
                Text(str(late), style="bold red" if late else "dim", justify="right"),
                *self._score_cells(s.login),
                Text(safe(", ".join(s.accounts)) or "none", style="" if s.accounts else "dim"),
                Text(safe(s.title)),
            ]))  # fmt: skip
        title, room = True, None  # narrow, every number first and the rest cut (80x24)
        if not self._narrow:
            room = self._accounts_room([cells for _, cells in lines], self._sponsor_columns())
        if room is not None and room < ACCOUNTS_ROOM:
            title = False  # the titles go under the names
            for _, cells in lines:
                job = cells.pop()
                if job.plain:
                    cells[0].append("\n")
                    cells[0].append(job.plain, style="dim")
            headings = self._sponsor_columns(title=False)
            room = self._accounts_room([cells for _, cells in lines], headings)
        self._add_sponsor_columns(None if room is None else max(ACCOUNTS_ROOM, room), title=title)
        at = self._sponsor_columns(title=title).index("Sponsors")
        for (key, cells), s in zip(lines, data.sponsors, strict=True):
            if room is not None and s.accounts:  # wrapped: one account a line
                cells[at] = Text(safe(",\n".join(s.accounts)))
            table.add_row(*cells, key=key, height=None)
        table.move_to_key(kept)

    def _accounts_room(self, lines: list[list[Text]], headings: tuple[str, ...]) -> int | None:
        """The cells the accounts sponsored may take: what the other columns (their widest
        line or heading, the padding either side) and a scrollbar leave; None when they all
        fit on one line."""
        table = self.query_one("#sponsors", DataTable)
        at = headings.index("Sponsors")
        widths = [
            max([len(h), *(cell_len(line) for c in lines for line in c[n].plain.split("\n"))])
            for n, h in enumerate(headings)
        ]
        used = sum(widths) - widths[at] + 2 * table.cell_padding * len(headings)
        used += table.styles.scrollbar_size_vertical  # rows that wrap may need it
        room = (table.size.width or self.size.width) - used
        return None if widths[at] <= room else room

    def _score_cells(self, login: str) -> list[Text]:
        """The scorecard's cells of a sponsor (dashes while computing); none for those who do
        not see scorecards."""
        if not self._sees_scores:
            return []
        score = next((c for c in self.card.scores if c.login == login), None) if self.card else None
        if score is None:
            return [Text("…", style="dim") for _ in SCORE_COLUMNS]
        on_time = (
            f"{score.on_time}/{score.due} {score.on_time_share:.0%}".replace("%", " %")
            if score.on_time_share is not None
            else "none due"
        )
        fell = score.profit < score.profit_before
        return [
            Text(on_time, justify="right"),
            Text.assemble(
                (str(score.green), "green"),
                "/",
                (str(score.amber), "yellow"),
                "/",
                (str(score.red), "red"),
            ),  # fmt: skip
            Text(short_money(score.clv), justify="right"),
            Text(short_money(score.profit), justify="right"),
            Text(
                change_share(score.profit, score.profit_before),
                justify="right",
                style="red" if fell else "",
            ),  # fmt: skip
        ]

    def _fill_visits(self, data: SponsorsData) -> None:
        """One row per active account, overdue ones in red; names as Text."""
        table = self.query_one("#visits", DataTable)
        kept = self.highlighted()
        table.clear()
        for v in data.schedule:
            late = v.overdue
            mine = v.sponsor is not None and v.sponsor == self.kam.actor.login
            sponsor = (
                Text(safe(v.sponsor_name or v.sponsor), style="bold" if mine else "")
                if v.sponsor
                else Text("no sponsor", style="italic red")
            )
            table.add_row(
                Text(safe(v.customer), style="bold red" if late else ""),
                _visit_state(v),
                Text(day(v.due_on), style="red" if late else ""),
                Text(day(v.last_visit) or "never", style="" if v.last_visit else "dim"),
                sponsor,
                Text(words(v.status)),
                key=str(v.account_id),
            )
        if kept is not None:
            keys = [str(v.account_id) for v in data.schedule]
            if str(kept.account_id) in keys:
                table.move_cursor(row=keys.index(str(kept.account_id)))

    def highlighted(self) -> VisitDueView | None:
        """The account under the visit table's cursor."""
        table = self.query_one("#visits", DataTable)
        if self.data is None or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((v for v in self.data.schedule if str(v.account_id) == key), None)

    @on(DataTable.RowHighlighted, "#visits")
    def _row_highlighted(self) -> None:
        self.refresh_bindings()

    @on(DataTable.RowSelected, "#visits")
    def _row_selected(self) -> None:
        self.action_open_sheet()

    # ------------------------------------------------------------------ who may do what

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Recording a visit is offered to those who record visits at all (sponsors, admins)
        on any row (on a row not theirs, v says whose it is); assigning a sponsor, to admins;
        each needs an account under the cursor."""
        if action not in ("record_visit", "open_sheet", "assign_sponsor"):
            return True
        visit = self.highlighted()
        if visit is None:
            return False
        if action == "assign_sponsor":
            return self.kam.may(Action.ASSIGN_SPONSOR, visit)
        if action == "record_visit":
            return allowed_on_own(self.kam.actor, Action.RECORD_SPONSOR_VISIT)
        return True

    def refusal(self, visit: VisitDueView) -> str | None:
        """Why the user may not record a visit to this account, or None when they may."""
        if visit.sponsor is None:
            how = "p assigns one" if self.kam.may(Action.ASSIGN_SPONSOR, visit) else (
                "an admin assigns one")  # fmt: skip
            return (
                f"{safe(visit.customer)} has no executive sponsor yet ({how}); visits are "
                "recorded once it has one."
            )
        if self.kam.may(Action.RECORD_SPONSOR_VISIT, visit):
            return None
        return (
            f"{safe(visit.customer)} is sponsored by {safe(visit.sponsor_name or visit.sponsor)}: "
            "only they or an admin record its visits."
        )

    # ------------------------------------------------------------------ actions

    def action_record_visit(self) -> None:
        """Ask for the date and the notes, then record the sponsor visit."""
        from screens.forms.visit_form import VisitForm

        visit = self.highlighted()
        if visit is None:
            return
        refusal = self.refusal(visit)
        if refusal is not None:
            self.notify(refusal, title="Not yours to record", severity="warning", markup=False)
            return
        when = min(self.kam.as_of, clock.today())
        self.app.push_screen(VisitForm(visit.customer, today=when), self._recorded)

    def _recorded(self, view: InteractionView | None) -> None:
        if view is not None:
            self.notify(
                f"Sponsor visit to {safe(view.customer)} on {day(view.happened_on)} recorded.",
                markup=False,
            )

    def action_assign_sponsor(self) -> None:
        """Choose the highlighted account's executive sponsor from those eligible."""
        from screens.forms.staff_picker import StaffPicker, report_assignment

        visit = self.highlighted()
        if visit is None:
            return
        picker = StaffPicker(visit.customer, job="sponsor")
        self.app.push_screen(
            picker, lambda view: report_assignment(self.app, "sponsor", view, picker.warning)
        )

    def action_open_sheet(self) -> None:
        """Open the highlighted account's sheet (in the accounts area)."""
        visit = self.highlighted()
        if visit is not None:
            self.kam.open_account(visit.customer)


def _visit_state(v: VisitDueView) -> Text:
    """'overdue N days', 'due in N days' or 'due today', coloured by urgency."""
    if v.sponsor is None:
        return Text("no sponsor", style="bold red")
    if v.overdue:
        return Text(f"overdue {v.days_overdue} days", style="bold red")
    left = -v.days_overdue
    if left == 0:
        return Text("due today", style="bold yellow")
    return Text(f"due in {left} days", style="yellow" if left <= SOON else "green")
