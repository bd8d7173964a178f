"""Demo data, the plans: each member account's plan for the fiscal year of the demo's as-of
date, in a realistic state relative to that date.

Two to four goals (a struggling account's first goal is to win back the customer's
confidence), each with two objectives: at least one follows a kam figure (T12M profit, share
of wallet, people met in 90 days, satisfaction), the others are updated by hand with a
comment. Some objectives are on track, some behind, a few overdue or done. Actions are owned
by the manager, the sponsor or a named colleague outside kam with a department; most
accounts have an action past its date; where the profile says so, one addresses the blocker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from db.enums import AccountStatus, ActionStatus, PlanFigure
from kam.rules import plans as rules
from kam.services.demo_people import COLLEAGUES, Circle

if TYPE_CHECKING:
    import numpy as np
    from sqlmodel import Session

    from db.models import PlanGoal

ON_TRACK, BEHIND, OVERDUE, DONE = "on track", "behind", "overdue", "done"


@dataclass(frozen=True)
class Measure:
    """An objective template: a title (with {target}), how it is measured, its actions."""

    title: str
    figure: PlanFigure | None
    baseline: float
    target: float
    actions: tuple[str, ...]


GOALS: dict[str, tuple[str, tuple[Measure, ...]]] = {
    "profit": ("Grow profit after cost to serve", (
        Measure("T12M profit to {target:,.0f}", PlanFigure.T12M_PROFIT, 0, 0,
                ("Renegotiate freight terms", "Move to consolidated weekly deliveries")),
        Measure("Cost to serve down to {target:g} % of revenue", None, 14, 10,
                ("Cost-to-serve review with their finance team",)),
    )),
    "wallet": ("Win a larger share of wallet", (
        Measure("Share of wallet to {target:.0%}", PlanFigure.SHARE_OF_WALLET, 0, 0,
                ("Propose the adjacent product range", "Price benchmark for the category")),
        Measure("Second plant qualified as a site", None, 0, 1,
                ("Run the qualification trial at plant 2",)),
    )),
    "people": ("Broaden the relationship beyond procurement", (
        Measure("Meet {target:g} people in 90 days", PlanFigure.CONTACTS_MET_90D, 0, 0,
                ("Introduce our COO to their operations team",)),
        Measure("Executive workshops held", None, 0, 3,
                ("Hold the strategy workshop with their board",)),
    )),
    "service": ("Make deliveries reliable", (
        Measure("On-time in-full deliveries at {target:g} %", None, 91, 98,
                ("Weekly delivery performance call", "Safety stock for the top 20 items")),
        Measure("Complaints closed within 10 days: {target:g} %", None, 60, 95,
                ("Root-cause review of the damaged pallets",)),
    )),
    "innovation": ("Start joint innovation", (
        Measure("Co-development projects started", None, 0, 2,
                ("Scope the packaging project with their R&D",)),
        Measure("Joint roadmap signed", None, 0, 1, ("Draft the joint roadmap",)),
    )),
    "recover": ("Win back the customer's confidence", (
        Measure("Satisfaction index up to {target:.2f}", PlanFigure.SATISFACTION, 0.6, 1.0,
                ("Service recovery plan agreed with their COO",)),
        Measure("Open complaints closed and fed back: {target:g} %", None, 40, 100,
                ("Close and feed back every open complaint",)),
    )),
}  # fmt: skip

COMMENTS = [
    "Good progress on profit; push the second-plant trial before the summer.",
    "Let us discuss the blocker at the next steering meeting.",
    "Please add the cost-to-serve review to the next QBR.",
]
SITUATION = (
    "Consolidating suppliers to cut total cost; wants reliable deliveries and a partner for "
    "its packaging roadmap."
)
SWOT = {
    "strengths": "Trusted on quality\nOperations team sees us as the reference",
    "weaknesses": "Few contacts above procurement\nDelivery misses in the last quarter",
    "opportunities": "Second plant to qualify\nAdjacent product range\nJoint packaging roadmap",
    "threats": "Low-cost competitor bidding\nNew CFO reviewing supplier terms",
}


def _passed(start: date, due: date, as_of: date) -> float:
    span = (due - start).days
    return 1.0 if span <= 0 else max(0.0, min(1.0, (as_of - start).days / span))


def _due(rng: np.random.Generator, intent: str, as_of: date, start: date, end: date) -> date:
    """An objective's due date, so that its intended state can happen."""
    if intent == OVERDUE and (as_of - start).days > 10:
        return max(start + timedelta(days=5), as_of - timedelta(days=int(rng.integers(5, 30))))
    if intent in (BEHIND, DONE):
        return min(end, as_of + timedelta(days=int(rng.integers(20, 70))))
    return (
        end if rng.random() < 0.6 else min(end, as_of + timedelta(days=int(rng.integers(30, 120))))
    )


