"""`kam sheet ACCOUNT`: the one-page account sheet, as Markdown or HTML."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kam.cli import output
from kam.cli.context import reading
from kam.cli.params import AsOfOption
from kam.rules import clock


class Format(StrEnum):
    """Sheet formats."""

    MD = "md"
    HTML = "html"


def sheet(
    name: Annotated[str, typer.Argument(help="The account's customer name.")],
    format_: Annotated[Format, typer.Option("--format", help="md or html.")] = Format.MD,
    output_file: Annotated[
        Path | None, typer.Option("--output", help="Write to this file (default stdout).")
    ] = None,
    as_of: AsOfOption = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the --output file.")] = False,
) -> None:
    """The one-page account sheet an executive reads in two minutes."""
    from kam.cli.files import cannot_write, writable
    from kam.sheet import build_sheet, render_html, render_markdown

    if output_file is not None:
        writable(output_file, force=force)
    with reading() as (session, _actor):
        data = build_sheet(session, name, as_of=clock.on_or_today(as_of))
    text = render_html(data) if format_ == Format.HTML else render_markdown(data)
    if output_file is None:
        sys.stdout.write(text)
        return
    try:
        output_file.write_text(text, encoding="utf-8")
    except OSError as error:
        raise cannot_write(output_file, error) from None
    output.info(f"Wrote {output_file}.")
