"""Vetting: the nominees with their latest scoring; score them, then admit or reject them.

Managers score the nominees they manage (admins any); executives and admins decide. The
keys a user may not use are absent, and the services still decide: a refusal shows its rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

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

from db.enums import AccountStatus, Role
from kam.rules.permissions import Action
from screens.base import KamScreenMixin, after_typed_keys
from screens.formatting import day, safe, words
from screens.palette.screen_commands import ScreenCommands
from screens.widgets.data_table import DataTable
from screens.widgets.footer import KamFooter

if TYPE_CHECKING:
    from kam.services.criteria import CriterionView
    from kam.services.programme import ProgrammeSettings
    from kam.services.vetting import AdmissionResult, AssessmentView
    from kam.views import AccountView

#: The rule each assignment key needs, by job.
ASSIGN = {"sponsor": Action.ASSIGN_SPONSOR, "manager": Action.ASSIGN_MANAGER}

COLUMNS = ("Customer", "Total", "Knock-out", "Admission", "Status", "Manager", "Sponsor")


@dataclass(frozen=True)
class Nominee:
    """A nominated or vetting account, its newest assessment and what would block admission."""

    account: AccountView
    assessment: AssessmentView | None
    problems: list[str]
    """The programme rules its admission would break now, as sentences."""


@dataclass(frozen=True)
class VettingData:
    """Everything the vetting screen shows, read in one transaction."""

    nominees: list[Nominee]
    criteria: list[CriterionView]
    settings: ProgrammeSettings
    active: int
    """Active key accounts now (against the cap)."""


class VettingScreen(KamScreenMixin, Screen[None]):
    """The nominees against the written criteria: score (Enter), admit (a), reject (x)."""

    AREA = "vetting"
    PALETTE_NOUN = "vetting"
    TITLE = "Vetting"
    CSS_PATH = "vetting.tcss"
    AUTO_FOCUS = "#nominees"
    COMMANDS: ClassVar = {ScreenCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "score",
            "Score",
            id="vetting.score",
            tooltip="Score the highlighted nominee against the criteria.",
            priority=True,
        ),
        Binding(
            "a",
            "admit",
            "Admit",
            id="vetting.admit",
            tooltip="Admit the highlighted nominee into the programme, with a rationale.",
        ),
        Binding(
            "x",
            "reject",
            "Reject",
            id="vetting.reject",
            tooltip="Turn the highlighted nominee down, with a rationale.",
        ),
        Binding(
            "p",
            "assign('sponsor')",
            "Sponsor",
            id="vetting.assign_sponsor",
            tooltip="Choose the highlighted nominee's executive sponsor.",
        ),
        Binding(
            "k",
            "assign('manager')",
            "Manager",
            id="vetting.assign_manager",
            tooltip="Choose the highlighted nominee's key account manager.",
        ),
        Binding(
            "o",
            "open_sheet",
            "Sheet",
            id="vetting.sheet",
            tooltip="Open the highlighted nominee's account sheet.",
        ),
        Binding("r", "reload", "Reload", id="vetting.reload", tooltip="Read the nominees again."),
    ]

    class Loaded(Message):
        """The nominees, the criteria and the programme settings were read."""

        def __init__(self, data: VettingData) -> None:
            super().__init__()
            self.data = data

    def __init__(self) -> None:
        super().__init__()
        self.data: VettingData | None = None
        """What was last read."""

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        """Header, the rules, who may do what, the nominees, the highlighted one's scores."""
        yield Header()
        yield Static("Reading the nominees…", id="rules")
        access = Static(self._access_line(), id="access")
        access.set_class(not self.kam.may(Action.ADMIT), "-read-only")
        yield access
        yield DataTable(id="nominees", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="detail-scroll"):
            yield Static("", id="detail")
        yield KamFooter()

    def on_mount(self) -> None:
        """Set the columns and read the nominees."""
        self.query_one(DataTable).add_columns(*COLUMNS)
        self.action_reload()

    def _access_line(self) -> Content:
        role = self.kam.actor.role
        if role == Role.ADMIN:
            return Content(
                "You score any nominee (Enter), assign its sponsor (p) and manager (k), admit (a) "
                "or reject (x); against the rules only with an override and its reason."
            )
        if role == Role.MANAGER:
            return Content(
                "You score the nominees you manage (Enter); executives and admins decide."
            )
        if role == Role.EXECUTIVE:
            return Content(
                "Scores are read-only for you: you admit (a) or reject (x); managers score."
            )
        return Content("Read-only: viewers see everything and change nothing.")

    # ------------------------------------------------------------------ loading

    def action_reload(self) -> None:
        """Read the nominees again in a worker."""
        self.query_one(DataTable).loading = self.data is None
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="vetting")
    def _load(self) -> None:
        from db.enums import AccountStatus
        from kam.errors import NotFound
        from kam.services.accounts import account_by_name, list_accounts
        from kam.services.criteria import list_criteria
        from kam.services.programme import load_settings
        from kam.services.vetting import admission_problems, get_assessment

        with self.kam.database.reading() as session:
            accounts = list_accounts(session, status=AccountStatus.NOMINATED) + list_accounts(
                session, status=AccountStatus.VETTING
            )
            nominees = []
            for account in sorted(accounts, key=lambda a: (a.customer.lower(), a.id)):
                try:
                    assessment: AssessmentView | None = get_assessment(session, account.customer)
                except NotFound:
                    assessment = None
                problems = admission_problems(session, account_by_name(session, account.customer))
                nominees.append(Nominee(account, assessment, problems))
            data = VettingData(
                nominees=nominees,
                criteria=list_criteria(session),
                settings=load_settings(session),
                active=len(list_accounts(session, status=AccountStatus.ACTIVE)),
            )
        self.post_message(self.Loaded(data))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.data = message.data
        self.query_one(DataTable).loading = False
        self._show_rules(message.data)
        self._refill(message.data)

    def on_screen_resume(self) -> None:
        """Back from a form or an account sheet: read again, something may have changed."""
        if self.data is not None:
            self.action_reload()

    # ------------------------------------------------------------------ showing

    def _show_rules(self, data: VettingData) -> None:
        s = data.settings
        self.query_one("#rules", Static).update(
            Content.assemble(
                ("Admission needs ", "dim"),
                f"a complete assessment with total ≥ {s.threshold:g}",
                ", no knock-out failed, a sponsor and a manager",
                ("  ·  ", "dim"),
                f"{data.active} of {s.cap} places taken",
                ("  ·  ", "dim"),
                f"{len(data.nominees)} nominee{'' if len(data.nominees) == 1 else 's'}",
            )
        )

    def _refill(self, data: VettingData) -> None:
        """One row per nominee; every untrusted string goes in as Text, never markup."""
        table = self.query_one(DataTable)
        kept = self.highlighted()
        table.clear()
        threshold = data.settings.threshold
        for n in data.nominees:
            a = n.account
            table.add_row(
                Text(safe(a.customer)),
                _total_cell(n.assessment, threshold),
                _knock_out_cell(n.assessment),
                Text("ready", style="bold green")
                if not n.problems
                else Text(f"{len(n.problems)} to fix", style="bold red"),
                Text(words(a.status)),
                Text(safe(a.manager_name) or "none", style="" if a.manager else "italic red"),
                Text(safe(a.sponsor_name) or "none", style="" if a.sponsor else "italic red"),
                key=str(a.id),
            )
        if kept is not None:
            keys = [str(n.account.id) for n in data.nominees]
            if str(kept.account.id) in keys:
                table.move_cursor(row=keys.index(str(kept.account.id)))
        self._show_detail()
        self.refresh_bindings()

    def highlighted(self) -> Nominee | None:
        """The nominee under the cursor."""
        table = self.query_one(DataTable)
        if self.data is None or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((n for n in self.data.nominees if str(n.account.id) == key), None)

    @on(DataTable.RowHighlighted, "#nominees")
    def _row_highlighted(self) -> None:
        self._show_detail()
        self.refresh_bindings()

    def _show_detail(self) -> None:
        detail = self.query_one("#detail", Static)
        nominee = self.highlighted()
        if self.data is None:
            return
        if nominee is None:
            detail.update(
                Content(
                    "No nominees. Managers nominate customers from the candidates area; "
                    "they are vetted here."
                )
            )
            return
        detail.update(self._detail_table(nominee, self.data.settings.threshold))

    def _detail_table(self, n: Nominee, threshold: float) -> Table:
        a = n.account
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column()
        heading = Text.assemble(
            (safe(a.customer), "bold"),
            f"  ·  {'' if a.status == AccountStatus.NOMINATED else words(a.status) + '  ·  '}"
            f"nominated {day(a.nominated_on)}",
            "  ·  manager ",
            safe(a.manager_name) or ("none", "italic red"),
            "  ·  sponsor ",
            safe(a.sponsor_name) or ("none", "italic red"),
        )
        grid.add_row(heading)
        if n.problems:
            grid.add_row(
                Text.assemble(
                    ("Admission would be refused: ", "bold red"), safe("; ".join(n.problems)) + "."
                )
            )
            fixes = [
                f"{key} assigns {'a sponsor' if job == 'sponsor' else 'a manager'}"
                for job, key, held in (("sponsor", "p", a.sponsor), ("manager", "k", a.manager))
                if held is None
            ]
            if fixes and self.kam.may(Action.ASSIGN_SPONSOR, a):
                grid.add_row(Text(f"Fix it here: {', '.join(fixes)}.", style="bold"))
            elif fixes:
                grid.add_row(Text("An admin assigns the sponsor and the manager.", style="dim"))
            if self.kam.may(Action.ADMIT, a) and not self.kam.may(Action.OVERRIDE):
                grid.add_row(
                    Text("You cannot admit it while the rules refuse; an admin may override them.")
                )
        else:
            grid.add_row(
                Text.assemble(
                    ("Admission: ready", "bold green"),
                    " — the assessment passes and a sponsor and a manager are assigned.",
                )
            )
        s = n.assessment
        if s is None:
            grid.add_row(
                Text("Not assessed yet: its manager or an admin scores it (Enter).", style="italic")
            )
            return grid
        when = day(s.created_at)
        grid.add_row(
            Text(
                f"Latest assessment: {when} by {safe(s.created_by) or '–'} "
                f"(criteria version {s.criteria_version})",
                style="dim",
            )
        )
        grid.add_row(_scores_table(s, threshold))
        return grid

    # ------------------------------------------------------------------ who may do what

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Scoring exists for the nominee's manager and admins; deciding for executives and
        admins (admitting against the rules for admins only); each needs a nominee under
        the cursor."""
        if action not in ("score", "admit", "reject", "open_sheet", "assign"):
            return True
        nominee = self.highlighted()
        if nominee is None:
            return False
        if action == "assign":
            job = ASSIGN[str(parameters[0])]
            return self.kam.may(job, nominee.account)
        if action == "score":
            return self.kam.may(Action.SCORE, nominee.account)
        if action == "admit":
            # Admission the rules refuse is open only to those who may override them: no
            # form that can only fail (the panel says what the rules refuse).
            return self.kam.may(Action.ADMIT, nominee.account) and (
                not nominee.problems or self.kam.may(Action.OVERRIDE)
            )
        if action == "reject":
            return self.kam.may(Action.REJECT, nominee.account)
        return True

    # ------------------------------------------------------------------ actions

    def action_score(self) -> None:
        """Open the scoring form for the highlighted nominee."""
        after_typed_keys(self.app, self._score_now)

    def _score_now(self) -> None:
        from screens.forms.scoring_form import ScoringForm

        nominee = self.highlighted()
        if nominee is None or self.data is None:
            return
        form = ScoringForm(
            nominee.account.customer,
            criteria=self.data.criteria,
            previous=nominee.assessment,
            threshold=self.data.settings.threshold,
            as_of=self.kam.as_of,
        )
        self.app.push_screen(form, self._scored)

    def _scored(self, view: AssessmentView | None) -> None:
        if view is None:
            return
        if view.total is None:
            summary = f"incomplete (no score for {', '.join(view.missing)})"
        else:
            summary = f"total {view.total:g}"
        if view.knock_out_failed:
            summary += ", a knock-out failed"
        self.notify(f"Assessment of {safe(view.customer)} saved: {summary}.", markup=False)

    def action_admit(self) -> None:
        """Ask for the rationale (and, for admins, an override), then admit."""
        from screens.forms.admit_form import AdmitForm

        nominee = self.highlighted()
        if nominee is None:
            return
        form = AdmitForm(
            nominee.account.customer,
            problems=nominee.problems,
            may_override=self.kam.may(Action.OVERRIDE),
        )
        self.app.push_screen(form, self._admitted)

    def _admitted(self, result: AdmissionResult | None) -> None:
        if result is None:
            return
        name = safe(result.account.customer)
        if result.override:
            waived = "; ".join(result.waived)
            self.notify(
                f"{name} admitted by override (waived: {safe(waived)}). "
                "The override is flagged on the account sheet and in the audit.",
                severity="warning",
                timeout=10,
                markup=False,
            )
        else:
            self.notify(f"{name} admitted into the key account programme.", markup=False)
        for warning in result.warnings:
            self.notify(safe(warning), severity="warning", markup=False)

    def action_reject(self) -> None:
        """Ask for the rationale, then turn the nominee down."""
        from screens.forms.reject_form import RejectForm

        nominee = self.highlighted()
        if nominee is not None:
            self.app.push_screen(RejectForm(nominee.account.customer), self._rejected)

    def _rejected(self, account: AccountView | None) -> None:
        if account is not None:
            self.notify(f"{safe(account.customer)} rejected; the rationale is kept.", markup=False)

    def action_assign(self, job: str) -> None:
        """Choose the highlighted nominee's sponsor or manager from those eligible."""
        from screens.forms.staff_picker import StaffPicker, report_assignment

        nominee = self.highlighted()
        if nominee is None:
            return
        picker = StaffPicker(nominee.account.customer, job=job, version=nominee.account.version)
        self.app.push_screen(
            picker, lambda view: report_assignment(self.app, job, view, picker.warning)
        )

    def action_open_sheet(self) -> None:
        """Open the highlighted nominee's account sheet (in the accounts area)."""
        nominee = self.highlighted()
        if nominee is not None:
            self.kam.open_account(nominee.account.customer)


