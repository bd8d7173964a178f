"""Writing account plans: situation and SWOT, goals, objectives, actions, comments, and
carrying goals into the next year. The account's manager and admins write; executives
comment; every change is audited; past years are history and read-only."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, field_validator

from db.enums import ActionStatus, Department, GoalStatus, PlanFigure
from kam.errors import InvalidData, NotFound, RuleError
from kam.rules import clock, dates, limits
from kam.rules import plans as rules
from kam.rules.permissions import Action, require
from kam.rules.programme import load_settings
from kam.services import audit
from kam.services.common import owner_by_login, stake, validated
from kam.services.plans.reads import figure_values, plan_row, plan_view, this_year
from kam.services.plans.views import PlanView
from kam.text import clean_text

if TYPE_CHECKING:
    from sqlmodel import Session

    from db.models import AccountPlan, Customer, KeyAccount, PlanAction, PlanGoal, PlanObjective
    from kam.identity import Actor


def _clean_line(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


def _clean_lines(value: Any) -> Any:
    if isinstance(value, list):
        value = "\n".join(str(v) for v in value)
    return clean_text(value, multiline=True) if isinstance(value, str) else value


class PlanText(BaseModel):
    """The plan's situation and SWOT lists (one item per line); only those given change."""

    situation: str | None = Field(default=None, max_length=limits.NOTE)
    strengths: str | None = Field(default=None, max_length=limits.NOTE)
    weaknesses: str | None = Field(default=None, max_length=limits.NOTE)
    opportunities: str | None = Field(default=None, max_length=limits.NOTE)
    threats: str | None = Field(default=None, max_length=limits.NOTE)

    _clean = field_validator("*", mode="before")(classmethod(lambda cls, v: _clean_lines(v)))


class GoalInput(BaseModel):
    """A goal: what we want with this customer, and who owns it (a kam login)."""

    title: str = Field(min_length=1, max_length=limits.NAME)
    owner: str | None = Field(default=None, max_length=limits.LOGIN)

    _clean = field_validator("title", "owner", mode="before")(
        classmethod(lambda cls, v: _clean_line(v))
    )


class GoalChanges(BaseModel):
    """Changes to a goal."""

    title: str | None = Field(default=None, min_length=1, max_length=limits.NAME)
    owner: str | None = Field(default=None, max_length=limits.LOGIN)
    status: GoalStatus | None = None

    _clean = field_validator("title", "owner", mode="before")(
        classmethod(lambda cls, v: _clean_line(v))
    )


class ObjectiveInput(BaseModel):
    """A measurable objective: a target by a date, following a kam figure or updated by hand."""

    title: str = Field(min_length=1, max_length=limits.NAME)
    target: limits.Number
    due_on: date
    figure: PlanFigure | None = None
    baseline: limits.Number | None = None
    """Where the measure stands now; a figure's own value when not given, else 0."""

    _clean = field_validator("title", mode="before")(classmethod(lambda cls, v: _clean_line(v)))


class ObjectiveChanges(BaseModel):
    """Changes to an objective; `current` and `comment` record progress by hand; `dropped`
    drops it (True: added by mistake or no longer pursued) or takes it up again (False)."""

    title: str | None = Field(default=None, min_length=1, max_length=limits.NAME)
    target: limits.Number | None = None
    due_on: date | None = None
    current: limits.Number | None = None
    comment: str | None = Field(default=None, max_length=limits.NOTE)
    dropped: bool | None = None

    _clean = field_validator("title", "comment", mode="before")(
        classmethod(lambda cls, v: _clean_lines(v))
    )


class ActionInput(BaseModel):
    """An action: what, who (a kam login, or a named person and department), by when."""

    title: str = Field(min_length=1, max_length=limits.NAME)
    due_on: date
    owner: str | None = Field(default=None, max_length=limits.LOGIN)
    owner_name: str | None = Field(default=None, max_length=limits.NAME)
    owner_department: Department | None = None
    commitment: int | None = None
    """The id of the commitment to the customer this action keeps."""
    contact: int | None = None
    """The id of the person at the customer this action addresses."""

    _clean = field_validator("title", "owner", "owner_name", mode="before")(
        classmethod(lambda cls, v: _clean_line(v))
    )


