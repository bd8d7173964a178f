"""Reading account plans: the plan of a year with every objective's progress, computed from
its kam figure or from the value last typed in, rolled up to goals and the plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from db.enums import ActionStatus, GoalStatus, PlanFigure
from kam.rules import clock, dates, lifecycle, people
from kam.rules import plans as rules
from kam.rules.programme import load_settings
from kam.services.common import user_names
from kam.services.plans.views import ActionView, CommentView, GoalView, ObjectiveView, PlanView

if TYPE_CHECKING:
    from sqlmodel import Session

    from db.models import AccountPlan, KeyAccount, PlanAction, PlanObjective
    from kam.figures.worth import Worth

#: Figures computed from the account's worth (T12M, as of the day asked).
_WORTH = {
    PlanFigure.T12M_PROFIT: "profit",
    PlanFigure.GROSS_MARGIN: "gross_margin",
    PlanFigure.REVENUE: "revenue",
    PlanFigure.SHARE_OF_WALLET: "share_of_wallet",
    PlanFigure.COST_TO_SERVE: "cost_to_serve",
}


def this_year(session: Session, as_of: date | None = None) -> int:
    """The fiscal year `as_of` (today) falls in, by the programme's first month."""
    first = load_settings(session).fiscal_year_start
    return rules.fiscal_year(clock.on_or_today(as_of), first)


def figure_values(
    session: Session,
    account: KeyAccount,
    wanted: set[PlanFigure],
    *,
    as_of: date,
    worth: Worth | None = None,
) -> dict[PlanFigure, float | None]:
    """The account's kam figures an objective can follow, as of a day (the worth is computed
    once, and only when a figure needs it; a caller that has it as of that day passes it)."""
    from sqlalchemy import func
    from sqlmodel import col, select

    from db.models import Interaction, InteractionContact, Review

    values: dict[PlanFigure, float | None] = {}
    if wanted & _WORTH.keys():
        from kam.figures.worth import customer_worth

        if worth is None or worth.as_of != as_of:
            worth = customer_worth(session, account.customer_id, as_of=as_of)
        for figure, attribute in _WORTH.items():
            values[figure] = getattr(worth, attribute)
    if PlanFigure.SATISFACTION in wanted:
        values[PlanFigure.SATISFACTION] = session.exec(
            select(Review.satisfaction)
            .where(Review.key_account_id == account.id, col(Review.reviewed_on) <= as_of)
            .order_by(col(Review.reviewed_on).desc(), col(Review.id).desc())
        ).first()
    if PlanFigure.CONTACTS_MET_90D in wanted:
        since = as_of - timedelta(days=people.MET_RECENTLY_DAYS)
        values[PlanFigure.CONTACTS_MET_90D] = float(
            session.exec(
                select(func.count(func.distinct(InteractionContact.contact_id)))
                .join(Interaction, col(Interaction.id) == InteractionContact.interaction_id)
                .where(
                    Interaction.customer_id == account.customer_id,
                    col(Interaction.happened_on) > since,
                    col(Interaction.happened_on) <= as_of,
                )
            ).one()
        )
    return values


def plan_row(session: Session, account: KeyAccount, year: int) -> AccountPlan | None:
    """The account's plan of a fiscal year, if it has one."""
    from sqlmodel import select

    from db.models import AccountPlan

    return session.exec(
        select(AccountPlan).where(
            AccountPlan.key_account_id == account.id, AccountPlan.fiscal_year == year
        )
    ).first()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _person(session: Session, user_id: int | None) -> tuple[str | None, str | None]:
    names = user_names(session, user_id) if user_id else None
    return (names[0], names[1]) if names else (None, None)


