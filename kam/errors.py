"""Domain errors: each carries a sentence a user can act on and the CLI exit code it maps to."""

from __future__ import annotations

import re

#: A refusal about one field: "field_name: what is wrong with it".
_ABOUT_A_FIELD = re.compile(r"([a-z][a-z_]*): (.+)", re.DOTALL)


class KamError(Exception):
    """Base of every error kam reports to a user."""

    exit_code = 1


class RuleError(KamError):
    """A rule of the programme or of the roles refused the action."""


class ForceableRefusal(RuleError):
    """A rule refused a change the user may still make on purpose; the message says what it
    refuses, and each door adds how to insist (the CLI: --force; a form: its box)."""


class PermissionDenied(RuleError):
    """The acting user's role does not allow the action."""


class InvalidData(KamError):
    """The input is not valid; the message names the field and the problem.

    `problems` holds each field's problem without its name, by the service's field name (a
    form shows it at its own field, under its own label): given, or read from a message
    that starts with the field's name ("happened_on: 2027-01-15 is in the future ...")."""

    def __init__(self, message: str, *, problems: dict[str, str] | None = None) -> None:
        super().__init__(message)
        about = _ABOUT_A_FIELD.fullmatch(message)
        self.problems: dict[str, str] = (
            problems if problems is not None else {about[1]: about[2]} if about else {}
        )
        """What is wrong with each field, by the service's field name."""


class NotFound(KamError):
    """A named thing does not exist."""


class NotInitialised(KamError):
    """The database has no kam schema yet."""


class Damaged(KamError):
    """The database file is damaged (SQLite cannot read it); the message says how to
    restore a backup."""


class SystemProblem(KamError):
    """Something outside kam that the command needs is missing or failed: a program
    (pg_dump), a port already in use, a file that cannot be written; the message says what."""


class CheckFailed(KamError):
    """`kam db check` found problems; the message lists each on its own indented line."""


class ConflictError(KamError):
    """Someone else changed the record since it was read; nothing was overwritten."""

    exit_code = 3


class BusyError(KamError):
    """The database stayed locked past the busy timeout; a retry may succeed."""

    exit_code = 3


class SettingError(KamError):
    """A setting in the environment (KAM_...) cannot be used; the message names it."""

    exit_code = 2


class Unreachable(KamError):
    """The database server cannot be reached; a retry may succeed once it is up."""

    exit_code = 3
