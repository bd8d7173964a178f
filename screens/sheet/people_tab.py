"""The account sheet's People tab: the customer's organisation chart as a tree (the people
who report to nobody at the top, their reports below), the highlighted person in full and
the coverage findings under it. Enter shows a person's interactions and commitments."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static, Tree

from kam.rules.permissions import Action
from screens.base import KamScreenMixin, after_typed_keys
from screens.sheet import people_nodes as nodes

if TYPE_CHECKING:
    from textual.events import Resize

    from kam.services.people import PeopleMap
    from kam.views import AccountView, ContactView

#: Each action on a person: the permission it needs, and whether it needs a person.
PEOPLE_ACTIONS: dict[str, tuple[Action | None, bool]] = {
    "add_contact": (Action.EDIT_RECORDS, False),
    "edit_contact": (Action.EDIT_RECORDS, True),
    "set_counterpart": (Action.EDIT_ACCOUNT, True),
    "clear_counterpart": (Action.EDIT_ACCOUNT, True),
    "open_person": (None, True),
}

#: Cells each level of the chart is indented by.
INDENT = 3


def _key(key: str, action: str, description: str, tooltip: str, **options: Any) -> Binding:
    return Binding(key, action, description, id=f"sheet.people.{action}", tooltip=tooltip,
                   **options)  # fmt: skip


class PeopleTab(KamScreenMixin, Vertical):
    """The customer's people as a chart; adding and editing them is the account editors'
    (EDIT_RECORDS), pairing one with our sponsor the account's (EDIT_ACCOUNT)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        _key(
            "enter",
            "open_person",
            "Person",
            "Their interactions and the commitments made to them.",
            priority=True,
        ),  # fmt: skip
        _key("a", "add_contact", "Add person", "Add a person at the customer."),
        _key("e", "edit_contact", "Edit person", "Correct the highlighted person."),
        _key(
            "c",
            "set_counterpart",
            "Counterpart",
            "Pair the highlighted person with our executive sponsor.",
        ),  # fmt: skip
        _key(
            "c",
            "clear_counterpart",
            "Unpair",
            "The highlighted person is no longer our sponsor's counterpart.",
        ),  # fmt: skip
    ]

    class Saved(Message):
        """A change was accepted."""

        def __init__(self, what: str) -> None:
            super().__init__()
            self.what = what

    class Changed(Message):
        """The people changed: the sheet reads its records again."""

    def __init__(self, customer: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.customer = customer
        """The customer's name, as the services look it up."""
        self.account: AccountView | None = None
        """The account: whose rule applies."""
        self.chart: PeopleMap | None = None
        """The people as last read."""
        self.seen: int | None = None
        """The newest audit event when they were read (what their edit forms saw)."""
        self._added: int | None = None
        """The id of a person just added: the cursor goes to them once read."""

    def compose(self) -> ComposeResult:
        """The count line, the column titles, the chart, and below it the highlighted
        person and the coverage findings."""
        yield Static("", id="people-count", classes="count")
        yield Static("", id="people-header")
        tree: Tree[ContactView] = Tree("people", id="people-tree")
        tree.show_root = False
        tree.auto_expand = False
        tree.guide_depth = INDENT
        yield tree
        with VerticalScroll(id="people-below"), Horizontal(id="people-panes"):
            yield Static("", id="people-detail")
            yield Static("", id="people-findings")

    def on_resize(self, event: Resize) -> None:
        """Below 100 columns the person and the findings stack (Tab reaches them to scroll);
        the lines keep to the columns that fit."""
        self.query_one("#people-panes").set_class(event.size.width < 100, "-narrow")
        if self.chart is not None:
            self._fill(self.chart)

    # ------------------------------------------------------------------ showing

    def show(self, chart: PeopleMap, account: AccountView, *, seen: int | None = None) -> None:
        """Show the people as read with the sheet's records (`seen`: the newest audit event
        then)."""
        self.chart, self.account, self.seen = chart, account, seen
        self._fill(chart)

    def may(self, action: Action) -> bool:
        """Whether the user may take `action` on this account (the services' own rule)."""
        return self.account is not None and self.kam.may(action, self.account)

    def _count_line(self, chart: PeopleMap) -> Content:
        n = len(chart.people)
        text = f"{n} {'person' if n == 1 else 'people'}"
        overdue = sum(p.overdue for p in chart.people)
        if overdue:
            text += f", {overdue} out of touch"
        found = len(chart.findings)
        if found:
            text += f" · {found} coverage finding{'' if found == 1 else 's'}"
        if self.may(Action.EDIT_RECORDS):
            text += " · press a to add one"
        return Content(text)

    def _fill(self, chart: PeopleMap) -> None:
        """Rebuild the chart, keeping the cursor on the person it was on."""
        self.query_one("#people-count", Static).update(self._count_line(chart))
        tree: Tree[ContactView] = self.query_one("#people-tree", Tree)
        before = self.highlighted()
        by_id = {p.id: p for p in chart.people}
        offsets: dict[int, int] = {}

        def measure(pid: int, depth: int) -> None:
            offsets[pid] = depth * INDENT + (2 if chart.reports.get(pid) else 0)
            for report in chart.reports.get(pid, []):
                measure(report, depth + 1)

        for root in chart.roots:
            measure(root, 0)
        width = tree.size.width or self.size.width or 120
        cols = nodes.columns(chart, offsets, width=width - 1)
        header = cols.header(width - 1) if chart.people else ""
        self.query_one("#people-header", Static).update(header)
        tree.clear()

        def add(parent: Any, pid: int) -> None:
            p = by_id[pid]
            label = nodes.person_label(p, cols, offset=offsets[pid],
                                       counterpart=chart.counterpart_id == pid)  # fmt: skip
            reports = chart.reports.get(pid, [])
            node = parent.add(label, p, expand=True, allow_expand=bool(reports))
            for report in reports:
                add(node, report)

        for root in chart.roots:
            add(tree.root, root)
        _ = tree.last_line  # lay the lines out now, so the cursor can go back to its person
        wanted = self._added if self._added is not None else before.id if before else None
        found = _find(tree.root, wanted) if wanted is not None else None
        self._added = None
        if found is None and tree.root.children:
            found = tree.root.children[0]
        if found is not None:
            tree.move_cursor(found)
        self._show_detail(found.data if found is not None else None)
        self.query_one("#people-findings", Static).update(nodes.findings_text(chart.findings))

    def _show_detail(self, person: ContactView | None) -> None:
        detail = self.query_one("#people-detail", Static)
        if self.chart is None or person is None:
            detail.update(Text("Nobody yet: the people who buy, decide and block.", style="dim"))
        else:
            detail.update(nodes.person_detail(person, self.chart))

    def highlighted(self) -> ContactView | None:
        """The person under the cursor."""
        node = self.query_one("#people-tree", Tree).cursor_node
        return node.data if node is not None else None

    @on(Tree.NodeHighlighted, "#people-tree")
    def _node_highlighted(self, event: Tree.NodeHighlighted[ContactView]) -> None:
        self._show_detail(event.node.data)
        self.screen.refresh_bindings()

    @on(Tree.NodeSelected, "#people-tree")
    def _node_selected(self) -> None:
        """A click on a person shows them (Enter does through its binding)."""
        self.action_open_person()

    # ------------------------------------------------------------------ who may do what

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A key exists only for those the rule allows, on a person when it acts on one."""
        if action not in PEOPLE_ACTIONS:
            return True
        permission, needs_person = PEOPLE_ACTIONS[action]
        if self.chart is None or (permission is not None and not self.may(permission)):
            return False
        person = self.highlighted()
        if needs_person and person is None:
            return False
        if action in ("set_counterpart", "clear_counterpart"):
            paired = person is not None and self.chart.counterpart_id == person.id
            return paired == (action == "clear_counterpart")
        return True

    # ------------------------------------------------------------------ acting

    def _after(self, what: str, *, added: bool = False) -> Callable[[Any], None]:
        """What follows a form's save: say so, read again; a person added gets the cursor."""

        def done(view: Any) -> None:
            if view is not None:
                if added:
                    self._added = view.id
                self.post_message(self.Saved(what))

        return done

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        self.notify(message.what, markup=False)
        self.post_message(self.Changed())

    def action_open_person(self) -> None:
        """Show the highlighted person with their interactions and commitments."""
        after_typed_keys(self.app, self._open_person_now)

    def _open_person_now(self) -> None:
        from screens.sheet.person_screen import PersonScreen

        person = self.highlighted()
        if person is not None and self.chart is not None:
            self.app.push_screen(PersonScreen(person, self.chart))

    def action_add_contact(self) -> None:
        """Add a person at the customer."""
        from screens.sheet.contact_form import ContactForm

        people = self.chart.people if self.chart else []
        self.app.push_screen(ContactForm(self.customer, people=people),
                             self._after("Person added.", added=True))  # fmt: skip

    def action_edit_contact(self) -> None:
        """Correct the highlighted person."""
        from screens.sheet.contact_form import ContactForm

        person = self.highlighted()
        if person is not None and self.chart is not None:
            form = ContactForm(self.customer, person, people=self.chart.people)
            self.app.push_screen(form.read_at(self.seen), self._after("Person saved."))

    def action_set_counterpart(self) -> None:
        """Pair the highlighted person with our executive sponsor."""
        person = self.highlighted()
        if person is not None:
            self._pair(person.id, f"{person.name} is our sponsor's counterpart.")

    def action_clear_counterpart(self) -> None:
        """Unpair the highlighted person from our executive sponsor."""
        self._pair(None, "Our sponsor has no counterpart now.")

    @work(thread=True, exclusive=True, exit_on_error=False, group="sheet-people-write")
    def _pair(self, contact_id: int | None, what: str) -> None:
        from kam.services.people import set_counterpart

        with self.kam.database.writing() as session:
            set_counterpart(session, self.kam.actor, self.customer, contact_id)
        self.post_message(self.Saved(what))


def _find(node: Any, person_id: int) -> Any:
    """The tree node of a person, or None."""
    if node.data is not None and node.data.id == person_id:
        return node
    for child in node.children:
        found = _find(child, person_id)
        if found is not None:
            return found
    return None
