"""The `kam` command: `kam` alone starts the TUI; `kam <noun> <verb>` for scripts.

Exit codes: 0 ok, 1 refused by a rule or invalid data, 2 usage error, 3 conflict or
database busy (a retry may succeed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from kam.cli import (
    account,
    audit,
    batch,
    criteria,
    customer,
    database,
    demo,
    imports,
    manager,
    metrics,
    review,
    sheet,
    sponsor,
    user,
)
from kam.errors import KamError
from screens.areas import NAMES as AREAS  # data only: the area names, no Textual

if TYPE_CHECKING:
    from typer._click import Context  # Typer's vendored Click, which TyperGroup is built on


class KamGroup(TyperGroup):
    """The top-level group: turns domain errors into one line and an exit code."""

    def invoke(self, ctx: Context) -> Any:
        """Run the command, reporting domain errors as `kam: <sentence>` on stderr, no traceback.

        (Typer vendors its own Click, so a `click.ClickException` raised here would not be
        recognised and would surface as a traceback; `typer.Exit` is.)
        """
        try:
            return super().invoke(ctx)
        except KamError as error:
            # One sentence; an import's refusal adds its first errors on indented lines.
            typer.echo(f"kam: {error}", err=True)
            raise typer.Exit(error.exit_code) from error


app = typer.Typer(
    cls=KamGroup,
    name="kam",
    help="Key account management: `kam` alone opens the TUI; the nouns below are for scripts.",
    pretty_exceptions_show_locals=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(account.app, name="account")
app.add_typer(customer.app, name="customer")
app.add_typer(user.app, name="user")
app.add_typer(database.app, name="db")
app.add_typer(imports.app, name="import")
app.add_typer(metrics.app, name="metrics")
app.add_typer(criteria.app, name="criteria")
app.add_typer(criteria.programme, name="programme")
app.add_typer(review.app, name="review")
app.add_typer(review.practice, name="practice")
app.add_typer(sponsor.app, name="sponsor")
app.add_typer(manager.app, name="manager")
app.command("init")(database.init)
app.command("demo")(demo.demo)
app.command("audit")(audit.audit)
app.command("sheet")(sheet.sheet)
app.command("batch")(batch.batch)


@app.callback(invoke_without_command=True)
def root(ctx: typer.Context) -> None:
    """Key account management in the terminal."""
    if ctx.invoked_subcommand is None:
        tui(area=None)


@app.command("tui")
def tui(
    area: Annotated[
        str | None, typer.Option(help=f"Open on this area: {', '.join(AREAS)}.")
    ] = None,
) -> None:
    """Open the TUI (the same as `kam` alone)."""
    from kam.cli.context import reading, settings

    if area is not None and area not in AREAS:
        raise typer.BadParameter(
            f"'{area}' is not one of {', '.join(AREAS)}.", param_hint=["--area"]
        )
    with reading():  # refuse early, with one line, if the database or the user is not set up
        pass
    from screens.app import run

    run(settings(), area=area)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8000,
) -> None:
    """Serve the TUI to a browser on this machine (textual-serve), for those without a terminal.

    Each browser session runs `kam tui` as the OS user running this command.
    """
    import shlex
    import sys

    from textual_serve.server import Server

    from kam.cli.context import reading

    with reading():  # refuse early, with one line, if the database or the user is not set up
        pass
    command = f"{shlex.quote(sys.executable)} -m kam tui"
    Server(command, host=host, port=port, title="kam").serve()


def main() -> None:
    """Console-script entry point."""
    app()
