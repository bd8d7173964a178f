"""The programme at a glance: size against the cap, total CLV, the base's Pareto curve, and
every alert a manager or executive should act on, each naming its account: broken or
overdue promises, open complaints, sponsor visits and reviews due, members' plans (missing,
actions overdue), the coverage of their people (kam.rules.people), overrides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from db.enums import AccountStatus, CommitmentStatus, ComplaintStatus
from kam.rules import lifecycle
from kam.views import View

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlmodel import Session

    from db.models import Customer, KeyAccount

#: Alert kinds, most pressing first: promises, complaints and signs of leaving are the
#: customer's; then what the last review found (retirement recommended, the criteria no
#: longer met); then our own cadence (visits, reviews), the plan, the coverage of the
#: people, and overrides.
ALERT_ORDER = (
    "commitment", "complaint", "churn", "retire", "criteria", "visit", "review", "plan",
    "coverage", "override",
)  # fmt: skip


@dataclass(frozen=True)
class Alert(View):
    """Something to act on, on one account."""

    kind: str
    customer: str
    text: str
    since: date | None = None


@dataclass(frozen=True)
class Overview(View):
    """What the dashboard shows."""

    as_of: date
    active: int
    open_accounts: int
    cap: int
    warn_below: int
    total_clv: float
    clv_model: str
    """'probabilistic' or 'simple': the model the members' CLV comes from."""
    fit_pending: bool
    """No lifetime-value fit is stored for the data as they are (the CLV is the simple one
    until one is computed: the screen computes one, and keeps it if the user may)."""
    retention_unknown: bool
    """The base's retention cannot be measured (nobody bought in the 12 months before the
    T12M window): the members' simple CLV took r = 0 for it (kam.figures.headline)."""
    total_profit: float
    key_account_profit: float
    customers: int
    share_for_80: float | None
    customers_for_80: int | None
    below_break_even: int
    pareto_curve: list[tuple[float, float]]
    """(share of customers, cumulative share of profit) at each tenth of the base."""
    alerts: list[Alert] = field(default_factory=list)


def programme_overview(
    source: Session | Connection,
    *,
    as_of: date,
    modelled: Mapping[int, float] | None = None,
    alerts: bool = True,
) -> Overview:
    """Size, worth, the Pareto curve and the alerts, as of a date (`modelled`: the members'
    probabilistic CLV from a fit computed but not stored; see kam.figures.headline).
    Without `alerts`, the figures alone: the dashboard shows them first and asks
    programme_alerts for the rest; the figures alone read on a bare connection too, so
    they need no model built (screens.launch begins them before the app)."""
    from db import aggregates
    from db.reads import connection_of
    from kam.figures.headline import headline
    from kam.rules.programme import load_settings

    settings = load_settings(source)
    accounts = aggregates.account_statuses(
        connection_of(source), statuses=[s.value for s in lifecycle.OPEN]
    )
    members = [cid for cid, status in accounts if lifecycle.is_member(status)]
    figures = headline(source, as_of=as_of, members=members, modelled=modelled)
    listed: list[Alert] = []
    if alerts:
        from sqlalchemy import Connection

        if isinstance(source, Connection):
            raise TypeError("the alerts are read through a session, not a bare connection")
        listed = programme_alerts(source, as_of=as_of)
    return Overview(
        as_of=as_of,
        active=sum(1 for _, status in accounts if status == AccountStatus.ACTIVE),
        open_accounts=len(accounts),
        cap=settings.cap,
        warn_below=settings.warn_below,
        total_clv=figures.total_clv,
        clv_model=figures.clv_model,
        fit_pending=figures.fit_pending,
        retention_unknown=figures.retention_unknown,
        total_profit=figures.total_profit,
        key_account_profit=figures.key_account_profit,
        customers=figures.customers,
        share_for_80=figures.share_for_80,
        customers_for_80=figures.customers_for_80,
        below_break_even=figures.below_break_even,
        pareto_curve=figures.pareto_curve,
        alerts=listed,
    )


def _open_accounts(session: Session) -> list[tuple[KeyAccount, Customer]]:
    """The open key accounts (lifecycle.OPEN) with their customers."""
    from sqlmodel import col, select

    from db.models import Customer, KeyAccount

    return list(
        session.exec(
            select(KeyAccount, Customer)
            .join(Customer, col(Customer.id) == KeyAccount.customer_id)
            .where(col(KeyAccount.status).in_(lifecycle.OPEN))
        ).all()
    )


