"""Key account managers: skill scores, training, assignment within the manager limit.

A manager runs at most `manager_limit` (default 5) open key accounts; assigning one whose
skills (finance, consulting, planning, interpersonal, influence) are under 3 or unscored
is allowed, with a warning. The limit and the warning live in kam.services.staffing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from db.enums import Role, Skill
from kam.errors import InvalidData, RuleError
from kam.rules import dates, lifecycle, limits
from kam.rules.permissions import Action, require
from kam.services import audit
from kam.services.accounts import update_account
from kam.services.common import user_by_login, validated
from kam.services.staffing import describe_weak_skills, held_accounts, skill_warning
from kam.text import a_or_an, clean_text
from kam.views import AccountView, View

if TYPE_CHECKING:
    from sqlmodel import Session

    from db.models import ManagerSkill, TrainingRecord, User
    from kam.identity import Actor


class SkillsInput(BaseModel):
    """Skill scores to set, each 1 (novice) to 5 (expert); only those given change."""

    model_config = ConfigDict(extra="forbid")

    finance: int | None = Field(default=None, ge=1, le=5)
    consulting: int | None = Field(default=None, ge=1, le=5)
    planning: int | None = Field(default=None, ge=1, le=5)
    interpersonal: int | None = Field(default=None, ge=1, le=5)
    influence: int | None = Field(default=None, ge=1, le=5)


class TrainingInput(BaseModel):
    """A course a manager took."""

    course: str = Field(min_length=1, max_length=limits.NAME)
    taken_on: date
    note: str = Field(default="", max_length=limits.NOTE)

    @field_validator("course", mode="before")
    @classmethod
    def _clean_course(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value

    @field_validator("note", mode="before")
    @classmethod
    def _clean_note(cls, value: Any) -> Any:
        return clean_text(value, multiline=True) if isinstance(value, str) else value


@dataclass(frozen=True)
class TrainingView(View):
    """One course a manager took."""

    id: int
    login: str
    course: str
    taken_on: date
    note: str


@dataclass(frozen=True)
class ManagerProfileView(View):
    """A key account manager: skills, training, and load against the manager limit."""

    login: str
    display_name: str
    title: str
    role: str
    skills: dict[str, int | None]
    trainings: list[TrainingView]
    accounts: list[str]
    load: int
    """Open key accounts this manager runs."""
    limit: int
    warning: str | None
    """The skills under 3 or unscored, as a sentence; None when every skill is 3 or more."""

    def to_dict(self) -> dict[str, Any]:
        """The view as a dict of JSON-ready values, trainings included."""
        data = super().to_dict()
        data["trainings"] = [t.to_dict() for t in self.trainings]
        return data


@dataclass(frozen=True)
class ManagerAssignment(View):
    """The account after a manager assignment, and the skill warning if there is one."""

    account: AccountView
    warning: str | None

    def to_dict(self) -> dict[str, Any]:
        """The account's fields plus `warning`."""
        return {**self.account.to_dict(), "warning": self.warning}


def _training_view(row: TrainingRecord, login: str) -> TrainingView:
    assert row.id is not None
    return TrainingView(
        id=row.id, login=login, course=row.course, taken_on=row.taken_on, note=row.note
    )


def _key_account_manager(session: Session, login: str) -> User:
    """The user, who must be a manager (or an admin who runs accounts) to have a profile."""
    user = user_by_login(session, login)
    if user.role not in (Role.MANAGER, Role.ADMIN):
        raise RuleError(
            f"'{login}' is {a_or_an(user.role)}; skills and training are kept for key account "
            "managers."
        )
    return user


def _profile_view(
    user: User,
    skills: ManagerSkill | None,
    trainings: list[TrainingRecord],
    accounts: list[str],
    limit: int,
) -> ManagerProfileView:
    return ManagerProfileView(
        login=user.login,
        display_name=user.display_name,
        title=user.title,
        role=user.role.value,
        skills={s.value: getattr(skills, s.value) if skills else None for s in Skill},
        trainings=[_training_view(t, user.login) for t in trainings],
        accounts=accounts,
        load=len(accounts),
        limit=limit,
        warning=describe_weak_skills(user, skills),
    )


def manager_profile(session: Session, login: str) -> ManagerProfileView:
    """One manager's skills, training and load."""
    from sqlmodel import col, select

    from db.models import ManagerSkill, TrainingRecord
    from kam.rules.programme import load_settings

    user = _key_account_manager(session, login)
    assert user.id is not None
    trainings = session.exec(
        select(TrainingRecord)
        .where(TrainingRecord.user_id == user.id)
        .order_by(col(TrainingRecord.taken_on).desc(), col(TrainingRecord.id).desc())
    ).all()
    return _profile_view(
        user,
        session.get(ManagerSkill, user.id),
        list(trainings),
        list(held_accounts(session, user.id, as_="manager").values()),
        load_settings(session).manager_limit,
    )


