"""Managers: the skills matrix (scores under 3 highlighted), training records and load against
the manager limit; admins edit skills (e) and add training (t)."""

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
from textual.widgets import DataTable, Header, Static

from db.enums import Skill
from kam.rules.permissions import Action
from kam.services.staffing import SKILL_FLOOR
from screens.base import KamScreenMixin
from screens.formatting import day, safe
from screens.palette.screen_commands import ScreenCommands
from screens.widgets.footer import KamFooter

if TYPE_CHECKING:
    from kam.services.managers import ManagerProfileView, TrainingView
    from kam.services.programme import ProgrammeSettings

COLUMNS = ("Manager", "Load", *(s.value.capitalize() for s in Skill), "Training")


@dataclass(frozen=True)
class ManagersData:
    """The managers' profiles and the programme settings, read in one transaction."""

    profiles: list[ManagerProfileView]
    settings: ProgrammeSettings


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

    def __init__(self) -> None:
        super().__init__()
        self.data: ManagersData | None = None
        """What was last read."""

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        """Header, the rules, who may do what, the matrix, the highlighted manager."""
        yield Header()
        yield Static("Reading the managers…", id="rules")
        access = Static(self._access_line(), id="access")
        access.set_class(not self._is_admin, "-read-only")
        yield access
        yield DataTable(id="managers", cursor_type="row", zebra_stripes=True)
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
        self.action_reload()

    # ------------------------------------------------------------------ loading

    def action_reload(self) -> None:
        """Read the managers again in a worker."""
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="managers")
    def _load(self) -> None:
        from kam.services.managers import manager_profiles
        from kam.services.programme import load_settings

        with self.kam.database.reading() as session:
            data = ManagersData(manager_profiles(session), load_settings(session))
        self.post_message(self.Loaded(data))

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
        if profile is not None:
            self.app.push_screen(SkillsForm(profile), self._skills_saved)

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