def programme_alerts(session: Session, *, as_of: date) -> list[Alert]:
    """Every alert on the open key accounts as of a date, most pressing first
    (ALERT_ORDER), then by date and customer."""
    from sqlmodel import col, select

    from db.models import Commitment, Complaint
    from kam.rules.programme import load_settings
    from kam.services.reviews import reviews_due
    from kam.services.sponsors import overdue_visits

    settings = load_settings(session)
    accounts = _open_accounts(session)
    names = {a.customer_id: c.name for a, c in accounts}
    alerts: list[Alert] = []
    for c in session.exec(
        select(Commitment).where(col(Commitment.customer_id).in_(names.keys()))
    ).all():
        if c.status == CommitmentStatus.OPEN and c.due_on < as_of:
            alerts.append(
                Alert(
                    "commitment",
                    names[c.customer_id],
                    f"commitment overdue since {c.due_on}: {c.description}",
                    c.due_on,
                )
            )
        elif (
            c.status == CommitmentStatus.BROKEN and c.closed_on and (as_of - c.closed_on).days <= 90
        ):
            alerts.append(
                Alert(
                    "commitment",
                    names[c.customer_id],
                    f"commitment broken on {c.closed_on}: {c.description}",
                    c.closed_on,
                )
            )
    for p in session.exec(
        select(Complaint).where(
            col(Complaint.customer_id).in_(names.keys()),
            Complaint.status != ComplaintStatus.FED_BACK,
        )
    ).all():
        alerts.append(
            Alert(
                "complaint",
                names[p.customer_id],
                f"{p.severity.value} complaint {p.status.value} since {p.recorded_on}: {p.summary}",
                p.recorded_on,
            )
        )
    for v in overdue_visits(session, as_of=as_of):
        since = f"last visit {v.last_visit}" if v.last_visit else "never visited"
        alerts.append(
            Alert("visit", v.customer, f"sponsor visit overdue ({since}; due {v.due_on})", v.due_on)
        )
    for d in reviews_due(session, as_of=as_of, within_days=0):
        when = f"due {d.next_review_on}" if d.next_review_on else "never scheduled"
        alerts.append(Alert("review", d.customer, f"review {when}", d.next_review_on))
    member_names = {a.customer_id: c.name for a, c in accounts if lifecycle.is_member(a.status)}
    alerts.extend(churn_alerts(session, member_names, as_of=as_of))
    alerts.extend(review_alerts(session, member_names, threshold=settings.threshold))
    alerts.extend(plan_alerts(session, as_of=as_of))
    alerts.extend(coverage_alerts(session, list(member_names.values()), as_of=as_of))
    for a, cust in accounts:
        if a.admitted_by_override:
            alerts.append(
                Alert("override", cust.name, "admitted by override of the criteria", a.admitted_on)
            )
    alerts.sort(key=lambda x: (ALERT_ORDER.index(x.kind), x.since or as_of, x.customer))
    return alerts


def review_alerts(session: Session, members: Mapping[int, str], *, threshold: float) -> list[Alert]:
    """What each member's latest review found: retirement recommended (two reviews in a row
    under the threshold, as kam.services.reviews decides), else the criteria no longer met
    (its total under the threshold, or a knock-out failed)."""
    import json

    from sqlmodel import col, select

    from db.models import Assessment, KeyAccount, Review

    if not members:
        return []
    latest: dict[int, tuple[Review, Assessment | None]] = {}
    for review, scored in session.exec(
        select(Review, Assessment)
        .outerjoin(Assessment, col(Assessment.id) == Review.assessment_id)
        .join(KeyAccount, col(KeyAccount.id) == Review.key_account_id)
        .where(col(KeyAccount.customer_id).in_(members.keys()))
        .order_by(col(Review.reviewed_on), col(Review.id))
    ).all():
        latest[review.key_account_id] = (review, scored)
    customers = dict(
        session.exec(
            select(KeyAccount.id, KeyAccount.customer_id).where(
                col(KeyAccount.id).in_(latest.keys())
            )
        ).all()
    )
    alerts = []
    for account_id, (review, assessment) in latest.items():
        customer = members[customers[account_id]]
        total = assessment.total if assessment else None
        if json.loads(review.benchmark_json or "{}").get("recommendation") == "retire":
            text = (
                f"retirement recommended: two reviews in a row under the threshold "
                f"({threshold:g}), the last on {review.reviewed_on} (total {total:g})"
                if total is not None
                else f"retirement recommended by the review of {review.reviewed_on}"
            )
            alerts.append(Alert("retire", customer, text, review.reviewed_on))
        elif total is not None and total < threshold:
            alerts.append(
                Alert("criteria", customer,
                      f"criteria no longer met: total {total:g} under the threshold "
                      f"({threshold:g}) at the review of {review.reviewed_on}",
                      review.reviewed_on)
            )  # fmt: skip
        elif assessment is not None and assessment.knock_out_failed:
            alerts.append(
                Alert("criteria", customer,
                      f"criteria no longer met: a knock-out failed at the review of "
                      f"{review.reviewed_on}", review.reviewed_on)
            )  # fmt: skip
    return alerts


def plan_alerts(session: Session, *, as_of: date) -> list[Alert]:
    """Members without a plan for this fiscal year, and their plans' overdue actions."""
    from kam.rules import plans as plan_rules
    from kam.rules.programme import load_settings
    from kam.services.plans import plan_standings, this_year

    year = plan_rules.label(this_year(session, as_of), load_settings(session).fiscal_year_start)
    alerts = []
    for standing in plan_standings(session, as_of=as_of):
        if not standing.has_plan:
            alerts.append(Alert("plan", standing.customer, f"no plan for {year}"))
        for title, due in standing.overdue_actions:
            alerts.append(Alert("plan", standing.customer,
                                f"plan action overdue since {due}: {title}", due))  # fmt: skip
    return alerts


def coverage_alerts(session: Session, members: list[str], *, as_of: date) -> list[Alert]:
    """What the coverage rule finds on each member's people (kam.rules.people)."""
    from kam.services.people import people_map

    return [
        Alert("coverage", customer, finding.text)
        for customer in members
        for finding in people_map(session, customer, as_of=as_of).findings
    ]


def churn_alerts(session: Session, members: Mapping[int, str], *, as_of: date) -> list[Alert]:
    """Key accounts at risk of churning (kam.rules.outlook), with the reasons; P(alive) from
    the stored lifetime-value fit where there is one."""
    from kam.figures.fits import request, stored_p_alive
    from kam.figures.outlook import outlooks
    from kam.rules.programme import load_settings

    if not members:
        return []
    p_alive = stored_p_alive(session, request(as_of), members)
    found = outlooks(
        session, as_of, p_alive=p_alive, customer_ids=list(members),
        churn_p_alive=load_settings(session).churn_p_alive,
    )  # fmt: skip
    return [
        Alert("churn", members[cid], f"at risk of churning ({o.stage}): " + "; ".join(o.reasons))
        for cid, o in found.items()
        if o.at_risk
    ]
