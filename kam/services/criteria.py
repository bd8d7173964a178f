"""The written admission criteria: weighted rules, versioned as a set, and how they score.

Scoring (0-5 per criterion, metric scores to one decimal; the total is 0-100):
- a manual criterion takes a whole score of 1-5 and a comment from the person assessing;
- a metric criterion with a threshold scores 5 when the customer's value is above the
  threshold, else 0;
- a metric criterion whose threshold is a programme setting (the minimum_profit knock-out:
  min_profit) scores 5 when the value is at least the setting's value in force, else 0;
- a metric criterion without a threshold scores the value on a continuous scale against the
  current key accounts (active or under review): 1 at or below their minimum, 3 at their
  median, 5 at or above their top quartile (75th percentile), linear in between; with fewer
  than 5 key accounts whose figure is known, against the 25 customers of the whole base with
  the highest figure at the assessment date. Percentiles interpolate linearly between closest
  ranks (numpy's default); kam.rules.scale holds the rule. An unknown value (no wallet
  estimate) counts as zero;
- total = 100 x sum(weight x score / 5) / sum(weight); a knock-out may weigh 0 (it gates
  admission and adds nothing to the total);
- a knock-out criterion fails when it scores below 2, whatever the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from db.enums import CriterionKind
from kam.errors import InvalidData, NotFound
from kam.rules import limits, scale
from kam.rules.permissions import Action, require
from kam.services import audit
from kam.text import clean_text
from kam.views import View

if TYPE_CHECKING:
    import pandas as pd
    from sqlmodel import Session

    from db.models import Criterion
    from kam.identity import Actor
    from kam.rules.programme import ProgrammeSettings

#: Metrics a criterion can score itself from (T12M, as of the assessment date).
METRICS = ("profit", "revenue", "clv", "headroom", "share_of_wallet")

#: Each metric's figure in words, as the scores' explanations name it.
FIGURES = {
    "profit": "T12M profit",
    "revenue": "T12M revenue",
    "clv": "CLV",
    "headroom": "wallet headroom",
    "share_of_wallet": "share of wallet",
}

#: Programme settings that may stand for a criterion's threshold: the metric each applies
#: to, and its name in words.
THRESHOLD_SETTINGS: dict[str, tuple[str, str]] = {
    "min_profit": ("profit", "the programme's minimum profit"),
}

#: A knock-out criterion fails below this score.
KNOCK_OUT_BELOW = 2

#: How a metric criterion without a threshold scores, as descriptions and help say it.
SCALE_RULE = (
    "against the current key accounts: 1 at their lowest, 3 at their median, 5 at or above "
    "their top quartile"
)

#: The default set, saved as version 1 the first time criteria are needed.
DEFAULTS: tuple[dict[str, Any], ...] = (
    {
        "name": "profit_contribution",
        "weight": 20,
        "kind": "metric",
        "metric": "profit",
        "description": f"T12M profit after cost to serve, {SCALE_RULE}.",
    },
    {
        "name": "purchase_volume",
        "weight": 10,
        "kind": "metric",
        "metric": "revenue",
        "description": f"T12M revenue, {SCALE_RULE}.",
    },
    {
        "name": "above_break_even",
        "weight": 10,
        "kind": "metric",
        "metric": "profit",
        "threshold": 0.0,
        "knock_out": True,
        "description": "T12M profit after cost to serve is above zero.",
    },
    {
        "name": "minimum_profit",
        "weight": 0,
        "kind": "metric",
        "metric": "profit",
        "threshold_setting": "min_profit",
        "knock_out": True,
        "description": (
            "T12M profit after cost to serve at least the programme's minimum profit "
            "(min_profit; unless set, the lowest among the current key accounts). A knock-out "
            "only: it adds nothing to the total."
        ),
    },
    {
        "name": "forward_clv",
        "weight": 20,
        "kind": "metric",
        "metric": "clv",
        "description": f"Forward customer lifetime value, {SCALE_RULE}.",
    },
    {
        "name": "wallet_headroom",
        "weight": 10,
        "kind": "metric",
        "metric": "headroom",
        "description": f"Estimated wallet minus T12M revenue, {SCALE_RULE}.",
    },
    {
        "name": "strategic_fit",
        "weight": 10,
        "kind": "manual",
        "description": "Strategic and cultural fit with our direction (1-5).",
    },
    {
        "name": "advocacy",
        "weight": 10,
        "kind": "manual",
        "description": "Will act as a reference and advocate for us (1-5).",
    },
    {
        "name": "relationship_loyalty",
        "weight": 10,
        "kind": "manual",
        "description": "Strength of the relationship and kind of loyalty (1-5).",
    },
)


@dataclass(frozen=True)
class CriterionView(View):
    """One criterion of a set."""

    id: int
    set_version: int
    name: str
    description: str
    weight: float
    kind: str
    metric: str | None
    threshold: float | None
    threshold_setting: str | None
    """The programme setting that stands for the threshold (e.g. min_profit), if any."""
    knock_out: bool
    rule: str
    """How it scores, in a few words (e.g. "T12M profit above 0")."""


def to_view(row: Criterion) -> CriterionView:
    """The plain view of a criterion row."""
    assert row.id is not None
    return CriterionView(
        row.id,
        row.set_version,
        row.name,
        row.description,
        row.weight,
        row.kind.value,
        row.metric,
        row.threshold,
        row.threshold_setting,
        row.knock_out,
        rule_of(row),
    )


def rule_of(row: Criterion) -> str:
    """How a criterion scores, in a few words."""
    if row.kind == CriterionKind.MANUAL:
        return "scored 1-5 by hand"
    figure = FIGURES.get(row.metric or "", row.metric or "")
    if row.threshold_setting is not None:
        return f"{figure} at least {row.threshold_setting}"
    if row.threshold is not None:
        return f"{figure} above {row.threshold:g}"
    key_accounts = f"fewer than {scale.MIN_MEMBERS}: top {scale.TOP_N} customers"
    return f"{figure} 1-5 against the key accounts ({key_accounts})"


def current_version(session: Session) -> int | None:
    """The newest criteria set version, or None before any is saved."""
    from sqlalchemy import func
    from sqlmodel import select

    from db.models import Criterion

    return session.exec(select(func.max(Criterion.set_version))).one()


def ensure_criteria(session: Session) -> int:
    """Save the default set as version 1 if there is no set yet; return the current version."""
    from db.models import Criterion

    version = current_version(session)
    if version is not None:
        return version
    for spec in DEFAULTS:
        session.add(Criterion(set_version=1, **spec))
    session.flush()
    return 1


def current_criteria(session: Session) -> list[Criterion]:
    """The rows of the current set (saving the defaults first if needed)."""
    from sqlmodel import col, select

    from db.models import Criterion

    version = ensure_criteria(session)
    return list(
        session.exec(
            select(Criterion).where(Criterion.set_version == version).order_by(col(Criterion.id))
        ).all()
    )


def list_criteria(session: Session) -> list[CriterionView]:
    """The current set."""
    return [to_view(c) for c in current_criteria(session)]


def _new_version(session: Session, actor: Actor, change: str) -> int:
    """Copy the current set into a new version; the caller then edits the copy."""
    from db.models import Criterion

    require(actor, Action.CHANGE_CRITERIA)
    rows = current_criteria(session)
    version = rows[0].set_version + 1 if rows else 1
    for row in rows:
        data = row.model_dump(exclude={"id", "set_version", "created_at"})
        session.add(Criterion(set_version=version, **data))
    session.flush()
    audit.record(
        session,
        actor,
        entity="criteria",
        entity_id=version,
        customer_id=None,
        field="(new version)",
        old=version - 1,
        new=change,
    )
    return version


def _in_version(session: Session, version: int, name: str) -> Criterion:
    from sqlmodel import select

    from db.models import Criterion

    row = session.exec(
        select(Criterion).where(Criterion.set_version == version, Criterion.name == name)
    ).first()
    if row is None:
        raise NotFound(f"No criterion is named '{name}' in the current set.")
    return row


def _check(
    kind: CriterionKind,
    metric: str | None,
    weight: float | None,
    knock_out: bool = True,
    threshold: float | None = None,
) -> None:
    if threshold is not None:
        limits.share("threshold", metric, limits.finite("threshold", threshold))
    if weight is not None and limits.finite("weight", weight) < 0:
        raise InvalidData(f"weight: {weight:g} must be zero or above.")
    if weight == 0 and not knock_out:
        raise InvalidData(
            "weight: only a knock-out may weigh 0 (it then gates admission and adds nothing "
            "to the total); give a weight above zero."
        )
    if kind == CriterionKind.METRIC and metric is None:
        raise InvalidData(
            f"metric: a metric criterion needs --metric, one of {', '.join(METRICS)}."
        )
    if kind == CriterionKind.METRIC and metric not in METRICS:
        raise InvalidData(f"metric: '{metric}' is not one of {', '.join(METRICS)}.")
    if kind == CriterionKind.MANUAL and metric is not None:
        raise InvalidData("metric: a manual criterion has no metric.")


def change_criterion(
    session: Session,
    actor: Actor,
    name: str,
    *,
    weight: float | None = None,
    description: str | None = None,
    threshold: float | None = None,
    clear_threshold: bool = False,
    knock_out: bool | None = None,
) -> list[CriterionView]:
    """Change one criterion, making a new version of the set (admins only)."""
    _in_version(session, ensure_criteria(session), name)  # exists before a version is made
    _check(CriterionKind.MANUAL, None, weight, threshold=threshold)
    version = _new_version(session, actor, f"changed {name}")
    row = _in_version(session, version, name)
    if (threshold is not None or clear_threshold) and row.threshold_setting is not None:
        raise InvalidData(
            f"threshold: '{name}' holds customers to the programme setting "
            f"{row.threshold_setting}; change it with `kam programme set "
            f"{row.threshold_setting} VALUE`."
        )
    if weight is not None:
        row.weight = weight
    if description is not None:
        row.description = clean_text(description, multiline=True)
    if threshold is not None or clear_threshold:
        if row.kind != CriterionKind.METRIC:
            raise InvalidData(f"threshold: '{name}' is manual; only metric criteria have one.")
        row.threshold = None if clear_threshold else threshold
    if knock_out is not None:
        row.knock_out = knock_out
    _check(row.kind, row.metric, row.weight, row.knock_out, threshold=row.threshold)
    _weighs_something(current_criteria(session))
    session.flush()
    return list_criteria(session)


def _weighs_something(rows: list[Criterion]) -> None:
    """A set whose weights are all 0 cannot make a total."""
    if rows and sum(r.weight for r in rows) <= 0:
        raise InvalidData("weight: every criterion would weigh 0; the set could make no total.")


def add_criterion(
    session: Session,
    actor: Actor,
    name: str,
    *,
    kind: CriterionKind,
    weight: float,
    description: str = "",
    metric: str | None = None,
    threshold: float | None = None,
    knock_out: bool = False,
) -> list[CriterionView]:
    """Add a criterion, making a new version of the set (admins only)."""
    from db.models import Criterion

    key = clean_text(name).lower().replace(" ", "_")
    if not key:
        raise InvalidData("name: a criterion needs a name.")
    _check(kind, metric, weight, knock_out, threshold)
    version = _new_version(session, actor, f"added {key}")
    if any(c.name == key for c in current_criteria(session)):
        raise InvalidData(f"name: a criterion named '{key}' already exists.")
    session.add(
        Criterion(
            set_version=version,
            name=key,
            kind=kind,
            weight=weight,
            metric=metric,
            threshold=threshold,
            knock_out=knock_out,
            description=clean_text(description, multiline=True),
        )
    )
    session.flush()
    return list_criteria(session)


def remove_criterion(session: Session, actor: Actor, name: str) -> list[CriterionView]:
    """Drop a criterion from the set, making a new version (admins only)."""
    _in_version(session, ensure_criteria(session), name)
    version = _new_version(session, actor, f"removed {name}")
    if len(current_criteria(session)) == 1:
        raise InvalidData("The set cannot be empty; add another criterion first.")
    session.delete(_in_version(session, version, name))
    session.flush()
    _weighs_something(current_criteria(session))
    return list_criteria(session)


def amount(value: float) -> str:
    """A figure as reasons give it: thousands separated, cents only when there are some."""
    return f"{value:,.0f}" if value == round(value) else f"{value:,.2f}"


@dataclass(frozen=True)
class MetricScore:
    """A metric criterion's score for one value, the threshold it was held to, and why."""

    score: float
    threshold: float | None
    comment: str


