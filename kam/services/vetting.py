"""Vetting and admission: assess a nominee against the written criteria, then admit or reject.

Admission is refused, naming the rule, when the assessment is missing or incomplete, the
total is under the threshold, a knock-out criterion failed, there is no sponsor or no
manager, or the programme is at its cap. An admin may admit anyway with an override and a
written reason; the override is kept on the account and the assessment, and audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from db.enums import AccountStatus, AssessmentDecision, AssessmentKind, CriterionKind
from kam.errors import InvalidData, NotFound, RuleError
from kam.rules import clock, lifecycle
from kam.rules.permissions import Action, require
from kam.services import audit
from kam.services.accounts import account_by_name, get_account
from kam.services.common import customer_by_name, login_of, stake
from kam.services.criteria import (
    KNOCK_OUT_BELOW,
    current_criteria,
    knock_out_reason,
    total_score,
)
from kam.text import clean_text
from kam.views import AccountView, View

if TYPE_CHECKING:
    from sqlmodel import Session

    from db.models import Assessment, KeyAccount
    from kam.identity import Actor


@dataclass(frozen=True)
class ScoreView(View):
    """One criterion's score in an assessment."""

    criterion: str
    kind: str
    weight: float
    score: float | None
    """0-5; metric scores to one decimal, manual ones whole."""
    value: float | None
    threshold: float | None
    """The threshold the value was held to when scored, if the criterion has one."""
    comment: str
    knock_out: bool
    failed: bool
    reason: str = ""
    """Why a failed knock-out failed, naming the rule and the numbers."""


@dataclass(frozen=True)
class AssessmentView(View):
    """A scoring of an account against one version of the criteria."""

    id: int
    customer: str
    kind: str
    criteria_version: int
    total: float | None
    complete: bool
    knock_out_failed: bool
    missing: list[str]
    decision: str | None
    rationale: str
    override: bool
    override_reason: str
    decided_by: str | None
    created_by: str | None
    created_at: Any
    scores: list[ScoreView] = field(default_factory=list)


@dataclass(frozen=True)
class AdmissionResult(View):
    """What admitting did, with any warning for the programme."""

    account: AccountView
    override: bool
    waived: list[str]
    warnings: list[str]


def assessment_view(session: Session, assessment: Assessment, customer: str) -> AssessmentView:
    from sqlmodel import col, select

    from db.models import AssessmentScore, Criterion

    assert assessment.id is not None
    criteria = session.exec(
        select(Criterion)
        .where(Criterion.set_version == assessment.criteria_version)
        .order_by(col(Criterion.id))
    ).all()
    given = {
        s.criterion_id: s
        for s in session.exec(
            select(AssessmentScore).where(AssessmentScore.assessment_id == assessment.id)
        ).all()
    }
    scores = []
    for c in criteria:
        assert c.id is not None
        s = given.get(c.id)
        score = s.score if s else None
        failed = c.knock_out and score is not None and score < KNOCK_OUT_BELOW
        value = s.value if s else None
        threshold = s.threshold if s else None
        scores.append(
            ScoreView(
                criterion=c.name,
                kind=c.kind.value,
                weight=c.weight,
                score=score,
                value=value,
                threshold=threshold,
                comment=s.comment if s else "",
                knock_out=c.knock_out,
                failed=failed,
                reason=knock_out_reason(c, score, value, threshold)
                if failed and score is not None
                else "",
            )
        )
    return AssessmentView(
        id=assessment.id,
        customer=customer,
        kind=assessment.kind.value,
        criteria_version=assessment.criteria_version,
        total=assessment.total,
        complete=assessment.complete,
        knock_out_failed=assessment.knock_out_failed,
        missing=[s.criterion for s in scores if s.score is None],
        decision=assessment.decision.value if assessment.decision else None,
        rationale=assessment.rationale,
        override=assessment.override,
        override_reason=assessment.override_reason,
        decided_by=login_of(session, assessment.decided_by_id),
        created_by=login_of(session, assessment.created_by_id),
        created_at=assessment.created_at,
        scores=scores,
    )


def latest_assessment(
    session: Session, account: KeyAccount, kind: AssessmentKind = AssessmentKind.VETTING
) -> Assessment | None:
    """The account's newest assessment of this kind."""
    from sqlmodel import col, select

    from db.models import Assessment

    return session.exec(
        select(Assessment)
        .where(Assessment.key_account_id == account.id, Assessment.kind == kind)
        .order_by(col(Assessment.id).desc())
    ).first()


