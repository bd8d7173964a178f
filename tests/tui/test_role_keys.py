"""A key is offered exactly when the rule allows its action: every role against every
permissioned key the TUI has (the services' side is tests/unit/test_permissions.py).

For each user, the app visits each place where such a key lives, puts the cursor where
the key would act, and compares the footer's keys with `kam.rules.permissions.may`.

The story happens on AS_OF (2025-06-30), so Acme's plan of 2025 is this year's: editable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import select
from textual.widgets import DataTable, Tree

from db.enums import Role
from db.models import Customer, KeyAccount, User
from kam.database import Database
from kam.rules.permissions import Action, Stake, allowed_on_own, may
from screens.app import KamApp
from screens.sheet.screen import AccountSheetScreen
from screens.widgets.virtual_table import VirtualTable
from tests.support import Cast, actor_of
from tests.tui.support import SIZE, make_app, settle, tui

pytestmark = pytest.mark.today("2025-06-30")

ACME = "Acme [/b] Ltd"  # active; Mia's, sponsored by Eve
BEER = "北京燕京啤酒"  # nominated; Otto's
PLAIN = "Plain Prospect GmbH"  # outside the programme


@dataclass(frozen=True)
class Key:
    """A permissioned key: where it lives, its screen action, the rule, the account."""

    place: str
    """An area's key ("3".."7"), or a sheet tab ("sheet:<tab>")."""
    row: str | None
    """The customer the cursor must be on (None: the first row); on a sheet's tree, the
    title or name of the node (None: the tree's top)."""
    action: str
    rule: Action
    account: str | None


KEYS = [
    Key("3", PLAIN, "nominate", Action.NOMINATE, None),
    Key("4", BEER, "score", Action.SCORE, BEER),
    Key("4", BEER, "admit", Action.ADMIT, BEER),
    Key("4", BEER, "reject", Action.REJECT, BEER),
    Key("5", ACME, "record_visit", Action.RECORD_SPONSOR_VISIT, ACME),
    Key("5", ACME, "assign_sponsor", Action.ASSIGN_SPONSOR, ACME),
    Key("4", BEER, "assign('sponsor')", Action.ASSIGN_SPONSOR, BEER),
    Key("4", BEER, "assign('manager')", Action.ASSIGN_MANAGER, BEER),
    Key("6", None, "edit_skills", Action.SCORE_SKILLS, None),
    Key("6", None, "add_training", Action.RECORD_TRAINING, None),
    Key("7", ACME, "record", Action.RECORD_REVIEW, ACME),
    Key("sheet:overview", None, "edit_account", Action.EDIT_ACCOUNT, ACME),
    Key("sheet:overview", None, "assign_sponsor", Action.ASSIGN_SPONSOR, ACME),
    Key("sheet:overview", None, "assign_manager", Action.ASSIGN_MANAGER, ACME),
    Key("sheet:overview", None, "retire", Action.RETIRE, ACME),
    Key("sheet:plan", None, "add_goal", Action.EDIT_PLAN, ACME),
    Key("sheet:plan", "Grow profit", "add_objective", Action.EDIT_PLAN, ACME),
    Key("sheet:plan", "Grow profit", "edit_goal", Action.EDIT_PLAN, ACME),
    Key("sheet:plan", "Workshops held", "update_progress", Action.EDIT_PLAN, ACME),
    Key("sheet:plan", "Book the next", "complete_action", Action.EDIT_PLAN, ACME),
    Key("sheet:plan", "Book the next", "edit_action", Action.EDIT_PLAN, ACME),
    Key("sheet:plan", None, "edit_text", Action.EDIT_PLAN, ACME),
    Key("sheet:plan", None, "comment", Action.COMMENT_PLAN, ACME),
    Key("sheet:people", None, "add_contact", Action.EDIT_RECORDS, ACME),
    Key("sheet:people", "陈伟 Chen Wei", "edit_contact", Action.EDIT_RECORDS, ACME),
    Key("sheet:people", "陈伟 Chen Wei", "set_counterpart", Action.EDIT_ACCOUNT, ACME),
    Key("sheet:interactions", None, "log_interaction", Action.LOG_INTERACTION, ACME),
    Key("sheet:commitments", None, "add_commitment", Action.EDIT_RECORDS, ACME),
    Key("sheet:complaints", None, "record_complaint", Action.EDIT_RECORDS, ACME),
]


#: Keys offered to everyone who takes the action on some account, even on a row where the
#: rule refuses it: pressed there, they say why (v on a sponsor row names its sponsor).
EXPLAINED = {"record_visit"}


@pytest.fixture
def people(sqlite_database: Database, sheet_cast: Cast) -> dict[str, object]:
    """The cast plus an executive who sponsors nothing; Acme's review falls due; Acme has a
    person and a plan with a goal, an objective measured by hand and an open action."""
    from kam.services import contacts, plans

    mia = tui(sheet_cast.manager)
    with sqlite_database.writing() as s:
        contacts.add_contact(s, mia, ACME, name="陈伟 Chen Wei", job_title="CEO")
        view = plans.add_goal(s, mia, ACME, title="Grow profit")
        view = plans.add_objective(s, mia, view.goals[0].id, title="Workshops held", target=4,
                                   due_on=date(2025, 9, 30))  # fmt: skip
        plans.add_action(s, mia, view.objectives[0].id, title="Book the next", owner="mia",
                         due_on=date(2025, 7, 15))  # fmt: skip
    with sqlite_database.writing() as s:
        s.add(User(login="xavier", display_name="Xavier Exec", role=Role.EXECUTIVE))
        acme = s.exec(select(Customer.id).where(Customer.name == ACME)).one()
        s.exec(  # type: ignore[call-overload]
            update(KeyAccount).where(KeyAccount.customer_id == acme)  # type: ignore[arg-type]
            .values(next_review_on=date(2025, 7, 10))
        )  # fmt: skip
    with sqlite_database.reading() as s:
        return {u.login: actor_of(u) for u in s.exec(select(User)).all()}


