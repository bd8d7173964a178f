"""One person at the customer in a modal: who they are, the interactions they took part in
and the commitments made to them, read in a worker when it opens."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from screens.base import KamScreenMixin
from screens.formatting import day, first_line, safe, words
from screens.sheet.people_nodes import person_detail

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from kam.services.people import PeopleMap
    from kam.views import CommitmentView, ContactView, InteractionView


def interactions_table(interactions: list[InteractionView]) -> Table | Text:
    """The interactions a person took part in, newest first."""
    if not interactions:
        return Text("No interactions with them logged yet.", style="italic")
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold dim")
    for title in ("Date", "Kind", "Summary", "Logged by"):
        table.add_column(title, no_wrap=title != "Summary")
    for i in interactions:
        table.add_row(day(i.happened_on), words(i.kind), Text(first_line(i.summary, 80)),
                      Text(safe(i.logged_by)))  # fmt: skip
    return table


def commitments_table(commitments: list[CommitmentView]) -> Table | Text:
    """The promises made to a person, by due date."""
    if not commitments:
        return Text("No commitments made to them.", style="italic")
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold dim")
    for title in ("Due", "Status", "Promise", "Made by"):
        table.add_column(title, no_wrap=title != "Promise")
    for c in commitments:
        status = Text("OVERDUE", style="bold red") if c.overdue else Text(c.status)
        made_by = safe(c.made_by_name or c.made_by)
        if c.made_by_department:
            made_by += f" ({words(c.made_by_department)})"
        table.add_row(day(c.due_on), status, Text(first_line(c.description, 80)),
                      Text(made_by))  # fmt: skip
    return table


class PersonScreen(KamScreenMixin, ModalScreen[None]):
    """A person in full, their interactions and the commitments made to them; Escape closes."""

    CSS_PATH = "person_screen.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="person.close", tooltip="Back to the people."),
    ]

    class Loaded(Message):
        """Their interactions and commitments were read."""

        def __init__(
            self, interactions: list[InteractionView], commitments: list[CommitmentView]
        ) -> None:
            super().__init__()
            self.interactions = interactions
            self.commitments = commitments

    def __init__(self, person: ContactView, chart: PeopleMap) -> None:
        super().__init__()
        self.person = person
        """The person shown."""
        self.chart = chart
        """Their organisation chart (whom they report to, the counterpart)."""

    def compose(self) -> ComposeResult:
        """The person, then their interactions and commitments."""
        with VerticalScroll(id="person"):
            yield Static(person_detail(self.person, self.chart), id="person-who")
            yield Static(Content("Interactions they took part in"), classes="caption")
            yield Static(Text("Reading…", style="italic"), id="person-interactions")
            yield Static(Content("Commitments made to them"), classes="caption")
            yield Static(Text("Reading…", style="italic"), id="person-commitments")
            yield Static(Content("Escape closes."), id="person-hint")

    def on_mount(self) -> None:
        """Read their records."""
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="person")
    def _load(self) -> None:
        from kam.services.commitments import list_commitments
        from kam.services.interactions import list_interactions

        customer, person = self.chart.customer, self.person.id
        with self.kam.database.reading() as session:
            interactions = list_interactions(session, customer, contact_id=person)
            commitments = [
                c for c in list_commitments(session, customer, today=self.kam.as_of)
                if c.contact_id == person
            ]  # fmt: skip
        self.post_message(self.Loaded(interactions, commitments))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.query_one("#person-interactions", Static).update(
            interactions_table(message.interactions)
        )
        self.query_one("#person-commitments", Static).update(commitments_table(message.commitments))

    def action_close(self) -> None:
        """Back to the people."""
        self.dismiss(None)