def _action_view(
    session: Session, a: PlanAction, contacts: dict[int, str], today: date, *, pursued: bool
) -> ActionView:
    """The action as the plan shows it; under a dropped goal or objective (not `pursued`) it
    is overdue for nobody, whatever its date."""
    assert a.id is not None
    login, name = _person(session, a.owner_id)
    open_ = a.status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)
    return ActionView(
        id=a.id,
        objective_id=a.objective_id,
        title=a.title,
        owner=login or (a.owner_name or None),
        owner_name=name or (a.owner_name or None),
        owner_department=a.owner_department.value if a.owner_department else None,
        due_on=a.due_on,
        status=a.status.value,
        done_on=a.done_on,
        overdue=pursued and open_ and a.due_on < today,
        commitment_id=a.commitment_id,
        contact_id=a.contact_id,
        contact=contacts.get(a.contact_id) if a.contact_id else None,
    )


def _objective_view(
    o: PlanObjective,
    figures: dict[PlanFigure, float | None],
    actions: list[ActionView],
    *,
    start: date,
    today: date,
) -> ObjectiveView:
    assert o.id is not None
    current = figures.get(o.figure) if o.figure else o.current
    baseline = o.baseline if o.baseline is not None else 0.0
    # Updated by hand and not yet updated: nothing achieved yet. A figure not known (no
    # review for satisfaction) leaves the progress unknown.
    share = rules.progress(baseline, o.target, current if current is not None or o.figure
                           else baseline)  # fmt: skip
    state = rules.DROPPED if o.dropped_on else rules.state(share, start=start, due=o.due_on,
                                                           today=today)  # fmt: skip
    return ObjectiveView(
        id=o.id,
        goal_id=o.goal_id,
        title=o.title,
        figure=o.figure.value if o.figure else None,
        baseline=baseline,
        target=o.target,
        due_on=o.due_on,
        current=current,
        progress=share,
        state=state,
        comment=o.comment,
        updated_on=o.updated_on,
        dropped_on=o.dropped_on,
        actions=actions,
    )


def get_plan(
    session: Session, name: str, *, fiscal_year: int | None = None, as_of: date | None = None
) -> PlanView:
    """The account's plan of a fiscal year (this one unless said), progress as of a day; an
    empty plan (id None) when there is none yet."""
    from kam.services.accounts import account_and_customer

    account, customer = account_and_customer(session, name)
    return plan_view(session, account, customer.name, fiscal_year=fiscal_year, as_of=as_of)


def plan_view(
    session: Session,
    account: KeyAccount,
    customer: str,
    *,
    fiscal_year: int | None = None,
    as_of: date | None = None,
    worth: Worth | None = None,
) -> PlanView:
    """`get_plan` for an account row already read (and its worth as of the day, if the caller
    has it: the figures objectives follow are then not computed again)."""
    from sqlmodel import col, select

    from db.models import Contact, PlanAction, PlanComment, PlanGoal, PlanObjective

    assert account.id is not None
    today = clock.on_or_today(as_of)
    first = load_settings(session).fiscal_year_start
    current_year = rules.fiscal_year(clock.today(), first)
    year = dates.plausible_year(
        fiscal_year if fiscal_year is not None else rules.fiscal_year(today, first), "year"
    )
    start, end = rules.period(year, first)
    row = plan_row(session, account, year)
    editable = year >= current_year and lifecycle.is_open(account.status)
    if row is None:
        return PlanView(None, customer, account.id, year, rules.label(year, first), start, end,
                        today, editable, "", [], [], [], [], 0, None, False)  # fmt: skip
    goals = list(
        session.exec(
            select(PlanGoal)
            .where(PlanGoal.plan_id == row.id)
            .order_by(col(PlanGoal.position), col(PlanGoal.id))
        ).all()
    )
    goal_ids = [g.id for g in goals]
    objectives = list(
        session.exec(
            select(PlanObjective)
            .where(col(PlanObjective.goal_id).in_(goal_ids))
            .order_by(col(PlanObjective.due_on), col(PlanObjective.id))
        ).all()
    )
    actions = list(
        session.exec(
            select(PlanAction)
            .where(col(PlanAction.objective_id).in_([o.id for o in objectives]))
            .order_by(col(PlanAction.due_on), col(PlanAction.id))
        ).all()
    )
    contacts = {
        int(cid): cname
        for cid, cname in session.exec(
            select(Contact.id, Contact.name).where(Contact.customer_id == account.customer_id)
        ).all()
        if cid is not None
    }
    wanted = {o.figure for o in objectives if o.figure is not None}
    figures = figure_values(session, account, wanted, as_of=today, worth=worth) if wanted else {}
    goal_views = []
    for g in goals:
        assert g.id is not None
        mine = [
            _objective_view(
                o,
                figures,
                [_action_view(session, a, contacts, today,
                              pursued=g.status != GoalStatus.DROPPED and o.dropped_on is None)
                 for a in actions if a.objective_id == o.id],
                start=start,
                today=today,
            )
            for o in objectives
            if o.goal_id == g.id
        ]  # fmt: skip
        login, owner_name = _person(session, g.owner_id)
        goal_views.append(
            GoalView(
                id=g.id,
                title=g.title,
                owner=login,
                owner_name=owner_name,
                status=g.status.value,
                progress=rules.mean([o.progress for o in mine if o.dropped_on is None]),
                carried_from_id=g.carried_from_id,
                objectives=mine,
            )
        )
    comments = [
        CommentView(c.id or 0, *_person(session, c.user_id), c.at.isoformat(), c.text)
        for c in session.exec(
            select(PlanComment).where(PlanComment.plan_id == row.id).order_by(col(PlanComment.id))
        ).all()
    ]
    counted = [g for g in goal_views if g.status in rules.PLACE_HOLDING]
    assert row.id is not None
    return PlanView(
        id=row.id,
        customer=customer,
        account_id=account.id,
        fiscal_year=year,
        period=rules.label(year, first),
        starts_on=start,
        ends_on=end,
        as_of=today,
        editable=editable,
        situation=row.situation,
        strengths=_lines(row.strengths),
        weaknesses=_lines(row.weaknesses),
        opportunities=_lines(row.opportunities),
        threats=_lines(row.threats),
        version=row.version,
        progress=rules.mean([g.progress for g in counted]),
        complete=len(counted) >= rules.MIN_GOALS,
        goals=goal_views,
        comments=comments,
    )


