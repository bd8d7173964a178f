"""The kam Textual app and the factory that builds it for the CLI and the tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from importlib import import_module
from time import monotonic
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from kam.rules import clock
from kam.rules.permissions import Action, allowed, standing
from screens.areas import AREAS as AREA_LIST
from screens.palette.accounts_commands import AccountsCommands

if TYPE_CHECKING:
    from textual.theme import Theme
    from textual.widget import AwaitMount

    from kam.database import Database
    from kam.identity import Actor
    from kam.rules.permissions import Account
    from kam.services.dashboard import Overview
    from screens.base import AfterTypedKeys
    from screens.launch import Early


@dataclass(frozen=True)
class Area:
    """A top-level area of the app: a mode, the key that opens it and its base screen."""

    mode: str
    title: str
    key: str
    screen: str
    """`module:Class` of the base screen, imported when the area is first opened."""

    def make_screen(self) -> Screen[None]:
        """Build the area's base screen."""
        module, _, name = self.screen.partition(":")
        return getattr(import_module(module), name)()  # type: ignore[no-any-return]


#: The top-level areas, in footer order (their list lives in screens.areas).
AREAS: tuple[Area, ...] = tuple(Area(*area) for area in AREA_LIST)

#: The area keys share one footer entry ("1234567 Areas"), so `? Keys` and `q Quit` stay
#: on an 80-column footer; the help panel (? or F1) names each area.
AREA_KEYS = Binding.Group("Areas", compact=True)