class ActionChanges(BaseModel):
    """Changes to an action: a new owner is a kam login, or a named person and their
    department (the department alone changes a named owner's)."""

    title: str | None = Field(default=None, min_length=1, max_length=limits.NAME)
    due_on: date | None = None
    status: ActionStatus | None = None
    owner: str | None = Field(default=None, max_length=limits.LOGIN)
    owner_name: str | None = Field(default=None, max_length=limits.NAME)
    owner_department: Department | None = None
    contact: int | None = None

    _clean = field_validator("title", "owner", "owner_name", mode="before")(
        classmethod(lambda cls, v: _clean_line(v))
    )


# ---------------------------------------------------------------------------- finding


def _account(session: Session, name: str) -> tuple[KeyAccount, Customer]:
    from kam.services.accounts import account_and_customer

    return account_and_customer(session, name)


def _editable(session: Session, actor: Actor, plan: AccountPlan) -> tuple[KeyAccount, Customer]:
    """The plan's account and customer, once the actor may edit and the year is current."""
    from db.models import Customer, KeyAccount

    account = session.get(KeyAccount, plan.key_account_id)
    assert account is not None
    customer = session.get(Customer, account.customer_id)
    assert customer is not None
    require(actor, Action.EDIT_PLAN, stake(account, customer))
    if plan.fiscal_year < this_year(session):
        first = load_settings(session).fiscal_year_start
        raise RuleError(
            f"The {rules.label(plan.fiscal_year, first)} plan of '{customer.name}' is history; "
            "past years' plans are read-only."
        )
    return account, customer


def _open_plan(
    session: Session, actor: Actor, name: str, fiscal_year: int | None
) -> tuple[AccountPlan, Customer]:
    """The account's plan of the year (made on the first write), once the actor may edit."""
    from db.models import AccountPlan, utcnow

    account, customer = _account(session, name)
    require(actor, Action.EDIT_PLAN, stake(account, customer))
    year = fiscal_year if fiscal_year is not None else this_year(session)
    row = plan_row(session, account, dates.plausible_year(year, "year"))
    if row is None:
        row = AccountPlan(key_account_id=account.id, fiscal_year=year, updated_by_id=actor.id)  # type: ignore[arg-type]
        row.updated_at = utcnow()
        session.add(row)
        session.flush()
        audit.record_created(session, actor, entity="account_plan", entity_id=row.id,
                             customer_id=customer.id, values={"fiscal_year": year})  # fmt: skip
    _editable(session, actor, row)
    return row, customer


def _goal(session: Session, goal_id: int) -> tuple[PlanGoal, AccountPlan]:
    from db.models import AccountPlan, PlanGoal

    goal = session.get(PlanGoal, goal_id)
    if goal is None:
        raise NotFound(f"No plan goal has id {goal_id}.")
    plan = session.get(AccountPlan, goal.plan_id)
    assert plan is not None
    return goal, plan


def _objective(session: Session, objective_id: int) -> tuple[PlanObjective, AccountPlan]:
    from db.models import PlanObjective

    objective = session.get(PlanObjective, objective_id)
    if objective is None:
        raise NotFound(f"No plan objective has id {objective_id}.")
    return objective, _goal(session, objective.goal_id)[1]


def _action(session: Session, action_id: int) -> tuple[PlanAction, AccountPlan]:
    from db.models import PlanAction

    action = session.get(PlanAction, action_id)
    if action is None:
        raise NotFound(f"No plan action has id {action_id}.")
    return action, _objective(session, action.objective_id)[1]


def _touch(session: Session, actor: Actor, plan: AccountPlan) -> None:
    """The plan changed: a new version (a concurrent editor's stale write then conflicts)."""
    from db.models import utcnow

    plan.updated_at, plan.updated_by_id = utcnow(), actor.id
    session.add(plan)
    session.flush()


def _view(session: Session, plan: AccountPlan) -> PlanView:
    from db.models import Customer, KeyAccount

    account = session.get(KeyAccount, plan.key_account_id)
    assert account is not None
    customer = session.get(Customer, account.customer_id)
    assert customer is not None
    return plan_view(session, account, customer.name, fiscal_year=plan.fiscal_year)


