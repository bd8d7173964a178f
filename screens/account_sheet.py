"""The account sheet: one key account on tabs, read by all, edited by its manager and admins."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane

from db.enums import InteractionKind, Role
from screens.base import KamScreenMixin
from screens.formatting import day, first_line, money, safe, share, words
from screens.trend_chart import TrendChart

if TYPE_CHECKING:
    from kam.analysis import Worth
    from kam.services.reviews import ReviewView
    from kam.sheet import Sheet
    from kam.trend import YearFigures
    from kam.views import (
        AccountView,
        AuditView,
        CommitmentView,
        ComplaintView,
        ContactView,
        InteractionView,
    )

#: The tabs, in order; key N opens the Nth.
TABS: tuple[tuple[str, str], ...] = (
    ("overview", "Overview"),
    ("metrics", "Metrics"),
    ("contacts", "Contacts"),
    ("interactions", "Interactions"),
    ("commitments", "Commitments"),
    ("complaints", "Complaints"),
    ("reviews", "Reviews"),
    ("history", "History"),
)

#: The columns of each record tab's table.
COLUMNS: dict[str, tuple[str, ...]] = {
    "contacts": ("Name", "Job title", "Buying role", "Style", "Strength", "E-mail", "Phone"),
    "interactions": ("Date", "Kind", "Our people", "Their people", "Summary", "Logged by"),
    "commitments": ("Due", "Status", "Promise", "Department", "Made by", "Closed"),
    "complaints": ("Recorded", "Severity", "Status", "Complaint", "Owner", "Resolution"),
    "reviews": (
        "Reviewed",
        "By",
        "Decision",
        "Total",
        "Satisfaction",
        "Profit vs median",
        "Recommendation",
        "Next review",
    ),
    "history": ("When (UTC)", "Who", "Door", "Record", "Field", "Old", "New"),
}

#: Editing actions: the tab each belongs to, and who may use it ("edit": the account's
#: editors; "log": editors and the account's executive sponsor). Rows: needs a highlighted row.
EDIT_ACTIONS: dict[str, tuple[str, str, bool]] = {
    "edit_account": ("overview", "edit", False),
    "add_contact": ("contacts", "edit", False),
    "edit_contact": ("contacts", "edit", True),
    "log_interaction": ("interactions", "log", False),
    "edit_interaction": ("interactions", "edit", True),
    "add_commitment": ("commitments", "edit", False),
    "close_commitment": ("commitments", "edit", True),
    "record_complaint": ("complaints", "edit", False),
    "advance_complaint": ("complaints", "edit", True),
}


@dataclass(frozen=True)
class SheetRecords:
    """Everything on the sheet except the figures, read in one transaction."""

    account: AccountView
    contacts: list[ContactView]
    interactions: list[InteractionView]
    commitments: list[CommitmentView]
    complaints: list[ComplaintView]
    reviews: list[ReviewView]
    history: list[AuditView]


def _edit_binding(key: str, action: str, description: str, tooltip: str) -> Binding:
    return Binding(key, action, description, id=f"sheet.{action}", tooltip=tooltip)


class AccountSheetScreen(KamScreenMixin, Screen[None]):
    """One key account: overview, metrics, contacts, interactions, commitments, complaints,
    history. Executives and viewers read it; its manager and admins edit it."""

    AREA = "accounts"
    PALETTE_NOUN = "sheet"
    TITLE = "Account sheet"
    CSS_PATH = "account_sheet.tcss"
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
        _edit_binding("a", "add_contact", "Add contact", "Add a person at the customer."),
        _edit_binding("e", "edit_contact", "Edit contact", "Correct the highlighted contact."),
        _edit_binding("a", "log_interaction", "Log interaction", "Log a visit, call or meeting."),
        _edit_binding(
            "e", "edit_interaction", "Edit interaction", "Correct the highlighted interaction."
        ),
        _edit_binding("a", "add_commitment", "Add commitment", "Record a promise made."),
        _edit_binding(
            "e", "close_commitment", "Done/broken", "Mark the highlighted promise kept or broken."
        ),
        _edit_binding("a", "record_complaint", "Record complaint", "Record a new complaint."),
        _edit_binding(
            "e", "advance_complaint", "Advance", "Move the highlighted complaint to its next step."
        ),
    ]

    class RecordsLoaded(Message):
        """The account and its records were read."""

        def __init__(self, records: SheetRecords) -> None:
            super().__init__()
            self.records = records

    class WorthLoaded(Message):
        """The account's figures were computed."""

        def __init__(self, worth: Worth, years: list[YearFigures], sheet: Sheet) -> None:
            super().__init__()
            self.worth = worth
            self.years = years
            self.sheet = sheet

    def __init__(self, customer: str) -> None:
        super().__init__()
        self.customer = customer
        """The customer's name, as the services look it up."""
        self.records: SheetRecords | None = None
        """The records as last read."""
        self.worth: Worth | None = None
        """The figures as last computed."""

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        """Header, who-and-what banner, the tabs, footer."""
        yield Header()
        yield Static(Content(safe(self.customer)), id="banner")
        yield Static("", id="access")
        with TabbedContent(id="tabs"):
            with TabPane(f"1 {TABS[0][1]}", id="overview"):
                with VerticalScroll(id="overview-scroll"):
                    with Horizontal(id="overview-columns"):
                        yield Static("Loading…", id="who")
                        yield Static("Computing figures…", id="worth")
                    yield Static("", id="standing")
            with TabPane(f"2 {TABS[1][1]}", id="metrics"):
                with VerticalScroll(id="metrics-scroll"):
                    yield Static(Content("Profit and cost to serve by year"), classes="caption")
                    yield TrendChart(id="trend")
                    yield Static(Content("Customer lifetime value"), classes="caption")
                    yield Static("Computing figures…", id="clv")
            for n, (tab, title) in enumerate(TABS[2:], start=3):
                with TabPane(f"{n} {title}", id=tab):
                    yield Static("", id=f"{tab}-count", classes="count")
                    yield DataTable(id=f"{tab}-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_resize(self) -> None:
        """Below 100 columns the overview's two halves stack."""
        self.query_one("#overview-columns").set_class(self.size.width < 100, "-narrow")

    def on_mount(self) -> None:
        """Set the tables' columns and read the account."""
        for tab, columns in COLUMNS.items():
            self.query_one(f"#{tab}-table", DataTable).add_columns(*columns)
        self.action_reload()

    # ------------------------------------------------------------------ loading

    def action_reload(self) -> None:
        """Read the account, its records and its figures again."""
        self._load_records()
        self._load_worth()

    @work(thread=True, exclusive=True, exit_on_error=False, group="sheet-records")
    def _load_records(self) -> None:
        from kam.audit import list_events
        from kam.services.accounts import get_account
        from kam.services.commitments import list_commitments
        from kam.services.complaints import list_complaints
        from kam.services.contacts import list_contacts
        from kam.services.interactions import list_interactions
        from kam.services.reviews import list_reviews

        name = self.customer
        with self.kam.database.reading() as session:
            account = get_account(session, name)
            records = SheetRecords(
                account=account,
                contacts=list_contacts(session, name),
                interactions=list_interactions(session, name),
                commitments=list_commitments(session, name, today=self.kam.as_of),
                complaints=list_complaints(session, name),
                reviews=list_reviews(session, name),
                history=list_events(session, customer_id=account.customer_id),
            )
        self.post_message(self.RecordsLoaded(records))

    @work(thread=True, exclusive=True, exit_on_error=False, group="sheet-worth")
    def _load_worth(self) -> None:
        from kam.sheet import build_sheet
        from kam.trend import yearly_figures

        with self.kam.database.reading() as session:
            sheet = build_sheet(session, self.customer, as_of=self.kam.as_of)
            years = yearly_figures(session, self.customer, as_of=self.kam.as_of)
        self.post_message(self.WorthLoaded(sheet.worth, years, sheet))

    @on(RecordsLoaded)
    def _records_loaded(self, message: RecordsLoaded) -> None:
        self.records = message.records
        self.customer = message.records.account.customer
        self._show_account(message.records.account)
        self._fill_tables(message.records)
        self.refresh_bindings()

    @on(WorthLoaded)
    def _worth_loaded(self, message: WorthLoaded) -> None:
        self.worth = message.worth
        self.query_one("#worth", Static).update(self._worth_table(message.worth))
        self.query_one("#clv", Static).update(self._clv_table(message.worth))
        self.query_one(TrendChart).show(message.years)
        self.query_one("#standing", Static).update(self._standing(message.sheet))

    def _standing(self, sheet: Sheet) -> Table:
        """Health with its reasons, the criteria, the last review, the last sponsor visit."""
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column()
        style = {"green": "bold green", "amber": "bold yellow", "red": "bold red"}
        health = Text(sheet.health, style=style.get(sheet.health, ""))
        for reason in sheet.health_reasons:
            health.append(f"\n· {safe(reason)}", style="")
        grid.add_row("Health", health)
        total = sheet.criteria_total
        grid.add_row(
            "Criteria",
            Text("no assessment" if total is None and not sheet.criteria_kind
                 else f"{total:g} / 100 at the latest {sheet.criteria_kind}" if total is not None
                 else f"incomplete {sheet.criteria_kind}"),
        )  # fmt: skip
        review = sheet.last_review
        if review:
            line = Text(f"{review['reviewed_on']}: {review['decision']}")
            if review["satisfaction"] is not None:
                line.append(f", satisfaction {review['satisfaction']:.2f}")
            if review["recommendation"]:
                line.append(f"  recommends {review['recommendation']}", style="bold red")
        else:
            line = Text("none yet", style="italic")
        grid.add_row("Last review", line)
        grid.add_row("Sponsor visit", Text(day(sheet.last_sponsor_visit) or "never"))
        if sheet.override:
            grid.add_row("Override", Text(safe(sheet.override_reason) or "–", style="yellow"))
        grid.add_row(
            "Open",
            Text(f"{len(sheet.open_commitments)} commitments, "
                 f"{len(sheet.open_complaints)} complaints not yet fed back"),
        )  # fmt: skip
        return grid

    # ------------------------------------------------------------------ who may do what

    @property
    def can_edit(self) -> bool:
        """Admins, and the manager of this account, edit it (the services decide; this hides
        keys that would only be refused)."""
        actor = self.kam.actor
        account = self.records.account if self.records else None
        if account is None:
            return False
        return actor.role == Role.ADMIN or (
            actor.role == Role.MANAGER and account.manager == actor.login
        )

    @property
    def can_log_visit(self) -> bool:
        """The account's executive sponsor logs executive visits on it."""
        actor = self.kam.actor
        account = self.records.account if self.records else None
        return (
            account is not None and actor.role == Role.EXECUTIVE and account.sponsor == actor.login
        )

    def _access_line(self, account: AccountView) -> Content:
        actor = self.kam.actor
        if self.can_edit:
            return Content("")
        if self.can_log_visit:
            return Content(
                "Read-only: you sponsor this account, so you may log executive visits "
                "(tab 4, key a)."
            )
        if actor.role == Role.VIEWER:
            return Content("Read-only: viewers see everything and change nothing.")
        if actor.role == Role.EXECUTIVE:
            return Content("Read-only: executives read account sheets; managers and admins edit.")
        manager = safe(account.manager_name) or "no manager yet"
        return Content.assemble(
            "Read-only: this account is managed by ", manager, "; only they and admins edit it."
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Editing keys exist only on their tab, and only for those who may edit."""
        if action not in EDIT_ACTIONS:
            return True
        tab, who, needs_row = EDIT_ACTIONS[action]
        if self.records is None or self._active_tab() != tab:
            return False
        allowed = self.can_edit or (who == "log" and self.can_log_visit)
        if not allowed:
            return False
        if needs_row and self._highlighted(tab) is None:
            return False
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
        self.query_one("#who", Static).update(self._who_table(a))

    def _who_table(self, a: AccountView) -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column()

        def person(name: str | None, login: str | None) -> Text:
            return Text(safe(f"{name} ({login})")) if login else Text("none", style="italic")

        review = Text(day(a.next_review_on) or "not set")
        if a.next_review_on and a.next_review_on < self.kam.as_of:
            review.append("  overdue", style="bold red")
        override = (
            Text("yes: admitted by override", style="bold yellow")
            if a.admitted_by_override
            else Text("no")
        )
        rows: list[tuple[str, Text]] = [
            ("Customer", Text(safe(a.customer), style="bold")),
            ("Industry", Text(safe(a.industry) or "–")),
            ("Region", Text(safe(a.region) or "–")),
            ("Status", Text(words(a.status))),
            ("Manager", person(a.manager_name, a.manager)),
            ("Sponsor", person(a.sponsor_name, a.sponsor)),
            ("Nominated", Text(day(a.nominated_on))),
            ("Admitted", Text(day(a.admitted_on) or "–")),
            ("Next review", review),
            ("Override", override),
            ("Reason", Text(safe(a.reason) or "–")),
            (
                "Version",
                Text(f"{a.version} (changed {day(a.updated_at)} by {a.updated_by or '–'})"),
            ),
        ]
        if a.retired_on:
            rows.insert(8, ("Retired", Text(day(a.retired_on))))
        grid.add_row(Text("WHO", style="bold"), Text(""))
        for label, value in rows:
            grid.add_row(label, value)
        return grid

    def _worth_table(self, w: Worth) -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column(style="dim")
        profit_style = "bold red" if w.profit < 0 else "bold"
        grid.add_row(Text(f"WORTH (T12M to {day(w.as_of)})", style="bold"), "", "")
        grid.add_row("Profit", Text(money(w.profit), style=profit_style), "after cost to serve")
        grid.add_row("Gross margin", money(w.gross_margin), "")
        grid.add_row("Cost to serve", money(w.cost_to_serve), "")
        for category, amount in w.cost_to_serve_by_category.items():
            grid.add_row(f"  {words(category)}", Text(money(amount), style="dim"), "")
        grid.add_row("Revenue", money(w.revenue), "not the headline")
        grid.add_row("Share of wallet", share(w.share_of_wallet), "")
        if w.estimated_wallet is not None:
            grid.add_row("  wallet", Text(money(w.estimated_wallet), style="dim"), "estimated")
            grid.add_row("  headroom", Text(money(w.headroom), style="dim"), "")
        grid.add_row("CLV", Text(money(w.clv), style="bold"), f"over {w.horizon} years")
        grid.add_row("  M margin", Text(money(w.clv_margin), style="dim"), w.clv_margin_source)
        grid.add_row("  C cost to serve", Text(money(w.clv_cost_to_serve), style="dim"), "t12m")
        grid.add_row(
            "  r retention", Text(f"{w.clv_retention:.3f}", style="dim"), w.clv_retention_source
        )
        grid.add_row("  d discount", Text(share(w.discount_rate, 0), style="dim"), "")
        return grid

    def _clv_table(self, w: Worth) -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column()
        grid.add_row(
            "CLV", Text(money(w.clv), style="bold"), "Σ t=1..H of (M − C) · r^(t−1) / (1+d)^t"
        )
        grid.add_row("M  margin", money(w.clv_margin), self._source(w.clv_margin_source))
        grid.add_row("C  cost to serve", money(w.clv_cost_to_serve), "T12M")
        grid.add_row("r  retention", f"{w.clv_retention:.3f}", self._source(w.clv_retention_source))
        grid.add_row("d  discount rate", share(w.discount_rate, 0), "programme setting")
        grid.add_row("H  horizon", f"{w.horizon} years", "programme setting")
        return grid

    @staticmethod
    def _source(source: str) -> str:
        return {
            "t12m": "T12M gross margin",
            "base": "the customer base's measured retention",
            "override": "the account's override",
        }.get(source, source)

    def _fill_tables(self, r: SheetRecords) -> None:
        self._fill(
            "contacts",
            r.contacts,
            lambda c: (
                c.name,
                c.job_title,
                words(c.buying_role),
                words(c.communication_style),
                str(c.relationship_strength or ""),
                c.email,
                c.phone,
            ),
        )
        self._fill(
            "interactions",
            r.interactions,
            lambda i: (
                day(i.happened_on),
                words(i.kind),
                i.our_people,
                i.their_people,
                first_line(i.summary),
                i.logged_by or "",
            ),
        )
        self._fill(
            "commitments",
            r.commitments,
            lambda c: (
                day(c.due_on),
                "OVERDUE" if c.overdue else c.status,
                c.description,
                words(c.department),
                c.made_by or "",
                day(c.closed_on),
            ),
        )
        self._fill(
            "complaints",
            r.complaints,
            lambda c: (
                day(c.recorded_on),
                c.severity,
                words(c.status),
                first_line(c.summary, 50),
                c.owner or "",
                first_line(c.resolution, 40),
            ),
        )
        self._fill(
            "reviews",
            r.reviews,
            lambda v: (
                day(v.reviewed_on),
                v.reviewed_by or "",
                v.decision,
                "incomplete" if v.total is None else f"{v.total:g}",
                "" if v.satisfaction is None else f"{v.satisfaction:.2f}",
                (v.benchmark.get("profit") or {}).get("position") or "",
                v.recommendation or "",
                day(v.next_review_on),
            ),
        )
        self._fill(
            "history",
            r.history,
            lambda e: (
                day(e.at),
                e.actor,
                e.door,
                f"{e.entity} {e.entity_id or ''}".strip(),
                e.field or "",
                first_line(e.old or "", 30),
                first_line(e.new or "", 50),
            ),
        )
        counts = {
            "contacts": (len(r.contacts), "contact", "a to add one"),
            "interactions": (len(r.interactions), "interaction", "a to log one"),
            "commitments": (
                len(r.commitments),
                "commitment",
                "a to add one",
            ),
            "complaints": (len(r.complaints), "complaint", "a to record one"),
            "reviews": (len(r.reviews), "review", ""),
            "history": (len(r.history), "change", ""),
        }
        for tab, (count, noun, how) in counts.items():
            text = f"{count} {noun}{'' if count == 1 else 's'}"
            if tab == "commitments":
                overdue = sum(c.overdue for c in r.commitments)
                text += f", {overdue} overdue" if overdue else ""
            if tab == "complaints":
                unclosed = sum(c.status != "fed_back" for c in r.complaints)
                text += f", {unclosed} not yet fed back" if unclosed else ""
            editable = self.can_edit or (tab == "interactions" and self.can_log_visit)
            if how and editable:
                text += f" · press {how}"
            if tab == "history" and count >= 200:
                text += " (the newest 200)"
            self.query_one(f"#{tab}-count", Static).update(Content(text))

    def _fill(
        self, tab: str, views: Sequence[Any], cells: Callable[[Any], tuple[str, ...]]
    ) -> None:
        """Refill one table; every cell is Text, so names and notes are never markup."""
        table = self.query_one(f"#{tab}-table", DataTable)
        highlighted = self._highlighted(tab)
        table.clear()
        for view in views:
            table.add_row(*(Text(safe(c)) for c in cells(view)), key=str(view.id))
        if highlighted is not None:
            keys = [str(v.id) for v in views]
            if str(highlighted.id) in keys:
                table.move_cursor(row=keys.index(str(highlighted.id)))

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
        """The table of a record tab, or the scrolling page of the others, takes the keys."""
        target = f"#{tab}-table" if tab in COLUMNS else f"#{tab}-scroll"
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
    def _row_highlighted(self) -> None:
        self.refresh_bindings()

    def action_back(self) -> None:
        """Back to the key accounts."""
        self.app.pop_screen()

    # ------------------------------------------------------------------ editing

    def _after_save(self, what: str, reload_worth: bool = False) -> Callable[[Any], None]:
        def done(view: Any) -> None:
            if view is None:
                return
            self.notify(what, markup=False)
            self._load_records()
            if reload_worth:
                self._load_worth()

        return done

    def action_edit_account(self) -> None:
        """Change the account (expected version: the one shown)."""
        from screens.account_form import AccountForm

        assert self.records is not None
        admin = self.kam.actor.role == Role.ADMIN
        self.app.push_screen(
            AccountForm(self.records.account, admin=admin),
            self._after_save("Key account saved.", reload_worth=True),
        )

    def action_add_contact(self) -> None:
        """Add a person at the customer."""
        from screens.contact_form import ContactForm

        self.app.push_screen(ContactForm(self.customer), self._after_save("Contact added."))

    def action_edit_contact(self) -> None:
        """Correct the highlighted contact."""
        from screens.contact_form import ContactForm

        contact = self._highlighted("contacts")
        if contact is not None:
            self.app.push_screen(
                ContactForm(self.customer, contact), self._after_save("Contact saved.")
            )

    def action_log_interaction(self) -> None:
        """Log an interaction (a sponsoring executive logs executive visits)."""
        from screens.interaction_form import InteractionForm

        kinds = tuple(InteractionKind) if self.can_edit else (InteractionKind.EXECUTIVE_VISIT,)
        self.app.push_screen(
            InteractionForm(self.customer, today=self.kam.as_of, kinds=kinds),
            self._after_save("Interaction logged."),
        )

    def action_edit_interaction(self) -> None:
        """Correct the highlighted interaction."""
        from screens.interaction_form import InteractionForm

        interaction = self._highlighted("interactions")
        if interaction is not None:
            self.app.push_screen(
                InteractionForm(self.customer, today=self.kam.as_of, interaction=interaction),
                self._after_save("Interaction saved."),
            )

    def action_add_commitment(self) -> None:
        """Record a promise made to the customer."""
        from screens.commitment_form import CommitmentForm

        self.app.push_screen(CommitmentForm(self.customer), self._after_save("Commitment added."))

    def action_close_commitment(self) -> None:
        """Mark the highlighted commitment done or broken."""
        from screens.commitment_status_form import CommitmentStatusForm

        commitment = self._highlighted("commitments")
        if commitment is not None:
            self.app.push_screen(
                CommitmentStatusForm(commitment), self._after_save("Commitment updated.")
            )

    def action_record_complaint(self) -> None:
        """Record a complaint."""
        from screens.complaint_form import ComplaintForm

        self.app.push_screen(
            ComplaintForm(self.customer, today=self.kam.as_of),
            self._after_save("Complaint recorded."),
        )

    def action_advance_complaint(self) -> None:
        """Move the highlighted complaint to its next step."""
        from screens.complaint_advance_form import ComplaintAdvanceForm

        complaint = self._highlighted("complaints")
        if complaint is None:
            return
        if complaint.status == "fed_back":
            self.notify("This complaint is closed: it was fed back to the customer.")
            return
        self.app.push_screen(
            ComplaintAdvanceForm(complaint, today=self.kam.as_of),
            self._after_save("Complaint advanced."),
        )
