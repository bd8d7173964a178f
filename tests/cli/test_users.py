"""`kam user add|list|role`: admins manage who may do what."""

from __future__ import annotations

from db.models import User
from kam.database import Database
from kam.identity import os_login
from tests.cli.conftest import Kam
from tests.cli.support import count, listed, ok, parsed, refused, usage_error


def test_an_admin_adds_a_manager(cli_db: Database, kam: Kam) -> None:
    user = parsed(
        kam(
            "user",
            "add",
            "nina",
            "--role",
            "manager",
            "--name",
            "Nina Neu",
            "--title",
            "Key Account Manager",
            "--json",
        )
    )

    assert user["login"] == "nina"
    assert user["role"] == "manager"
    assert user["display_name"] == "Nina Neu"
    assert user["title"] == "Key Account Manager"
    assert user["active"] is True
    assert "nina" in [u["login"] for u in listed(kam("user", "list", "--json"))]


def test_a_user_added_without_a_name_is_named_by_login(cli_db: Database, kam: Kam) -> None:
    result = ok(kam("user", "add", "nina", "--role", "viewer"))

    assert "Added nina as viewer." in result.stderr
    viewers = {u["login"]: u for u in listed(kam("user", "list", "--role", "viewer", "--json"))}
    assert viewers["nina"]["display_name"] == "nina"


def test_the_user_list_shows_everyone_by_login_and_filters_by_role(
    cli_db: Database, kam: Kam
) -> None:
    users = listed(kam("user", "list", "--json"))

    logins = [u["login"] for u in users]
    assert logins == sorted(logins)
    assert set(logins) == {"ada", "mia", "otto", "eve", "val", os_login()}
    managers = listed(kam("user", "list", "--role", "manager", "--json"))
    assert [(u["login"], u["display_name"]) for u in managers] == [
        ("mia", "Mia Manager"),
        ("otto", "Otto Other"),
    ]


def test_the_user_table_is_for_people(cli_db: Database, kam: Kam) -> None:
    result = ok(kam("user", "list"))

    assert result.stdout.splitlines()[0].split() == ["Login", "Name", "Title", "Role"]
    assert "Eve Executive" in result.stdout


def test_a_taken_login_is_refused(cli_db: Database, kam: Kam) -> None:
    message = refused(kam("user", "add", "mia", "--role", "viewer"), 1)

    assert "already taken" in message


def test_a_login_with_spaces_is_invalid_data(cli_db: Database, kam: Kam) -> None:
    refused(kam("user", "add", "bad login", "--role", "viewer"), 1)

    assert count(cli_db, User) == 6


def test_a_manager_cannot_add_users(cli_db: Database, kam: Kam) -> None:
    message = refused(kam("user", "add", "nina", "--role", "admin", as_user="mia"), 1)

    assert "admins" in message
    assert count(cli_db, User) == 6


def test_a_user_needs_a_role_and_a_known_one(cli_db: Database, kam: Kam) -> None:
    assert "--role" in usage_error(kam("user", "add", "nina"))
    assert "boss" in usage_error(kam("user", "add", "nina", "--role", "boss"))
    assert count(cli_db, User) == 6


def test_an_admin_promotes_a_viewer_to_manager(cli_db: Database, kam: Kam) -> None:
    user = parsed(kam("user", "role", "val", "manager", "--json"))

    assert user["login"] == "val"
    assert user["role"] == "manager"
    assert [u["role"] for u in listed(kam("user", "list", "--json")) if u["login"] == "val"] == [
        "manager"
    ]


def test_a_dry_run_role_change_changes_nothing(cli_db: Database, kam: Kam) -> None:
    result = kam("user", "role", "val", "admin", "--dry-run")

    ok(result)
    assert "Dry run: nothing was written." in result.stderr
    assert count(cli_db, User, User.role == "admin") == 2


def test_the_last_admin_cannot_be_demoted(cli_db: Database, kam: Kam) -> None:
    ok(kam("user", "role", "ada", "viewer"))

    message = refused(kam("user", "role", os_login(), "viewer"), 1)

    assert "last admin" in message
    assert count(cli_db, User, User.role == "admin") == 1


def test_an_executive_cannot_change_roles(cli_db: Database, kam: Kam) -> None:
    message = refused(kam("user", "role", "val", "admin", as_user="eve"), 1)

    assert "eve" in message
    assert count(cli_db, User, User.role == "admin") == 2


def test_acting_as_an_unknown_user_is_refused(cli_db: Database, kam: Kam) -> None:
    message = refused(kam("user", "list", as_user="nobody"), 1)

    assert "KAM_USER" in message
    assert "nobody" in message


def test_only_a_real_admin_may_act_as_someone_else(cli_db: Database, kam: Kam) -> None:
    from sqlmodel import select

    with cli_db.writing() as session:
        me = session.exec(select(User).where(User.login == os_login())).one()
        me.role = "manager"  # type: ignore[assignment]
    cli_db.dispose()

    message = refused(kam("account", "list", as_user="ada"), 1)

    assert "KAM_USER is honoured only when the real user is an admin" in message
