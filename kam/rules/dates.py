"""Dates users type: one set of rules that every service applies, so the TUI, the CLI, the
batch and imports agree.

- What happened (an interaction, a visit, a complaint's steps, a training, a review, a
  sale) cannot be dated in the future.
- A step cannot be dated before the step it follows (a complaint handled before it was
  recorded).
- A promise may be recorded after its due date (promises are often written down late):
  that is a warning, not a refusal.
- A year outside 1900 to 2999 is a typing error (or a spreadsheet's zero, 0000-01-01).
"""

from __future__ import annotations

from datetime import date

from kam.errors import InvalidData
from kam.rules import clock

#: The first and last year a date or a plan may fall in (`plausible_year`).
YEARS = (1900, 2999)


def plausible_year(year: int, what: str) -> int:
    """`year`, refused, naming `what`, when it is outside YEARS."""
    first, last = YEARS
    if not first <= year <= last:
        raise InvalidData(f"{what}: {year} is not a plausible year ({first} to {last}).")
    return year


def happened(on: date, what: str) -> date:
    """`on`, refused when it is after today: `what` happened, so it cannot be in the future."""
    today = clock.today()
    if on > today:
        raise InvalidData(
            f"{what}: {on.isoformat()} is in the future (today is {today.isoformat()}); "
            "record it once it has happened."
        )
    return on


def not_before(on: date, earlier: date | None, what: str, follows: str) -> date:
    """`on`, refused when it is before `earlier`, the date of the step it follows."""
    if earlier is not None and on < earlier:
        raise InvalidData(
            f"{what}: {on.isoformat()} is before {follows} ({earlier.isoformat()}); "
            "a step cannot come before the one it follows."
        )
    return on


def overdue_warning(due: date, what: str) -> str | None:
    """A warning when a new promise is already past its due date, else None."""
    today = clock.today()
    if due < today:
        days = (today - due).days
        return (
            f"{what} was due {due.isoformat()}, {days} day{'' if days == 1 else 's'} ago; "
            "it is recorded as overdue."
        )
    return None
