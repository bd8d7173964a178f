"""Managers: the skills matrix (scores under 3 highlighted), training records and load against
the manager limit, and each manager's scorecard (portfolio worth and care; executives and
admins see everyone's, a manager their own); admins edit skills (e) and add training (t)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from db.enums import Skill
from kam.rules.permissions import Action
from kam.services.staffing import SKILL_FLOOR
from screens.base import KamScreenMixin
from screens.formatting import change_share, day, money, safe, short_money
from screens.palette.screen_commands import ScreenCommands
from screens.widgets.data_table import DataTable
from screens.widgets.footer import KamFooter

if TYPE_CHECKING:
    from kam.services.managers import ManagerProfileView, TrainingView
    from kam.services.programme import ProgrammeSettings
    from kam.services.scorecards import Score, Scorecard

COLUMNS = ("Manager", "Load", *(s.value.capitalize() for s in Skill), "Training")
#: The scorecard's columns; below NARROW columns of terminal, those of NARROW_SCORES only.
SCORE_COLUMNS = (
    "Manager", "Accts", "CLV", "CLV ±", "Profit", "Profit ±", "G/A/R", "Overdue c.",
    "Overdue v.", "Reviews on time",
)  # fmt: skip
NARROW_SCORES = ("Manager", "Accts", "CLV", "Profit", "Profit ±", "G/A/R", "Late c/v", "Reviews")
NARROW = 100


@dataclass(frozen=True)
class ManagersData:
    """The managers' profiles and the programme settings, read in one transaction."""

    profiles: list[ManagerProfileView]
    settings: ProgrammeSettings
    seen: int
    """The newest audit event when they were read (what a skills form saw)."""


