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
    contact,
    criteria,
    customer,
    database,
    demo,
    imports,
    manager,
    metrics,
    plan,
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
    """The top-level group: every failure becomes one line on stderr and an exit code."""

    def invoke(self, ctx: Context) -> Any:
        """Run the command, reporting failures as `kam: <sentence>` on stderr, no traceback.

        Domain errors carry their sentence and exit code; anything else is a failure kam
        did not foresee: one line naming it (exit 1), the traceback only with KAM_DEBUG=1.
        (Typer vendors its own Click, so a `click.ClickException` raised here would not be
        recognised and would surface as a traceback; `typer.Exit` is.)
        """
        import os

        try:
            return super().invoke(ctx)
        except KamError as error:
            # One sentence; an import's refusal adds its first errors on indented lines.
            _say(f"kam: {error}")
            raise typer.Exit(error.exit_code) from error
        except (typer.Exit, typer.Abort, KeyboardInterrupt, BrokenPipeError):
            raise
        except Exception as error:
            if type(error).__module__.startswith(("click", "typer")):
                raise  # usage errors: Typer prints them and exits 2
            if os.environ.get("KAM_DEBUG") == "1":
                raise
            first = str(error).strip().splitlines()[0] if str(error).strip() else ""
            _say(
                f"kam: unexpected {type(error).__name__}: {first} "
                "(KAM_DEBUG=1 shows where; please report it)."
            )
            raise typer.Exit(1) from None


def _say(message: str) -> None:
    """One message on stderr, cleaned of anything a terminal would act on."""
    from kam.text import for_terminal

    typer.echo(for_terminal(message, multiline=True), err=True)


app = typer.Typer(
    cls=KamGroup,
    name="kam",
    help="Key account management: `kam` alone opens the TUI; the nouns below are for scripts.",
    pretty_exceptions_enable=False,
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
app.add_typer(plan.app, name="plan")
app.add_typer(contact.app, name="contact")
app.add_typer(audit.app, name="audit")
app.command("init")(database.init)
app.command("demo")(demo.demo)
app.command("sheet")(sheet.sheet)
app.command("batch")(batch.batch)


@app.callback(invoke_without_command=True)
def root(ctx: typer.Context) -> None:
    """Key account management in the terminal."""
    if ctx.invoked_subcommand is None:
        if not _on_a_terminal():
            typer.echo(ctx.get_help())
            _say("kam: the TUI needs a terminal; give a command (see above) to script kam.")
            raise typer.Exit(2)
        tui(area=None)


def _on_a_terminal() -> bool:
    """Whether the TUI can draw: stdin and stdout are a terminal, or a Textual driver (such
    as `kam serve`'s web driver) is named in TEXTUAL_DRIVER."""
    import os
    import sys

    if os.environ.get("TEXTUAL_DRIVER"):
        return True
    return sys.stdin.isatty() and sys.stdout.isatty()


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
    if not _on_a_terminal():
        _say("kam: the TUI needs a terminal (stdin and stdout are not one); see `kam --help`.")
        raise typer.Exit(2)
    with reading():  # refuse early, with one line, if the database or the user is not set up
        pass
    from screens.app import run

    run(settings(), area=area)


@app.command("serve")
def serve(
    host: Annotated[
        str | None,
        typer.Option(
            help="Address to listen on; loopback (127.0.0.1) unless given. Anyone who reaches "
            "it with the printed address acts as you.",
            show_default=False,
        ),
    ] = None,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8000,
) -> None:
    """Serve the TUI to a browser (textual-serve), for those without a terminal.

    Each browser session runs `kam tui` as the user running this command, so the server
    answers only requests that carry the token printed in its address (a new one each
    launch), or the cookie the page gets when opened with it.
    """
    from kam.cli.context import reading

    with reading() as (_, actor):  # refuse early, in one line, if kam is not set up for you
        login = actor.login
    from kam.cli.web import serve as run

    run(host=host, port=port, login=login)


def main() -> None:
    """Console-script entry point."""
    import os
    import sys

    try:
        app()
    except BrokenPipeError:  # the reader went away (`kam ... | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
