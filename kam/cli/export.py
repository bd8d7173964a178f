"""`kam export KIND FILE`: the data out as CSV or XLSX that `kam import` reads back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kam.cli import output
from kam.cli.context import reading
from kam.cli.params import JsonOption

app = typer.Typer(
    help="Export customers, transactions, costs, contacts or accounts as CSV (UTF-8 with BOM) "
    "or XLSX; `kam import` reads them back (accounts are export-only).",
    no_args_is_help=True,
)

FileArg = Annotated[
    str,
    typer.Argument(
        help="The file to write, or - for standard output.", metavar="FILE", show_default=False
    ),
]
FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format", help="csv or xlsx (default: from FILE's extension, else csv).", metavar="FMT"
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")]


def _format(target: str, given: str | None) -> str:
    if given is not None:
        if given.lower() not in ("csv", "xlsx"):
            raise typer.BadParameter(f"'{given}' is not csv or xlsx.", param_hint=["--format"])
        return given.lower()
    return "xlsx" if target.lower().endswith(".xlsx") else "csv"


def _run(kind: str, target: str, fmt: str | None, force: bool, json_: bool) -> None:
    import os
    import shutil
    import sys
    import tempfile

    from kam.cli.files import cannot_write, writable
    from kam.services.exports import export
    from kam.services.importing.reading import file_label

    chosen = _format(target, fmt)
    to_stdout = target == "-"
    path = Path(target)
    if not to_stdout:
        writable(path, force=force)
    folder = None if to_stdout else path.parent
    # Written beside FILE under another name, then moved over it: a failed export leaves
    # no half-written FILE.
    try:
        handle, partial = tempfile.mkstemp(prefix=".kam-export-", suffix=f".{chosen}", dir=folder)
    except OSError as error:
        raise cannot_write(path, error) from None
    os.close(handle)
    temporary = Path(partial)
    try:
        with reading() as (session, actor):
            report = export(session, actor, kind, temporary, fmt=chosen,
                            label="-" if to_stdout else file_label(path))  # fmt: skip
        if to_stdout:
            sys.stdout.flush()
            with temporary.open("rb") as written:
                shutil.copyfileobj(written, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            os.chmod(temporary, 0o644 & ~_umask())
            os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    if to_stdout:
        output.info(report.summary())  # stdout holds the file
    else:
        output.show_written(report, json_=json_, said=report.summary())


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


def _command(kind: str, doc: str) -> None:
    def command(
        target: FileArg, fmt: FormatOption = None, force: ForceOption = False,
        json_: JsonOption = False,
    ) -> None:  # fmt: skip
        _run(kind, target, fmt, force, json_)

    command.__doc__ = doc
    app.command(kind)(command)


_command("customers", "Export the customer base (the columns `kam import customers` reads).")
_command("transactions", "Export every sales line (customer code or name, date, money...).")
_command("costs", "Export every cost-to-serve line.")
_command("contacts", "Export the people at every customer (reports_to by name, owner by login).")
_command(
    "accounts",
    "Export the key accounts and their history (export-only: membership changes through "
    "nomination, admission and retirement).",
)