def _share(rng: np.random.Generator, intent: str, passed: float) -> float:
    """The progress an objective has made for its intended state."""
    if intent == DONE:
        return 1.0
    if intent == OVERDUE:
        return float(rng.uniform(0.3, 0.8))
    if intent == BEHIND:
        return max(0.0, passed - float(rng.uniform(0.2, 0.35)))
    return min(0.95, passed + float(rng.uniform(0.0, 0.12)))


def _figure_span(
    figure: PlanFigure, current: float, share: float, rng: np.random.Generator
) -> tuple[float, float] | None:
    """A baseline and target around a figure's value now, so that progress is `share`."""
    if figure == PlanFigure.T12M_PROFIT:
        delta = max(abs(current) * float(rng.uniform(0.1, 0.25)), 20_000.0)
        baseline = current - share * delta
        return baseline, round(baseline + delta, -3)
    if figure == PlanFigure.SHARE_OF_WALLET:
        delta = float(rng.uniform(0.05, 0.12))
        baseline = max(0.0, current - share * delta)
        return baseline, round(baseline + delta, 2)
    if figure == PlanFigure.CONTACTS_MET_90D:
        baseline = max(0.0, current - round(share * 4))
        return baseline, baseline + 4
    if figure == PlanFigure.SATISFACTION:
        delta = float(rng.uniform(0.2, 0.35))
        target = round(current + (1 - share) * delta, 2)
        return target - delta, target
    return None


def insert_plan(
    session: Session,
    rng: np.random.Generator,
    circle: Circle,
    *,
    as_of: date,
    first_month: int,
    figures: dict[PlanFigure, float | None],
) -> tuple[int, int, int]:
    """The account's plan of this fiscal year; returns (goals, objectives, actions)."""
    from db.models import AccountPlan, PlanComment, PlanGoal

    account = circle.account
    year = rules.fiscal_year(as_of, first_month)
    start, end = rules.period(year, first_month)
    plan = AccountPlan(
        key_account_id=account.id,  # type: ignore[arg-type]
        fiscal_year=year,
        situation=SITUATION,
        strengths=SWOT["strengths"],
        weaknesses=SWOT["weaknesses"],
        opportunities=SWOT["opportunities"],
        threats=SWOT["threats"],
        updated_by_id=account.manager_id,
    )
    session.add(plan)
    session.flush()
    kinds = ["profit", "people"]
    if account.status == AccountStatus.UNDER_REVIEW:
        kinds.insert(0, "recover")
    extra = ["wallet", "service", "innovation"]
    for k in rng.permutation(len(extra))[: int(rng.integers(0, 3))]:
        if len(kinds) < 4:
            kinds.append(extra[int(k)])
    counts = [len(kinds), 0, 0]
    late_action = not circle.profile.exemplary
    for position, kind in enumerate(kinds, start=1):
        title, measures = GOALS[kind]
        goal = PlanGoal(plan_id=plan.id, title=title, owner_id=account.manager_id,  # type: ignore[arg-type]
                        position=position)  # fmt: skip
        session.add(goal)
        session.flush()
        for n, measure in enumerate(measures):
            if circle.profile.exemplary:
                intent = [ON_TRACK, DONE][int(rng.choice(2, p=[0.8, 0.2]))]
            elif position == 1:
                intent = [ON_TRACK, BEHIND][n]
            else:
                intent = [ON_TRACK, BEHIND, OVERDUE, DONE][
                    int(rng.choice(4, p=[0.45, 0.3, 0.1, 0.15]))
                ]
            counts[1] += 1
            counts[2] += _objective(session, rng, circle, goal, measure, intent,
                                    late=late_action and position == 2 and n == 0,
                                    as_of=as_of, start=start, end=end, figures=figures)  # fmt: skip
    if account.sponsor_id is not None and rng.random() < 0.6:
        session.add(PlanComment(plan_id=plan.id, user_id=account.sponsor_id,  # type: ignore[arg-type]
                                text=COMMENTS[int(rng.integers(len(COMMENTS)))]))  # fmt: skip
    return counts[0], counts[1], counts[2]


