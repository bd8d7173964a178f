"""Periodic reviews: re-score against the current criteria, snapshot the metrics and the
account plan's progress, compare with the programme's median and top quartile, and decide
retain, watch or retire.

Two reviews in a row with a total under the threshold recommend retirement. The review's
day keeps the account's health just after it, marked with the review (the snapshot the
trend "since the last review" starts from).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from db.enums import AccountStatus, AssessmentKind, ReviewDecision
from kam.errors import InvalidData, RuleError
from kam.rules import clock, dates, lifecycle
from kam.rules.permissions import Action, require
from kam.rules.scale import percentile
from kam.services import audit
from kam.services.accounts import account_by_name, check_review_date, get_account
from kam.services.common import customer_by_name, login_of, stake
from kam.text import clean_text
from kam.views import View

if TYPE_CHECKING:
    from sqlmodel import Session

    from db.models import KeyAccount, Review
    from kam.identity import Actor
    from kam.services.plans import PlanView

#: The best-practice checklist every review answers.
CHECKLIST = (
    "account_plan_updated",
    "sponsor_visited",
    "commitments_reviewed_with_customer",
    "complaints_closed_and_fed_back",
    "share_of_wallet_reviewed",
    "decision_makers_mapped",
)

#: What is benchmarked, and how health reads as a number (green 2, amber 1, red 0).
BENCHMARKS = ("profit", "clv", "share_of_wallet", "satisfaction", "health")
HEALTH_POINTS = {"green": 2, "amber": 1, "red": 0}


@dataclass(frozen=True)
class DueView(View):
    """An account whose review is due or overdue."""

    customer: str
    status: str
    manager: str | None
    next_review_on: date | None
    days_overdue: int | None
    """Days past the due date (negative: days left); None when never scheduled."""
    manager_id: int | None = None
    sponsor_id: int | None = None


@dataclass(frozen=True)
class ReviewView(View):
    """A recorded review."""

    id: int
    customer: str
    reviewed_on: date
    reviewed_by: str | None
    total: float | None
    threshold: float
    perceived: int | None
    expected: int | None
    satisfaction: float | None
    decision: str
    recommendation: str | None
    next_review_on: date | None
    notes: str
    metrics: dict[str, Any]
    benchmark: dict[str, Any]
    checklist: dict[str, bool]
    practices: list[str] = field(default_factory=list)


def reviews_due(session: Session, *, as_of: date, within_days: int = 30) -> list[DueView]:
    """Active and under-review accounts due for review within `within_days`, most overdue first."""
    from sqlmodel import col, select

    from db.models import KeyAccount

    rows = session.exec(
        select(KeyAccount).where(col(KeyAccount.status).in_(lifecycle.MEMBERS))
    ).all()
    due = []
    for a in rows:
        if a.next_review_on is not None and a.next_review_on > as_of + timedelta(within_days):
            continue
        view = get_account(session, customer_name(session, a))
        overdue = (as_of - a.next_review_on).days if a.next_review_on else None
        due.append(
            DueView(
                view.customer,
                view.status,
                view.manager,
                a.next_review_on,
                overdue,
                a.manager_id,
                a.sponsor_id,
            )
        )
    return sorted(due, key=lambda d: -(d.days_overdue if d.days_overdue is not None else 10**6))


def customer_name(session: Session, account: KeyAccount) -> str:
    """The name of an account's customer."""
    from db.models import Customer

    customer = session.get(Customer, account.customer_id)
    assert customer is not None
    return customer.name


def benchmark(
    session: Session, account: KeyAccount, *, as_of: date, satisfaction: float | None
) -> dict[str, Any]:
    """The account against the key accounts' median and top quartile on each benchmark."""
    from sqlmodel import col, select

    from db.models import KeyAccount as Account
    from kam.figures.base import base_metrics
    from kam.services.health import programme_health

    members = session.exec(select(Account).where(col(Account.status).in_(lifecycle.MEMBERS))).all()
    frame = base_metrics(session, as_of=as_of)
    health = {h.account_id: HEALTH_POINTS[h.status] for h in programme_health(session, as_of=as_of)}
    latest = _latest_satisfaction(session)
    if satisfaction is not None:
        latest[account.id] = satisfaction  # type: ignore[index]
    values: dict[str, dict[int, float]] = {name: {} for name in BENCHMARKS}
    for m in members:
        assert m.id is not None
        if m.customer_id in frame.index:
            row = frame.loc[m.customer_id]
            for name in ("profit", "clv", "share_of_wallet"):
                if row[name] == row[name]:
                    values[name][m.id] = float(row[name])
        if m.id in latest:
            values["satisfaction"][m.id] = latest[m.id]
        if m.id in health:
            values["health"][m.id] = float(health[m.id])
    result: dict[str, Any] = {"accounts": len(members)}
    for name, by_account in values.items():
        mine = by_account.get(account.id)  # type: ignore[arg-type]
        median = percentile(by_account.values(), 0.5)
        top = percentile(by_account.values(), 0.75)
        result[name] = {
            "account": mine,
            "median": median,
            "top_quartile": top,
            "position": position(mine, median, top),
        }
    return result


