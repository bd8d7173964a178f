"""`kam user ...`: users and roles."""

from __future__ import annotations

from typing import Annotated

import typer

from db.enums import Role
from kam.cli import output
from kam.cli.context import reading, writing
from kam.cli.params import CsvOption, DryRunOption, JsonOption

app = typer.Typer(help="Users and roles (admins change them).", no_args_is_help=True)

COLUMNS = [("Login", "login"), ("Name", "display_name"), ("Title", "title"), ("Role", "role")]


@app.command("add")
def add(
    login: Annotated[str, typer.Argument(help="The person's OS login on this machine.")],
    role: Annotated[Role, typer.Option(help="What they may do.")],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    title: Annotated[str, typer.Option(help="Job title.")] = "",
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Add a user (admins)."""
    from kam.services.users import add_user

    with writing(dry_run=dry_run) as (session, actor):
        view = add_user(session, actor, login=login, role=role, display_name=name, title=title)
    output.show_written(view, json_=json_, said=f"Added {view.login} as {view.role}.")


@app.command("list")
def list_users(
    role: Annotated[Role | None, typer.Option(help="Only this role.")] = None,
    json_: JsonOption = False,
    csv_: CsvOption = False,
) -> None:
    """List users."""
    from kam.services.users import list_users as list_
    from kam.views import UserView

    with reading() as (session, _actor):
        views = list_(session, role=role)
    output.show_list(views, COLUMNS, json_=json_, csv_=csv_, keys=output.keys_of(UserView))


@app.command("role")
def role(
    login: Annotated[str, typer.Argument(help="The user's login.")],
    new_role: Annotated[Role, typer.Argument(metavar="ROLE", help="The new role.")],
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Change a user's role (admins)."""
    from kam.services.users import set_role

    with writing(dry_run=dry_run) as (session, actor):
        view = set_role(session, actor, login=login, role=new_role)
    output.show_written(view, json_=json_, said=f"{view.login} is now {view.role}.")
