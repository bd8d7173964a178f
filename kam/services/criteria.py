"""The written admission criteria: weighted rules, versioned as a set, and how they score.

Scoring (0-5 per criterion; the total is 0-100):
- a manual criterion takes a score of 1-5 and a comment from the person assessing;
- a metric criterion with a threshold scores 5 when the customer's value is above the
  threshold, else 0;
- a metric criterion without a threshold scores the customer's quintile (1-5) among the
  customers active in the trailing twelve months (the nominee included): ceil(5 x rank / n),
  rank counted from the lowest value (ties take the lowest rank); an unknown value (no
  wallet estimate) counts as zero;
- total = 100 x sum(weight x score / 5) / sum(weight);
- a knock-out criterion fails when it scores below 2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from db.enums import CriterionKind
from kam.errors import InvalidData, NotFound
from kam.rules.permissions import Action, require
from kam.services import audit
from kam.text import clean_text
from kam.views import View

if TYPE_CHECKING:
    from sqlmodel import Session

    from db.models import Criterion
    from kam.identity import Actor

#: Metrics a criterion can score itself from (T12M, as of the assessment date).
METRICS = ("profit", "revenue", "clv", "headroom", "share_of_wallet")

#: A knock-out criterion fails below this score.
KNOCK_OUT_BELOW = 2

#: The default set, saved as version 1 the first time criteria are needed.
DEFAULTS: tuple[dict[str, Any], ...] = (
    {
        "name": "profit_contribution",
        "weight": 20,
        "kind": "metric",
        "metric": "profit",
        "description": "T12M profit after cost to serve, as a quintile of the active base.",
    },
    {
        "name": "purchase_volume",
        "weight": 10,
        "kind": "metric",
        "metric": "revenue",
        "description": "T12M revenue, as a quintile of the active base.",
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
        "name": "forward_clv",
        "weight": 20,
        "kind": "metric",
        "metric": "clv",
        "description": "Forward customer lifetime value, as a quintile of the active base.",
    },
    {
        "name": "wallet_headroom",
        "weight": 10,
        "kind": "metric",
        "metric": "headroom",
        "description": "Estimated wallet minus T12M revenue, as a quintile of the active base.",
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
    knock_out: bool


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
        row.knock_out,
    )


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


def _check(kind: CriterionKind, metric: str | None, weight: float | None) -> None:
    if weight is not None and (not math.isfinite(weight) or weight <= 0):
        raise InvalidData(f"weight: {weight} must be above zero.")
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
    _check(CriterionKind.MANUAL, None, weight)
    version = _new_version(session, actor, f"changed {name}")
    row = _in_version(session, version, name)
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
    session.flush()
    return list_criteria(session)


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
    _check(kind, metric, weight)
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
    return list_criteria(session)


def quintile(value: float, population: list[float]) -> int:
    """ceil(5 x rank / n), rank = 1 + how many of the population (which holds `value`) are below."""
    if not population:
        return 1
    rank = 1 + sum(1 for p in population if p < value)
    return max(1, min(5, math.ceil(5 * min(rank, len(population)) / len(population))))


def metric_score(criterion: Criterion, value: float, population: list[float]) -> int:
    """A metric criterion's score for one value against the active base."""
    if criterion.threshold is not None:
        return 5 if value > criterion.threshold else 0
    return quintile(value, population)


def total_score(weights_and_scores: list[tuple[float, int]]) -> float:
    """100 x sum(weight x score / 5) / sum(weight), rounded to one decimal."""
    weight = sum(w for w, _ in weights_and_scores)
    if weight <= 0:
        return 0.0
    return round(100 * sum(w * s / 5 for w, s in weights_and_scores) / weight, 1)
