"""What an import reads and reports: the documented columns, row errors, the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kam.errors import InvalidData

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): called as rows are validated and written."""


@dataclass(frozen=True)
class Column:
    """A documented import column."""

    name: str
    required: bool
    description: str


COLUMNS: dict[str, tuple[Column, ...]] = {
    "customers": (
        Column("name", True, "Customer name, any script; unique (case-insensitive)."),
        Column("code", False, "Your ERP's customer code; unique; the key when given."),
        Column("industry", False, "Industry."),
        Column("region", False, "Region."),
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
        Column("product", False, "Product code."),
        Column("order_id", False, "Order number; with `line`, the line's natural key."),
        Column("line", False, "Line number within the order."),
    ),
    "costs": (
        Column("customer", True, "The customer's code or name."),
        Column("date", True, "Date the cost was incurred."),
        Column("category", True, "sales, support, logistics, terms, custom_work or other."),
        Column("amount", True, "Cost to serve; not negative."),
        Column("note", False, "Free text."),
    ),
}

_CATEGORY_ALIASES = {
    "terms_discounts": "terms", "discounts": "terms", "discount": "terms", "custom": "custom_work",
    "customwork": "custom_work", "custom_work": "custom_work", "service": "support",
}  # fmt: skip


@dataclass(frozen=True)
class RowError:
    """One problem in one cell: the file row (header = row 1), the column, what is wrong."""

    row: int
    column: str
    problem: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.problem}"


@dataclass
class ImportReport:
    """What an import read, wrote and rejected."""

    kind: str
    file: str
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
        extra = f", updated {self.updated:,}" if self.kind == "customers" else ""
        return (
            f"{self.kind}: read {self.rows_read:,} rows, {verb} {self.written:,}{extra}, "
            f"{self.unchanged:,} already present, rejected {self.rejected:,} "
            f"in {self.seconds:.1f} s."
        )


class ImportRefused(InvalidData):
    """The file has invalid rows and nothing was written."""

    def __init__(self, path: Path, errors: list[RowError], rows: int) -> None:
        shown = "\n".join(f"  {e}" for e in errors[:10])
        more = f"\n  … and {len(errors) - 10:,} more" if len(errors) > 10 else ""
        rows_bad = len({e.row for e in errors})
        super().__init__(
            f"{path.name}: {rows_bad:,} of {rows:,} rows are invalid; nothing was imported "
            f"(--skip-invalid --rejects FILE imports the valid rows).\n{shown}{more}"
        )
        self.errors = errors
