"""The `kam` command: `kam` alone starts the TUI; `kam <noun> <verb>` for scripts.

Exit codes: 0 ok, 1 refused by a rule or invalid data, 2 usage error, 3 conflict or
database busy (a retry may succeed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
from typer.core import TyperGroup, _TyperParameter

from kam.errors import KamError
from screens.areas import NAMES as AREAS  # data only: the area names, no Textual

if TYPE_CHECKING:
    from typer._click import Context  # Typer's vendored Click, which TyperGroup is built on


class KamGroup(TyperGroup):
    """The top-level group: every failure becomes one line on stderr and an exit code, and
    flags show no `<bool>` in help."""

    def get_help_option(self, ctx: Context) -> Any:
        """Help for `kam` itself: its flags (and `--help`) without a type."""
        option = super().get_help_option(ctx)
        _plain_flags(self, option)
        return option

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        """Parse `kam`'s own options, converting only those given (see _WhenGiven)."""
        _completion_for_a_shell(ctx, args)
        _coerce_when_given(self, ctx, below=False)
        return super().parse_args(ctx, args)

    def resolve_command(self, ctx: Context, args: list[str]) -> Any:
        """The noun or command named, its flags (and every `--help` under it) without a type."""
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None:
            _plain_flags(command, None, ctx)
            _coerce_when_given(command, ctx)
        return name, command, rest

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


def _plain_flags(command: Any, help_option: Any, ctx: Context | None = None) -> None:
    """Give every flag of `command` and of the commands under it an empty metavar, so help
    lists `--json  Print JSON for scripts.` rather than `--json <bool> ...` (Typer shows the
    type of every option, flags included, unless the option names its own metavar).

    `--help` is made per command from the context's help names; with `ctx` (the top-level
    context, whose help names every command's context inherits) each one is made here.
    A repeatable option shows the type of one value (`--tag <str>`), not `<list[str]>`.
    """
    options = [p for p in command.params if getattr(p, "is_flag", False)]
    if help_option is None and ctx is not None:
        help_option = command.get_help_option(ctx)
    for option in [*options, *([help_option] if help_option is not None else [])]:
        option.metavar = ""
    for option in command.params:
        _one_value_a_time(option)
    for sub in getattr(command, "commands", {}).values():
        _plain_flags(sub, None, ctx)


def _one_value_a_time(option: Any) -> None:
    """A repeatable option's metavar: the type of the one value each use takes."""
    from typing import get_args

    described = getattr(option, "type_descriptor", None)
    if option.metavar is not None or not getattr(option, "multiple", False) or described is None:
        return
    if described.is_list and not described.is_choice:
        item = (get_args(described.annotation) or (str,))[0]
        option.metavar = f"<{getattr(item, '__name__', 'str')}>"


@dataclass(frozen=True)
class _WhenGiven(RuntimeParam):
    """A parameter's conversion, as Typer makes it, made when a value is given.

    Typer makes each parameter's conversion with pydantic (about 50 ms to import) as soon
    as the command line is parsed, even for an option left at None, whose conversion is
    None; made here only for a value, a command run with such defaults (`kam account list
    --json`) never imports pydantic, and a value is converted, and refused, as Typer does.
    """

    descriptor: TypeDescriptor

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        made = build_runtime_param(self.descriptor)
        param._runtime_param = made
        return _within_64_bits(made._coerce_value(value, param=param, ctx=ctx))


def _within_64_bits(value: Any) -> Any:
    """`value`, or a usage error naming it when it is a whole number out of range
    (`limits.out_of_range`)."""
    from kam.rules import limits

    for one in value if isinstance(value, list | tuple) else [value]:
        problem = isinstance(one, int) and not isinstance(one, bool) and limits.out_of_range(one)
        if problem:
            raise typer.BadParameter(f"{problem}.")
    return value


