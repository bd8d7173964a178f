"""The form that records a periodic review of a key account."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from textual import on
from textual.containers import Horizontal
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Label, Select, SelectionList, Static, TextArea
from textual.widgets.selection_list import Selection

from db.enums import ReviewDecision
from kam.rules import limits
from screens.formatting import safe, words
from screens.forms.form import FORM_CSS, FormScreen
from screens.forms.validators import IsoDate, WholeNumber, parse_date

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.services.criteria import CriterionView
    from kam.services.reviews import ReviewView

#: How each decision reads in the form.
DECISIONS: dict[ReviewDecision, str] = {
    ReviewDecision.RETAIN: "retain: stays a key account",
    ReviewDecision.WATCH: "watch: under review until the next one",
    ReviewDecision.RETIRE: "retire: recommend leaving the programme",
}


@dataclass(frozen=True)
class ReviewSetup:
    """What the form needs to know about the programme, read before it opens."""

    manual: list[CriterionView] = field(default_factory=list)
    """The current set's manual criteria (scored 1-5 with a comment)."""
    practices: list[str] = field(default_factory=list)
    """The titles of the best practices a review can link."""
    checklist: tuple[str, ...] = ()
    """The best-practice checklist every review answers."""
    review_days: int = 180
    """Days from a review to the next, unless the form says otherwise."""
    threshold: float = 60.0
    """The total under which a review counts against the account."""


def satisfaction_words(index: float) -> str:
    """How a satisfaction index (perceived / expected) reads."""
    if index < 0.95:
        return "dissatisfied"
    if index <= 1.05:
        return "neutral"
    return "satisfied"


