"""The form that changes a key account, guarded by the version the reader saw."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Select, TextArea

from db.enums import AccountStatus
from kam.rules import lifecycle
from kam.services.account_changes import AccountChanges
from screens.formatting import safe, words
from screens.forms.form import FormScreen
from screens.forms.limits import max_length
from screens.forms.validators import Decimal, IsoDate, parse_date

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.views import AccountView


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


class AccountForm(FormScreen["AccountView"]):
    """Change a key account's review date, notes and CLV overrides (admins: the status, between
    active and under review; the sheet's p and k choose the sponsor and manager, x retires).

    The change is sent with `expected_version` = the version the form was opened on; if
    someone changed the account since, nothing is overwritten, the reader is told who did, and
    the form stays open with what was typed: saving again replaces their change on purpose.
    """

    KEEP_ON_CONFLICT = True

    def __init__(self, account: AccountView, *, admin: bool) -> None:
        super().__init__()
        self.account = account
        self._version = account.version
        """The version a save expects: the one shown, then the one a conflict found."""
        """The account as shown when the form opened (its version is the one expected)."""
        self.admin = admin
        """Whether the status field is offered."""

    def heading(self) -> Content:
        """The customer's name and the version being changed."""
        return Content.assemble(
            "Key account ",
            (safe(self.account.customer), "bold"),
            f" (version {self.account.version})",
        )

    def fields(self) -> Iterator[Widget]:
        """Next review, CLV overrides, reason; for admins the status (only the moves a plain
        update makes: retiring is the sheet's x, with its reason)."""
        a = self.account
        if self.admin:
            current = AccountStatus(a.status)
            yield from self.field(
                "Status",
                Select(
                    [
                        (words(s.value), s.value)
                        for s in (current, *lifecycle.next_statuses(current))
                        if s == current or lifecycle.can_move(current, s, by="update")
                    ],
                    id="status",
                    allow_blank=False,
                    value=current.value,
                ),
            )
        review = a.next_review_on.isoformat() if a.next_review_on else ""
        yield from self.field(
            "Next review on",
            Input(
                review, id="next_review_on", max_length=10, validators=[IsoDate()], valid_empty=True
            ),
            hint="YYYY-MM-DD; empty for none.",
        )
        yield from self.field(
            "Retention override",
            Input(
                _number(a.retention_override),
                id="retention_override",
                validators=[Decimal(0, 1, " from 0 to 1, e.g. 0.85")],
                valid_empty=True,
            ),
            hint="Probability (0-1) the customer stays a year; empty uses the base's.",
        )
        yield from self.field(
            "Margin override (annual gross margin)",
            Input(
                _number(a.margin_override),
                id="margin_override",
                validators=[Decimal(hint=", e.g. 250000")],
                valid_empty=True,
            ),
            hint="A forecast replacing the T12M margin in CLV; empty uses T12M.",
        )
        yield from self.field("Reason / notes", TextArea(a.reason, id="reason", soft_wrap=True))

    def extra_problems(self) -> dict[str, str]:
        """The notes have a length limit."""
        longest = max_length(AccountChanges, "reason")
        if len(self.value("reason")) > longest:
            return {"reason": f"Notes have at most {longest:,} characters."}
        return {}

    def collect(self) -> dict[str, Any]:
        """Only the fields that differ from what was shown."""
        a = self.account

        def number(widget_id: str) -> float | None:
            text = self.value(widget_id).replace(",", "")
            return float(text) if text else None

        shown: dict[str, Any] = {
            "next_review_on": parse_date(self.value("next_review_on"))
            if self.value("next_review_on")
            else None,
            "retention_override": number("retention_override"),
            "margin_override": number("margin_override"),
            "reason": self.value("reason"),
        }
        before: dict[str, Any] = {
            "next_review_on": a.next_review_on,
            "retention_override": a.retention_override,
            "margin_override": a.margin_override,
            "reason": a.reason,
        }
        if self.admin:
            shown |= {"status": self.choice("status")}
            before |= {"status": a.status}
        return {k: v for k, v in shown.items() if v != before[k]}

    def write(self, session: Session, values: dict[str, Any]) -> AccountView:
        """Update the account if it is still at the version shown."""
        from kam.errors import ConflictError
        from kam.services.accounts import get_account, update_account

        try:
            return update_account(
                session,
                self.kam.actor,
                self.account.customer,
                expected_version=self._version,
                **values,
            )
        except ConflictError as conflict:
            self._version = get_account(session, self.account.customer).version  # theirs go
            told = str(conflict).removesuffix(" Reload and try again.")
            raise ConflictError(
                f"{told} Your entries are still in the form: save again to replace their "
                "change, or Escape and reload."
            ) from None