def manager_profiles(session: Session) -> list[ManagerProfileView]:
    """Active managers, and anyone else running an open account, in four queries."""
    from sqlmodel import col, select

    from db.models import Customer, KeyAccount, ManagerSkill, TrainingRecord, User
    from kam.rules.programme import load_settings

    limit = load_settings(session).manager_limit
    held: dict[int, list[str]] = {}
    for manager_id, name in session.exec(
        select(KeyAccount.manager_id, Customer.name)
        .join(Customer, col(Customer.id) == KeyAccount.customer_id)
        .where(
            col(KeyAccount.status).in_(lifecycle.OPEN),
            col(KeyAccount.manager_id).is_not(None),
        )
        .order_by(Customer.name)
    ).all():
        held.setdefault(int(manager_id), []).append(name)  # type: ignore[arg-type]
    people = [
        u
        for u in session.exec(
            select(User)
            .where((col(User.role) == Role.MANAGER) | col(User.id).in_(held.keys()))
            .order_by(User.login)
        ).all()
        if u.active or u.id in held
    ]
    ids = [u.id for u in people]
    skills = {
        s.user_id: s
        for s in session.exec(select(ManagerSkill).where(col(ManagerSkill.user_id).in_(ids)))
    }
    trainings: dict[int, list[TrainingRecord]] = {}
    for t in session.exec(
        select(TrainingRecord)
        .where(col(TrainingRecord.user_id).in_(ids))
        .order_by(col(TrainingRecord.taken_on).desc(), col(TrainingRecord.id).desc())
    ):
        trainings.setdefault(t.user_id, []).append(t)
    return [
        _profile_view(
            u,
            skills.get(u.id or 0),
            trainings.get(u.id or 0, []),
            held.get(u.id or 0, []),
            limit,
        )
        for u in people
    ]


def set_skills(session: Session, actor: Actor, login: str, **scores: Any) -> ManagerProfileView:
    """Set a manager's skill scores, 1-5 (admins); only the skills given change; audited."""
    from db.models import ManagerSkill, utcnow

    require(actor, Action.SCORE_SKILLS)
    given = validated(SkillsInput, **scores).model_dump(exclude_unset=True)
    cleared = sorted(k for k, v in given.items() if v is None)
    if cleared:
        raise InvalidData(
            f"Invalid skills: {', '.join(cleared)}: a skill score is a whole number from 1 to 5."
        )
    if not given:
        raise InvalidData(
            f"Give at least one skill score (1-5): {', '.join(s.value for s in Skill)}."
        )
    user = _key_account_manager(session, login)
    profile = session.get(ManagerSkill, user.id)
    if profile is None:
        assert user.id is not None
        profile = ManagerSkill(user_id=user.id)
        session.add(profile)
    changed = False
    for skill, new in given.items():
        old = getattr(profile, skill)
        if old == new:
            continue
        setattr(profile, skill, new)
        changed = True
        audit.record(
            session,
            actor,
            entity="manager_profile",
            entity_id=user.id,
            customer_id=None,
            field=skill,
            old=old,
            new=new,
        )
    if changed:
        profile.updated_at = utcnow()
    session.flush()
    return manager_profile(session, user.login)


def add_training(
    session: Session, actor: Actor, login: str, *, course: str, on: date, note: str = ""
) -> TrainingView:
    """Record a course a manager took (admins); audited."""
    from db.models import TrainingRecord

    require(actor, Action.RECORD_TRAINING)
    data = validated(TrainingInput, course=course, taken_on=on, note=note)
    dates.happened(data.taken_on, "taken_on")
    user = _key_account_manager(session, login)
    assert user.id is not None
    row = TrainingRecord(user_id=user.id, **data.model_dump())
    session.add(row)
    session.flush()
    audit.record_created(
        session,
        actor,
        entity="training_record",
        entity_id=row.id,
        customer_id=None,
        values={"login": user.login, **data.model_dump()},
    )
    return _training_view(row, user.login)


def assign_manager(
    session: Session,
    actor: Actor,
    account: str,
    login: str,
    *,
    expected_version: int | None = None,
) -> ManagerAssignment:
    """Make a manager run a key account (admins), within the manager limit.

    Allowed with a warning when any of their skills is under 3 or unscored. The rules
    live in kam.services.staffing; the change is audited and bumps the account's version.
    """
    require(actor, Action.ASSIGN_MANAGER)
    view = update_account(session, actor, account, expected_version=expected_version, manager=login)
    manager = user_by_login(session, login)
    return ManagerAssignment(account=view, warning=skill_warning(session, manager))