class ReviewForm(FormScreen["ReviewView"]):
    """Record a review: the customer's perceived and expected service (1-10), the decision,
    the manual criteria (1-5 with a comment), the checklist, practices, notes, next date."""

    # The base form's layout, then this form's additions (a screen loads only its own paths).
    CSS_PATH = [FORM_CSS, "review_form.tcss"]  # type: ignore[assignment]

    def __init__(self, customer: str, *, today: date, setup: ReviewSetup) -> None:
        super().__init__()
        self.customer = customer
        """The key account's customer."""
        self.today = today
        """The review's date."""
        self.setup = setup
        """The criteria, practices and settings the form offers."""

    def heading(self) -> Content:
        """'Review of <customer> on <date>'."""
        return Content.assemble(
            "Review of ", (safe(self.customer), "bold"), f" on {self.today.isoformat()}"
        )

    def fields(self) -> Iterator[Widget]:
        """Satisfaction, decision, manual criteria, checklist, practices, notes, next date."""
        yield from self.field(
            "Perceived service, as the customer rates it (1-10)",
            Input(id="perceived", max_length=2, validators=[WholeNumber(1, 10)]),
        )
        yield from self.field(
            "Expected service, as the customer expects it (1-10)",
            Input(id="expected", max_length=2, validators=[WholeNumber(1, 10)]),
        )
        yield Static(
            Content(
                "Satisfaction = perceived / expected: under 1 dissatisfied, above 1 satisfied."
            ),
            id="satisfaction",
        )
        yield from self.field(
            "Decision",
            Select(
                [(label, d.value) for d, label in DECISIONS.items()],
                id="decision",
                prompt="Choose retain, watch or retire",
            ),
        )
        if self.setup.manual:
            yield Static(
                Content(
                    "Manual criteria: a score from 1 to 5 and why. Leave both empty to keep "
                    "the score of the last assessment (vetting or review)."
                ),
                classes="criteria-help",
            )
        for n, criterion in enumerate(self.setup.manual):
            yield Label(
                Content.assemble(
                    (words(safe(criterion.name)), "bold"), " — ", safe(criterion.description)
                ),
                classes="criterion-name",
            )
            score_label, score, score_problem = self.field(
                "Score",
                Input(
                    id=f"score-{n}",
                    classes="score",
                    max_length=1,
                    validators=[WholeNumber(1, 5)],
                    valid_empty=True,
                ),
            )
            why_label, why, why_problem = self.field(
                "Why", Input(id=f"comment-{n}", max_length=limits.NOTE)
            )
            yield Horizontal(score_label, score, why_label, why, classes="criterion")
            yield score_problem
            yield why_problem
        yield from self.field(
            "Checklist (space ticks an item)",
            SelectionList[str](
                *(Selection(Content(words(item)), item) for item in self.setup.checklist),
                id="checklist",
                compact=True,
            ),
        )
        if self.setup.practices:
            yield from self.field(
                "Best practices applied (space ticks one)",
                SelectionList[str](
                    *(Selection(Content(safe(t)), t) for t in self.setup.practices),
                    id="practices",
                    compact=True,
                ),
            )
        yield from self.field("Notes", TextArea(id="notes", soft_wrap=True))
        default = self.today + timedelta(days=self.setup.review_days)
        yield from self.field(
            "Next review on",
            Input(id="next_review_on", max_length=10, validators=[IsoDate()], valid_empty=True),
            hint=f"YYYY-MM-DD; empty: {default.isoformat()} ({self.setup.review_days} days on).",
        )

    def on_mount(self) -> None:
        """Start at the top of the form (focusing the first field may scroll it)."""
        self.call_after_refresh(self.query_one("#form").scroll_home, animate=False)

    @on(Input.Changed, "#perceived, #expected")
    def _show_satisfaction(self) -> None:
        """Say what perceived / expected comes to as soon as both are right."""
        numbers = self._numbers()
        line = self.query_one("#satisfaction", Static)
        if numbers is None:
            line.update(
                Content(
                    "Satisfaction = perceived / expected: under 1 dissatisfied, above 1 satisfied."
                )
            )
            return
        index = numbers[0] / numbers[1]
        line.update(
            Content.assemble(
                "Satisfaction ", (f"{index:.2f}", "bold"), f": {satisfaction_words(index)}"
            )
        )

    def _numbers(self) -> tuple[int, int] | None:
        """Perceived and expected, when both are whole numbers from 1 to 10."""
        try:
            perceived, expected = int(self.value("perceived")), int(self.value("expected"))
        except ValueError:
            return None
        if 1 <= perceived <= 10 and 1 <= expected <= 10:
            return perceived, expected
        return None

    def extra_problems(self) -> dict[str, str]:
        """The decision must be chosen; a manual score needs a reason, and a reason a score."""
        found: dict[str, str] = {}
        if self.choice("decision") is None:
            found["decision"] = "Choose retain, watch or retire."
        for n, criterion in enumerate(self.setup.manual):
            score, comment = self.value(f"score-{n}"), self.value(f"comment-{n}")
            if score and not comment:
                found[f"comment-{n}"] = f"Say why {words(criterion.name)} scores {score}."
            if comment and not score:
                found[f"score-{n}"] = "Give a score with the reason."
        if len(self.value("notes")) > 10_000:
            found["notes"] = "Notes have at most 10,000 characters."
        return found

    def collect(self) -> dict[str, Any]:
        """The service's fields; manual criteria left empty keep their last score."""
        manual = {
            c.name: (int(self.value(f"score-{n}")), self.value(f"comment-{n}"))
            for n, c in enumerate(self.setup.manual)
            if self.value(f"score-{n}")
        }
        practices = (
            self.query_one("#practices", SelectionList).selected if self.setup.practices else []
        )
        return {
            "perceived": int(self.value("perceived")),
            "expected": int(self.value("expected")),
            "decision": ReviewDecision(self.choice("decision")),
            "manual": manual,
            "checklist": list(self.query_one("#checklist", SelectionList).selected),
            "practices": list(practices),
            "notes": self.value("notes"),
            "next_review_on": parse_date(self.value("next_review_on")),
        }

    def write(self, session: Session, values: dict[str, Any]) -> ReviewView:
        """Record the review, dated the day the app computes figures for."""
        from kam.services.reviews import record_review

        return record_review(
            session, self.kam.actor, self.customer, reviewed_on=self.today, **values
        )