class ManagersScreen(KamScreenMixin, Screen[None]):
    """Key account managers: skills 1-5, training, open accounts against the limit."""

    AREA = "managers"
    PALETTE_NOUN = "managers"
    TITLE = "Managers"
    CSS_PATH = "managers.tcss"
    AUTO_FOCUS = "#managers"
    COMMANDS: ClassVar = {ScreenCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "e",
            "edit_skills",
            "Edit skills",
            id="managers.skills",
            tooltip="Score the highlighted manager's skills, 1 to 5.",
        ),
        Binding(
            "t",
            "add_training",
            "Add training",
            id="managers.training",
            tooltip="Record a course the highlighted manager took.",
        ),
        Binding("r", "reload", "Reload", id="managers.reload", tooltip="Read the managers again."),
    ]

    class Loaded(Message):
        """The managers' profiles were read."""

        def __init__(self, data: ManagersData) -> None:
            super().__init__()
            self.data = data

    class Scored(Message):
        """The scorecards were computed (`card` None: the user may not see any, `why` says)."""

        def __init__(self, card: Scorecard | None, why: str = "") -> None:
            super().__init__()
            self.card = card
            self.why = why

    def __init__(self) -> None:
        super().__init__()
        self.data: ManagersData | None = None
        """What was last read."""
        self.card: Scorecard | None = None
        """The scorecards as last computed."""
        self._narrow: bool | None = None

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        """Header, the rules, who may do what, the matrix, the highlighted manager."""
        yield Header()
        yield Static("Reading the managers…", id="rules")
        access = Static(self._access_line(), id="access")
        access.set_class(not self._is_admin, "-read-only")
        yield access
        yield DataTable(id="managers", cursor_type="row", zebra_stripes=True)
        yield Static("Computing the scorecards…", id="scorecard-caption")
        yield DataTable(id="scorecard", cursor_type="none", zebra_stripes=True)
        with VerticalScroll(id="detail-scroll"):
            yield Static("", id="detail")
        yield KamFooter()

    @property
    def _is_admin(self) -> bool:
        return self.kam.may(Action.SCORE_SKILLS)

    def _access_line(self) -> Content:
        if self._is_admin:
            return Content("You score skills (e) and record training (t).")
        return Content("Read-only: admins score skills and record training.")

    def on_mount(self) -> None:
        """Set the columns and read."""
        self.query_one(DataTable).add_columns(*COLUMNS)
        self.on_resize()
        self.action_reload()

    def on_resize(self) -> None:
        """Below NARROW columns the scorecard keeps its essential columns."""
        narrow = self.size.width < NARROW
        if narrow != self._narrow:
            self._narrow = narrow
            table = self.query_one("#scorecard", DataTable)
            table.clear(columns=True)
            table.add_columns(*(NARROW_SCORES if narrow else SCORE_COLUMNS))
            self._fill_scores()

    # ------------------------------------------------------------------ loading

    def action_reload(self) -> None:
        """Read the managers again, and compute their scorecards, in workers."""
        self._load()
        self._score()

    @work(thread=True, exclusive=True, exit_on_error=False, group="managers")
    def _load(self) -> None:
        from kam.services.audit import newest_event
        from kam.services.managers import manager_profiles
        from kam.services.programme import load_settings

        with self.kam.database.reading() as session:
            seen = newest_event(session)  # first: a change after it is one the form may miss
            data = ManagersData(manager_profiles(session), load_settings(session), seen)
        self.post_message(self.Loaded(data))

    @work(thread=True, exclusive=True, exit_on_error=False, group="scorecard")
    def _score(self) -> None:
        from kam.errors import PermissionDenied
        from kam.services.scorecards import read_scorecard

        try:
            card = read_scorecard(
                self.kam.database, self.kam.actor, "manager", as_of=self.kam.as_of
            )
        except PermissionDenied as refused:
            self.post_message(self.Scored(None, str(refused)))
            return
        self.post_message(self.Scored(card))

    @on(Scored)
    def _scored(self, message: Scored) -> None:
        self.card = message.card
        caption = self.query_one("#scorecard-caption", Static)
        table = self.query_one("#scorecard", DataTable)
        table.display = message.card is not None
        if message.card is None:
            caption.update(Content.assemble(("SCORECARDS", "bold"), "  ", (message.why, "dim")))
            return
        whose = (
            "every manager's"
            if message.card.everyone
            else "yours only: executives and admins see every manager's"
        )
        caption.update(
            Content.assemble(
                ("SCORECARDS", "bold"),
                (f"  {whose} · open accounts · ± against a year before", "dim"),
            )
        )
        self._fill_scores()
        self._show_detail()

    def _fill_scores(self) -> None:
        """One row per manager the user may see; money whole, below NARROW short (702.9k)."""
        table = self.query_one("#scorecard", DataTable)
        kept = table.cursor_key()
        table.clear()
        if self.card is None:
            return
        narrow = bool(self._narrow)
        amount = short_money if narrow else money
        for s in self.card.scores:
            health = Text.assemble(
                (str(s.green), "green"), "/", (str(s.amber), "yellow"), "/", (str(s.red), "red")
            )
            on_time = (
                f"{s.on_time}/{s.due} {s.on_time_share:.0%}".replace("%", " %")
                if s.on_time_share is not None
                else "none due"
            )
            late_style = "bold red" if s.overdue_commitments or s.overdue_visits else "dim"
            cells: dict[str, Text] = {
                "Manager": Text(safe(s.login if narrow else s.display_name)),
                "Accts": Text(str(s.accounts), justify="right"),
                "CLV": Text(amount(s.clv), justify="right"),
                "CLV ±": _change(s.clv, s.clv_before),
                "Profit": Text(amount(s.profit), justify="right"),
                "Profit ±": _change(s.profit, s.profit_before),
                "G/A/R": health,
                "Overdue c.": Text(str(s.overdue_commitments), justify="right",
                                   style="bold red" if s.overdue_commitments else "dim"),
                "Overdue v.": Text(str(s.overdue_visits), justify="right",
                                   style="bold red" if s.overdue_visits else "dim"),
                "Late c/v": Text(f"{s.overdue_commitments}/{s.overdue_visits}", style=late_style,
                                 justify="right"),
                "Reviews on time": Text(on_time, justify="right"),
                "Reviews": Text(on_time, justify="right"),
            }  # fmt: skip
            table.add_row(
                *(cells[c] for c in (NARROW_SCORES if narrow else SCORE_COLUMNS)), key=s.login
            )
        table.move_to_key(kept)

    def score_of(self, login: str) -> Score | None:
        """The scorecard of `login`, if the user may see it."""
        if self.card is None:
            return None
        return next((s for s in self.card.scores if s.login == login), None)

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.data = message.data
        s = message.data.settings
        weak = sum(p.warning is not None for p in message.data.profiles)
        self.query_one("#rules", Static).update(
            Content.assemble(
                f"A manager runs at most {s.manager_limit} key accounts",
                ("  ·  ", "dim"),
                f"skills are scored 1–5; under {SKILL_FLOOR} (red) warns on assignment",
                ("  ·  ", "dim"),
                (f"{weak} with skills to develop", "bold $warning")
                if weak
                else ("every skill 3 or more", "$success"),
            )
        )
        self._refill(message.data)

    def on_screen_resume(self) -> None:
        """Back from a form: read again."""
        if self.data is not None:
            self.action_reload()

    # ------------------------------------------------------------------ showing

    def _refill(self, data: ManagersData) -> None:
        """One row per manager; names go in as Text, never markup."""
        table = self.query_one(DataTable)
        kept = self.highlighted()
        table.clear()
        for p in data.profiles:
            over = p.load > p.limit
            load_style = "bold red" if over else "yellow" if p.load == p.limit else ""
            table.add_row(
                Text(safe(p.display_name)),
                Text(f"{p.load}/{p.limit}", style=load_style, justify="right"),
                *(_skill_cell(p.skills.get(s.value)) for s in Skill),
                _training_cell(p.trainings),
                key=p.login,
            )
        if kept is not None:
            logins = [p.login for p in data.profiles]
            if kept.login in logins:
                table.move_cursor(row=logins.index(kept.login))
        self._show_detail()
        self.refresh_bindings()

    def highlighted(self) -> ManagerProfileView | None:
        """The manager under the cursor."""
        table = self.query_one(DataTable)
        if self.data is None or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((p for p in self.data.profiles if p.login == key), None)

    @on(DataTable.RowHighlighted, "#managers")
    def _row_highlighted(self) -> None:
        self._show_detail()
        self.refresh_bindings()

    def _show_detail(self) -> None:
        detail = self.query_one("#detail", Static)
        p = self.highlighted()
        if p is None:
            detail.update(Content("No key account managers yet."))
            return
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column()
        title = f" · {safe(p.title)}" if p.title else ""
        grid.add_row(Text.assemble((safe(p.display_name), "bold"), f" ({p.login}){title}"))
        if p.warning:
            grid.add_row(Text(safe(p.warning), style="yellow"))
        accounts = ", ".join(p.accounts) if p.accounts else "none"
        grid.add_row(Text(safe(f"Runs {p.load} of at most {p.limit}: {accounts}")))
        if not p.trainings:
            grid.add_row(Text("No training recorded.", style="italic dim"))
        else:
            trainings = Table(box=None, padding=(0, 1), show_edge=False, expand=True)
            trainings.add_column("Taken on", no_wrap=True)
            trainings.add_column("Course")
            trainings.add_column("Note", ratio=1)
            for t in p.trainings:
                trainings.add_row(day(t.taken_on), Text(safe(t.course)), Text(safe(t.note)))
            grid.add_row(trainings)
        score = self.score_of(p.login)
        if score is not None:
            grid.add_row(_score_text(score))
        detail.update(grid)

    # ------------------------------------------------------------------ who may do what

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Editing skills and adding training exist for admins, with a manager highlighted."""
        permission = {"edit_skills": Action.SCORE_SKILLS, "add_training": Action.RECORD_TRAINING}
        if action in permission:
            return self.kam.may(permission[action]) and self.highlighted() is not None
        return True

    # ------------------------------------------------------------------ actions

    def action_edit_skills(self) -> None:
        """Score the highlighted manager's skills."""
        from screens.forms.skills_form import SkillsForm

        profile = self.highlighted()
        if profile is not None and self.data is not None:
            form = SkillsForm(profile).read_at(self.data.seen)  # the scores as the screen read
            self.app.push_screen(form, self._skills_saved)

    def _skills_saved(self, profile: ManagerProfileView | None) -> None:
        if profile is not None:
            self.notify(f"Skills of {safe(profile.display_name)} saved.", markup=False)

    def action_add_training(self) -> None:
        """Record a course the highlighted manager took."""
        from screens.forms.training_form import TrainingForm

        profile = self.highlighted()
        if profile is not None:
            self.app.push_screen(
                TrainingForm(profile.login, profile.display_name, today=self.kam.as_of),
                self._training_added,
            )

    def _training_added(self, training: TrainingView | None) -> None:
        if training is not None:
            self.notify(
                f"Training '{safe(training.course)}' recorded for {training.login}.", markup=False
            )