def _login_id(session: Session, login: str | None) -> int | None:
    return owner_by_login(session, login).id if login else None


# ---------------------------------------------------------------------------- writes


def set_plan_text(
    session: Session,
    actor: Actor,
    account: str,
    *,
    fiscal_year: int | None = None,
    expected_version: int | None = None,
    **fields: Any,
) -> PlanView:
    """Write the plan's situation and SWOT lists (only the fields given change)."""
    from kam.errors import ConflictError

    plan, customer = _open_plan(session, actor, account, fiscal_year)
    if expected_version is not None and plan.version != expected_version:
        raise ConflictError(
            f"The plan of '{customer.name}' changed since you read it (now version "
            f"{plan.version}, you had {expected_version}); nothing was overwritten."
        )
    changes = validated(PlanText, **fields).model_dump(exclude_unset=True)
    changed = audit.apply_changes(session, actor, plan, changes, entity="account_plan",
                                  customer_id=customer.id)  # fmt: skip
    if changed:
        _touch(session, actor, plan)
    return _view(session, plan)


def add_goal(
    session: Session, actor: Actor, account: str, *, fiscal_year: int | None = None,
    **fields: Any,
) -> PlanView:  # fmt: skip
    """Add a goal to the account's plan (at most five)."""
    from sqlmodel import col, func, select

    from db.models import PlanGoal

    plan, customer = _open_plan(session, actor, account, fiscal_year)
    data = validated(GoalInput, **fields)
    held = session.exec(
        select(func.count())
        .select_from(PlanGoal)
        .where(PlanGoal.plan_id == plan.id, col(PlanGoal.status).in_(rules.PLACE_HOLDING))
    ).one()
    if not rules.takes_another_goal(held):
        raise RuleError(
            f"The plan of '{customer.name}' has {held} goals, the most a plan keeps "
            f"({rules.MAX_GOALS}); drop or achieve one first."
        )
    goal = PlanGoal(plan_id=plan.id, title=data.title, owner_id=_login_id(session, data.owner),  # type: ignore[arg-type]
                    position=held + 1)  # fmt: skip
    session.add(goal)
    session.flush()
    audit.record_created(session, actor, entity="plan_goal", entity_id=goal.id,
                         customer_id=customer.id, values=data.model_dump())  # fmt: skip
    _touch(session, actor, plan)
    return _view(session, plan)


def update_goal(session: Session, actor: Actor, goal_id: int, **fields: Any) -> PlanView:
    """Change a goal's title, owner or status."""
    goal, plan = _goal(session, goal_id)
    _account_row, customer = _editable(session, actor, plan)
    changes = validated(GoalChanges, **fields).model_dump(exclude_unset=True)
    if "owner" in changes:
        changes["owner_id"] = _login_id(session, changes.pop("owner"))
    if changes.get("status") is None:
        changes.pop("status", None)
    audit.apply_changes(session, actor, goal, changes, entity="plan_goal",
                        customer_id=customer.id)  # fmt: skip
    _touch(session, actor, plan)
    return _view(session, plan)


def add_objective(session: Session, actor: Actor, goal_id: int, **fields: Any) -> PlanView:
    """Add a measurable objective to a goal; a figure-linked one starts from the figure now."""
    from db.models import PlanObjective

    goal, plan = _goal(session, goal_id)
    account, customer = _editable(session, actor, plan)
    data = validated(ObjectiveInput, **fields)
    limits.share("target", data.figure, data.target)
    if data.baseline is not None:
        limits.share("baseline", data.figure, data.baseline)
    baseline = data.baseline
    if baseline is None and data.figure is not None:
        baseline = figure_values(session, account, {data.figure}, as_of=clock.today()).get(
            data.figure
        )
    objective = PlanObjective(goal_id=goal.id, title=data.title, figure=data.figure,  # type: ignore[arg-type]
                              baseline=baseline if baseline is not None else 0.0,
                              target=data.target, due_on=data.due_on)  # fmt: skip
    session.add(objective)
    session.flush()
    audit.record_created(session, actor, entity="plan_objective", entity_id=objective.id,
                         customer_id=customer.id,
                         values={**data.model_dump(), "baseline": objective.baseline})  # fmt: skip
    _touch(session, actor, plan)
    return _view(session, plan)