def _stake(database: Database, name: str | None) -> Stake | None:
    if name is None:
        return None
    with database.reading() as s:
        row = s.exec(select(KeyAccount).join(Customer).where(Customer.name == name)).one()
        return Stake(name, row.manager_id, row.sponsor_id)


def _admission_refused(database: Database, name: str) -> bool:
    """Whether the rules refuse the nominee's admission now (the service's own check)."""
    from kam.services.accounts import account_by_name
    from kam.services.vetting import admission_problems

    with database.reading() as s:
        return bool(admission_problems(s, account_by_name(s, name)))


def _node(node: Any, named: str | None) -> Any:
    """The tree node whose view has this title or name (None: the top)."""
    data = node.data
    if named is None or named in (getattr(data, "title", None), getattr(data, "name", None)):
        return node
    for child in node.children:
        found = _node(child, named)
        if found is not None:
            return found
    return None


def _offered(app: KamApp) -> set[str]:
    return {b.binding.action for b in app.screen.active_bindings.values()}


async def _go(app: KamApp, pilot: object, key: Key) -> None:
    """Open the key's place and put the cursor on its row."""
    if key.place.startswith("sheet:"):
        if not isinstance(app.screen, AccountSheetScreen):
            app.open_account(ACME)
            await settle(app, pilot)
        tab = key.place.removeprefix("sheet:")
        app.screen.action_show_tab(tab)  # type: ignore[attr-defined]
        await settle(app, pilot)
        for tree in app.screen.query(f"#{tab}-tree").results(Tree):
            node = _node(tree.root, key.row)
            assert node is not None, f"no node {key.row} on the {tab} tab"
            tree.move_cursor(node)
            await settle(app, pilot)
        return
    await pilot.press(key.place)  # type: ignore[attr-defined]
    await settle(app, pilot)
    if key.row is None:
        return
    for table in app.screen.query(DataTable):
        for index in range(table.row_count):
            if any(str(cell) == key.row for cell in table.get_row_at(index)):
                table.focus()
                table.move_cursor(row=index)
                await settle(app, pilot)
                return
    for virtual in app.screen.query(VirtualTable):  # the candidates' long list
        for index in range(virtual.row_count):
            if key.row in virtual.get_row_at(index):
                virtual.focus()
                virtual.cursor_row = index
                await settle(app, pilot)
                return
    raise AssertionError(f"no row for {key.row} in area {key.place}")


@pytest.mark.parametrize("login", ["ada", "mia", "otto", "eve", "xavier", "val"])
async def test_each_key_is_offered_exactly_when_the_rule_allows_it(
    sqlite_database: Database, people: dict[str, object], login: str
) -> None:
    actor = people[login]
    app = make_app(sqlite_database, actor)  # type: ignore[arg-type]
    expected, shown = {}, {}
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for key in KEYS:
            await _go(app, pilot, key)
            allowed = may(actor, key.rule, _stake(sqlite_database, key.account)) is None  # type: ignore[arg-type]
            if key.action in EXPLAINED:  # offered to whoever takes it somewhere; says why not
                allowed = allowed_on_own(actor, key.rule)  # type: ignore[arg-type]
            if key.action == "admit":  # against the rules: only for those who may override
                refused = _admission_refused(sqlite_database, key.account)  # type: ignore[arg-type]
                allowed = allowed and (not refused or may(actor, Action.OVERRIDE) is None)  # type: ignore[arg-type]
            expected[(key.place, key.action)] = allowed
            shown[(key.place, key.action)] = key.action in _offered(app)
    assert shown == expected
    if login == "mia":  # Acme's manager: every key of its sheet, each where it acts, but the
        # decisions of others (assigning people: admins; retiring: executives and admins)
        decisions = {"assign_sponsor", "assign_manager", "retire"}
        assert all(on for (place, action), on in shown.items()
                   if place.startswith("sheet:") and action not in decisions)  # fmt: skip


def test_the_table_covers_every_rule_a_key_can_offer() -> None:
    """Rules without a key are taken from the CLI only (admin work and account decisions
    that issue 14 brings to the TUI)."""
    cli_only = {
        Action.OVERRIDE,  # inside the admit form, for admins
        Action.CHANGE_STATUS,  # the account form's admin fields
        Action.ADD_CUSTOMER,
        Action.EDIT_CUSTOMER,
        Action.ADD_PRACTICE,
        Action.MANAGE_USERS,
        Action.CHANGE_SETTINGS,  # the settings screen (palette), tests/tui/test_act_where_shown.py
        Action.CHANGE_CRITERIA,
        Action.IMPORT,
        Action.LOAD_DEMO,
        Action.BACKUP,
        Action.RESTORE,
        Action.SEE_SCORECARDS,  # not a key: the managers and sponsors areas show what it allows
        Action.KEEP_FIGURES,  # not a key: screens keep the figures they compute, if allowed
    }
    assert {k.rule for k in KEYS} | cli_only == set(Action)