def position(mine: float | None, median: float | None, top: float | None) -> str | None:
    """Where a value stands among the members: top quartile, above, at or below the median.

    "At" means equal to the cent (the median is interpolated, so it may differ from an
    account's own figure by a rounding error)."""
    if mine is None or median is None:
        return None
    if top is not None and mine >= top and not math.isclose(top, median, abs_tol=0.005):
        return "top quartile"
    if math.isclose(mine, median, rel_tol=1e-12, abs_tol=0.005):
        return "at median"
    return "above median" if mine > median else "below median"


def _latest_satisfaction(session: Session) -> dict[int, float]:
    from sqlmodel import col, select

    from db.models import Review

    latest: dict[int, float] = {}
    rows = session.exec(select(Review).order_by(col(Review.reviewed_on), col(Review.id))).all()
    for r in rows:
        if r.satisfaction is not None:
            latest[r.key_account_id] = r.satisfaction
    return latest


def plan_snapshot(plan: PlanView) -> dict[str, Any]:
    """What a review keeps of the account plan of its day: the year, the plan's progress, and
    each goal's progress with how many of its objectives stand where (kam.rules.plans)."""
    from db.enums import GoalStatus
    from kam.rules import plans as rules

    states = (rules.ON_TRACK, rules.BEHIND, rules.OVERDUE, rules.DONE)

    def count(objectives: list[Any]) -> dict[str, int]:
        return {s: sum(o.state == s for o in objectives) for s in states}

    goals = [g for g in plan.goals if g.status != GoalStatus.DROPPED]
    return {
        "period": plan.period,
        "exists": plan.id is not None,
        "progress": plan.progress,
        "complete": plan.complete,
        "objectives": count([o for g in goals for o in g.objectives]),
        "overdue_actions": sum(a.overdue for a in plan.actions),
        "goals": [
            {
                "title": g.title,
                "status": g.status,
                "progress": g.progress,
                "objectives": count(g.objectives),
            }
            for g in goals
        ],
    }


def _previous_total(session: Session, account: KeyAccount, on: date) -> float | None:
    """The total of the account's review before one on `on`: the latest on or before it."""
    from sqlmodel import col, select

    from db.models import Assessment, Review

    row = session.exec(
        select(Assessment.total)
        .join(Review, Review.assessment_id == Assessment.id)  # type: ignore[arg-type]
        .where(Review.key_account_id == account.id, col(Review.reviewed_on) <= on)
        .order_by(col(Review.reviewed_on).desc(), col(Review.id).desc())
    ).first()
    return row


def _reviewed_after(session: Session, account: KeyAccount, on: date) -> bool:
    """Whether the account has a review dated after `on`."""
    from sqlmodel import col, select

    from db.models import Review

    later = select(Review.id).where(
        Review.key_account_id == account.id, col(Review.reviewed_on) > on
    )
    return session.exec(later.limit(1)).first() is not None


