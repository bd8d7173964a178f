"""`kam init` and `kam db ...`: creating and upgrading the database."""

from __future__ import annotations

from typing import Annotated

import typer

from kam.cli import output
from kam.cli.context import open_database, settings
from kam.cli.params import JsonOption

app = typer.Typer(help="The database schema.", no_args_is_help=True)


def init(
    demo: Annotated[
        bool, typer.Option("--demo", help="Also load demo data if the database has no customers.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Demo data seed.")] = 7,
    json_: JsonOption = False,
) -> None:
    """Create the database (or bring it up to date) and make you its first admin."""
    import pwd

    from kam.identity import os_login
    from kam.services.setup import initialise

    database = open_database(require_schema=False)
    try:
        login = os_login()
        gecos = pwd.getpwnam(login).pw_gecos.split(",")[0]
        with database.translated():
            result = initialise(database, login=login, display_name=gecos or login)
        loaded = None
        if demo:
            from kam.services.demo import DemoOptions, load_demo_if_empty

            loaded = load_demo_if_empty(database, DemoOptions(seed=seed))
    finally:
        database.dispose()
    said = [f"Database ready at {result.url} (schema {result.revision})."]
    if result.admin:
        said.append(f"You ({result.admin}) are its first admin.")
    if demo:
        said.append(loaded.summary() if loaded else "Demo data skipped: there are customers.")
    written = {
        "database": result.url,
        "revision": result.revision,
        "admin": result.admin,
        "demo": loaded.to_dict() if loaded else None,
    }
    output.show_written(written, json_=json_, said="\n".join(said))


@app.command("upgrade")
def upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply schema migrations up to REVISION (the newest by default)."""
    from db.migrate import current_revision
    from db.migrate import upgrade as run_upgrade

    database = open_database(require_schema=False)
    try:
        with database.translated():
            run_upgrade(database.engine, revision)
            output.info(f"Schema at {current_revision(database.engine)}.")
    finally:
        database.dispose()


@app.command("status")
def status(json_: JsonOption = False) -> None:
    """Show where the database is and which schema revision it has."""
    from db.migrate import current_revision, head_revision

    config = settings()
    database = open_database(config, require_schema=False)
    try:
        with database.translated():
            info = {
                "database": database.engine.url.render_as_string(hide_password=True),
                "revision": current_revision(database.engine),
                "head": head_revision(),
            }
    finally:
        database.dispose()
    output.show_record(info, json_=json_)
