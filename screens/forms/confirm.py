"""A yes/no question in a modal."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

if TYPE_CHECKING:
    from textual.app import ComposeResult


class ConfirmScreen(ModalScreen[bool]):
    """Ask a question; dismiss with True (y / Enter on Yes) or False (n / Escape)."""

    CSS_PATH = "confirm.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes", tooltip="Go ahead."),
        Binding("n", "answer(False)", "No", id="confirm.no", tooltip="Do nothing."),
        Binding("escape", "answer(False)", "Cancel", id="confirm.cancel", tooltip="Do nothing."),
    ]

    def __init__(self, question: Content, *, yes: str = "Yes") -> None:
        super().__init__()
        self.question = question
        """The question, as Content (so names in it are never markup)."""
        self.yes = yes
        """The label of the Yes button."""

    def compose(self) -> ComposeResult:
        """The question and two buttons."""
        with Vertical(id="dialog"):
            yield Static(self.question, id="question")
            with Horizontal(id="buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="primary")
                yield Button("No (n)", id="no")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        """Close with the answer."""
        self.dismiss(yes)
