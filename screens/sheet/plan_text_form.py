"""The form that writes an account plan's situation and SWOT (one item per line)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import TextArea

from kam.services.plans import PlanText
from screens.formatting import safe
from screens.forms.form import FormScreen
from screens.forms.limits import max_length

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.services.plans import PlanView

#: (field, label, hint) in the order the form shows them.
PARTS = (
    ("situation", "Situation", "The customer's strategy and priorities, in their words."),
    ("strengths", "Strengths", "Ours with this customer; one per line."),
    ("weaknesses", "Weaknesses", "One per line."),
    ("opportunities", "Opportunities", "One per line."),
    ("threats", "Threats", "One per line."),
)


class PlanTextForm(FormScreen["PlanView"]):
    """Write the situation and SWOT of `plan`.

    If someone changed the plan since it was read, nothing is overwritten, the reader is told,
    and the form stays open with what was typed: saving again replaces their change on purpose
    (only the parts changed in the form).
    """

    KEEP_ON_CONFLICT = True

    def __init__(self, plan: PlanView) -> None:
        super().__init__()
        self.plan = plan
        """The plan as read (its version guards against overwriting another's change)."""
        self._version = plan.version if plan.id is not None else None
        """The version a save expects: the one shown, then the one a conflict found."""

    def heading(self) -> Content:
        """'Situation and SWOT: 2026 plan of <customer>'."""
        return Content.assemble(
            f"Situation and SWOT: {self.plan.period} plan of ", (safe(self.plan.customer), "bold")
        )

    def fields(self) -> Iterator[Widget]:
        """The situation, then the four lists."""
        p = self.plan
        for name, label, hint in PARTS:
            value = p.situation if name == "situation" else "\n".join(getattr(p, name))
            yield from self.field(label, TextArea(value, id=name, soft_wrap=True), hint=hint)

    def extra_problems(self) -> dict[str, str]:
        """Each part has the length limit of the service's model."""
        found = {}
        for name, label, _hint in PARTS:
            limit = max_length(PlanText, name)
            if len(self.value(name)) > limit:
                found[name] = f"{label}: at most {limit:,} characters."
        return found

    def collect(self) -> dict[str, Any]:
        """The parts that differ from what was shown."""
        p = self.plan
        shown = {name: p.situation if name == "situation" else "\n".join(getattr(p, name))
                 for name, _label, _hint in PARTS}  # fmt: skip
        return {name: text for name in shown if (text := self.value(name)) != shown[name].strip()}

    def write(self, session: Session, values: dict[str, Any]) -> PlanView:
        """Write them (the plan is made on the first write) if the plan is still at the
        version expected."""
        from kam.errors import ConflictError
        from kam.services.plans import get_plan, set_plan_text

        p = self.plan
        try:
            return set_plan_text(
                session,
                self.kam.actor,
                p.customer,
                fiscal_year=p.fiscal_year,
                expected_version=self._version,
                **values,
            )
        except ConflictError as conflict:
            self._version = get_plan(session, p.customer, fiscal_year=p.fiscal_year).version
            raise ConflictError(
                f"{conflict} Your entries are still in the form: save again to replace their "
                "change, or Escape and reload."
            ) from None
