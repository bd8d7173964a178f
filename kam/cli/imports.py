"""`kam import customers|transactions|costs|categories FILE`: bring the customer base, its
numbers and the products' categories in."""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer

from db.enums import Door
from kam.cli import output
from kam.cli.context import writing
from kam.cli.params import DryRunOption, JsonOption

app = typer.Typer(
    help="Import CSV (comma, semicolon or tab; UTF-8 with or without BOM, or --encoding) or "
    "workbooks (XLSX, ODS, XLS; the first sheet); `kam export` writes files it reads back.",
    no_args_is_help=True,
)

FileArg = Annotated[
    Path,
    typer.Argument(help="The CSV file or workbook, or - for standard input.", show_default=False),
]


def _encoding(value: str | None) -> str | None:
    import codecs

    if value is None:
        return None
    try:
        codecs.lookup(value)
    except LookupError:
        raise typer.BadParameter(
            f"'{value}' is not an encoding Python knows (e.g. gb18030, cp1252, utf-16)."
        ) from None
    return value


EncodingOption = Annotated[
    str | None,
    typer.Option(
        help="The CSV's encoding when it is not UTF-8 (gb18030 for Chinese Excel, cp1252...).",
        callback=_encoding,
    ),
]
MapOption = Annotated[
    list[str] | None,
    typer.Option("--map", help="Rename a column: SOURCE=FIELD (repeatable).", show_default=False),
]
SkipOption = Annotated[
    bool, typer.Option("--skip-invalid", help="Import the valid rows; needs --rejects.")
]
RejectsOption = Annotated[
    Path | None, typer.Option(help="Write every rejected row with its reason to this CSV.")
]
DateOrderOption = Annotated[
    str | None,
    typer.Option("--date-order", help="dmy or mdy, for slashed dates the file leaves ambiguous."),
]
BlankClearsOption = Annotated[
    bool,
    typer.Option(
        "--blank-clears",
        help="An empty cell clears the stored value (default: it leaves it as it is).",
    ),
]
DecimalOption = Annotated[
    str | None,
    typer.Option(help="Decimal mark: '.' or ','. Default: ',' for semicolon CSV, else '.'."),
]


def _mapping(pairs: list[str] | None) -> dict[str, str]:
    mapping = {}
    for pair in pairs or []:
        source, sep, target = pair.partition("=")
        if not sep or not source.strip() or not target.strip():
            raise typer.BadParameter(f"'{pair}' is not SOURCE=FIELD.", param_hint=["--map"])
        mapping[source.strip()] = target.strip()
    return mapping


class _Bar:
    """A progress bar on stderr, shown only to people (a terminal)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

        self.progress = Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.completed:,}/{task.total:,} rows"),
            console=Console(stderr=True),
            transient=True,
        )
        self.tasks: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total)
        self.progress.update(self.tasks[stage], completed=done, total=total)


def _run(
    kind: str,
    path: Path,
    mapping: list[str] | None,
    skip_invalid: bool,
    rejects: Path | None,
    date_order: str | None,
    decimal: str | None,
    dry_run: bool,
    json_: bool,
    blank_clears: bool = False,
    encoding: str | None = None,
) -> None:
    from kam.services.importing.importer import run_import
    from kam.services.importing.names import listed

    if date_order not in (None, "dmy", "mdy"):
        raise typer.BadParameter("use dmy or mdy.", param_hint=["--date-order"])
    if decimal not in (None, ".", ","):
        raise typer.BadParameter("use '.' or ','.", param_hint=["--decimal"])
    renames = _mapping(mapping)
    if rejects is not None:
        from kam.cli.files import writable

        writable(rejects, read=None if str(path) == "-" else path)
    bar = _Bar() if sys.stderr.isatty() and not json_ else None
    shown: AbstractContextManager[Any] = bar.progress if bar else nullcontext()
    from kam.cli.files import readable

    with (
        readable(path) as (source, name),
        shown,
        writing(
            dry_run=dry_run, door=Door.IMPORT, keys_in_bulk=kind in ("transactions", "costs")
        ) as (session, actor),
    ):
        report = run_import(
            session,
            actor,
            kind,
            source,
            name=name,
            encoding=encoding,
            mapping=renames,
            skip_invalid=skip_invalid,
            rejects=rejects,
            dry_run=dry_run,
            date_order=date_order,
            decimal=decimal,
            blank_clears=blank_clears,
            progress=bar,
        )
    said = [report.summary()]
    if report.ignored_columns:
        said.insert(0, f"Ignored columns: {listed(report.ignored_columns, 10)}.")
    if report.rejected:
        said.append(f"Rejected rows were written to {rejects}.")
    output.show_written(report, json_=json_, said="\n".join(said))


@app.command("customers")
def customers(
    path: FileArg,
    map_: MapOption = None,
    skip_invalid: SkipOption = False,
    rejects: RejectsOption = None,
    blank_clears: BlankClearsOption = False,
    decimal: DecimalOption = None,
    encoding: EncodingOption = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Import customers (name, code, industry, region, wallet...); admins.

    Known customers (by code, else by name) change only in the columns the file has; an
    empty cell leaves the stored value unless --blank-clears.
    """
    _run("customers", path, map_, skip_invalid, rejects, None, decimal, dry_run, json_,
         blank_clears, encoding)  # fmt: skip


@app.command("contacts")
def contacts(
    path: FileArg,
    map_: MapOption = None,
    skip_invalid: SkipOption = False,
    rejects: RejectsOption = None,
    decimal: DecimalOption = None,
    encoding: EncodingOption = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Import the people at customers (customer, name, job_title, reports_to...); admins.

    Known people (by customer and name) change only in the columns the file has, and only
    where a cell is not empty.
    """
    _run("contacts", path, map_, skip_invalid, rejects, None, decimal, dry_run, json_,
         False, encoding)  # fmt: skip


@app.command(
    "accounts",
    hidden=True,
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def accounts() -> None:
    """Refused: accounts are export-only."""
    from kam.errors import RuleError
    from kam.services.exports import EXPORT_ONLY

    assert "accounts" in EXPORT_ONLY
    raise RuleError(
        "accounts are export-only: programme membership changes through nomination, "
        "admission and retirement (kam account nominate|admit|reject|retire), never through "
        "a file."
    )


def _command(kind: str, doc: str) -> None:
    def command(
        path: FileArg,
        map_: MapOption = None,
        skip_invalid: SkipOption = False,
        rejects: RejectsOption = None,
        date_order: DateOrderOption = None,
        decimal: DecimalOption = None,
        encoding: EncodingOption = None,
        dry_run: DryRunOption = False,
        json_: JsonOption = False,
    ) -> None:
        _run(kind, path, map_, skip_invalid, rejects, date_order, decimal, dry_run, json_,
             False, encoding)  # fmt: skip

    command.__doc__ = doc
    app.command(kind)(command)


_command("transactions", "Import sales lines (customer, date, revenue, cost_of_goods...); admins.")
_command("costs", "Import cost-to-serve lines (customer, date, category, amount); admins.")


@app.command("categories")
def categories(
    path: FileArg,
    map_: MapOption = None,
    skip_invalid: SkipOption = False,
    rejects: RejectsOption = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Import product categories (product, category) for the whitespace matrix; admins.

    A product the file names gets its category (changed if it had another); products it
    does not name keep theirs. A product without a category is its own category.
    """
    _run("categories", path, map_, skip_invalid, rejects, None, None, dry_run, json_)