def _coerce_when_given(command: Any, ctx: Context, *, below: bool = True) -> None:
    """Make the parameters of `command` (its `--help` too), and of the commands under it
    unless not `below`, convert their values only when given (see _WhenGiven)."""
    for param in [*command.params, command.get_help_option(ctx)]:
        if isinstance(param, _TyperParameter) and param._runtime_param is None:
            described = param.type_descriptor
            param._runtime_param = _WhenGiven(
                described.parameter_info, described.annotation, described
            )
    for sub in getattr(command, "commands", {}).values() if below else ():
        _coerce_when_given(sub, ctx)


def _say(message: str) -> None:
    """One message on stderr, cleaned of anything a terminal would act on."""
    from kam.text import for_terminal

    typer.echo(for_terminal(message, multiline=True), err=True)


#: The nouns (sub-apps) and the top-level commands, by the module and attribute that hold
#: them: a command line imports only the one it names, so `kam` (the TUI) and `kam account
#: list` do not build every other command first. `kam --help` and unknown words load all.
NOUNS: dict[str, tuple[str, str]] = {
    "account": ("kam.cli.account", "app"),
    "customer": ("kam.cli.customer", "app"),
    "user": ("kam.cli.user", "app"),
    "db": ("kam.cli.database", "app"),
    "import": ("kam.cli.imports", "app"),
    "metrics": ("kam.cli.metrics", "app"),
    "criteria": ("kam.cli.criteria", "app"),
    "programme": ("kam.cli.criteria", "programme"),
    "review": ("kam.cli.review", "app"),
    "practice": ("kam.cli.review", "practice"),
    "sponsor": ("kam.cli.sponsor", "app"),
    "manager": ("kam.cli.manager", "app"),
    "plan": ("kam.cli.plan", "app"),
    "contact": ("kam.cli.contact", "app"),
    "interaction": ("kam.cli.interaction", "app"),
    "commitment": ("kam.cli.commitment", "app"),
    "complaint": ("kam.cli.complaint", "app"),
    "export": ("kam.cli.export", "app"),
    "audit": ("kam.cli.audit", "app"),
}
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("kam.cli.database", "init"),
    "demo": ("kam.cli.demo", "demo"),
    "sheet": ("kam.cli.sheet", "sheet"),
    "batch": ("kam.cli.batch", "batch"),
    "snapshot": ("kam.cli.snapshot", "snapshot"),
}
#: What the top level defines itself (always registered), and its own options that need
#: no other command (`kam --version`, the completion script).
OWN = ("tui", "serve")
OWN_OPTIONS = ("--version", "--install-completion", "--show-completion")


