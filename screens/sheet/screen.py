"""The account sheet: one key account on tabs, read by all, edited by its manager and admins."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static, TabbedContent, TabPane

from db.enums import AccountStatus, ComplaintStatus, InteractionKind, Role
from kam.rules import lifecycle
from kam.rules.permissions import Action, interaction_action
from screens.base import KamScreenMixin
from screens.formatting import safe, words
from screens.sheet.panels import (
    clv_table,
    essentials_table,
    opportunities_table,
    standing_table,
    who_table,
    worth_table,
)
from screens.sheet.people_tab import PeopleTab
from screens.sheet.plan_tab import PlanTab
from screens.sheet.records import CELLS, COLUMNS, DETAILS, TABS, SheetRecords, count_line
from screens.widgets.data_table import DataTable
from screens.widgets.footer import KamFooter
from screens.widgets.trend_chart import TrendChart

if TYPE_CHECKING:
    from kam.figures.worth import Worth
    from kam.sheet import Sheet
    from kam.views import AccountView, ContactView
    from screens.sheet.objective_form import Suggestion

#: Editing actions: the tab each belongs to, the permission it needs, and whether it needs
#: a highlighted row. (The plan's and the people's keys live on their tabs: PlanTab,
#: PeopleTab.)
EDIT_ACTIONS: dict[str, tuple[str, Action, bool]] = {
    "edit_account": ("overview", Action.EDIT_ACCOUNT, False),
    "assign_sponsor": ("overview", Action.ASSIGN_SPONSOR, False),
    "assign_manager": ("overview", Action.ASSIGN_MANAGER, False),
    "retire": ("overview", Action.RETIRE, False),
    "log_interaction": ("interactions", Action.LOG_INTERACTION, False),
    "edit_interaction": ("interactions", Action.LOG_INTERACTION, True),
    "add_commitment": ("commitments", Action.EDIT_RECORDS, False),
    "close_commitment": ("commitments", Action.EDIT_RECORDS, True),
    "reopen_commitment": ("commitments", Action.EDIT_RECORDS, True),
    "correct_commitment": ("commitments", Action.EDIT_RECORDS, True),
    "record_complaint": ("complaints", Action.EDIT_RECORDS, False),
    "advance_complaint": ("complaints", Action.EDIT_RECORDS, True),
    "correct_complaint": ("complaints", Action.EDIT_RECORDS, True),
}

#: The permission that adding a record on each tab needs (for the count line's hint).
ADD_ACTIONS: dict[str, Action] = {
    "interactions": Action.LOG_INTERACTION,
    "commitments": Action.EDIT_RECORDS,
    "complaints": Action.EDIT_RECORDS,
}


#: The tabs' names on a narrow terminal.
SHORT_TABS = {
    "overview": "Over",
    "people": "Ppl",
    "metrics": "Metr",
    "interactions": "Int",
    "commitments": "Comm",
    "complaints": "Cmpl",
    "reviews": "Rev",
    "history": "Hist",
}


def _edit_binding(key: str, action: str, description: str, tooltip: str) -> Binding:
    return Binding(key, action, description, id=f"sheet.{action}", tooltip=tooltip)


class AccountSheetScreen(KamScreenMixin, Screen[None]):
    """One key account: overview, plan, people, metrics, interactions, commitments,
    complaints, reviews, history. Executives and viewers read it (executives comment on the
    plan); its manager and admins edit it."""

    AREA = "accounts"
    PALETTE_NOUN = "sheet"
    TITLE = "Account sheet"
    CSS_PATH = "screen.tcss"
    AUTO_FOCUS = "#overview-scroll"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="sheet.back", tooltip="Back to the key accounts."),
        Binding("r", "reload", "Reload", id="sheet.reload", tooltip="Read the account again."),
        *(
            Binding(
                str(n),
                f"show_tab('{tab}')",
                title,
                id=f"sheet.tab.{tab}",
                tooltip=f"Show the {title.lower()} tab.",
                show=False,
            )
            for n, (tab, title) in enumerate(TABS, start=1)
        ),
        _edit_binding("e", "edit_account", "Edit account", "Change review date, notes, overrides."),
        _edit_binding("p", "assign_sponsor", "Sponsor", "Choose the executive sponsor."),
        _edit_binding("k", "assign_manager", "Manager", "Choose the key account manager."),
        _edit_binding("x", "retire", "Retire", "Retire it from the programme, saying why."),
        _edit_binding("a", "log_interaction", "Log interaction", "Log a visit, call or meeting."),
        _edit_binding(
            "e", "edit_interaction", "Edit interaction", "Correct the highlighted interaction."
        ),
        _edit_binding("a", "add_commitment", "Add commitment", "Record a promise made."),
        _edit_binding(
            "e", "close_commitment", "Done/broken", "Mark the highlighted promise kept or broken."
        ),
        _edit_binding(
            "e", "reopen_commitment", "Reopen", "Reopen the highlighted promise (or correct it)."
        ),
        _edit_binding(
            "c",
            "correct_commitment",
            "Correct",
            "Correct what was promised, its department or due date.",
        ),
        _edit_binding("a", "record_complaint", "Record complaint", "Record a new complaint."),
        _edit_binding(
            "e", "advance_complaint", "Advance", "Move the highlighted complaint to its next step."
        ),
        _edit_binding(
            "c",
            "correct_complaint",
            "Correct",
            "Correct the complaint's summary, severity or resolution.",
        ),
    ]

    class RecordsLoaded(Message):
        """The account and its records were read."""

        def __init__(self, records: SheetRecords) -> None:
            super().__init__()
            self.records = records

    class WorthLoaded(Message):
        """The account's sheet (its figures computed once) was built."""

        def __init__(self, sheet: Sheet) -> None:
            super().__init__()
            self.sheet = sheet

    def __init__(
        self, customer: str, *, tab: str | None = None, suggestion: Suggestion | None = None
    ) -> None:
        super().__init__()
        self.customer = customer
        """The customer's name, as the services look it up."""
        self.first_tab = tab
        """The tab to show first (default: the overview)."""
        self.suggestion = suggestion
        """An objective the plan tab offers to add (from the whitespace matrix)."""
        self.records: SheetRecords | None = None
        """The records as last read."""
        self.sheet: Sheet | None = None
        """The sheet (figures, standing) as last built."""
        self._added: dict[str, int] = {}
        """Per record tab, the id of a record just added: the cursor goes to it once read."""

    @property
    def worth(self) -> Worth | None:
        """The account's figures as last computed (those of the sheet)."""
        return self.sheet.worth if self.sheet else None

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        """Header, who-and-what banner, the tabs, footer."""
        yield Header()
        yield Static(Content(safe(self.customer)), id="banner")
        yield Static("", id="access")
        with TabbedContent(id="tabs"):
            with TabPane(f"1 {TABS[0][1]}", id="overview"):
                with VerticalScroll(id="overview-scroll"):
                    yield Static("", id="essentials")
                    with Horizontal(id="overview-columns"):
                        yield Static("Loading…", id="who")
                        yield Static("Computing figures…", id="worth")
                    yield Static("", id="standing")
            with TabPane(f"2 {TABS[1][1]}", id="plan"):
                yield PlanTab(self.customer, id="plan-tab")
            with TabPane(f"3 {TABS[2][1]}", id="people"):
                yield PeopleTab(self.customer, id="people-tab")
            with TabPane(f"4 {TABS[3][1]}", id="metrics"):
                with VerticalScroll(id="metrics-scroll"):
                    yield Static(Content("Profit and cost to serve by year"), classes="caption")
                    yield TrendChart(id="trend")
                    yield Static(Content("Customer lifetime value"), classes="caption")
                    yield Static("Computing figures…", id="clv")
                    yield Static(
                        Content("Top whitespace opportunities (T12M gross margin)"),
                        classes="caption",
                    )
                    yield Static("Computing figures…", id="opportunities")
            for n, (tab, title) in enumerate(TABS[4:], start=5):
                with TabPane(f"{n} {title}", id=tab):
                    yield Static("", id=f"{tab}-count", classes="count")
                    yield DataTable(id=f"{tab}-table", cursor_type="row", zebra_stripes=True)
                    with VerticalScroll(id=f"{tab}-detail-scroll", classes="record-detail"):
                        yield Static("", id=f"{tab}-detail")
        yield KamFooter()

    def on_resize(self) -> None:
        """Below 100 columns the overview's two halves stack under the essentials; below 110
        the tabs take short names, so that all nine stay in view (? lists them in full)."""
        narrow = self.size.width < 100
        self.query_one("#overview-columns").set_class(narrow, "-narrow")
        self.query_one("#essentials").display = narrow
        tabs = self.query_one(TabbedContent)
        for n, (tab, title) in enumerate(TABS, start=1):
            name = title if self.size.width >= 110 else SHORT_TABS.get(tab, title)
            tabs.get_tab(tab).label = f"{n} {name}"

    def on_mount(self) -> None:
        """Set the tables' columns and read the account."""
        for tab, columns in COLUMNS.items():
            self.query_one(f"#{tab}-table", DataTable).add_columns(*columns)
        self.query_one(PlanTab).suggestion = self.suggestion
        if self.first_tab:
            self.action_show_tab(self.first_tab)
        self.action_reload()

    # ------------------------------------------------------------------ loading

    def action_reload(self) -> None:
        """Read the account, its records, its plan and its figures again."""
        self._load_records()
        self.query_one(PlanTab).load()
        self._load_worth()

    @work(thread=True, exclusive=True, exit_on_error=False, group="sheet-records")
    def _load_records(self) -> None:
        from kam.services.accounts import get_account
        from kam.services.audit import list_events, newest_event
        from kam.services.commitments import list_commitments
        from kam.services.complaints import list_complaints
        from kam.services.interactions import list_interactions
        from kam.services.people import people_map
        from kam.services.reviews import list_reviews

        name = self.customer
        with self.kam.database.reading() as session:
            seen = newest_event(session)  # first: a change after it is one the form may miss
            account = get_account(session, name)
            records = SheetRecords(
                account=account,
                people=people_map(session, name, as_of=self.kam.as_of),
                interactions=list_interactions(session, name),
                commitments=list_commitments(session, name, today=self.kam.as_of),
                complaints=list_complaints(session, name),
                reviews=list_reviews(session, name),
                history=list_events(session, customer_id=account.customer_id),
                seen=seen,
            )
        self.post_message(self.RecordsLoaded(records))

    @work(thread=True, exclusive=True, exit_on_error=False, group="sheet-worth")
    def _load_worth(self) -> None:
        from kam.services import snapshots
        from kam.sheet import build_sheet

        # Today's health is kept after the sheet is shown (a short write, for roles that write).
        with snapshots.reading(self.kam.database, self.kam.actor) as session:
            self.post_message(
                self.WorthLoaded(build_sheet(session, self.customer, as_of=self.kam.as_of))
            )

    @on(RecordsLoaded)
    def _records_loaded(self, message: RecordsLoaded) -> None:
        self.records = message.records
        self.customer = message.records.account.customer
        records = message.records
        self._show_account(records.account)
        self._fill_tables(records)
        self.query_one(PlanTab).show_account(records.account, records.contacts)
        self.query_one(PeopleTab).show(records.people, records.account, seen=records.seen)
        self.refresh_bindings()

    @on(PlanTab.Changed)
    @on(PeopleTab.Changed)
    def _tab_changed(self) -> None:
        """A change on the plan or the people: the history, the people's coverage (and the
        plan, after a person's change) follow, and so does the overview."""
        self._reread()

    def _reread(self) -> None:
        """After a change saved on any tab: the records and the overview's figures and
        standing (health and its reasons, the last sponsor visit, what is open) again."""
        self._load_records()
        self._load_worth()

    @on(WorthLoaded)
    def _worth_loaded(self, message: WorthLoaded) -> None:
        sheet = self.sheet = message.sheet
        self.query_one("#essentials", Static).update(essentials_table(sheet))
        self.query_one("#worth", Static).update(worth_table(sheet.worth))
        self.query_one("#clv", Static).update(clv_table(sheet.worth))
        self.query_one("#opportunities", Static).update(opportunities_table(sheet))
        self.query_one(TrendChart).show(sheet.worth.years)
        self.query_one("#standing", Static).update(standing_table(sheet))

    # ------------------------------------------------------------------ who may do what

    def may(self, action: Action) -> bool:
        """Whether the user may take `action` on this account (the services' own rule)."""
        account = self.records.account if self.records else None
        return account is not None and self.kam.may(action, account)

    def _access_line(self, account: AccountView) -> Content:
        if self.may(Action.EDIT_RECORDS):
            return Content("")
        if self.may(Action.LOG_INTERACTION):
            retire = " and may retire it (x)" if lifecycle.is_member(account.status) else ""
            return Content(
                "You sponsor this account: you read it, log executive visits (tab 5, key a), "
                f"comment on its plan (tab 2, key c){retire}."
            )
        role = self.kam.actor.role
        if role == Role.VIEWER:
            return Content("Read-only: viewers see everything and change nothing.")
        if role == Role.EXECUTIVE:
            return Content(
                "Executives read account sheets, comment on plans (tab 2, key c), decide "
                "admissions and retire members (x); managers and admins edit."
            )
        manager = safe(account.manager_name) or "no manager yet"
        return Content.assemble(
            "Read-only: this account is managed by ", manager, "; only they and admins edit it."
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Editing keys exist only on their tab, and only for those the rule allows."""
        if action not in EDIT_ACTIONS:
            return True
        tab, permission, needs_row = EDIT_ACTIONS[action]
        if self.records is None or self._active_tab() != tab:
            return False
        if not self.may(permission):
            return False
        if action in ("assign_sponsor", "assign_manager") and not lifecycle.is_open(
            self.records.account.status
        ):
            return False  # closed accounts take no new sponsor or manager
        if action == "retire" and not lifecycle.can_move(
            AccountStatus(self.records.account.status), AccountStatus.RETIRED, by="retire"
        ):
            return False  # only members are retired
        row = self._highlighted(tab)
        if needs_row and row is None:
            return False
        if action in ("close_commitment", "reopen_commitment"):
            return lifecycle.commitment_is_open(row.status) == (action == "close_commitment")
        if action == "advance_complaint":
            return lifecycle.complaint_next(ComplaintStatus(row.status)) is not None
        if action == "edit_interaction":  # an executive visit is the sponsor's
            return self.may(interaction_action(row.kind))
        return True

    # ------------------------------------------------------------------ showing

    def _show_account(self, a: AccountView) -> None:
        place = ", ".join(p for p in (a.industry, a.region) if p)
        self.query_one("#banner", Static).update(
            Content.assemble(
                (safe(a.customer), "bold"),
                f"  ·  {words(a.status)}",
                f"  ·  {safe(place)}" if place else "",
                ("  ·  ADMITTED BY OVERRIDE", "bold $warning") if a.admitted_by_override else "",
            )
        )
        access = self._access_line(a)
        line = self.query_one("#access", Static)
        line.update(access)
        line.display = bool(access)
        line.set_class(not self.may(Action.LOG_INTERACTION), "-read-only")
        self.query_one("#who", Static).update(who_table(a, as_of=self.kam.as_of))

    def _fill_tables(self, r: SheetRecords) -> None:
        for tab, cells in CELLS.items():
            self._fill(tab, getattr(r, tab), cells)
            add = ADD_ACTIONS.get(tab)
            line = count_line(tab, r, may_add=add is not None and self.may(add))
            self.query_one(f"#{tab}-count", Static).update(Content(line))

    def _fill(
        self, tab: str, views: Sequence[Any], cells: Callable[[Any], tuple[str, ...]]
    ) -> None:
        """Refill one table; every cell is Text, so names and notes are never markup."""
        table = self.query_one(f"#{tab}-table", DataTable)
        highlighted = self._highlighted(tab)
        table.clear()
        for view in views:
            table.add_row(*(Text(safe(c)) for c in cells(view)), key=str(view.id))
        added = self._added.pop(tab, None)
        if added is not None:
            table.move_to_key(str(added))  # a record just added: e edits it next
        elif highlighted is not None:
            table.move_to_key(str(highlighted.id))
        self._show_detail(tab)

    def _show_detail(self, tab: str) -> None:
        """The highlighted record of a record tab in full, below its table."""
        view = self._highlighted(tab)
        detail = self.query_one(f"#{tab}-detail", Static)
        detail.update(DETAILS[tab](view) if view is not None else "")
        self.query_one(f"#{tab}-detail-scroll").display = view is not None

    # ------------------------------------------------------------------ tabs and rows

    def _active_tab(self) -> str:
        return self.query_one(TabbedContent).active

    def _highlighted(self, tab: str) -> Any:
        """The view under the cursor of a record tab, or None."""
        if self.records is None or tab not in COLUMNS:
            return None
        table = self.query_one(f"#{tab}-table", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        views: list[Any] = getattr(self.records, tab)
        return next((v for v in views if str(v.id) == key), None)

    def action_show_tab(self, tab: str) -> None:
        """Show a tab and put the keyboard on its table."""
        self.query_one(TabbedContent).active = tab
        self._focus_tab(tab)

    def _focus_tab(self, tab: str) -> None:
        """The table of a record tab, the tree of the plan and the people, or the scrolling
        page of the others, takes the keys."""
        if tab in COLUMNS:
            target = f"#{tab}-table"
        elif tab in ("plan", "people"):
            target = f"#{tab}-tree"
        else:
            target = f"#{tab}-scroll"
        self.query_one(target).focus()
        self.refresh_bindings()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """A tab chosen with the mouse gets the keys too."""
        if event.pane.id is not None and not (
            self.focused is not None and event.pane in self.focused.ancestors
        ):
            self.call_after_refresh(self._focus_tab, event.pane.id)
        self.refresh_bindings()

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        tab = (event.data_table.id or "").removesuffix("-table")
        if tab in DETAILS:
            self._show_detail(tab)
        self.refresh_bindings()

    def action_back(self) -> None:
        """Back to the key accounts."""
        self.app.pop_screen()

    # ------------------------------------------------------------------ editing

    def _after_save(self, what: str, *, added_to: str | None = None) -> Callable[[Any], None]:
        """What follows a form's save: say so, read again; a record added to the tab
        `added_to` gets the cursor."""

        def done(view: Any) -> None:
            if view is None:
                return
            if added_to is not None:
                self._added[added_to] = view.id
            self.notify(what, markup=False)
            warning = getattr(view, "warning", None)
            if warning:
                self.notify(safe(warning), title="Note", severity="warning", markup=False)
            self._reread()

        return done

    def action_edit_account(self) -> None:
        """Change the account (expected version: the one shown)."""
        from screens.sheet.account_form import AccountForm

        assert self.records is not None
        admin = self.may(Action.CHANGE_STATUS)
        self.app.push_screen(
            AccountForm(self.records.account, admin=admin),
            self._after_save("Key account saved."),
        )

    def action_assign_sponsor(self) -> None:
        """Choose the executive sponsor from those eligible."""
        self._assign("sponsor")

    def action_assign_manager(self) -> None:
        """Choose the key account manager from those eligible."""
        self._assign("manager")

    def _assign(self, job: str) -> None:
        from screens.forms.staff_picker import StaffPicker, report_assignment

        assert self.records is not None
        picker = StaffPicker(self.customer, job=job, version=self.records.account.version)

        def done(view: AccountView | None) -> None:
            report_assignment(self.app, job, view, picker.warning)
            if view is not None:
                self._reread()

        self.app.push_screen(picker, done)

    def action_retire(self) -> None:
        """Retire the account, with the reason (as `kam account retire`)."""
        from screens.forms.retire_form import RetireForm

        why = ""
        if self.records is not None and self.records.reviews:
            latest = self.records.reviews[0]
            if latest.recommendation == "retire":
                why = (
                    f"The review of {latest.reviewed_on} recommends retirement: two reviews in a "
                    f"row under the threshold ({latest.threshold:g})."
                )
        self.app.push_screen(
            RetireForm(self.customer, why=why),
            self._after_save("Key account retired; its history stays."),
        )

    def _seen(self) -> int | None:
        """The newest audit event when the records shown were read (what an edit form of
        theirs saw)."""
        return self.records.seen if self.records else None

    def _people(self) -> list[ContactView]:
        """The customer's people as last read."""
        return self.records.contacts if self.records else []

    def action_log_interaction(self) -> None:
        """Log an interaction (a sponsoring executive logs executive visits)."""
        from screens.sheet.interaction_form import InteractionForm

        kinds = tuple(kind for kind in InteractionKind if self.may(interaction_action(kind)))
        self.app.push_screen(
            InteractionForm(
                self.customer, today=self.kam.as_of, kinds=kinds, people=self._people()
            ),  # fmt: skip
            self._after_save("Interaction logged.", added_to="interactions"),
        )

    def action_edit_interaction(self) -> None:
        """Correct the highlighted interaction."""
        from screens.sheet.interaction_form import InteractionForm

        interaction = self._highlighted("interactions")
        if interaction is not None:
            self.app.push_screen(
                InteractionForm(
                    self.customer,
                    today=self.kam.as_of,
                    interaction=interaction,
                    people=self._people(),
                ).read_at(self._seen()),  # fmt: skip
                self._after_save("Interaction saved."),
            )

    def action_add_commitment(self) -> None:
        """Record a promise made to the customer."""
        from screens.sheet.commitment_form import CommitmentForm

        self.app.push_screen(
            CommitmentForm(self.customer, people=self._people()),
            self._after_save("Commitment added.", added_to="commitments"),
        )

    def action_close_commitment(self) -> None:
        """Mark the highlighted commitment done or broken."""
        from screens.sheet.commitment_status_form import CommitmentStatusForm

        commitment = self._highlighted("commitments")
        if commitment is not None:
            self.app.push_screen(
                CommitmentStatusForm(commitment).read_at(self._seen()),
                self._after_save("Commitment updated."),
            )

    def action_reopen_commitment(self) -> None:
        """Reopen the highlighted closed commitment (or correct done to broken)."""
        self.action_close_commitment()

    def action_correct_commitment(self) -> None:
        """Correct the highlighted commitment's description, department or due date."""
        from screens.sheet.commitment_form import CommitmentForm

        commitment = self._highlighted("commitments")
        if commitment is not None:
            self.app.push_screen(
                CommitmentForm(self.customer, commitment=commitment).read_at(self._seen()),
                self._after_save("Commitment corrected."),
            )

    def action_record_complaint(self) -> None:
        """Record a complaint."""
        from screens.sheet.complaint_form import ComplaintForm

        self.app.push_screen(
            ComplaintForm(self.customer, today=self.kam.as_of),
            self._after_save("Complaint recorded.", added_to="complaints"),
        )

    def action_advance_complaint(self) -> None:
        """Move the highlighted complaint to its next step."""
        from screens.sheet.complaint_advance_form import ComplaintAdvanceForm

        complaint = self._highlighted("complaints")
        if complaint is None:
            return
        self.app.push_screen(
            ComplaintAdvanceForm(complaint, today=self.kam.as_of).read_at(self._seen()),
            self._after_save("Complaint advanced."),
        )

    def action_correct_complaint(self) -> None:
        """Correct the highlighted complaint's summary, severity or resolution."""
        from screens.sheet.complaint_form import ComplaintForm

        complaint = self._highlighted("complaints")
        if complaint is not None:
            self.app.push_screen(
                ComplaintForm(self.customer, today=self.kam.as_of, complaint=complaint).read_at(
                    self._seen()
                ),
                self._after_save("Complaint corrected."),
            )
