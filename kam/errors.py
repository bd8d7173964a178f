"""Domain errors: each carries a sentence a user can act on and the CLI exit code it maps to."""

from __future__ import annotations


class KamError(Exception):
    """Base of every error kam reports to a user."""

    exit_code = 1


class RuleError(KamError):
    """A rule of the programme or of the roles refused the action."""


class PermissionDenied(RuleError):
    """The acting user's role does not allow the action."""


class InvalidData(KamError):
    """The input is not valid; the message names the field and the problem."""


class NotFound(KamError):
    """A named thing does not exist."""


class NotInitialised(KamError):
    """The database has no kam schema yet."""


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
