"""The options commands share, and parsers for values Typer does not know.

A value is checked while Typer parses the command line, so a bad one is a usage error
(exit 2) that names its option, and the command never opens the database.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer

DATE = "YYYY-MM-DD"


def parse_date(value: str) -> date:
    """An ISO date (YYYY-MM-DD); anything else is a usage error naming the option."""
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"'{value}' is not a date ({DATE}).") from exc


def date_option(help: str, *names: str) -> Any:
    """A `typer.Option` whose value Typer parses as a date (see `parse_date`)."""
    return typer.Option(*names, parser=parse_date, metavar=DATE, help=help)


def parse_number(value: str) -> float:
    """A finite number (kam.rules.limits refuses inf and nan); anything else is a usage error
    naming the option."""
    from kam.rules import limits

    try:
        number = float(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a number.") from None
    problem = limits.not_finite(number)
    if problem:
        raise typer.BadParameter(f"{problem}.")
    return number


def number_option(help: str, *names: str) -> Any:
    """A `typer.Option` whose value Typer parses as a finite number (see `parse_number`)."""
    return typer.Option(*names, parser=parse_number, metavar="<float>", help=help)


def _one_format(ctx: typer.Context, param: typer.CallbackParam, value: bool) -> bool:
    """`--json` and `--csv` exclude each other: whichever is read second refuses the other."""
    other = "csv_" if param.name == "json_" else "json_"
    if value and ctx.params.get(other):
        raise typer.BadParameter("give one or the other, not both.", param_hint=["--json", "--csv"])
    return value


JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON for scripts.", callback=_one_format)
]
CsvOption = Annotated[
    bool,
    typer.Option(
        "--csv",
        help="Print CSV (UTF-8, formulas neutralised) for spreadsheets.",
        callback=_one_format,
    ),
]
AllOption = Annotated[bool, typer.Option("--all", help="Every row: no --limit.")]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Check and show the change, but write nothing.")
]
AsOfOption = Annotated[date | None, date_option("As of this date (default today).")]


def criterion_pairs(values: list[str] | None, option: str) -> dict[str, str]:
    """`CRITERION=VALUE` items of a repeatable option as a dict; a bad one is a usage error."""
    found = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"'{item}' is not CRITERION=VALUE.", param_hint=[option])
        found[key.strip()] = value.strip()
    return found