class KamApp(App[None]):
    """Key account management in the terminal."""

    TITLE = "kam"
    CSS_PATH = "kam.tcss"
    MODES: ClassVar = {area.mode: area.make_screen for area in AREAS}
    DEFAULT_MODE: ClassVar[str] = AREAS[0].mode
    COMMANDS: ClassVar = App.COMMANDS | {AccountsCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(
                area.key,
                f"switch_mode('{area.mode}')",
                area.title,
                id=f"app.area.{area.mode}",
                tooltip=f"Go to {area.title.lower()}.",
                group=AREA_KEYS,
            )
            for area in AREAS
        ),
        Binding(
            "escape", "go_back", "Back", id="app.back", tooltip="Go back one step.", show=False
        ),
        Binding(
            "escape",
            "close_help",
            "Close keys",
            id="app.close_help",
            tooltip="Close the panel listing every key.",
            show=False,
            priority=True,
        ),
        Binding("question_mark,f1", "help", "Keys", id="app.help", tooltip="Show every key."),
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Leave kam."),
    ]

    def __init__(
        self,
        database: Database,
        actor: Actor,
        *,
        as_of: date | None = None,
        area: str | None = None,
    ) -> None:
        if area is not None:
            if area not in self.MODES:
                raise ValueError(f"no area {area!r}; areas: {', '.join(self.MODES)}")
            self.DEFAULT_MODE = area  # type: ignore[misc]  # read by App.__init__, per app
        super().__init__()
        self.database = database
        """The open database; screens reach it only through kam services."""
        self.actor = actor
        """The identified user (door: tui)."""
        self.as_of = clock.on_or_today(as_of)
        """The day figures are computed for (today, unless a test or a replay fixes it)."""
        self.early_overview: Early[Overview] | None = None
        """The dashboard's figures, begun before the app was (screens.launch); taken once."""
        self._waiting = 0
        """Actions waiting for the keys typed before them (screens.base.after_typed_keys)."""
        self._held_keys: list[events.Key | events.Paste] = []
        """Keys typed after a waiting action's, held until it has run, in the order typed."""
        self._held_since = 0.0
        """When an action last began or ended waiting (monotonic seconds)."""
        self._edits: list[events.Key] = []
        """Text fields' editing keys on their way up to the app (`_editing`)."""

    def may(self, action: Action, account: Account | None = None) -> bool:
        """Whether the user may take `action` (on `account`): the rule the services enforce,
        so a screen offers a key exactly when it would be accepted."""
        return allowed(self.actor, action, account)

    async def on_event(self, event: events.Event) -> None:
        """Keys typed while an action waits for the keys before it wait in turn."""
        if (
            self._waiting
            and isinstance(event, events.Key | events.Paste)
            and not event.is_forwarded
        ):
            self._held_keys.append(event)
            return
        if isinstance(event, events.Key) and not event.is_forwarded and self._editing(event):
            self._edits.append(event)  # the keys after it wait until it has edited
            self.hold_keys()
        await super().on_event(event)

    def _editing(self, event: events.Key) -> bool:
        """Whether `event` is a text field's own editing key (Backspace, Delete, ctrl+u, an
        arrow…). Textual runs such a key's binding once the key has passed up through every
        container to the app, while the letters typed after it go straight into the field:
        "xy", Backspace, "z" typed together left "xy". So the keys after it wait for it
        (`_on_key`)."""
        from textual.widgets import Input, TextArea

        focused = self.focused
        if event.is_printable or not isinstance(focused, Input | TextArea):
            return False
        own = focused._bindings.key_to_bindings.get(event.key, ())
        return any(not binding.priority for binding in own)

    async def _on_key(self, event: events.Key) -> None:
        """A key that passed up to the app: its binding runs (as Textual's App runs it);
        the keys held behind an editing key go on once it has."""
        await App._on_key(self, event)
        event.prevent_default()  # App's own handler has just run
        if any(edit is event for edit in self._edits):
            self._edits = [edit for edit in self._edits if edit is not event]
            await self.run_after_typed_keys(lambda: None)

    def hold_keys(self) -> None:
        """Hold the keys typed from now on until the waiting action has run
        (run_after_typed_keys); should its message be lost, let them go after a second
        without progress."""
        self._held_since = monotonic()
        self._waiting += 1
        self.set_timer(1.0, self._release_stale, name="held keys")

    async def _release_stale(self) -> None:
        if self._waiting and monotonic() - self._held_since >= 0.95:
            self._waiting = 0
            self._edits.clear()  # a key stopped on its way up never reaches `_on_key`
            await self._release_keys()

    async def run_after_typed_keys(self, callback: Callable[[], object]) -> None:
        """Run an action that waited for the keys typed before it, then the keys held since."""
        self._waiting = max(self._waiting - 1, 0)
        self._held_since = monotonic()
        callback()
        if not self._waiting:
            await self._release_keys()

    async def _release_keys(self) -> None:
        while self._held_keys and not self._waiting:
            await self.on_event(self._held_keys.pop(0))

    async def on_after_typed_keys(self, message: AfterTypedKeys) -> None:
        """The keys typed before a priority binding's have had their effect: run its action
        (screens.base.after_typed_keys), then the keys typed after it."""
        await self.run_after_typed_keys(message.callback)

    def on_mount(self) -> None:
        """Show who is working and what they may do; use the theme chosen last time."""
        from screens import preferences

        actor = self.actor
        self.sub_title = f"{actor.display_name} ({actor.role.value}, {standing(actor)})"
        saved = preferences.load().get("theme")
        if isinstance(saved, str) and saved in self.available_themes:
            self.theme = saved
        self.theme_changed_signal.subscribe(self, self._keep_theme)

    def _keep_theme(self, theme: Theme) -> None:
        """Save the theme the user chose, for next time."""
        from screens import preferences

        preferences.save(theme=theme.name)

    def action_help(self) -> None:
        """Toggle the panel listing every key of the focused screen."""
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Escape closes the keys panel only while it is open (else it goes back, and the
        footer shows that)."""
        if action == "close_help":
            return bool(self.screen.query("HelpPanel"))
        return True

    def action_close_help(self) -> None:
        """Escape with the keys panel open closes the panel, and only the panel."""
        self.action_hide_help_panel()

    def action_go_back(self) -> None:
        """Close the top screen; on an area's first screen, go to the first area."""
        if len(self.screen_stack) > 1:
            self.pop_screen()
        elif self.current_mode != self.DEFAULT_MODE:
            self.switch_mode(self.DEFAULT_MODE)

    def switch_mode(self, mode: str) -> AwaitMount:
        """Go to an area. A screen of no area (the settings, opened from the palette) closes
        first: the area's key, now or on coming back, shows the area, not the settings."""
        while len(self.screen_stack) > 1 and getattr(self.screen, "AREA", "") is None:
            self.pop_screen()
        return super().switch_mode(mode)

    def open_account(self, customer: str) -> None:
        """Show a key account's sheet in the accounts area, from wherever the user is."""
        from screens.sheet.screen import AccountSheetScreen

        if self.current_mode != "accounts":
            self.switch_mode("accounts")
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(AccountSheetScreen(customer))

    def open_break_even(self) -> None:
        """Show the break-even work list in the candidates area, from wherever the user is."""
        from screens.areas.break_even import BreakEvenScreen

        if self.current_mode != "candidates":
            self.switch_mode("candidates")
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(BreakEvenScreen())

    def open_settings(self) -> None:
        """Show the programme settings (admins change them; others read them)."""
        from screens.admin.settings import SettingsScreen

        self.push_screen(SettingsScreen())

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The built-in commands plus one 'go: <area>' per area, and the break-even list."""
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "settings",
            "The programme settings (cap, threshold, limits, cadences); admins change them.",
            self.open_settings,
        )
        for area in AREAS:
            yield SystemCommand(
                f"go: {area.title.lower()}",
                f"Open the {area.title.lower()} area (key {area.key}).",
                lambda mode=area.mode: self.switch_mode(mode),  # type: ignore[misc]
            )
        yield SystemCommand(
            "go: break-even work list",
            "The customers below break-even, with what drives each loss (candidates, key b).",
            self.open_break_even,
        )


def create_app(
    database: Database,
    actor: Actor,
    *,
    as_of: date | None = None,
    area: str | None = None,
    early: Early[Overview] | None = None,
) -> KamApp:
    """Build the app for an open database and an identified user (figures as of `as_of`),
    opening on `area` (the dashboard unless said); `early`: the dashboard's figures, begun
    before the app (screens.launch)."""
    app = KamApp(database, actor, as_of=as_of, area=area)
    app.early_overview = early
    return app
