"""Input validators for kam's forms: each failure says what is wrong and how to write it."""

from __future__ import annotations

from datetime import date

from textual.validation import ValidationResult, Validator

from kam.rules import limits


def parse_date(value: str) -> date | None:
    """The date written as YYYY-MM-DD, or None when it is not one."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def parse_number(value: str) -> float | None:
    """The number written (thousands separators allowed: 1,250.5), or None when it is not one
    or not finite (kam.rules.limits)."""
    try:
        number = float(value.strip().replace(",", ""))
    except ValueError:
        return None
    return None if limits.not_finite(number) else number


class Required(Validator):
    """Something other than spaces must be written."""

    def __init__(self, what: str) -> None:
        super().__init__(failure_description=f"{what} is required.")

    def validate(self, value: str) -> ValidationResult:
        """Fail on an empty or blank value."""
        return self.success() if value.strip() else self.failure()


class IsoDate(Validator):
    """A calendar date written as YYYY-MM-DD."""

    def validate(self, value: str) -> ValidationResult:
        """Fail unless the value is a real date in ISO form."""
        if parse_date(value) is not None:
            return self.success()
        if not value.strip():
            return self.failure("A date is required; write it as YYYY-MM-DD.")
        return self.failure(f"'{value.strip()}' is not a date; write it as YYYY-MM-DD.")


class WholeNumber(Validator):
    """A whole number between `low` and `high`."""

    def __init__(self, low: int, high: int) -> None:
        super().__init__()
        self.low, self.high = low, high

    def validate(self, value: str) -> ValidationResult:
        """Fail unless the value is a whole number in range."""
        try:
            number = int(value.strip())
        except ValueError:
            return self.failure(f"Write a whole number from {self.low} to {self.high}.")
        if not self.low <= number <= self.high:
            return self.failure(f"{number} is outside {self.low} to {self.high}.")
        return self.success()


class Decimal(Validator):
    """A number, optionally bounded."""

    def __init__(self, low: float | None = None, high: float | None = None, hint: str = "") -> None:
        super().__init__()
        self.low, self.high, self.hint = low, high, hint

    def validate(self, value: str) -> ValidationResult:
        """Fail unless the value is a number in range."""
        number = parse_number(value)
        if number is None:
            return self.failure(f"Write a number{self.hint}.")
        if (self.low is not None and number < self.low) or (
            self.high is not None and number > self.high
        ):
            return self.failure(f"{value.strip()} is out of range{self.hint}.")
        return self.success()


class Login(Validator):
    """A kam login, by the rule `kam user add` applies (kam.rules.limits, via UserInput)."""

    def validate(self, value: str) -> ValidationResult:
        """Fail unless the value is a login the services accept."""
        from screens.forms.limits import login_length, login_pattern

        login = value.strip()
        if login and len(login) <= login_length() and login_pattern().match(login):
            return self.success()
        return self.failure(
            "A login has letters, digits, '.', '_', '-' or '@' (not first), "
            f"at most {login_length()} characters."
        )


class Email(Validator):
    """Something that looks like an e-mail address."""

    def validate(self, value: str) -> ValidationResult:
        """Fail unless there is text on both sides of one '@' and a dot after it."""
        local, at, domain = value.strip().partition("@")
        if local and at and "." in domain and "@" not in domain and " " not in value.strip():
            return self.success()
        return self.failure("An e-mail address looks like name@example.com.")