def record_review(
    session: Session,
    actor: Actor,
    name: str,
    *,
    perceived: int,
    expected: int,
    decision: ReviewDecision,
    manual: dict[str, tuple[int, str]] | None = None,
    checklist: list[str] | None = None,
    practices: list[str] | None = None,
    notes: str = "",
    reviewed_on: date | None = None,
    next_review_on: date | None = None,
) -> ReviewView:
    """Record a review of an active account (its manager or an admin)."""
    from db.models import Review, ReviewPractice, utcnow
    from kam.figures.worth import customer_worth
    from kam.rules.programme import load_settings
    from kam.services import snapshots
    from kam.services.health import account_health
    from kam.services.plans import plan_view
    from kam.services.practices import practice_by_title
    from kam.services.vetting import missing_manual, score_account

    account = account_by_name(session, name)
    customer = customer_by_name(session, name)
    require(actor, Action.RECORD_REVIEW, stake(account, customer))
    if not lifecycle.is_member(account.status):
        raise RuleError(f"'{customer.name}' is {account.status.value}; only members are reviewed.")
    for label, value in (("perceived", perceived), ("expected", expected)):
        if not 1 <= value <= 10:
            raise InvalidData(f"{label}: {value} is outside 1-10.")
    unknown = sorted(set(checklist or []) - set(CHECKLIST))
    if unknown:
        raise InvalidData(f"checklist: {', '.join(unknown)} not in {', '.join(CHECKLIST)}.")
    unscored = missing_manual(session, account, manual or {})
    if unscored:
        raise RuleError(
            f"A review scores every criterion, and no earlier assessment of '{customer.name}' "
            f"has a score for {', '.join(unscored)}; give {'it' if len(unscored) == 1 else 'them'}"
            " (1-5 with a comment why)."
        )
    settings = load_settings(session)
    when = dates.happened(clock.on_or_today(reviewed_on), "reviewed_on")
    linked = [practice_by_title(session, t) for t in practices or []]
    previous = _previous_total(session, account, when)
    assessment = score_account(
        session, actor, account, kind=AssessmentKind.REVIEW, manual=manual or {}, as_of=when
    )
    satisfaction = round(perceived / expected, 3)
    worth = customer_worth(session, customer.id, as_of=when)  # type: ignore[arg-type]
    snapshot = {k: v for k, v in worth.to_dict().items() if k != "customer"}
    plan = plan_view(session, account, customer.name, as_of=when, worth=worth)
    snapshot["plan"] = plan_snapshot(plan)
    compared = benchmark(session, account, as_of=when, satisfaction=satisfaction)
    under = [t for t in (previous, assessment.total) if t is not None and t < settings.threshold]
    recommendation = "retire" if previous is not None and len(under) == 2 else None
    compared["recommendation"] = recommendation
    next_on = next_review_on or when + timedelta(days=settings.review_days)
    review = Review(
        key_account_id=account.id,  # type: ignore[arg-type]
        assessment_id=assessment.id,
        reviewed_on=when,
        perceived=perceived,
        expected=expected,
        satisfaction=satisfaction,
        metrics_json=json.dumps(snapshot, default=str),
        benchmark_json=json.dumps(compared, default=str),
        checklist_json=json.dumps({item: item in (checklist or []) for item in CHECKLIST}),
        decision=decision,
        notes=clean_text(notes, multiline=True),
        next_review_on=next_on,
        reviewed_by_id=actor.id,
    )
    session.add(review)
    session.flush()
    if next_review_on is not None:  # as the account's own review date is held
        check_review_date(session, actor, account, next_review_on)
    for practice in linked:
        session.add(ReviewPractice(review_id=review.id, practice_id=practice.id))  # type: ignore[arg-type]
    audit.record_created(
        session,
        actor,
        entity="review",
        entity_id=review.id,
        customer_id=customer.id,
        values={
            "decision": decision,
            "total": assessment.total,
            "satisfaction": satisfaction,
            "recommendation": recommendation,
        },
    )
    status = (
        AccountStatus.ACTIVE if decision == ReviewDecision.RETAIN else AccountStatus.UNDER_REVIEW
    )
    changes: dict[str, Any] = {"next_review_on": next_on}
    if status != account.status:
        changes["status"] = status
    if _reviewed_after(session, account, when):  # recorded late: the latest review decides
        changes = {}
    audit.apply_changes(
        session, actor, account, changes, entity="key_account", customer_id=customer.id
    )
    account.updated_at, account.updated_by_id = utcnow(), actor.id
    session.flush()
    after = account_health(session, account.id, as_of=when, worth=worth)  # type: ignore[arg-type]
    snapshots.record_review_day(session, actor, after, review.id)  # type: ignore[arg-type]
    return _view(session, review, customer.name, settings.threshold)


def _view(session: Session, review: Review, customer: str, threshold: float) -> ReviewView:
    from sqlmodel import select

    from db.models import Assessment, BestPractice, ReviewPractice

    assert review.id is not None
    assessment = session.get(Assessment, review.assessment_id) if review.assessment_id else None
    titles = session.exec(
        select(BestPractice.title)
        .join(ReviewPractice, ReviewPractice.practice_id == BestPractice.id)  # type: ignore[arg-type]
        .where(ReviewPractice.review_id == review.id)
    ).all()
    compared = json.loads(review.benchmark_json or "{}")
    return ReviewView(
        id=review.id,
        customer=customer,
        reviewed_on=review.reviewed_on,
        reviewed_by=login_of(session, review.reviewed_by_id),
        total=assessment.total if assessment else None,
        threshold=threshold,
        perceived=review.perceived,
        expected=review.expected,
        satisfaction=review.satisfaction,
        decision=review.decision.value,
        recommendation=compared.get("recommendation"),
        next_review_on=review.next_review_on,
        notes=review.notes,
        metrics=json.loads(review.metrics_json or "{}"),
        benchmark=compared,
        checklist=json.loads(review.checklist_json or "{}"),
        practices=list(titles),
    )


def list_reviews(session: Session, name: str) -> list[ReviewView]:
    """An account's reviews, newest first."""
    from sqlmodel import col, select

    from db.models import Review
    from kam.rules.programme import load_settings

    account = account_by_name(session, name)
    customer = customer_by_name(session, name)
    threshold = load_settings(session).threshold
    rows = session.exec(
        select(Review)
        .where(Review.key_account_id == account.id)
        .order_by(col(Review.reviewed_on).desc(), col(Review.id).desc())
    ).all()
    return [_view(session, r, customer.name, threshold) for r in rows]