#: What `kam --help` says of each noun and command: its help (a command's first paragraph),
#: so the top-level help builds none of them (tests/cli/test_main.py holds it to their own).
SUMMARIES: dict[str, str] = {
    "account": "Key accounts: list, show, nominate and update.",
    "customer": "The customer base: list, show and add.",
    "user": "Users and roles (admins change them).",
    "db": "The database: schema, backups, restores and checks.",
    "import": "Import CSV (comma, semicolon or tab; UTF-8 with or without BOM, or --encoding) "
    "or workbooks (XLSX, ODS, XLS; the first sheet); `kam export` writes files it reads back.",
    "metrics": "Profit after cost to serve, Pareto, share of wallet, RFM, retention, CLV and "
    "whitespace.",
    "criteria": "The admission criteria (a versioned, weighted set). A metric criterion without "
    "a threshold scores the customer's figure 1-5 against the current key accounts (active or "
    "under review): 1 at or below their lowest, 3 at their median, 5 at or above their top "
    "quartile, linear in between, to one decimal; with fewer than 5 key accounts, against the 25 "
    "customers of the whole base with the highest figure at the assessment date. Percentiles "
    "interpolate linearly between closest ranks (numpy's default). A threshold scores 5 above "
    "it, else 0; a knock-out fails under 2, whatever the total (minimum_profit: T12M profit "
    "under the programme's min_profit).",
    "programme": "Programme settings: cap, threshold, minimum profit, limits, cadences, CLV.",
    "review": "Periodic reviews against the criteria and the other key accounts.",
    "practice": "Best practices, linkable from reviews.",
    "sponsor": "Executive sponsors: assign (within the limit), record visits, list overdue visits.",
    "manager": "Key account managers: skills, training, assignment (within the limit), load.",
    "plan": "Account plans: show, edit the situation and SWOT, goals, objectives, actions.",
    "contact": "People at a customer: list, add, update, and the map of the organisation.",
    "interaction": "Visits, calls, meetings, emails and executive visits: list, add, update.",
    "commitment": "Promises made to a customer: list, add, update (done, broken).",
    "complaint": "Complaints: list, add, update, and advance through handled, verified, fed back.",
    "export": "Export customers, transactions, costs, contacts or accounts as CSV (UTF-8 with "
    "BOM) or XLSX; `kam import` reads them back (accounts are export-only).",
    "audit": "Who changed what, when, through which door (the newest --limit unless --all; who "
    "is 'root as mlopez' when the admin root acted as mlopez). `verify` checks the events' hash "
    "chain, `anchor` prints its head to keep.",
    "init": "Set up the database (new, or brought up to date) and make you its first admin.",
    "demo": "Load demo data into an empty database (admins).",
    "sheet": "The one-page account sheet an executive reads in two minutes.",
    "batch": "Validate every line, then apply all of them in one transaction, or none.",
    "snapshot": "Refresh the lifetime-value fit, then record every open key account's health "
    "as of\ntoday (or --as-of), with P(alive), for cron.",
}
#: build(HELP): the top level's help alone, each noun and command by its summary.
HELP = "--help"


def _summarised() -> None:
    """A command as `kam --help` lists it (never run: build(HELP) serves help alone)."""


def _load(where: tuple[str, str]) -> Any:
    import importlib

    module, attribute = where
    return getattr(importlib.import_module(module), attribute)


def build(only: str | None = None) -> typer.Typer:
    """The `kam` app with every noun and command, or, given `only`, with that one alone (or
    none, for the top level's own commands)."""
    built = typer.Typer(
        cls=KamGroup,
        name="kam",
        help="Key account management: `kam` alone opens the TUI; the nouns below are for scripts.",
        pretty_exceptions_enable=False,
        pretty_exceptions_show_locals=False,
        add_completion=True,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    if only == HELP:  # `kam --help`: what each noun and command is, none of them built
        for name in NOUNS:
            built.add_typer(typer.Typer(help=SUMMARIES[name]), name=name)
        for name in COMMANDS:
            built.command(name, help=SUMMARIES[name])(_summarised)
    for name, where in NOUNS.items():
        if only is None or only == name:
            built.add_typer(_load(where), name=name)
    for name, where in COMMANDS.items():
        if only is None or only == name:
            built.command(name)(_load(where))
    built.callback(invoke_without_command=True)(root)
    built.command("tui")(tui)
    built.command("serve")(serve)
    return built


#: The shells `kam --show-completion SHELL` and `--install-completion SHELL` name.
SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def _completion_for_a_shell(ctx: Context, args: list[str]) -> None:
    """`kam --show-completion SHELL` (or `--install-completion SHELL`): the script for that
    shell, shown (or installed), then stop. Typer's options are flags for the shell it
    detects from the processes above kam: alone, they print the script of the shell kam
    runs in (none under cron or a detached process), and a shell named after them was
    left unread."""
    if len(args) != 2 or args[0] not in ("--show-completion", "--install-completion"):
        return
    if args[1] not in SHELLS:
        raise typer.BadParameter(f"'{args[1]}' is not one of {', '.join(SHELLS)}.",
                                 param_hint=[args[0]])  # fmt: skip
    from typer import completion

    if args[0] == "--show-completion":
        completion.show_callback(ctx, None, args[1])  # type: ignore[arg-type]
    elif args[0] == "--install-completion":
        completion.install_callback(ctx, None, args[1])  # type: ignore[arg-type]


def _named(args: list[str]) -> str | None:
    """The noun or command a command line names, "" for the top level's own (`kam`, `kam
    tui`, `kam serve`), None when every command is needed (help, or a word kam does not know,
    which Typer then names with its suggestions)."""
    if not args:
        return "" if _on_a_terminal() else None  # without one, `kam` prints the whole help
    if args in (["--help"], ["-h"]):
        return HELP
    first = args[0]
    if first in NOUNS or first in COMMANDS:
        return first
    if first in OWN or first.partition("=")[0] in OWN_OPTIONS:
        return ""
    return None


def _version(value: bool) -> None:
    """`kam --version`: the installed version, then stop."""
    if value:
        from importlib.metadata import version

        typer.echo(f"kam {version('kam')}")
        raise typer.Exit()


def root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print kam's version and stop."
        ),
    ] = False,
) -> None:
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