class MetricScorer:
    """What the metric criteria score against at one date: each figure's reference group
    (the key accounts, or the base's top customers) and the settings in force."""

    def __init__(
        self,
        frame: pd.DataFrame,
        *,
        members: list[int],
        settings: ProgrammeSettings,
        as_of: date,
    ) -> None:
        """`frame`: kam.figures.base.base_metrics at `as_of`; `members`: the key accounts'
        customer ids."""
        self.frame = frame
        self.members = [m for m in members if m in frame.index]
        self.settings = settings
        self.as_of = as_of
        self._references: dict[str, scale.Reference | None] = {}

    def reference(self, metric: str) -> scale.Reference | None:
        """The reference group's points for one figure."""
        if metric not in self._references:
            column = self.frame[metric]
            self._references[metric] = scale.reference(
                [float(v) for v in column.loc[self.members]], [float(v) for v in column]
            )
        return self._references[metric]

    def setting(self, name: str) -> float:
        """The value in force of a setting that stands for a threshold."""
        from kam.rules.programme import min_profit_in_force

        if name != "min_profit":
            raise InvalidData(f"threshold: '{name}' is not a setting a criterion can use.")
        profits = [float(v) for v in self.frame["profit"].loc[self.members]]
        return min_profit_in_force(self.settings, profits)

    def score(self, criterion: Criterion, value: float) -> MetricScore:
        """The criterion's score for `value`, with the threshold held to and the reason."""
        metric = criterion.metric or ""
        figure = FIGURES.get(metric, metric)
        when = f" (as of {self.as_of.isoformat()})"
        if criterion.threshold_setting is not None:
            least = self.setting(criterion.threshold_setting)
            words = THRESHOLD_SETTINGS[criterion.threshold_setting][1]
            passes = value >= least
            verdict = "is at least" if passes else "is below"
            return MetricScore(
                5.0 if passes else 0.0,
                least,
                f"{figure} {amount(value)} {verdict} {words} {amount(least)}{when}",
            )
        if criterion.threshold is not None:
            passes = value > criterion.threshold
            verdict = "is above" if passes else "is not above"
            return MetricScore(
                5.0 if passes else 0.0,
                criterion.threshold,
                f"{figure} {amount(value)} {verdict} {amount(criterion.threshold)}{when}",
            )
        ref = self.reference(metric)
        against = reference_words(ref) if ref else "no customer with a known figure"
        return MetricScore(
            scale.score(value, ref), None, f"{figure} {amount(value)} against {against}{when}"
        )