def override_reason(session: Session, account: KeyAccount) -> str:
    """The written reason an admin gave to admit the account by override: kept with its
    vetting, or, for an account admitted with no assessment to keep it in, in the audit;
    "" when it was not admitted by override."""
    from sqlmodel import col, select

    from db.models import AuditEvent

    vetting = latest_assessment(session, account)
    if vetting is not None and vetting.override:
        return vetting.override_reason
    if not account.admitted_by_override:
        return ""
    given = session.exec(
        select(AuditEvent.new)
        .where(
            AuditEvent.entity == "key_account",
            AuditEvent.entity_id == account.id,
            AuditEvent.field == "override",
        )
        .order_by(col(AuditEvent.id).desc())
    ).first()
    return given or ""


def get_assessment(
    session: Session, name: str, kind: AssessmentKind = AssessmentKind.VETTING
) -> AssessmentView:
    """The newest assessment of a key account."""
    account = account_by_name(session, name)
    found = latest_assessment(session, account, kind)
    if found is None:
        raise NotFound(f"'{name}' has no {kind.value} assessment yet; run `kam account assess`.")
    return assessment_view(session, found, get_account(session, name).customer)


def score_account(
    session: Session,
    actor: Actor,
    account: KeyAccount,
    *,
    kind: AssessmentKind,
    manual: dict[str, tuple[int, str]],
    as_of: date,
) -> Assessment:
    """Score an account against the current criteria (metric ones from the data as of `as_of`,
    against the current key accounts: kam.services.criteria says how).

    Manual scores not given now are carried over, by criterion name, from the account's
    newest assessment (a vetting or a review); a manual score needs a comment.
    """
    from db.models import Assessment, AssessmentScore
    from kam.figures.base import base_metrics
    from kam.rules.programme import load_settings
    from kam.services.criteria import MetricScorer
    from kam.services.programme import member_customer_ids

    criteria = current_criteria(session)
    by_name = {c.name: c for c in criteria}
    for name, (manual_score, comment) in manual.items():
        criterion = by_name.get(name)
        if criterion is None:
            raise InvalidData(f"'{name}' is not a criterion; criteria: {', '.join(by_name)}.")
        if criterion.kind != CriterionKind.MANUAL:
            raise InvalidData(f"'{name}' scores itself from the data; it takes no manual score.")
        if not 1 <= manual_score <= 5:
            raise InvalidData(f"{name}: score {manual_score} is outside 1-5.")
        if not clean_text(comment):
            raise InvalidData(f"{name}: a manual score needs a comment saying why.")
    carried = carried_manual(session, account)
    frame = base_metrics(session, as_of=as_of)
    scorer = MetricScorer(
        frame, members=member_customer_ids(session), settings=load_settings(session), as_of=as_of
    )
    row = frame.loc[account.customer_id] if account.customer_id in frame.index else None
    assessment = Assessment(
        key_account_id=account.id,  # type: ignore[arg-type]
        kind=kind,
        criteria_version=criteria[0].set_version,
        created_by_id=actor.id,
    )
    session.add(assessment)
    session.flush()
    assert assessment.id is not None
    weighted: list[tuple[float, float]] = []
    knocked = False
    missing: list[str] = []
    for c in criteria:
        value: float | None = None
        threshold: float | None = None
        score: float | None
        if c.kind == CriterionKind.METRIC:
            assert c.metric is not None
            known = row is not None and row[c.metric] == row[c.metric]  # not NaN
            # Unknown (no wallet estimate): no headroom.
            value = float(row[c.metric]) if row is not None and known else 0.0
            scored = scorer.score(c, value)
            score, threshold, comment = scored.score, scored.threshold, scored.comment
        elif c.name in manual:
            score, comment = manual[c.name][0], clean_text(manual[c.name][1], multiline=True)
        elif c.name in carried:
            score, comment = carried[c.name]
        else:
            score, comment = None, ""
        if score is None:
            missing.append(c.name)
            continue
        session.add(
            AssessmentScore(
                assessment_id=assessment.id,
                criterion_id=c.id,  # type: ignore[arg-type]
                score=score,
                value=value,
                threshold=threshold,
                comment=comment,
            )
        )
        weighted.append((c.weight, score))
        knocked = knocked or (c.knock_out and score < KNOCK_OUT_BELOW)
    assessment.complete = not missing
    assessment.total = total_score(weighted) if not missing else None
    assessment.knock_out_failed = knocked
    session.flush()
    return assessment


