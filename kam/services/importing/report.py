"""What an import reads and reports: the documented columns, row errors, the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from kam.errors import InvalidData
from kam.rules import limits
from kam.services.importing.names import indented, one_line

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): called as rows are validated and written."""


@dataclass(frozen=True)
class Column:
    """A documented import column."""

    name: str
    required: bool
    description: str
    width: int | None = None
    """The most characters a cell may hold (the schema's column length); longer is refused."""


COLUMNS: dict[str, tuple[Column, ...]] = {
    "customers": (
        Column("name", True, "Customer name, any script; unique (case-insensitive).", limits.NAME),
        Column("code", False, "Your ERP's customer code; unique; the key when given.", limits.CODE),
        Column("industry", False, "Industry.", limits.LABEL),
        Column("region", False, "Region.", limits.LABEL),
        Column("status", False, "prospect, active (default) or inactive."),
        Column(
            "lifecycle_stage", False, "awareness, consideration, purchase, usage, loyalty, churn."
        ),
        Column("loyalty_type", False, "monopoly, inertia, price, incentive or trust."),
        Column("estimated_wallet", False, "Estimated annual category spend; not negative."),
    ),
    "transactions": (
        Column("customer", True, "The customer's code or name."),
        Column("date", True, "Sale date: YYYY-MM-DD, D.M.YYYY, or D/M/YYYY or M/D/YYYY."),
        Column("revenue", True, "Net revenue; negative only for a return."),
        Column("cost_of_goods", True, "Cost of goods sold; negative only for a return."),
        Column("quantity", False, "Units; negative only for a return."),
        Column("product", False, "Product code.", limits.PRODUCT),
        Column(
            "order_id", False, "Order number; with `line`, the line's natural key.", limits.ORDER_ID
        ),
        Column("line", False, "Line number within the order."),
    ),
    "costs": (
        Column("customer", True, "The customer's code or name."),
        Column("date", True, "Date the cost was incurred."),
        Column("category", True, "sales, support, logistics, terms, custom_work or other."),
        Column("amount", True, "Cost to serve; not negative."),
        Column("note", False, "Free text.", limits.NOTE),
    ),
    "categories": (
        Column("product", True, "Product code, as on the sales lines.", limits.PRODUCT),
        Column(
            "category",
            True,
            "The product's category (the whitespace matrix's column).",
            limits.PRODUCT,
        ),
    ),
    "contacts": (
        Column("customer", True, "The customer's code or name."),
        Column("name", True, "The person's name; with the customer, the key.", limits.NAME),
        Column("job_title", False, "Job title.", limits.NAME),
        Column("email", False, "E-mail address.", limits.NAME),
        Column("phone", False, "Phone number.", limits.PHONE),
        Column("buying_role", False, "decision_maker, influencer, user or gatekeeper."),
        Column("communication_style", False, "demanding, influencing, steady or compliant."),
        Column("relationship_strength", False, "1 (cold) to 5."),
        Column("reports_to", False, "The name of the person at the same customer they report to."),
        Column("influence", False, "1 to 5."),
        Column("stance", False, "champion, supporter, neutral, skeptic or blocker."),
        Column("owner", False, "The kam login who holds the relationship."),
        Column("cadence_days", False, "Days between contacts (empty: by buying role)."),
    ),
}

#: Each documented text column's width, by name.
WIDTHS = {c.name: c.width for columns in COLUMNS.values() for c in columns if c.width}


@dataclass(frozen=True)
class RowError:
    """One problem in one cell: the file row (header = row 1), the column, what is wrong."""

    row: int
    column: str
    problem: str

    def __str__(self) -> str:
        """One clean line (problems quote cells, and cells are data)."""
        return one_line(f"row {self.row}, {self.column}: {self.problem}")


#: The imports that update the rows already there (the others add or skip lines).
UPDATES = frozenset({"customers", "categories", "contacts"})


@dataclass
class ImportReport:
    """What an import read, wrote and rejected."""

    kind: str
    file: str
    sha256: str = ""
    rows_read: int = 0
    written: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    seconds: float = 0.0
    dry_run: bool = False
    ignored_columns: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, errors as strings (first 1,000)."""
        data = asdict(self)
        data["errors"] = [str(e) for e in self.errors[:1000]]
        return data

    def summary(self) -> str:
        """One line for people."""
        verb = "would write" if self.dry_run else "wrote"
        extra = f", updated {self.updated:,}" if self.kind in UPDATES else ""
        rows = "row" if self.rows_read == 1 else "rows"
        return (
            f"{self.kind}: read {self.rows_read:,} {rows}, {verb} {self.written:,}{extra}, "
            f"{self.unchanged:,} already present, rejected {self.rejected:,} "
            f"in {self.seconds:.1f} s."
        )


class ImportRefused(InvalidData):
    """The file has invalid rows and nothing was written."""

    def __init__(self, label: str, errors: list[RowError], rows: int) -> None:
        rows_bad = len({e.row for e in errors})
        super().__init__(
            f"{label}: {rows_bad:,} of {rows:,} rows are invalid; nothing was imported "
            "(--skip-invalid --rejects FILE imports the valid rows).\n"
            + indented([str(e) for e in errors[:10]], 10, total=len(errors))
        )
        self.errors = errors