def update_objective(session: Session, actor: Actor, objective_id: int, **fields: Any) -> PlanView:
    """Record progress by hand (current value and a comment), change the target or date, or
    drop the objective (it stays in the plan, counted in no progress) or take it up again."""
    objective, plan = _objective(session, objective_id)
    _account_row, customer = _editable(session, actor, plan)
    changes = validated(ObjectiveChanges, **fields).model_dump(exclude_unset=True)
    dropped = changes.pop("dropped", None)
    if dropped is not None:
        changes["dropped_on"] = (objective.dropped_on or clock.today()) if dropped else None
    if changes.get("target") is not None:
        limits.share("target", objective.figure, changes["target"])
    if "current" in changes:
        if objective.figure is not None:
            raise RuleError(
                f"Objective {objective_id} follows {objective.figure.value}: its progress is "
                "computed, not typed."
            )
        if not (changes.get("comment") or "").strip():
            raise InvalidData("comment: an update by hand says what happened.")
        changes["updated_on"] = clock.today()
    audit.apply_changes(session, actor, objective, changes, entity="plan_objective",
                        customer_id=customer.id)  # fmt: skip
    _touch(session, actor, plan)
    return _view(session, plan)


def add_action(session: Session, actor: Actor, objective_id: int, **fields: Any) -> PlanView:
    """Add an action: a kam user owns it, or a named person and their department."""
    from db.models import PlanAction
    from kam.services.contacts import contact_of

    objective, plan = _objective(session, objective_id)
    account, customer = _editable(session, actor, plan)
    data = validated(ActionInput, **fields)
    if data.owner and data.owner_name:
        raise InvalidData("owner: a kam login (owner) or a named person (owner_name), not both.")
    if data.owner_name and data.owner_department is None:
        raise InvalidData("owner_department: say which department the named owner is in.")
    assert customer.id is not None
    if data.contact is not None:
        contact_of(session, data.contact, customer.id)
    if data.commitment is not None:
        _commitment_of(session, data.commitment, customer.id)
    action = PlanAction(
        objective_id=objective.id,  # type: ignore[arg-type]
        title=data.title,
        due_on=data.due_on,
        owner_id=_login_id(session, data.owner) if not data.owner_name else None,
        owner_name=data.owner_name or "",
        owner_department=data.owner_department if data.owner_name else None,
        commitment_id=data.commitment,
        contact_id=data.contact,
    )
    session.add(action)
    session.flush()
    audit.record_created(session, actor, entity="plan_action", entity_id=action.id,
                         customer_id=customer.id, values=data.model_dump())  # fmt: skip
    _touch(session, actor, plan)
    return _view(session, plan)


def _commitment_of(session: Session, commitment_id: int, customer_id: int) -> None:
    from db.models import Commitment

    found = session.get(Commitment, commitment_id)
    if found is None or found.customer_id != customer_id:
        raise InvalidData(f"commitment {commitment_id} is not a promise to this customer.")


def update_action(session: Session, actor: Actor, action_id: int, **fields: Any) -> PlanView:
    """Change an action; marking it done stamps the day."""
    from kam.services.contacts import contact_of

    action, plan = _action(session, action_id)
    _account_row, customer = _editable(session, actor, plan)
    changes = validated(ActionChanges, **fields).model_dump(exclude_unset=True)
    named, department = changes.pop("owner_name", None), changes.pop("owner_department", None)
    if named:
        if changes.pop("owner", None):
            raise InvalidData(
                "owner: a kam login (owner) or a named person (owner_name), not both."
            )
        department = department or action.owner_department
        if department is None:
            raise InvalidData("owner_department: say which department the named owner is in.")
        changes.update(owner_id=None, owner_name=named, owner_department=department)
    elif "owner" in changes:
        changes["owner_id"] = _login_id(session, changes.pop("owner"))
        changes["owner_name"], changes["owner_department"] = "", None
    elif department is not None and action.owner_department is not None:
        changes["owner_department"] = department  # a named owner's department
    if "contact" in changes:
        if changes["contact"] is not None:
            assert customer.id is not None
            contact_of(session, changes["contact"], customer.id)
        changes["contact_id"] = changes.pop("contact")
    if changes.get("status") is None:
        changes.pop("status", None)
    elif changes["status"] != action.status:
        changes["done_on"] = clock.today() if changes["status"] == ActionStatus.DONE else None
    audit.apply_changes(session, actor, action, changes, entity="plan_action",
                        customer_id=customer.id)  # fmt: skip
    _touch(session, actor, plan)
    return _view(session, plan)


