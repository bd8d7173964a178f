"""Programme settings: every setting in force with its meaning; admins change one (Enter),
with the checks `kam programme set` makes; everyone else reads them and is told why."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Checkbox, Header, Input, Static

from kam.rules.permissions import Action, may
from screens.base import KamScreenMixin, after_typed_keys
from screens.forms.form import FormScreen
from screens.widgets.data_table import DataTable
from screens.widgets.footer import KamFooter

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.services.programme import MinimumProfit, ProgrammeSettings

COLUMNS = ("Setting", "Value", "Default", "Meaning")

#: Settings that may be set below what the programme already holds, when the admin says so.
FORCEABLE = ("cap", "sponsor_limit", "manager_limit")

#: The box that sets one of them anyway.
FORCE = "Even below what the programme already holds"


def shown(value: object) -> str:
    """A setting's value as it reads ('–' for none)."""
    if value is None:
        return "–"
    return f"{value:g}" if isinstance(value, float) else str(value)


class SettingsScreen(KamScreenMixin, Screen[None]):
    """The programme settings in force; Enter changes the highlighted one (admins)."""

    AREA: ClassVar[str | None] = None
    """Of no area: an area's key closes it (KamApp.switch_mode)."""
    PALETTE_NOUN = "settings"
    TITLE = "Programme settings"
    AUTO_FOCUS = "#settings"
    DEFAULT_CSS = """
    SettingsScreen #settings { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "change",
            "Change",
            id="settings.change",
            tooltip="Change the highlighted setting (or restore its default).",
            priority=True,
        ),
        Binding("r", "reload", "Reload", id="settings.reload", tooltip="Read the settings again."),
        Binding("escape", "back", "Back", id="settings.back", tooltip="Close the settings."),
    ]

    class Loaded(Message):
        """The settings in force (and the minimum profit worked out) were read."""

        def __init__(self, settings: ProgrammeSettings, least: MinimumProfit, seen: int) -> None:
            super().__init__()
            self.settings = settings
            self.least = least
            self.seen = seen
            """The newest audit event when they were read."""

    def __init__(self) -> None:
        super().__init__()
        self.settings: ProgrammeSettings | None = None
        """The settings as last read."""
        self.seen: int | None = None
        """The newest audit event when they were read (what a setting's form saw)."""

    def compose(self) -> ComposeResult:
        """Header, who may change them, the table, footer."""
        yield Header()
        refusal = may(self.kam.actor, Action.CHANGE_SETTINGS)
        access = Static(
            Content("Enter changes the highlighted setting; 'default' restores its default.")
            if refusal is None
            else Content(f"Read-only: {refusal.reason}"),
            id="access",
        )
        access.set_class(refusal is not None, "-read-only")
        yield access
        yield DataTable(id="settings", cursor_type="row", zebra_stripes=True)
        yield Static("Reading the settings…", id="status")
        yield KamFooter()

    def on_mount(self) -> None:
        """Set the columns and read."""
        self.query_one(DataTable).add_columns(*COLUMNS)
        self.action_reload()

    def action_reload(self) -> None:
        """Read the settings again in a worker."""
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="settings")
    def _load(self) -> None:
        from kam.services.audit import newest_event
        from kam.services.programme import load_settings, minimum_profit

        with self.kam.database.reading() as session:
            seen = newest_event(session)  # first: a change after it is one the form may miss
            settings = load_settings(session)
            least = minimum_profit(session, as_of=self.kam.as_of)
        self.post_message(self.Loaded(settings, least, seen))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        from kam.rules.programme import DESCRIPTIONS, ProgrammeSettings

        self.settings, self.seen = message.settings, message.seen
        defaults = asdict(ProgrammeSettings())
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for key, value in asdict(message.settings).items():
            if key not in DESCRIPTIONS:
                continue
            text = f"{message.least.value:,.2f}" if key == "min_profit" else shown(value)
            changed = value != defaults[key]
            table.add_row(
                Text(key, style="bold" if changed else ""),
                Text(text, style="bold" if changed else ""),
                Text(shown(defaults[key]), style="dim"),
                Text(DESCRIPTIONS[key]),
                key=key,
            )
        table.move_cursor(row=min(row, table.row_count - 1))
        self.query_one("#status", Static).update(
            Content(f"min_profit in force: {message.least.explained()}")
        )
        self.refresh_bindings()

    def highlighted(self) -> str | None:
        """The setting under the cursor."""
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        value = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return str(value) if value is not None else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Changing exists for those the rule allows (admins), on a setting."""
        if action == "change":
            return self.kam.may(Action.CHANGE_SETTINGS) and self.highlighted() is not None
        return True

    @on(DataTable.RowSelected, "#settings")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.check_action("change", ()):
            self.action_change()

    def action_change(self) -> None:
        """Ask for the highlighted setting's new value."""
        after_typed_keys(self.app, self._change_now)

    def _change_now(self) -> None:
        key = self.highlighted()
        if key is None or self.settings is None:
            return
        current = getattr(self.settings, key)
        self.app.push_screen(SettingForm(key, current).read_at(self.seen), self._changed)

    def _changed(self, settings: ProgrammeSettings | None) -> None:
        if settings is not None:
            self.notify("Programme setting saved.", markup=False)
            self.action_reload()

    def action_back(self) -> None:
        """Close the settings."""
        self.app.pop_screen()


class SettingForm(FormScreen["ProgrammeSettings"]):
    """Change one programme setting through `kam programme set`'s service: its range, the
    other settings it must agree with, and (for a cap or a limit) what is already held."""

    def __init__(self, key: str, current: object) -> None:
        super().__init__()
        self.key = key
        """The setting's name."""
        self.current = current
        """Its value in force (None: none set)."""
        self.watched, self.watched_field = ("programme_setting", None), key

    def heading(self) -> Content:
        """'Programme setting <key>'."""
        return Content.assemble("Programme setting ", (self.key, "bold"))

    def fields(self) -> Iterator[Widget]:
        """The value; for a cap or a limit, whether to set it below what is held."""
        from kam.rules.programme import DEFAULT_WORD, DESCRIPTIONS, LIMITS

        kind, low, high = LIMITS[self.key]
        word = "a whole number" if kind is int else "a number"
        yield from self.field(
            DESCRIPTIONS[self.key].capitalize(),
            Input("" if self.current is None else shown(self.current), id="value"),
            hint=f"{word} from {low:g} to {high:g}, or '{DEFAULT_WORD}' for the default.",
        )
        if self.key in FORCEABLE:
            yield Checkbox(FORCE, id="force")

    def extra_problems(self) -> dict[str, str]:
        """A value is required (the service checks its range and the other settings)."""
        if not self.value("value"):
            return {"value": "Give a value, or 'default'."}
        return {}

    def collect(self) -> dict[str, Any]:
        """The value, and whether to force it."""
        force = bool(self.query("#force")) and self.query_one("#force", Checkbox).value
        return {"value": self.value("value"), "force": force}

    def write(self, session: Session, values: dict[str, Any]) -> ProgrammeSettings:
        """Set it, as `kam programme set` does."""
        from kam.errors import ForceableRefusal, RuleError
        from kam.services.programme import set_setting

        try:
            return set_setting(session, self.kam.actor, self.key, values["value"],
                               force=values["force"])  # fmt: skip
        except ForceableRefusal as refusal:
            raise RuleError(f"{refusal} Tick '{FORCE}' to set it anyway.") from None