def _objective(
    session: Session,
    rng: np.random.Generator,
    circle: Circle,
    goal: PlanGoal,
    measure: Measure,
    intent: str,
    *,
    late: bool,
    as_of: date,
    start: date,
    end: date,
    figures: dict[PlanFigure, float | None],
) -> int:
    """One objective in its intended state and its actions; returns how many actions."""
    from db.models import PlanObjective

    due = _due(rng, intent, as_of, start, end)
    share = _share(rng, intent, _passed(start, due, as_of))
    figure, current, comment, updated = measure.figure, None, "", None
    span = None
    if figure is not None and figures.get(figure) is not None:
        span = _figure_span(figure, float(figures[figure] or 0.0), share, rng)
    if span is not None:
        baseline, target = span
    else:
        figure, baseline, target = None, measure.baseline, measure.target
        if measure.figure is not None:  # the figure is not known here: kept by hand
            baseline, target = measure.baseline, max(measure.target, measure.baseline + 1)
        whole = target - baseline in (1, 2, 3)
        moved = share * (target - baseline)
        current = baseline + (round(moved) if whole else round(moved, 1))
        if current != baseline or rng.random() < 0.5:
            updated = max(start, as_of - timedelta(days=int(rng.integers(3, 40))))
            comment = "Updated at the monthly account review."
        else:
            current = None
    objective = PlanObjective(
        goal_id=goal.id,  # type: ignore[arg-type]
        title=measure.title.format(target=target),
        figure=figure,
        baseline=round(baseline, 4),
        target=target,
        due_on=due,
        current=current,
        comment=comment,
        updated_on=updated,
    )
    session.add(objective)
    session.flush()
    made = 0
    for k, title in enumerate(measure.actions):
        _action(session, rng, circle, objective.id, title, k, as_of=as_of, start=start, end=end,
                late=late and k == 0)  # fmt: skip
        made += 1
    if measure.figure == PlanFigure.CONTACTS_MET_90D:
        made += _people_actions(session, rng, circle, objective.id, as_of=as_of, end=end)
    return made


def _action(
    session: Session,
    rng: np.random.Generator,
    circle: Circle,
    objective_id: int | None,
    title: str,
    k: int,
    *,
    as_of: date,
    start: date,
    end: date,
    late: bool,
) -> None:
    """An action: past ones mostly done, the late one still open, the rest planned."""
    from db.models import PlanAction

    account = circle.account
    outsider = COLLEAGUES[int(rng.integers(len(COLLEAGUES)))] if k == 1 else None
    if late and (as_of - start).days > 3:
        due = max(start + timedelta(days=1), as_of - timedelta(days=int(rng.integers(3, 30))))
        status, done = ActionStatus.IN_PROGRESS, None
    elif rng.random() < 0.4 and (as_of - start).days > 20:
        due = start + timedelta(days=int(rng.integers(10, (as_of - start).days)))
        status, done = ActionStatus.DONE, min(as_of, due + timedelta(days=int(rng.integers(-5, 5))))
    else:
        due = min(end, as_of + timedelta(days=int(rng.integers(7, 90))))
        status = ActionStatus.IN_PROGRESS if rng.random() < 0.4 else ActionStatus.PLANNED
        done = None
    session.add(
        PlanAction(
            objective_id=objective_id,  # type: ignore[arg-type]
            title=title,
            owner_id=None if outsider else account.manager_id,
            owner_name=outsider[0] if outsider else "",
            owner_department=outsider[1] if outsider else None,
            due_on=due,
            status=status,
            done_on=done,
        )
    )


def _people_actions(
    session: Session,
    rng: np.random.Generator,
    circle: Circle,
    objective_id: int | None,
    *,
    as_of: date,
    end: date,
) -> int:
    """The relationship goal's actions on people: the sponsor meets the CEO, the manager
    prepares the case with the champion, and (by profile) someone wins the blocker over."""
    from db.models import PlanAction

    account = circle.account
    soon = min(end, as_of + timedelta(days=int(rng.integers(14, 60))))
    actions = [
        PlanAction(objective_id=objective_id, title="Business case for the next phase with "  # type: ignore[arg-type]
                   f"{circle.names[circle.champion]}", owner_id=account.manager_id,
                   due_on=soon, status=ActionStatus.IN_PROGRESS, contact_id=circle.champion),
        PlanAction(objective_id=objective_id, title="Sponsor meets the CEO on the joint "  # type: ignore[arg-type]
                   "roadmap", owner_id=account.sponsor_id or account.manager_id, due_on=soon,
                   contact_id=circle.ceo),
    ]  # fmt: skip
    if circle.profile.blocker_addressed:
        actions.append(
            PlanAction(
                objective_id=objective_id,  # type: ignore[arg-type]
                title=f"Win over {circle.names[circle.blocker]}: reference visit and "
                "cost model walk-through",
                owner_id=account.manager_id,
                due_on=soon,
                contact_id=circle.blocker,
            )  # fmt: skip
        )
    session.add_all(actions)
    return len(actions)