def _skill_cell(score: int | None) -> Text:
    """A skill score, red under the floor (3); a dash when unscored."""
    if score is None:
        return Text("–", style="yellow", justify="center")
    return Text(str(score), style="bold red" if score < SKILL_FLOOR else "", justify="center")


def _training_cell(trainings: list[TrainingView]) -> Text:
    """How many courses, and the newest."""
    if not trainings:
        return Text("none", style="dim")
    newest = trainings[0]
    return Text(safe(f"{len(trainings)} · {day(newest.taken_on)} {newest.course}"))


def _change(now: float, before: float) -> Text:
    """The change against a year before as a percentage, red when a fall."""
    shown = change_share(now, before)
    style = "red" if now < before and shown != "–" else "dim" if shown == "–" else ""
    return Text(shown, style=style, justify="right")


def _score_text(s: Score) -> Text:
    """A manager's whole scorecard in sentences (the table's columns in full)."""

    def count(n: int, noun: str) -> str:
        return f"{n} {noun}{'' if n == 1 else 's'}"

    reviews = (
        f"{s.on_time} of {s.due} reviews on time"
        if s.due
        else "no review came due in the last twelve months"
    )
    return Text(
        f"Scorecard: {count(s.accounts, 'open account')}; CLV {s.clv:,.0f} "
        f"({s.clv_change:+,.0f} against a year before); T12M profit after cost to serve "
        f"{s.profit:,.0f} ({s.profit_change:+,.0f} against the twelve months before); health "
        f"{s.green} green, {s.amber} amber, {s.red} red; "
        f"{count(s.overdue_commitments, 'overdue commitment')}, "
        f"{count(s.overdue_visits, 'overdue sponsor visit')}; {reviews}."
    )
