"""`kam init` and `kam db ...`: creating and upgrading the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kam.cli import output
from kam.cli.context import open_database, settings
from kam.cli.params import DryRunOption, JsonOption

app = typer.Typer(help="The database: schema, backups, restores and checks.", no_args_is_help=True)


def init(
    demo: Annotated[
        bool, typer.Option("--demo", help="Also load demo data if the database has no customers.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Demo data seed.")] = 7,
    json_: JsonOption = False,
) -> None:
    """Set up the database (new, or brought up to date) and make you its first admin."""
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
    from alembic.util import CommandError

    from db.migrate import current_revision, known_revision, revisions
    from db.migrate import upgrade as run_upgrade
    from kam.errors import InvalidData
    from kam.text import clean_text

    database = open_database(require_schema=False)
    try:
        with database.translated():
            try:
                run_upgrade(database.engine, revision)
            except CommandError as error:  # nothing was changed: one transaction
                shown = clean_text(revision)[:40]
                if not known_revision(revision) and not shown.startswith(("+", "-")):
                    raise InvalidData(
                        f"revision: '{shown}' is unknown; the revisions are "
                        f"{', '.join(revisions())} (or head)."
                    ) from None
                said = clean_text(str(error).splitlines()[0] if str(error) else "")
                raise InvalidData(f"revision: '{shown}': {said.rstrip('.')}.") from None
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


@app.command("backup")
def backup(
    file: Annotated[Path, typer.Argument(help="The backup file to write.", show_default=False)],
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
    json_: JsonOption = False,
) -> None:
    """Copy the whole database into FILE (admins): a consistent snapshot even while others
    write. SQLite: a database file; PostgreSQL: a pg_dump custom-format archive."""
    from kam.cli.context import administering
    from kam.services.backup import backup as run_backup

    with administering() as (database, actor):
        result = run_backup(
            database, actor, file, force=force, timeout_ms=settings().busy_timeout_ms
        )
    said = f"Backed up to {result.path} ({result.bytes:,} bytes, {result.kind})."
    output.show_written(result, json_=json_, said=said)


@app.command("restore")
def restore(
    file: Annotated[Path, typer.Argument(help="The backup file to restore.", show_default=False)],
    force: Annotated[
        bool,
        typer.Option("--force", help="Really replace everything in the database with FILE."),
    ] = False,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Replace the whole database with the backup in FILE (admins; needs --force): every
    change since the backup is lost. The restore is audited."""
    from kam.cli.context import restoring
    from kam.services.backup import restore as run_restore

    with restoring(file) as (database, actor):
        result = run_restore(
            database,
            actor,
            file,
            force=force,
            dry_run=dry_run,
            timeout_ms=settings().busy_timeout_ms,
        )
    if dry_run:
        said = (
            f"Dry run: {result.path} is a kam backup (schema {result.backup_revision}); "
            "nothing was restored."
        )
    else:
        said = (
            f"Restored {result.database} from {result.path} (schema {result.backup_revision}, "
            f"now {result.revision})."
        )
        if result.damaged_kept:
            said += f" The damaged file was kept as {result.damaged_kept}."
    output.show_written(result, json_=json_, said=said)


@app.command("check")
def check(json_: JsonOption = False) -> None:
    """Check the database: connection, schema revision, integrity, foreign keys, audit
    chain. Exits 1 if any check fails."""
    from kam.errors import CheckFailed
    from kam.services.checks import check as run_checks

    database = open_database(require_schema=False)
    try:
        report = run_checks(database)
    finally:
        database.dispose()
    if json_:
        output.print_json(report.to_dict())
    else:
        rows = [c.to_dict() for c in report.checks]
        output.print_table(rows, [("Check", "name"), ("Result", "status"), ("Detail", "detail")])
    if not report.ok:
        lines = [f"{len(report.failures)} of {len(report.checks)} checks failed:"]
        for failed in report.failures:
            shown = "; ".join(failed.problems[:5])
            more = len(failed.problems) - 5
            shown += f"; and {more} more" if more > 0 else ""
            lines.append(f"  {failed.name}: {failed.detail}" + (f" ({shown})" if shown else ""))
        raise CheckFailed("\n".join(lines))