def carried_manual(session: Session, account: KeyAccount) -> dict[str, tuple[int, str]]:
    """The manual scores of the account's newest assessment (a vetting or a review), by
    criterion name: what a new scoring keeps when no new score is given."""
    from sqlmodel import col, select

    from db.models import Assessment, AssessmentScore, Criterion

    previous = session.exec(
        select(Assessment)
        .where(Assessment.key_account_id == account.id)
        .order_by(col(Assessment.id).desc())
    ).first()
    if previous is None:
        return {}
    rows = session.exec(
        select(Criterion.name, AssessmentScore.score, AssessmentScore.comment)
        .join(Criterion, Criterion.id == AssessmentScore.criterion_id)  # type: ignore[arg-type]
        .where(AssessmentScore.assessment_id == previous.id, Criterion.kind == CriterionKind.MANUAL)
    ).all()
    return {name: (round(score), comment) for name, score, comment in rows}


def missing_manual(
    session: Session, account: KeyAccount, given: dict[str, tuple[int, str]]
) -> list[str]:
    """The current manual criteria that neither `given` nor the newest assessment scores."""
    carried = carried_manual(session, account)
    return [
        c.name
        for c in current_criteria(session)
        if c.kind == CriterionKind.MANUAL and c.name not in given and c.name not in carried
    ]


def assess(
    session: Session,
    actor: Actor,
    name: str,
    *,
    manual: dict[str, tuple[int, str]] | None = None,
    as_of: date | None = None,
) -> AssessmentView:
    """Score a nominee against every criterion (its manager or an admin); moves it to vetting."""

    account = account_by_name(session, name)
    customer = get_account(session, name).customer
    require(actor, Action.SCORE, stake(account, customer_by_name(session, customer)))
    if not lifecycle.is_nominee(account.status):
        raise RuleError(
            f"'{customer}' is {account.status.value}; only nominated accounts are vetted "
            "(active ones are reviewed with `kam review record`)."
        )
    when = clock.on_or_today(as_of)
    assessment = score_account(
        session, actor, account, kind=AssessmentKind.VETTING, manual=manual or {}, as_of=when
    )
    audit.record(
        session,
        actor,
        entity="assessment",
        entity_id=assessment.id,
        customer_id=account.customer_id,
        field="total",
        new=assessment.total,
    )
    if account.status == AccountStatus.NOMINATED:
        _move(session, actor, account, AccountStatus.VETTING)
    return assessment_view(session, assessment, customer)


def _move(
    session: Session, actor: Actor, account: KeyAccount, status: AccountStatus, **extra: Any
) -> None:
    from db.models import utcnow

    audit.apply_changes(
        session,
        actor,
        account,
        {"status": status, **extra},
        entity="key_account",
        customer_id=account.customer_id,
    )
    account.updated_at = utcnow()
    account.updated_by_id = actor.id
    session.flush()


def admission_problems(session: Session, account: KeyAccount) -> list[str]:
    """Every programme rule the account's admission would break, as sentences."""

    from kam.rules.programme import load_settings

    settings = load_settings(session)
    problems = []
    assessment = latest_assessment(session, account)
    if assessment is None:
        problems.append("it has no assessment against the criteria")
    else:
        view = assessment_view(session, assessment, "")
        if not assessment.complete:
            problems.append(
                f"its assessment is incomplete (no score for {', '.join(view.missing)})"
            )
        elif (assessment.total or 0) < settings.threshold:
            problems.append(
                f"its total {assessment.total:g} is under the threshold {settings.threshold:g}"
            )
        failed = [f"{s.criterion} ({s.reason})" for s in view.scores if s.failed]
        if failed:
            problems.append(f"knock-out criterion failed: {', '.join(failed)}")
    if account.sponsor_id is None:
        problems.append("it has no executive sponsor")
    if account.manager_id is None:
        problems.append("it has no key account manager")
    active = _active_count(session)
    if active >= settings.cap:
        problems.append(f"the programme is at its cap of {settings.cap} active accounts")
    return problems


def _active_count(session: Session) -> int:
    """How many accounts are active (the cap counts these)."""
    from sqlalchemy import func
    from sqlmodel import select

    from db.models import KeyAccount

    return session.exec(
        select(func.count())
        .select_from(KeyAccount)
        .where(KeyAccount.status == AccountStatus.ACTIVE)
    ).one()