def tui(
    area: Annotated[
        str | None, typer.Option(help=f"Open on this area: {', '.join(AREAS)}.")
    ] = None,
) -> None:
    """Open the TUI (the same as `kam` alone)."""
    from kam.cli.context import settings

    if area is not None and area not in AREAS:
        raise typer.BadParameter(
            f"'{area}' is not one of {', '.join(AREAS)}.", param_hint=["--area"]
        )
    if not _on_a_terminal():
        _say("kam: the TUI needs a terminal (stdin and stdout are not one); see `kam --help`.")
        raise typer.Exit(2)
    from screens.launch import run

    # run() checks the schema and identifies the user before it draws anything, so a
    # database or user not set up is refused in one line, with the terminal untouched.
    run(settings(), area=area)


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

    _require_web()
    with reading() as (_, actor):  # refuse early, in one line, if kam is not set up for you
        login = actor.login
    from kam.cli.web import serve as run

    run(host=host, port=port, login=login)


def _require_web() -> None:
    """Refuse, saying how to install it, when the `web` extra (textual-serve) is missing."""
    from kam.errors import SystemProblem

    try:
        import aiohttp  # noqa: F401
        import textual_serve  # noqa: F401
    except ImportError:
        raise SystemProblem(
            "kam serve needs the web extra: pip install 'kam[web]' (textual-serve, aiohttp)."
        ) from None


def main() -> None:
    """Console-script entry point: runs one command and ends the process (see _leave)."""
    import os
    import sys

    # The shell asks for completions by running `kam` with _KAM_COMPLETE set: every command.
    named = None if "_KAM_COMPLETE" in os.environ else _named(sys.argv[1:])
    try:
        build(named)(prog_name="kam")
    except BrokenPipeError:  # the reader went away (`kam ... | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except SystemExit as stop:
        _leave(stop.code)
        raise


def _leave(code: object) -> None:
    """End the process once the command is done, without Python's teardown, which frees
    every module and object one by one: about 10 ms of `kam --help`, 40 ms of `kam account
    list`, 0.2–0.4 s after importing a million sales lines. The exit handlers still run
    (atexit, so temporary folders go) and the output is flushed; the database was closed by
    the command. Not while another thread runs (Python waits for it, as it should), nor
    under a profiler or tracer (they report at the normal exit)."""
    import atexit
    import os
    import sys
    import threading

    if threading.active_count() > 1 or sys.getprofile() or sys.gettrace():
        return
    if code is None or isinstance(code, int):
        status = code or 0
    else:  # sys.exit("message"), as Python itself would show it
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away: as above
        status = 0
    except (OSError, ValueError):
        pass
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(status)


def __getattr__(name: str) -> Any:
    """`app`: every command, built on first use (the tests' CliRunner invokes it)."""
    if name == "app":
        globals()["app"] = built = build()
        return built
    raise AttributeError(name)
