"""Identity: the real OS account, never the environment's claim; KAM_USER only for admins."""

from __future__ import annotations

import pwd

import pytest

from db.enums import Door
from kam.database import Database
from kam.errors import NotFound, PermissionDenied
from kam.identity import identify, os_login
from tests.support import Cast


def test_the_os_login_comes_from_the_uid_not_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("USER", "ceo")
    monkeypatch.setenv("LOGNAME", "ceo")
    import os

    assert os_login() == pwd.getpwuid(os.getuid()).pw_name


def test_a_known_user_is_identified_with_their_role(database: Database, cast: Cast) -> None:
    with database.reading() as s:
        actor = identify(s, door=Door.TUI, login="mia")
    assert (actor.login, actor.role.value, actor.door) == ("mia", "manager", Door.TUI)
    assert actor.real_login == "mia"


def test_an_unknown_os_account_is_refused_with_the_way_in(database: Database, cast: Cast) -> None:
    with pytest.raises(PermissionDenied, match="kam user add mallory"), database.reading() as s:
        identify(s, door=Door.CLI, login="mallory")


def test_an_admin_may_act_as_another_user(database: Database, cast: Cast) -> None:
    with database.reading() as s:
        actor = identify(s, door=Door.CLI, login="ada", act_as="val")
    assert (actor.login, actor.role.value, actor.real_login) == ("val", "viewer", "ada")


def test_the_audit_names_the_admin_and_the_user_they_acted_as(
    database: Database, cast: Cast
) -> None:
    from kam.services import accounts
    from kam.services.audit import list_events

    with database.writing() as s:
        accounts.update_account(
            s, identify(s, door=Door.CLI, login="ada", act_as="mia"), cast.customer, reason="A"
        )
        accounts.update_account(
            s, identify(s, door=Door.CLI, login="ada"), cast.customer, reason="B"
        )
    with database.reading() as s:
        acting, itself = list_events(s)[::-1]
    assert (acting.actor, acting.real_actor, acting.who) == ("mia", "ada", "ada as mia")
    assert (itself.actor, itself.real_actor, itself.who) == ("ada", "ada", "ada")


def test_a_non_admin_cannot_act_as_anyone_else(database: Database, cast: Cast) -> None:
    with (
        pytest.raises(PermissionDenied, match="only when the real user is an admin"),
        database.reading() as s,
    ):
        identify(s, door=Door.CLI, login="mia", act_as="ada")


def test_acting_as_an_unknown_user_is_refused(database: Database, cast: Cast) -> None:
    with pytest.raises(NotFound, match="nobody"), database.reading() as s:
        identify(s, door=Door.CLI, login="ada", act_as="nobody")


def test_init_makes_the_first_user_admin_once(sqlite_database: Database) -> None:
    from kam.services.setup import initialise

    first = initialise(sqlite_database, login="founder", display_name="Founder")
    again = initialise(sqlite_database, login="someone", display_name="Someone")
    assert (first.admin, again.admin) == ("founder", None)
    with sqlite_database.reading() as s:
        assert identify(s, door=Door.CLI, login="founder").role.value == "admin"