def admit(
    session: Session,
    actor: Actor,
    name: str,
    *,
    rationale: str,
    override_reason: str | None = None,
) -> AdmissionResult:
    """Admit a vetted nominee (executives and admins); an admin may override with a reason."""
    from db.models import utcnow
    from kam.rules.programme import load_settings

    require(actor, Action.ADMIT)
    account = account_by_name(session, name)
    customer = get_account(session, name).customer
    if not lifecycle.can_move(account.status, AccountStatus.ACTIVE, by="admit"):
        raise RuleError(f"'{customer}' is {account.status.value}; only nominees can be admitted.")
    if not clean_text(rationale):
        raise InvalidData("rationale: say why the account is admitted.")
    problems = admission_problems(session, account)
    override = False
    if problems:
        if override_reason is None:
            raise RuleError(f"'{customer}' cannot be admitted: {'; '.join(problems)}.")
        require(actor, Action.OVERRIDE)
        if not clean_text(override_reason):
            raise InvalidData("reason: an override needs a written reason.")
        override = True
    settings = load_settings(session)
    assessment = latest_assessment(session, account)
    today = clock.today()
    if assessment is not None:
        assessment.decision = AssessmentDecision.ADMIT
        assessment.rationale = clean_text(rationale, multiline=True)
        assessment.override = override
        assessment.override_reason = clean_text(override_reason or "", multiline=True)
        assessment.decided_by_id = actor.id
        assessment.decided_at = utcnow()
    extra: dict[str, Any] = {
        "admitted_on": today,
        "next_review_on": today + timedelta(days=settings.review_days),
        "reason": clean_text(rationale, multiline=True),
    }
    if override:
        extra["admitted_by_override"] = True
        audit.record(
            session,
            actor,
            entity="key_account",
            entity_id=account.id,
            customer_id=account.customer_id,
            field="override",
            old="; ".join(problems),
            new=clean_text(override_reason or ""),
        )
    _move(session, actor, account, AccountStatus.ACTIVE, **extra)
    warnings = []
    active = _active_count(session)
    if active < settings.warn_below:
        warnings.append(
            f"The programme has {active} active accounts, under the {settings.warn_below} "
            "a programme needs to be worth running."
        )
    return AdmissionResult(
        get_account(session, name), override, problems if override else [], warnings
    )


def _closing(
    session: Session,
    actor: Actor,
    name: str,
    *,
    action: Action,
    to: AccountStatus,
    who: str,
    field: str,
    text: str,
) -> tuple[KeyAccount, str]:
    """The checks a decision that ends a membership shares: permission, the lifecycle's
    move, a written reason. Returns the account and the reason, cleaned."""
    require(actor, action)
    account = account_by_name(session, name)
    customer = get_account(session, name).customer
    if not lifecycle.can_move(account.status, to, by=action.value):
        # The target status reads as the past tense: "only members can be retired".
        raise RuleError(f"'{customer}' is {account.status.value}; only {who} can be {to.value}.")
    cleaned = clean_text(text, multiline=True)
    if not cleaned:
        raise InvalidData(f"{field}: say why.")
    return account, cleaned


def reject(session: Session, actor: Actor, name: str, *, rationale: str) -> AccountView:
    """Turn a nominee down (executives and admins), with the rationale kept."""
    from db.models import utcnow

    account, why = _closing(session, actor, name, action=Action.REJECT,
                            to=AccountStatus.REJECTED, who="nominees",
                            field="rationale", text=rationale)  # fmt: skip
    assessment = latest_assessment(session, account)
    if assessment is not None:
        assessment.decision = AssessmentDecision.REJECT
        assessment.rationale = why
        assessment.decided_by_id = actor.id
        assessment.decided_at = utcnow()
    _move(session, actor, account, AccountStatus.REJECTED, retired_on=clock.today(), reason=why)
    return get_account(session, name)


def retire(session: Session, actor: Actor, name: str, *, reason: str) -> AccountView:
    """Retire an account from the programme (executives and admins); its history stays."""
    account, why = _closing(session, actor, name, action=Action.RETIRE,
                            to=AccountStatus.RETIRED, who="members",
                            field="reason", text=reason)  # fmt: skip
    _move(session, actor, account, AccountStatus.RETIRED, retired_on=clock.today(), reason=why)
    return get_account(session, name)
