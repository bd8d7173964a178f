"""The scoring form: a nominee against the criteria, the total and knock-outs previewed as you type.

Metric criteria score themselves from the figures; manual ones take a score of 1-5 and a
comment. Each change is previewed, after a short pause, by running the real assessment in a
transaction that is rolled back; only Save (ctrl+s) commits one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Input, Static

from kam.errors import KamError
from kam.rules import limits
from screens.formatting import money, safe, share
from screens.forms.form import FORM_CSS, FormScreen

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.services.criteria import CriterionView
    from kam.services.vetting import AssessmentView, ScoreView


class ScoreRange(Validator):
    """A manual score: a whole number from 1 to 5 (empty is checked with its comment)."""

    def validate(self, value: str) -> ValidationResult:
        """Fail unless the value is 1, 2, 3, 4 or 5."""
        text = value.strip()
        if text in ("1", "2", "3", "4", "5"):
            return self.success()
        if text.isdigit():
            return self.failure(f"{text} is not 1 to 5.")
        return self.failure("Write 1 to 5.")


@dataclass(frozen=True)
class ScoringPreview:
    """What saving the scores now would give: the assessment and the rules admission breaks."""

    assessment: AssessmentView
    problems: list[str]


class ScoringForm(FormScreen["AssessmentView"]):
    """Score one nominee: metric scores shown, manual scores typed, the verdict kept live."""

    CSS_PATH: ClassVar[Any] = [FORM_CSS, "scoring_form.tcss"]  # the form base, then ours
    DEBOUNCE: ClassVar[float] = 0.3
    """Seconds of quiet typing before the preview runs."""

    class Previewed(Message):
        """A dry-run assessment finished."""

        def __init__(self, preview: ScoringPreview) -> None:
            super().__init__()
            self.preview = preview

    class PreviewRefused(Message):
        """The dry run was refused; `sentence` says why."""

        def __init__(self, sentence: str) -> None:
            super().__init__()
            self.sentence = sentence

    def __init__(
        self,
        customer: str,
        *,
        criteria: list[CriterionView],
        previous: AssessmentView | None,
        threshold: float,
        as_of: date,
    ) -> None:
        super().__init__()
        self.customer = customer
        """The nominee's customer name."""
        self.criteria = criteria
        """The current criteria set."""
        self.manual = [c for c in criteria if c.kind == "manual"]
        """The criteria the user scores, in order (their inputs are numbered by position)."""
        self.threshold = threshold
        """The admission threshold, for the verdict."""
        self.as_of = as_of
        """The day the metric criteria are computed for."""
        version = criteria[0].set_version if criteria else None
        same_set = previous is not None and previous.criteria_version == version
        self.previous: dict[str, ScoreView] = {
            s.criterion: s
            for s in (previous.scores if previous is not None and same_set else [])
            if s.kind == "manual" and s.score is not None
        }
        """Manual scores of the newest assessment on this set: the form starts from them."""
        self.latest: AssessmentView | None = previous if same_set else None
        """The assessment the metric table shows until the first preview arrives."""
        self.preview: ScoringPreview | None = None
        """The newest preview."""

    # ------------------------------------------------------------------ fields

    def heading(self) -> Content:
        """'Score <customer> against the criteria'."""
        version = self.criteria[0].set_version if self.criteria else "–"
        return Content.assemble(
            "Score ",
            (safe(self.customer), "bold"),
            f" against the criteria (set {version}, figures as of {self.as_of.isoformat()})",
        )

    def fields(self) -> Iterator[Widget]:
        """A score and a comment per manual criterion, then the metric scores, then the
        verdict (docked, so it stays in sight)."""
        yield Static(
            Content("Your scores: 1 (poor) to 5 (excellent), each with a comment saying why"),
            classes="section",
        )
        for n, criterion in enumerate(self.manual):
            before = self.previous.get(criterion.name)
            yield Static(
                Content.assemble(
                    (safe(criterion.name), "bold"),
                    (f" · weight {criterion.weight:g}", "dim"),
                    (" · knock-out" if criterion.knock_out else "", "bold"),
                    ("  " + safe(criterion.description), "dim"),
                ),
                classes="criterion",
            )
            with Horizontal(classes="manual-row"):
                with Vertical(classes="score-col"):
                    yield from self.field(
                        "Score",
                        Input(
                            f"{before.score:g}" if before and before.score is not None else "",
                            placeholder="1–5",
                            id=f"score-{n}",
                            max_length=3,
                            validators=[ScoreRange()],
                            valid_empty=True,
                        ),
                    )
                with Vertical(classes="comment-col"):
                    yield from self.field(
                        "Why",
                        Input(
                            before.comment if before else "",
                            placeholder="why this score",
                            id=f"comment-{n}",
                            max_length=limits.NOTE,
                        ),
                    )
        yield Static(Content("Scored from the figures"), classes="section")
        yield Static(self._metric_table(self.latest), id="metrics")
        yield Static(Content("Computing the total…"), id="verdict")

    def on_mount(self) -> None:
        """Preview the scores the form starts with (the metric ones are computed now)."""
        self._preview()

    # ------------------------------------------------------------------ reading the fields

    def _pairs(self) -> Iterator[tuple[int, CriterionView, str, str]]:
        for n, criterion in enumerate(self.manual):
            yield n, criterion, self.value(f"score-{n}"), self.value(f"comment-{n}")

    def _complete(self) -> dict[str, tuple[int, str]]:
        """The manual scores that are whole and explained, by criterion name."""
        return {
            c.name: (int(score), comment)
            for _, c, score, comment in self._pairs()
            if ScoreRange().validate(score).is_valid and comment
        }

    def _pair_problems(self, n: int) -> dict[str, str]:
        """What is wrong with one criterion's score and comment taken together."""
        criterion = self.manual[n]
        score, comment = self.value(f"score-{n}"), self.value(f"comment-{n}")
        if score and not ScoreRange().validate(score).is_valid:
            return {}  # the score's own problem is shown
        if score and not comment:
            return {f"comment-{n}": "Say why you give this score."}
        if comment and not score:
            return {f"score-{n}": "Give 1 to 5."}
        before = self.previous.get(criterion.name)
        if not score and before is not None:
            return {f"score-{n}": f"Was {before.score:g}; a score stays, write 1 to 5."}
        return {}

    def extra_problems(self) -> dict[str, str]:
        """Every score needs its comment and every comment its score."""
        found: dict[str, str] = {}
        for n in range(len(self.manual)):
            found.update(self._pair_problems(n))
        return found

    def collect(self) -> dict[str, Any]:
        """The manual scores to save."""
        return {"manual": self._complete()}

    def write(self, session: Session, values: dict[str, Any]) -> AssessmentView:
        """Assess the nominee (it moves to vetting)."""
        from kam.services.vetting import assess

        return assess(
            session, self.kam.actor, self.customer, manual=values["manual"], as_of=self.as_of
        )

    # ------------------------------------------------------------------ live checks and preview

    @on(Input.Changed)
    def _score_changed(self, event: Input.Changed) -> None:
        """Check the score with its comment (after the field's own check) and preview again."""
        widget_id = event.input.id or ""
        kind, _, number = widget_id.partition("-")
        if kind not in ("score", "comment") or not number.isdigit():
            return
        self.call_later(self._show_pair, int(number))
        self._preview()

    def _show_pair(self, n: int) -> None:
        """Show the pair's problems on the fields the user has touched (Save shows them all)."""
        ids = (f"score-{n}", f"comment-{n}")
        pair = self._pair_problems(n)
        for widget_id in ids:
            if widget_id not in self._touched:
                continue
            box = self.query_one(f"#{widget_id}", Input)
            result = box.validate(box.value)
            own = None if result is None or result.is_valid else result.failure_descriptions[0]
            self._set_problem(widget_id, own or pair.get(widget_id))

    @work(exclusive=True, exit_on_error=False, group="scoring-preview")
    async def _preview(self) -> None:
        """After a pause in typing, assess in a rolled-back transaction and show the result."""
        await asyncio.sleep(self.DEBOUNCE)
        manual = self._complete()
        try:
            preview = await asyncio.to_thread(self._dry_run, manual)
        except KamError as error:
            self.post_message(self.PreviewRefused(str(error)))
            return
        self.post_message(self.Previewed(preview))

    def _dry_run(self, manual: dict[str, tuple[int, str]]) -> ScoringPreview:
        """The assessment and the admission problems saving would give (nothing is kept)."""
        from kam.services.accounts import account_by_name
        from kam.services.vetting import admission_problems, assess

        with self.kam.database.writing(dry_run=True) as session:
            view = assess(session, self.kam.actor, self.customer, manual=manual, as_of=self.as_of)
            problems = admission_problems(session, account_by_name(session, self.customer))
        return ScoringPreview(view, problems)

    @on(Previewed)
    def _previewed(self, message: Previewed) -> None:
        self.preview = message.preview
        self.query_one("#metrics", Static).update(self._metric_table(message.preview.assessment))
        self.query_one("#verdict", Static).update(self._verdict(message.preview))

    @on(PreviewRefused)
    def _preview_refused(self, message: PreviewRefused) -> None:
        self.query_one("#verdict", Static).update(
            Content.assemble(("No preview: ", "bold $error"), safe(message.sentence))
        )

    # ------------------------------------------------------------------ showing

    def _metric_table(self, assessment: AssessmentView | None) -> Table:
        """The metric criteria: the rule, the figure and the score it gives."""
        scores = {s.criterion: s for s in assessment.scores} if assessment else {}
        table = Table(box=None, padding=(0, 1), show_edge=False, expand=True)
        table.add_column("Criterion", no_wrap=True)
        table.add_column("Weight", justify="right", no_wrap=True)
        table.add_column("Rule", style="dim")
        table.add_column("Figure", justify="right", no_wrap=True)
        table.add_column("Score", justify="right", no_wrap=True)
        for c in self.criteria:
            if c.kind != "metric":
                continue
            name = Text(safe(c.name))
            if c.knock_out:
                name.append(" (knock-out)", style="dim")
            rule = c.rule
            s = scores.get(c.name)
            if s is None or s.score is None:
                figure, score = Text("…", style="dim"), Text("…", style="dim")
            else:
                figure = Text(_figure(c.metric, s.value))
                score = Text(f"{s.score:g}/5", style="bold red" if s.failed else "")
            table.add_row(name, f"{c.weight:g}", Text(safe(rule)), figure, score)
        return table

    def _verdict(self, preview: ScoringPreview) -> Content:
        """The total against the threshold with the knock-outs, then what admission would say."""
        a = preview.assessment
        if a.total is None:
            total = Content.assemble(
                ("Total –", "bold"),
                ("  incomplete: no score yet for ", "$warning"),
                (safe(", ".join(a.missing)), "$warning"),
            )
        else:
            passes = a.total >= self.threshold
            total = Content.assemble(
                (f"Total {a.total:.1f} / 100", "bold"),
                (
                    f"  {'passes' if passes else 'under'} the threshold {self.threshold:g}",
                    "bold $success" if passes else "bold $error",
                ),
            )
        failed = [f"{s.criterion} ({s.reason})" for s in a.scores if s.failed]
        knock_outs = (
            Content.assemble(("knock-out failed: ", "bold $error"), safe(", ".join(failed)))
            if failed
            else Content("knock-outs: none failed")
        )
        if preview.problems:
            admission = Content.assemble(
                ("Admission would be refused: ", "$error"),
                safe("; ".join(preview.problems)) + ".",
            )
        else:
            admission = Content.assemble(("Admission: ready", "$success"))
        return Content("\n").join(
            [
                Content.assemble(total, ("  ·  ", "dim"), knock_outs),
                admission,
                Content.styled("A preview: ctrl+s saves it.", "dim"),
            ]
        )


def _figure(metric: str | None, value: float | None) -> str:
    """A metric's value as the table shows it."""
    if metric == "share_of_wallet":
        return share(value)
    return money(value)
