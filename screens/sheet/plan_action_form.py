"""The form that adds an action to an objective (who does what by when), or changes one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Select

from db.enums import ActionStatus, Department
from kam.services.plans import ActionChanges, ActionInput
from screens.formatting import day, safe, words
from screens.forms.form import FormScreen
from screens.forms.limits import max_length
from screens.forms.validators import IsoDate, Login, Required, parse_date

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.services.plans import ActionView, ObjectiveView, PlanView
    from kam.views import ContactView


class PlanActionForm(FormScreen["PlanView"]):
    """Add an action to `objective`, or change one (`action` given).

    An action is owned by a kam user (a login) or by a named person outside kam and their
    department, when added and when changed. `people` are the customer's, whom the action
    may address.
    """

    def __init__(
        self,
        *,
        objective: ObjectiveView | None = None,
        action: ActionView | None = None,
        people: list[ContactView] | None = None,
    ) -> None:
        super().__init__()
        assert (objective is None) != (action is None), "an objective to add to, or an action"
        self.objective = objective
        """The objective a new action serves."""
        self.action = action
        """The action being changed; None to add one."""
        if action is not None:
            self.watched = ("plan_action", action.id)
        self.people = people or []
        """The customer's people."""
        named = action is not None and action.owner_department is not None
        self._owner = (action.owner or "") if action and not named else ""
        """The owner's login as the form opened (empty for a named person)."""
        self._named = (action.owner_name or "") if action and named else ""
        """The named person outside kam who owns it, as the form opened."""
        self._department = action.owner_department if action and named else None

    def heading(self) -> Content:
        """'New action for <objective>' or 'Action <title>'."""
        if self.action is None:
            assert self.objective is not None
            return Content.assemble("New action for ", (safe(self.objective.title), "bold"))
        return Content.assemble("Action ", (safe(self.action.title), "bold"))

    def fields(self) -> Iterator[Widget]:
        """Title, (status,) due date, owner, and whom at the customer it addresses."""
        a = self.action
        model = ActionInput if a is None else ActionChanges
        yield from self.field(
            "What is to be done",
            Input(
                a.title if a else "",
                id="title",
                max_length=max_length(model, "title"),
                validators=[Required("The action")],
            ),  # fmt: skip
        )
        if a is not None:
            yield from self.field(
                "Status",
                Select(
                    [(words(s.value), s.value) for s in ActionStatus],
                    id="status",
                    value=a.status,
                    allow_blank=False,
                ),  # fmt: skip
            )
        yield from self.field(
            "Due on",
            Input(
                day(a.due_on) if a else "",
                id="due_on",
                placeholder="YYYY-MM-DD",
                max_length=10,
                validators=[IsoDate()],
            ),  # fmt: skip
            hint="YYYY-MM-DD",
        )
        yield from self.field(
            "Owner (login)",
            Input(
                self._owner,
                id="owner",
                max_length=max_length(model, "owner"),
                validators=[Login()],
                valid_empty=True,
            ),  # fmt: skip
            hint="A kam user; or name someone outside kam.",
        )
        yield from self.field(
            "Or: a person outside kam",
            Input(self._named, id="owner_name", max_length=max_length(model, "owner_name")),
            hint="Their name, with their department below.",
        )
        yield from self.field(
            "Their department",
            Select(
                [(words(d.value), d.value) for d in Department],
                id="owner_department",
                prompt="(for a person outside kam)",
                value=self._department or Select.NULL,
            ),  # fmt: skip
        )
        yield from self.field(
            "With (at the customer)",
            Select(
                [(Content(safe(p.name)), p.id) for p in self.people],
                id="contact",
                prompt="(nobody in particular)",
                value=a.contact_id if a and a.contact_id is not None else Select.NULL,
            ),
        )

    def extra_problems(self) -> dict[str, str]:
        """A login or a named person (with a department), not both."""
        if self.value("owner") and self.value("owner_name"):
            return {"owner_name": "A kam login or a person outside kam, not both."}
        if self.value("owner_name") and self.choice("owner_department") is None:
            return {"owner_department": "Say which department the person is in."}
        return {}

    def collect(self) -> dict[str, Any]:
        """The service's fields (a change sends the owner only when it was changed: a login,
        or a named person and their department)."""
        values: dict[str, Any] = {
            "title": self.value("title"),
            "due_on": parse_date(self.value("due_on")),
            "contact": self.choice("contact"),
        }
        if self.action is None:
            values["owner"] = self.optional("owner")
            values["owner_name"] = self.optional("owner_name")
            values["owner_department"] = self.choice("owner_department")
        else:
            values["status"] = self.choice("status")
            owner, named = self.value("owner"), self.value("owner_name")
            department = self.choice("owner_department")
            if (owner, named, department) != (self._owner, self._named, self._department):
                if named:
                    values["owner_name"], values["owner_department"] = named, department
                else:
                    values["owner"] = owner or None
        return values

    def write(self, session: Session, values: dict[str, Any]) -> PlanView:
        """Add or change the action."""
        from kam.services.plans import add_action, update_action

        if self.action is None:
            assert self.objective is not None
            return add_action(session, self.kam.actor, self.objective.id, **values)
        return update_action(session, self.kam.actor, self.action.id, **values)
