"""The picker that assigns an account's executive sponsor or key account manager: the
eligible people with their load against the limit (and, for managers, the skill warning);
those the rule would refuse are shown greyed with the reason."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from kam.text import sentence
from screens.formatting import safe
from screens.forms.form import FormScreen

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.services.staffing import Candidate
    from kam.views import AccountView

#: The job's word in the heading and the load column, by the picker's `job`.
JOBS = {"sponsor": ("executive sponsor", "sponsors"), "manager": ("key account manager", "runs")}


class StaffPicker(FormScreen["AccountView"]):
    """Choose who sponsors (`job="sponsor"`) or manages (`job="manager"`) an account (admins);
    Enter or ctrl+s assigns the highlighted person through `kam sponsor|manager assign`'s
    service, at the account's version shown."""

    FIRST_FIELD = "OptionList"

    class Listed(Message):
        """The candidates were read."""

        def __init__(self, candidates: list[Candidate]) -> None:
            super().__init__()
            self.candidates = candidates

    def __init__(self, customer: str, *, job: str, version: int | None = None) -> None:
        super().__init__()
        self.customer = customer
        """The account's customer name."""
        self.job = job
        """'sponsor' or 'manager'."""
        self.version = version
        """The account's version the reader saw (None: whatever it is now)."""
        self.candidates: list[Candidate] = []
        """Everyone listed, in the list's order."""
        self.warning: str | None = None
        """The skill warning of the manager assigned, for the caller to show."""

    def heading(self) -> Content:
        """'Executive sponsor of <customer>'."""
        return Content.assemble(
            JOBS[self.job][0].capitalize(), " of ", (safe(self.customer), "bold")
        )

    def fields(self) -> Iterator[Widget]:
        """The people, filled once read."""
        yield from self.field(
            f"Who ({JOBS[self.job][1]} / limit of open key accounts)",
            OptionList(id="people"),
            hint="Enter assigns the highlighted person; greyed: the rule refuses them, and why.",
        )

    def on_mount(self) -> None:
        """Read who could take the job."""
        super().on_mount()
        self._list()

    @work(thread=True, exclusive=True, exit_on_error=False, group="staff-list")
    def _list(self) -> None:
        from kam.services.staffing import candidates

        with self.kam.database.reading() as session:
            found = candidates(session, self.customer, as_=self.job)
        self.post_message(self.Listed(found))

    @on(Listed)
    def _listed(self, message: Listed) -> None:
        self.candidates = message.candidates
        people = self.query_one("#people", OptionList)
        people.clear_options()
        for c in message.candidates:
            line = Text.assemble(
                (safe(f"{c.display_name} ({c.login})"), "bold" if c.refusal is None else ""),
                f"  {c.load}/{c.limit}",
                ("  current" if c.current else "", "italic"),
            )
            note = c.refusal or c.warning
            if note:
                line.append("\n  " + safe(note), style="dim" if c.refusal else "yellow")
            people.add_option(Option(line, id=c.login, disabled=c.refusal is not None))
        first = next((n for n, c in enumerate(message.candidates) if c.refusal is None), None)
        if first is not None:
            people.highlighted = first
        elif not message.candidates:
            people.add_option(Option(Text(f"Nobody has the role to be {JOBS[self.job][0]}."),
                                     disabled=True))  # fmt: skip

    @on(OptionList.OptionSelected, "#people")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_save()

    def chosen(self) -> Candidate | None:
        """The person highlighted, if the rule would take them."""
        people = self.query_one("#people", OptionList)
        if people.highlighted is None or people.highlighted >= len(self.candidates):
            return None
        candidate = self.candidates[people.highlighted]
        return candidate if candidate.refusal is None else None

    def extra_problems(self) -> dict[str, str]:
        """Someone the rule takes must be highlighted."""
        if self.chosen() is None:
            return {"people": "Highlight someone who may take the job."}
        return {}

    def collect(self) -> dict[str, Any]:
        """The login chosen."""
        candidate = self.chosen()
        assert candidate is not None
        return {"login": candidate.login}

    def write(self, session: Session, values: dict[str, Any]) -> AccountView:
        """Assign through the service `kam sponsor assign` / `kam manager assign` call."""
        from kam.services.managers import assign_manager
        from kam.services.sponsors import assign_sponsor

        actor, login = self.kam.actor, values["login"]
        if self.job == "sponsor":
            return assign_sponsor(
                session, actor, self.customer, login, expected_version=self.version
            )
        result = assign_manager(session, actor, self.customer, login, expected_version=self.version)
        self.warning = result.warning
        return result.account


def report_assignment(app: Any, job: str, view: AccountView | None, warning: str | None) -> None:
    """Tell the user who now holds the job (and the skill warning, if any)."""
    if view is None:
        return
    who = view.sponsor_name if job == "sponsor" else view.manager_name
    said = f"{safe(who or '–')} is now {JOBS[job][0]} of {safe(view.customer)}"
    app.notify(sentence(said), markup=False)
    if warning:
        app.notify(safe(warning), title="Note", severity="warning", markup=False)
