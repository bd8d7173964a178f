"""Parsers for command-line values that Typer does not know."""

from __future__ import annotations

from datetime import date

import typer


def parse_date(value: str | None) -> date | None:
    """An ISO date (YYYY-MM-DD); a bad one is a usage error (exit 2)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"'{value}' is not a date; use YYYY-MM-DD.") from exc