def complete_action(session: Session, actor: Actor, action_id: int) -> PlanView:
    """Mark an action done, today."""
    return update_action(session, actor, action_id, status=ActionStatus.DONE)


def comment_plan(
    session: Session, actor: Actor, account: str, *, text: str, fiscal_year: int | None = None
) -> PlanView:
    """Comment on the account's plan (executives, the account's manager, admins)."""
    from db.models import PlanComment

    row, customer = _account(session, account)
    require(actor, Action.COMMENT_PLAN, stake(row, customer))
    year = fiscal_year if fiscal_year is not None else this_year(session)
    plan = plan_row(session, row, dates.plausible_year(year, "year"))
    if plan is None:
        raise NotFound(f"'{customer.name}' has no plan for that year to comment on.")
    said = clean_text(text, multiline=True)
    if not said:
        raise InvalidData("text: a comment says something.")
    if len(said) > limits.NOTE:
        raise InvalidData(f"text: at most {limits.NOTE:,} characters.")
    comment = PlanComment(plan_id=plan.id, user_id=actor.id, text=said)  # type: ignore[arg-type]
    session.add(comment)
    session.flush()
    audit.record(session, actor, entity="plan_comment", entity_id=comment.id,
                 customer_id=customer.id, field="text", new=said)  # fmt: skip
    return _view(session, plan)


def carry_goals(
    session: Session, actor: Actor, account: str, *, goals: list[int], to_year: int | None = None
) -> PlanView:
    """Carry open goals (with their objectives not dropped and open actions) into the next
    year's plan; the old goals are marked carried."""
    from sqlmodel import col, select

    from db.models import PlanAction, PlanGoal, PlanObjective

    row, customer = _account(session, account)
    require(actor, Action.EDIT_PLAN, stake(row, customer))
    year = dates.plausible_year(
        to_year if to_year is not None else this_year(session) + 1, "to_year"
    )
    target, _customer = _open_plan(session, actor, account, year)

    for goal_id in goals:
        goal, plan = _goal(session, goal_id)
        if plan.key_account_id != row.id or plan.fiscal_year >= year:
            raise InvalidData(f"goal {goal_id} is not an earlier goal of '{customer.name}'.")
        if goal.status != GoalStatus.OPEN:
            raise RuleError(f"Goal {goal_id} is {goal.status.value}; only open goals carry.")
        copy = PlanGoal(plan_id=target.id, title=goal.title, owner_id=goal.owner_id,  # type: ignore[arg-type]
                        carried_from_id=goal.id, position=goal.position)  # fmt: skip
        session.add(copy)
        session.flush()
        for o in session.exec(
            select(PlanObjective).where(
                PlanObjective.goal_id == goal.id, col(PlanObjective.dropped_on).is_(None)
            )
        ):
            kept = o.model_dump(exclude={"id", "goal_id", "created_at"})
            new = PlanObjective(goal_id=copy.id, **kept)  # type: ignore[arg-type]
            session.add(new)
            session.flush()
            for a in session.exec(
                select(PlanAction).where(
                    PlanAction.objective_id == o.id,
                    col(PlanAction.status).in_((ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)),
                )
            ):
                kept = a.model_dump(exclude={"id", "objective_id", "created_at"})
                session.add(PlanAction(objective_id=new.id, **kept))  # type: ignore[arg-type]
        audit.apply_changes(session, actor, goal, {"status": GoalStatus.CARRIED},
                            entity="plan_goal", customer_id=customer.id)  # fmt: skip
    _touch(session, actor, target)
    return _view(session, target)
