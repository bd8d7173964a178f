"""Who may do what, as a table: every role against every action the services take.

For each (user, action) the service call must raise PermissionDenied exactly when
`kam.rules.permissions.may` refuses, with the rule's own sentence; when the rule allows
it, the write must land (a row, a version, an audit event). The TUI's side of the same
table is tests/tui/test_role_keys.py: a key is offered exactly when `may` allows it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from db.enums import (
    AccountStatus,
    AssessmentKind,
    InteractionKind,
    ReviewDecision,
    Role,
)
from db.models import (
    AccountPlan,
    Assessment,
    AuditEvent,
    BestPractice,
    Contact,
    Customer,
    HealthSnapshot,
    Interaction,
    KeyAccount,
    ManagerSkill,
    PlanComment,
    PlanGoal,
    ProgrammeSetting,
    Review,
    TrainingRecord,
    User,
    ValueFit,
)
from kam.database import Database
from kam.errors import PermissionDenied
from kam.figures import value
from kam.identity import Actor
from kam.rules.permissions import Action, Stake, may
from kam.services import (
    accounts,
    contacts,
    criteria,
    customers,
    health,
    interactions,
    lifetime,
    managers,
    plans,
    practices,
    programme,
    reviews,
    snapshots,
    sponsors,
    users,
    vetting,
)
from kam.services.importing.importer import run_import
from tests.support import Cast, actor_of

ACME = "Acme [/b] Ltd"  # active; managed by mia, sponsored by eve
BEER = "北京燕京啤酒"  # nominated; managed by otto, no sponsor
PLAIN = "Plain Prospect GmbH"  # no account
WHEN = date(2026, 1, 15)


@dataclass(frozen=True)
class Scenario:
    """One action: the account it touches (for the rule), the call, and how to see it landed."""

    account: str | None
    call: Callable[[Session, Actor, Path], Any]
    landed: Callable[[Session], bool]
    first: tuple[Action, ...] = ()
    """Rules the service checks before this one (their refusal comes first)."""


def _count(session: Session, model: type, *where: Any) -> int:
    query = select(func.count()).select_from(model)
    for condition in where:
        query = query.where(condition)
    return int(session.exec(query).one())


def _account(session: Session, name: str) -> KeyAccount:
    return session.exec(
        select(KeyAccount).join(Customer).where(Customer.name == name)
        .order_by(col(KeyAccount.id).desc())
    ).first()  # type: ignore[return-value]  # fmt: skip


def _audited(session: Session, field: str) -> bool:
    return _count(session, AuditEvent, AuditEvent.field == field) > 0


def _import_file(folder: Path) -> Path:
    path = folder / "customers.csv"
    path.write_text("name,industry\nMatrix Imported,Retail\n", encoding="utf-8")
    return path


SCENARIOS: dict[Action, Scenario] = {
    Action.NOMINATE: Scenario(
        None,
        lambda s, a, _: accounts.create_account(s, a, customer=PLAIN),
        lambda s: _account(s, PLAIN) is not None,
    ),
    Action.EDIT_ACCOUNT: Scenario(
        ACME,
        lambda s, a, _: accounts.update_account(s, a, ACME, reason="matrix"),
        lambda s: _account(s, ACME).reason == "matrix" and _account(s, ACME).version == 2,
    ),
    Action.EDIT_RECORDS: Scenario(
        ACME,
        lambda s, a, _: contacts.add_contact(s, a, ACME, name="Matrix Person"),
        lambda s: _count(s, Contact, Contact.name == "Matrix Person") == 1,
    ),
    Action.LOG_INTERACTION: Scenario(  # the kind each may log: the sponsor's is a visit of theirs
        ACME,
        lambda s, a, _: interactions.log_interaction(
            s,
            a,
            ACME,
            happened_on=WHEN,
            summary="m",
            kind=InteractionKind.EXECUTIVE_VISIT
            if a.role == Role.EXECUTIVE
            else InteractionKind.CALL,
        ),  # fmt: skip
        lambda s: _count(s, Interaction, Interaction.happened_on == WHEN) == 1,
    ),
    Action.RECORD_SPONSOR_VISIT: Scenario(
        ACME,
        lambda s, a, _: sponsors.record_visit(s, a, ACME, on=WHEN, notes="m"),
        lambda s: _count(s, Interaction, Interaction.happened_on == WHEN) == 1,
    ),
    Action.SCORE: Scenario(
        BEER,
        lambda s, a, _: vetting.assess(s, a, BEER, as_of=WHEN),
        lambda s: _count(s, Assessment, Assessment.kind == AssessmentKind.VETTING) == 2,
    ),
    Action.ADMIT: Scenario(
        BEER,
        lambda s, a, _: vetting.admit(s, a, BEER, rationale="meets every criterion"),
        lambda s: _account(s, BEER).status == AccountStatus.ACTIVE,
    ),
    Action.REJECT: Scenario(
        BEER,
        lambda s, a, _: vetting.reject(s, a, BEER, rationale="not strategic"),
        lambda s: _account(s, BEER).status == AccountStatus.REJECTED,
    ),
    Action.RETIRE: Scenario(
        ACME,
        lambda s, a, _: vetting.retire(s, a, ACME, reason="no longer qualifies"),
        lambda s: _account(s, ACME).status == AccountStatus.RETIRED,
    ),
    Action.OVERRIDE: Scenario(
        BEER,
        lambda s, a, _: vetting.admit(s, a, BEER, rationale="board", override_reason="board"),
        lambda s: _account(s, BEER).admitted_by_override,
        first=(Action.ADMIT,),
    ),
    Action.RECORD_REVIEW: Scenario(
        ACME,
        lambda s, a, _: reviews.record_review(
            s,
            a,
            ACME,
            perceived=8,
            expected=8,
            decision=ReviewDecision.RETAIN,
            reviewed_on=WHEN,
            manual={
                name: (3, "matrix")
                for name in ("strategic_fit", "advocacy", "relationship_loyalty")
            },
        ),  # fmt: skip
        lambda s: _count(s, Review) == 1,
    ),
    Action.CHANGE_STATUS: Scenario(
        ACME,
        lambda s, a, _: accounts.update_account(s, a, ACME, status=AccountStatus.UNDER_REVIEW),
        lambda s: _account(s, ACME).status == AccountStatus.UNDER_REVIEW,
        first=(Action.EDIT_ACCOUNT,),
    ),
    Action.ASSIGN_SPONSOR: Scenario(
        BEER,
        lambda s, a, _: sponsors.assign_sponsor(s, a, BEER, "eve"),
        lambda s: _account(s, BEER).sponsor_id is not None,
    ),
    Action.ASSIGN_MANAGER: Scenario(
        ACME,
        lambda s, a, _: managers.assign_manager(s, a, ACME, "otto"),
        lambda s: _audited(s, "manager"),
    ),
    Action.SCORE_SKILLS: Scenario(
        None,
        lambda s, a, _: managers.set_skills(s, a, "mia", finance=4),
        lambda s: _count(s, ManagerSkill, ManagerSkill.finance == 4) == 1,
    ),
    Action.RECORD_TRAINING: Scenario(
        None,
        lambda s, a, _: managers.add_training(s, a, "mia", course="Negotiation", on=WHEN),
        lambda s: _count(s, TrainingRecord) == 1,
    ),
    Action.ADD_CUSTOMER: Scenario(
        None,
        lambda s, a, _: customers.create_customer(s, a, name="Matrix Co"),
        lambda s: _count(s, Customer, Customer.name == "Matrix Co") == 1,
    ),
    Action.EDIT_CUSTOMER: Scenario(
        ACME,
        lambda s, a, _: customers.update_customer(s, a, ACME, industry="Matrix"),
        lambda s: _count(s, Customer, Customer.industry == "Matrix") == 1,
    ),
    Action.ADD_PRACTICE: Scenario(
        None,
        lambda s, a, _: practices.add_practice(s, a, title="Matrix practice"),
        lambda s: _count(s, BestPractice) == 1,
    ),
    Action.MANAGE_USERS: Scenario(
        None,
        lambda s, a, _: users.add_user(s, a, login="matrix", role=Role.VIEWER),
        lambda s: _count(s, User, User.login == "matrix") == 1,
    ),
    Action.CHANGE_SETTINGS: Scenario(
        None,
        lambda s, a, _: programme.set_setting(s, a, "visit_days", "60"),
        lambda s: _count(s, ProgrammeSetting, ProgrammeSetting.key == "visit_days") == 1,
    ),
    Action.CHANGE_CRITERIA: Scenario(
        None,
        lambda s, a, _: criteria.change_criterion(s, a, "advocacy", weight=15),
        lambda s: criteria.current_version(s) == 2,
    ),
    Action.EDIT_PLAN: Scenario(
        ACME,
        lambda s, a, _: plans.add_goal(s, a, ACME, title="Matrix goal"),
        lambda s: _count(s, PlanGoal, PlanGoal.title == "Matrix goal") == 1,
    ),
    Action.COMMENT_PLAN: Scenario(
        ACME,
        lambda s, a, _: plans.comment_plan(s, a, ACME, text="Matrix comment"),
        lambda s: _count(s, PlanComment) == 1,
    ),
    Action.IMPORT: Scenario(
        None,
        lambda s, a, folder: run_import(s, a, "customers", _import_file(folder)),
        lambda s: _count(s, Customer, Customer.name == "Matrix Imported") == 1,
    ),
    Action.KEEP_FIGURES: Scenario(  # the lifetime-value fit and the day's health snapshots
        None,
        lambda s, a, _: (
            lifetime.store(s, a, value.compute(s, value.request(WHEN))),
            snapshots.record(s, a, health.programme_health(s, as_of=WHEN)),
        ),
        lambda s: (
            _count(s, ValueFit) == 1
            and _count(s, HealthSnapshot, HealthSnapshot.taken_on == WHEN) == 2
        ),
    ),
}

#: The cast's users, by the name the table uses (plus an executive who sponsors nothing).
PEOPLE = ("ada", "mia", "otto", "eve", "xavier", "val")


def _prepare(database: Database) -> dict[str, Actor]:
    """An admissible nominee (BEER: a complete passing vetting, a sponsor-free manager) and
    a second executive; returns every user as an actor."""
    with database.writing() as s:
        s.add(User(login="xavier", display_name="Xavier Exec", role=Role.EXECUTIVE))
        criteria.ensure_criteria(s)
        acme = _account(s, ACME)
        s.add(AccountPlan(key_account_id=acme.id, fiscal_year=plans.this_year(s)))  # type: ignore[arg-type]
        beer = _account(s, BEER)
        s.add(Assessment(key_account_id=beer.id, kind=AssessmentKind.VETTING,  # type: ignore[arg-type]
                         criteria_version=1, total=80.0, complete=True,
                         created_by_id=beer.manager_id))  # type: ignore[arg-type]  # fmt: skip
    with database.writing() as s:
        found = {u.login: actor_of(u) for u in s.exec(select(User)).all()}
    return found


def _stake(session: Session, name: str | None) -> Stake | None:
    if name is None:
        return None
    row = _account(session, name)
    return None if row is None else Stake(name, row.manager_id, row.sponsor_id)


#: Actions on the whole database, not through a session: tests/unit/test_backup.py covers them
#: (as test_only_admins_load_the_demo covers loading the demo, which needs an empty database).
WHOLE_DATABASE = {Action.LOAD_DEMO, Action.BACKUP, Action.RESTORE}
#: Reads leave nothing to see landed: tests/unit/test_scorecards.py covers who sees scorecards.
READS = {Action.SEE_SCORECARDS}


@pytest.mark.parametrize("login", PEOPLE)
@pytest.mark.parametrize("action", [a for a in Action if a not in WHOLE_DATABASE | READS], ids=str)
def test_every_role_is_refused_exactly_when_the_rule_says_and_otherwise_the_write_lands(
    database: Database, cast: Cast, tmp_path: Path, action: Action, login: str
) -> None:
    actor = _prepare(database)[login]
    scenario = SCENARIOS[action]
    if action == Action.ADMIT:  # a sponsor makes the nominee admissible
        with database.writing() as s:
            _account(s, BEER).sponsor_id = s.exec(
                select(User.id).where(User.login == "xavier")
            ).one()
    with database.reading() as s:
        stake = _stake(s, scenario.account)
        refusals = [may(actor, rule, stake, customer=scenario.account or "")
                    for rule in (*scenario.first, action)]  # fmt: skip
    refusal = next((r for r in refusals if r is not None), None)
    if refusal is not None:
        with pytest.raises(PermissionDenied) as raised, database.writing() as s:
            scenario.call(s, actor, tmp_path)
        assert str(raised.value) == refusal.reason
        with database.reading() as s:
            assert not scenario.landed(s), "a refused action left a trace"
        return
    with database.writing() as s:
        scenario.call(s, actor, tmp_path)
    with database.reading() as s:
        assert scenario.landed(s), f"{login} may {action}, but nothing was written"


def test_the_table_covers_every_action() -> None:
    assert set(SCENARIOS) | WHOLE_DATABASE | READS == set(Action)


def test_the_rule_is_what_the_readme_says() -> None:
    """Spot the rule itself, role by role, so a change to it is a decision, not an accident."""
    own = Stake(ACME, manager_id=2, sponsor_id=4)  # the cast's ids: mia 2, eve 4

    def who(action: Action, account: Stake | None = None) -> set[str]:
        ids = {"ada": 1, "mia": 2, "otto": 3, "eve": 4, "val": 5}
        roles = {"ada": Role.ADMIN, "mia": Role.MANAGER, "otto": Role.MANAGER,
                 "eve": Role.EXECUTIVE, "val": Role.VIEWER}  # fmt: skip
        return {
            login for login, uid in ids.items()
            if may(Actor(uid, login, login, roles[login]), action, account) is None
        }  # fmt: skip

    assert who(Action.EDIT_RECORDS, own) == {"ada", "mia"}
    assert who(Action.LOG_INTERACTION, own) == {"ada", "mia", "eve"}
    assert who(Action.RECORD_SPONSOR_VISIT, own) == {"ada", "eve"}
    assert who(Action.SCORE, own) == {"ada", "mia"}
    assert who(Action.ADMIT) == who(Action.REJECT) == who(Action.RETIRE) == {"ada", "eve"}
    assert who(Action.OVERRIDE) == {"ada"}
    assert who(Action.NOMINATE) == who(Action.ADD_PRACTICE) == {"ada", "mia", "otto"}
    assert who(Action.KEEP_FIGURES) == {"ada", "mia", "otto", "eve"}  # all but viewers
    for admin_only in (Action.CHANGE_SETTINGS, Action.MANAGE_USERS, Action.IMPORT,
                       Action.ASSIGN_SPONSOR, Action.ASSIGN_MANAGER, Action.CHANGE_STATUS):  # fmt: skip
        assert who(admin_only) == {"ada"}


def test_only_admins_load_the_demo(sqlite_database: Database) -> None:
    from kam.services.demo import DemoOptions, load_demo

    with sqlite_database.writing() as s:
        for login, role in (("ada", Role.ADMIN), ("mia", Role.MANAGER),
                            ("eve", Role.EXECUTIVE), ("val", Role.VIEWER)):  # fmt: skip
            s.add(User(login=login, display_name=login, role=role))
    with sqlite_database.reading() as s:
        people = {u.login: actor_of(u) for u in s.exec(select(User)).all()}
    options = DemoOptions(customers=20, years=1, as_of=WHEN)
    for login in ("mia", "eve", "val"):
        with pytest.raises(PermissionDenied, match="Only admins may load demo data"):
            with sqlite_database.writing() as s:
                load_demo(s, people[login], options)
    with sqlite_database.writing() as s:
        summary = load_demo(s, people["ada"], options)
    assert summary.customers == 20