def reference_words(ref: scale.Reference) -> str:
    """A reference group in words: "the 7 key accounts: minimum 1,000, median 2,500, ..."."""
    n = ref.size
    who = (
        f"the {n} key account{'' if n == 1 else 's'}"
        if ref.group == scale.MEMBERS_GROUP
        else f"the top {n} customer{'' if n == 1 else 's'} of the base "
        f"(fewer than {scale.MIN_MEMBERS} key accounts)"
    )
    return (
        f"{who}: minimum {amount(ref.minimum)}, median {amount(ref.median)}, "
        f"top quartile {amount(ref.top_quartile)}"
    )


def knock_out_reason(
    criterion: Criterion, score: float, value: float | None, threshold: float | None
) -> str:
    """Why a knock-out failed, naming the rule and the numbers."""
    figure = FIGURES.get(criterion.metric or "", criterion.metric or "")
    if criterion.kind == CriterionKind.METRIC and value is not None:
        if criterion.threshold_setting is not None and threshold is not None:
            words = THRESHOLD_SETTINGS.get(criterion.threshold_setting, ("", ""))[1]
            below = words or criterion.threshold_setting
            return f"{figure} {amount(value)} is below {below} {amount(threshold)}"
        held = threshold if threshold is not None else criterion.threshold
        if held is not None:
            return f"{figure} {amount(value)} is not above {amount(held)}"
        return f"{figure} {amount(value)} scores {score:g}, under {KNOCK_OUT_BELOW}"
    return f"scored {score:g}, under {KNOCK_OUT_BELOW}"


def total_score(weights_and_scores: list[tuple[float, float]]) -> float:
    """100 x sum(weight x score / 5) / sum(weight), rounded to one decimal."""
    weight = sum(w for w, _ in weights_and_scores)
    if weight <= 0:
        return 0.0
    return round(100 * sum(w * s / 5 for w, s in weights_and_scores) / weight, 1)
