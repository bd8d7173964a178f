"""`kam user ...`: users and roles."""

from __future__ import annotations

from typing import Annotated

import typer

from db.enums import Role
from kam.cli import output
from kam.cli.context import DryRunOption, JsonOption, reading, writing

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
    if json_:
        output.print_json(view.to_dict())
    else:
        output.info(f"Added {view.login} as {view.role}.")


@app.command("list")
def list_users(
    role: Annotated[Role | None, typer.Option(help="Only this role.")] = None,
    json_: JsonOption = False,
) -> None:
    """List users."""
    from kam.services.users import list_users as list_

    with reading() as (session, _actor):
        views = list_(session, role=role)
    if json_:
        output.print_json([v.to_dict() for v in views])
    else:
        output.print_table(views, COLUMNS)


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
    if json_:
        output.print_json(view.to_dict())
    else:
        output.info(f"{view.login} is now {view.role}.")
