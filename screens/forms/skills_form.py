"""The form that scores a key account manager's skills, 1 to 5 each."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Static

from db.enums import Skill
from screens.formatting import safe
from screens.forms.form import FormScreen
from screens.forms.validators import WholeNumber

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.services.managers import ManagerProfileView

#: What each skill means, for the person scoring it.
_MEANING = {
    Skill.FINANCE: "reads the customer's accounts; builds a business case",
    Skill.CONSULTING: "diagnoses the customer's problems and shapes solutions",
    Skill.PLANNING: "writes and runs the account plan",
    Skill.INTERPERSONAL: "builds trust across the customer's buying centre",
    Skill.INFLUENCE: "moves decisions inside the customer and inside our company",
}


class SkillsForm(FormScreen["ManagerProfileView"]):
    """Score a manager's five skills (admins); a score once given cannot be emptied.

    A save is refused when someone else scored the manager after the scores shown were read
    (`read_at`); the form stays open with what was typed, and saving again replaces theirs.
    """

    def __init__(self, profile: ManagerProfileView) -> None:
        super().__init__()
        self.profile = profile
        """The manager as shown when the form opened."""

    def on_mount(self) -> None:
        """Watch the manager's scores (audited by the manager's user id), before the base's
        mount reads the newest change of them when no read was given."""
        from kam.services.common import user_by_login

        with self.kam.database.reading() as session:
            self.watched = ("manager_profile", user_by_login(session, self.profile.login).id)

    def heading(self) -> Content:
        """'Skills of <manager>'."""
        return Content.assemble(
            "Skills of ", (safe(self.profile.display_name), "bold"), f" ({self.profile.login})"
        )

    def fields(self) -> Iterator[Widget]:
        """One 1-5 score per skill."""
        yield Static(
            Content(
                "1 novice … 5 expert. A score under 3 warns when the manager is assigned "
                "an account."
            ),
            classes="field-label",
        )
        for skill in Skill:
            score = self.profile.skills.get(skill.value)
            yield from self.field(
                f"{skill.value.capitalize()}: {_MEANING[skill]}",
                Input(
                    "" if score is None else str(score),
                    id=skill.value,
                    max_length=3,
                    validators=[WholeNumber(1, 5)],
                    valid_empty=True,
                ),
            )

    def extra_problems(self) -> dict[str, str]:
        """A score given before cannot be emptied; at least one score is needed."""
        found = {}
        for skill in Skill:
            before = self.profile.skills.get(skill.value)
            if before is not None and not self.value(skill.value):
                found[skill.value] = f"Was {before}; a score stays, write 1 to 5."
        if not any(self.value(s.value) for s in Skill):
            found[Skill.FINANCE.value] = "Give at least one score, 1 to 5."
        return found

    def collect(self) -> dict[str, Any]:
        """The scores written."""
        return {s.value: int(self.value(s.value)) for s in Skill if self.value(s.value)}

    def write(self, session: Session, values: dict[str, Any]) -> ManagerProfileView:
        """Set the scores (unchanged ones are not audited)."""
        from kam.services.managers import set_skills

        return set_skills(session, self.kam.actor, self.profile.login, **values)