def _total_cell(assessment: AssessmentView | None, threshold: float) -> Text:
    if assessment is None:
        return Text("not assessed", style="italic dim")
    if assessment.total is None:
        return Text("incomplete", style="yellow")
    style = "bold green" if assessment.total >= threshold else "bold red"
    return Text(f"{assessment.total:.1f}", style=style, justify="right")


def _knock_out_cell(assessment: AssessmentView | None) -> Text:
    if assessment is None:
        return Text("")
    failed = [s.criterion for s in assessment.scores if s.failed]
    if failed:
        return Text(safe(", ".join(failed)), style="bold red")
    return Text("none failed", style="green")


def _scores_table(assessment: AssessmentView, threshold: float) -> Table:
    """Every criterion's score, the knock-outs marked, and the total."""
    table = Table(box=None, padding=(0, 1), show_edge=False, expand=True)
    table.add_column("Criterion", no_wrap=True)
    table.add_column("Kind", style="dim", no_wrap=True)
    table.add_column("Weight", justify="right", no_wrap=True)
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("Why", ratio=1)
    for s in assessment.scores:
        name = Text(safe(s.criterion))
        if s.knock_out:
            name.append(" (knock-out)", style="dim")
        score: Any
        if s.score is None:
            score = Text("–", style="yellow")
        else:
            score = Text(f"{s.score:g}/5", style="bold red" if s.failed else "")
        why = Text(safe(s.comment))
        if s.failed:  # a metric comment states the reason already; a manual one says why
            said = s.comment if s.reason in s.comment else f"{s.reason}; {s.comment}"
            why = Text.assemble(("Knock-out failed: ", "bold red"), safe(said))
        table.add_row(name, s.kind, f"{s.weight:g}", score, why)
    total = _total_cell(assessment, threshold)
    total.justify = "left"
    out_of = " / 100" if assessment.total is not None else ""
    total.append(f"{out_of} (threshold {threshold:g})", style="dim")
    table.add_row(Text("Total", style="bold"), "", "", "", total)
    return table