@dataclass(frozen=True)
class PlanStanding:
    """What the dashboard needs of one member's plan: is there one, what is overdue."""

    account_id: int
    customer: str
    has_plan: bool
    overdue_actions: list[tuple[str, date]]
    """(action, due date) of open actions past their date, under goals and objectives still
    pursued (not dropped)."""


def plan_standings(session: Session, *, as_of: date) -> list[PlanStanding]:
    """Every member's plan of this fiscal year: missing, or its overdue actions (no figures)."""
    from sqlmodel import col, select

    from db.models import AccountPlan, Customer, KeyAccount, PlanAction, PlanGoal, PlanObjective

    year = this_year(session, as_of)
    members = session.exec(
        select(KeyAccount, Customer.name)
        .join(Customer, col(Customer.id) == KeyAccount.customer_id)
        .where(col(KeyAccount.status).in_(lifecycle.MEMBERS))
    ).all()
    plans = {
        p.key_account_id: p.id
        for p in session.exec(select(AccountPlan).where(AccountPlan.fiscal_year == year)).all()
    }
    late: dict[int, list[tuple[str, date]]] = {}
    for plan_id, title, due in session.exec(
        select(col(PlanGoal.plan_id), col(PlanAction.title), col(PlanAction.due_on))
        .join(PlanObjective, col(PlanObjective.goal_id) == PlanGoal.id)
        .join(PlanAction, col(PlanAction.objective_id) == PlanObjective.id)
        .where(
            col(PlanGoal.plan_id).in_(list(plans.values())),
            col(PlanGoal.status) != GoalStatus.DROPPED,
            col(PlanObjective.dropped_on).is_(None),
            col(PlanAction.status).in_((ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)),
            col(PlanAction.due_on) < as_of,
        )
    ).all():
        late.setdefault(plan_id, []).append((title, due))
    return [
        PlanStanding(
            account_id=a.id or 0,
            customer=name,
            has_plan=a.id in plans,
            overdue_actions=sorted(late.get(plans.get(a.id or 0) or -1, []), key=lambda x: x[1]),
        )
        for a, name in members
    ]
