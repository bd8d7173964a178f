"""The base of kam's forms: typed modal screens that validate as you type and save in a worker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    Label,
    Select,
    SelectionList,
    Static,
    TextArea,
)

from kam.errors import ConflictError, InvalidData
from screens.base import KamScreenMixin, after_typed_keys, report_failed_worker, report_refusal

if TYPE_CHECKING:
    from sqlmodel import Session
    from textual.app import ComposeResult
    from textual.worker import Worker

ResultT = TypeVar("ResultT")


#: The forms' shared stylesheet, by absolute path: forms live in several packages, and a
#: relative CSS_PATH would be looked up beside each subclass.
FORM_CSS = Path(__file__).with_name("form.tcss")


class FormScreen(KamScreenMixin, ModalScreen[ResultT | None], Generic[ResultT]):
    """A modal form: fields with live problems, Save (ctrl+s / Enter) and Cancel (Escape).

    Subclasses yield their fields from `fields()`, read them in `collect()` (on the event
    loop) and call one service in `write()` (in a thread). The form closes with the
    service's view; a domain refusal is shown with its sentence and the form stays open
    (one about a field of the form at that field, as its own checks are); a conflict
    keeps an edit form open with what was typed (`watched`, `KEEP_ON_CONFLICT`), and
    closes any other so the reader reloads.
    """

    CSS_PATH = FORM_CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="form.cancel", tooltip="Close without saving."),
        Binding(
            "ctrl+s",
            "save",
            "Save",
            id="form.save",
            tooltip="Check the form and save it.",
            priority=True,
        ),
        # Moving between fields once the keys typed before Tab have acted in the field they
        # were typed in, and before those typed after it: "7", Tab, "8" typed together put
        # 78 in the first field, and Backspace then Tab deleted in the next one.
        Binding("tab", "next_field", "Next field", show=False, priority=True),
        Binding("shift+tab", "previous_field", "Previous field", show=False, priority=True),
    ]
    HEADING: ClassVar[str] = "Form"
    AUTO_FOCUS = ""  # the first field is focused without scrolling the heading away
    FIRST_FIELD: ClassVar[str] = "Input, Select, TextArea"
    """The widgets the keyboard starts on: the first of them."""
    KEEP_ON_CONFLICT: ClassVar[bool] = False
    """Whether a form without a watched record stays open on a conflict (its `write` then
    expects the version the refusal found, so that saving again replaces the other change)."""
    SERVICE_FIELDS: ClassVar[dict[str, str]] = {}
    """The field that shows a refusal about each service field whose name is not the
    field's id (service field name -> field id)."""

    class Saved(Message):
        """The service accepted the form; `view` is what it returned."""

        def __init__(self, view: Any) -> None:
            super().__init__()
            self.view = view

    def __init__(self) -> None:
        super().__init__()
        self._initial: dict[str, str] = {}
        self._hints: dict[str, str] = {}
        self._touched: set[str] = set()
        self._saving = False
        self._opened_with: dict[str, Any] | None = None
        """Every field's value once the form was drawn (what Escape compares with)."""
        self._warned = False
        self.watched: tuple[str, int | None] | None = None
        """The audited record (entity, id) an edit form changes: its save is refused when
        someone else changed the record after the values the form shows were read (`_seen`,
        `read_at`), or else after the form opened."""
        self.watched_field: str | None = None
        """The one field of `watched` the form changes, when others may change apart."""
        self._seen: int | None = None

    # ------------------------------------------------------------------ what subclasses give

    def read_at(self, seen: int | None) -> FormScreen[ResultT]:
        """The form shows values read when `seen` was the newest audit event (None: read
        when the form opens); a change after it refuses the save. Returns the form."""
        self._seen = seen
        return self

    def heading(self) -> Content:
        """The form's heading; customer names go in as Content, never markup."""
        return Content(self.HEADING)

    def fields(self) -> Iterator[Widget]:
        """The form's labelled fields (use `field()`)."""
        yield from ()

    def extra_problems(self) -> dict[str, str]:
        """Problems validators cannot see (required choices, fields that depend on each other)."""
        return {}

    def collect(self) -> dict[str, Any]:
        """The values to save, read from the widgets on the event loop."""
        return {}

    def write(self, session: Session, values: dict[str, Any]) -> ResultT:
        """Call the service (in a worker thread) and return its view."""
        raise NotImplementedError

    # ------------------------------------------------------------------ building blocks

    def field(self, label: str, widget: Widget, hint: str = "") -> Iterator[Widget]:
        """A label, the widget and the line that says what is wrong with it."""
        assert widget.id is not None, "form fields need an id"
        yield Label(Content(label), classes="field-label")
        if isinstance(widget, Input | Select | TextArea):
            widget.compact = True
        if isinstance(widget, Input):
            self._initial[widget.id] = widget.value
        yield widget
        self._hints[widget.id] = hint
        classes = "problem -hint" if hint else "problem"
        yield Static(Content(hint), id=f"{widget.id}-problem", classes=classes)

    def value(self, widget_id: str) -> str:
        """The stripped text of an Input or TextArea."""
        widget = self.query_one(f"#{widget_id}")
        if isinstance(widget, TextArea):
            return widget.text.strip()
        assert isinstance(widget, Input)
        return widget.value.strip()

    def choice(self, widget_id: str) -> Any:
        """The value of a Select, or None when nothing is chosen."""
        select = self.query_one(f"#{widget_id}", Select)
        return None if select.is_blank() else select.value

    def optional(self, widget_id: str) -> str | None:
        """The stripped text of an Input, or None when it is empty."""
        return self.value(widget_id) or None

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        """Heading, fields, the summary of problems, and the buttons."""
        with VerticalScroll(id="form"):
            yield Label(self.heading(), id="heading")
            yield from self.fields()
            yield Static("", id="problems")
            with Horizontal(id="buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        """Open at the top, the heading in view, the keyboard on the first field at once (so
        no key typed straight after opening is lost), and again once drawn if need be."""
        if self.watched is not None and self._seen is None:
            from kam.services.audit import newest_event_of

            with self.kam.database.reading() as session:
                self._seen = newest_event_of(session, *self.watched, field=self.watched_field)
        self._start()
        self.call_after_refresh(self._start)
        self.call_after_refresh(self._remember_values)

    def _remember_values(self) -> None:
        self._opened_with = self._values()

    def _values(self) -> dict[str, Any]:
        """What each field holds: the text of inputs and text areas, a select's choice, the
        ticks of a list or a checkbox."""
        values: dict[str, Any] = {}
        for widget in self.query("Input, TextArea, Select, SelectionList, Checkbox"):
            if isinstance(widget, Input):
                values[str(widget.id)] = widget.value
            elif isinstance(widget, TextArea):
                values[str(widget.id)] = widget.text
            elif isinstance(widget, SelectionList):
                values[str(widget.id)] = sorted(map(str, widget.selected))
            elif isinstance(widget, Select | Checkbox):
                values[str(widget.id)] = widget.value
        return values

    def _start(self) -> None:
        first = next((w for w in self.query(self.FIRST_FIELD) if w.focusable), None)
        if first is not None and (self.focused is None or self.focused.id == "form"):
            self.set_focus(first, scroll_visible=False)

    # ------------------------------------------------------------------ validation

    def _set_problem(self, widget_id: str, problem: str | None) -> None:
        line = self.query_one(f"#{widget_id}-problem", Static)
        hint = self._hints.get(widget_id, "")
        line.set_class(bool(problem), "-shown")
        line.set_class(not problem and bool(hint), "-hint")
        line.update(Content(problem or hint))

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        """Say what is wrong as soon as the user has typed in a field."""
        widget_id = event.input.id
        if widget_id is None or widget_id not in self._initial:
            return
        if widget_id not in self._touched and event.value == self._initial[widget_id]:
            return
        self._touched.add(widget_id)
        result = event.validation_result
        problem = None if result is None or result.is_valid else result.failure_descriptions[0]
        self._set_problem(widget_id, problem)

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        if event.select.id is not None and not event.select.is_blank():
            self._set_problem(event.select.id, None)

    def problems(self) -> dict[str, str]:
        """Every problem of the form now, by field id (inputs first, in order)."""
        found: dict[str, str] = {}
        for box in self.query(Input):
            if box.id is None or box.id not in self._initial:
                continue
            result = box.validate(box.value)
            if result is not None and not result.is_valid:
                found[box.id] = result.failure_descriptions[0]
        found.update(self.extra_problems())
        return found

    # ------------------------------------------------------------------ actions

    def _show_problems(self, problems: dict[str, str]) -> None:
        """Each field's problem under it, how many there are below, the first field focused."""
        for widget_id in self._hints:
            self._set_problem(widget_id, problems.get(widget_id))
        summary = self.query_one("#problems", Static)
        count = len(problems)
        summary.update(Content(f"Not saved: {count} field{'s' if count > 1 else ''} to fix."))
        summary.add_class("-shown")
        self.query_one(f"#{next(iter(problems))}").focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        """Close the form without saving. With something typed or chosen since it opened, the
        first Escape says so and leaves the form as it is; a second one closes it."""
        if not self._warned and self._opened_with is not None:
            if self._values() != self._opened_with:
                self._warned = True
                self.notify(
                    "Not saved: Escape again closes the form and drops the changes; "
                    "ctrl+s saves them.",
                    title="Unsaved changes", severity="warning", timeout=6, markup=False,
                )  # fmt: skip
                return
        self.dismiss(None)

    def action_next_field(self) -> None:
        """Go to the next field, after the keys typed before Tab (screens.base)."""
        after_typed_keys(self.app, self.app.action_focus_next)

    def action_previous_field(self) -> None:
        """Go to the previous field, after the keys typed before Shift+Tab."""
        after_typed_keys(self.app, self.app.action_focus_previous)

    def action_save(self) -> None:
        """Save if every field is right; else say what is wrong and go to the first problem."""
        after_typed_keys(self.app, self._save_now)

    def _save_now(self) -> None:
        if self._saving:
            return
        problems = self.problems()
        if problems:
            self._show_problems(problems)
            return
        for widget_id in self._hints:
            self._set_problem(widget_id, None)
        summary = self.query_one("#problems", Static)
        summary.update("")
        summary.remove_class("-shown")
        self.query_one("#save", Button).disabled = True
        self._saving = True
        self._save(self.collect())

    @work(thread=True, exclusive=True, exit_on_error=False, group="form-save")
    def _save(self, values: dict[str, Any]) -> None:
        with self.kam.database.writing() as session:
            if self.watched is not None and self._seen is not None:
                from kam.services.audit import newest_event_of, refuse_if_changed

                field = self.watched_field
                try:
                    refuse_if_changed(session, *self.watched, self._seen, field=field)
                except ConflictError:  # again: theirs go
                    self._seen = newest_event_of(session, *self.watched, field=field)
                    raise
            view = self.write(session, values)
        self.post_message(self.Saved(view))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        self.dismiss(message.view)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A refusal keeps the form open to fix; a conflict closes it so the reader reloads."""
        from textual.worker import WorkerState

        event.prevent_default()  # handled here, not again by KamScreenMixin
        if event.state != WorkerState.ERROR:
            return
        self._saving = False
        self.query_one("#save", Button).disabled = False
        error = event.worker.error
        if isinstance(error, ConflictError):
            report_refusal(self.app, error)
            if self.watched is None and not self.KEEP_ON_CONFLICT:
                self.dismiss(None)
            return
        if isinstance(error, InvalidData) and self._show_at_fields(error):
            return
        report_failed_worker(self.app, event.worker)

    def _show_at_fields(self, error: InvalidData) -> bool:
        """Show a refusal under the fields it is about, worded without the service's field
        names; False (nothing shown) when a field it names is not on this form."""
        found = {self.SERVICE_FIELDS.get(name, name): p for name, p in error.problems.items()}
        if not found or not all(widget_id in self._hints for widget_id in found):
            return False
        self._show_problems(found)
        return True
