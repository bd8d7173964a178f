"""Checking an import's rows: every cell parsed and every problem named by row and column,
before anything is written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd

from db.bulk import customer_keys
from db.enums import CostCategory
from kam.rules import clock
from kam.services.importing.customers import (
    EMPTY,
    VOCABULARIES,
    match,
    match_errors,
    stored_customers,
)
from kam.services.importing.keys import (
    content_key,
    cost_keys,
    joined,
    occurrence,
    repeated_lines,
)
from kam.services.importing.names import clean_name, normalise_header
from kam.services.importing.parsing import Parsed, clean_text_column, parse_dates, parse_numbers
from kam.services.importing.reading import lengths_over
from kam.services.importing.report import WIDTHS, RowError

if TYPE_CHECKING:
    from sqlmodel import Session

T = TypeVar("T")

_CATEGORY_ALIASES = {
    "terms_discounts": "terms", "discounts": "terms", "discount": "terms", "custom": "custom_work",
    "customwork": "custom_work", "custom_work": "custom_work", "service": "support",
}  # fmt: skip


@dataclass
class Checked:
    """Typed columns for the valid rows, and every problem found."""

    values: dict[str, pd.Series]
    errors: list[RowError]


def _errors(parsed: Parsed, column: str) -> list[RowError]:
    bad = parsed.errors[parsed.errors.notna()]
    return [RowError(int(i) + 2, column, str(p)) for i, p in bad.items()]


def _excerpt(cell: object) -> str:
    """A cell as a problem quotes it: cleaned, and cut to 40 characters."""
    return clean_name(cell, 40)


def _text(frame: pd.DataFrame, column: str, errors: list[RowError]) -> pd.Series:
    """A text column, cleaned; "" throughout when absent. A cell longer than the column's
    width (the schema's) is an error: nothing is cut silently."""
    if column not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    text = clean_text_column(frame[column].fillna("").astype(str))
    width = WIDTHS.get(column)
    if width is not None:
        for i, length in lengths_over(text, width).items():
            errors.append(
                RowError(int(i) + 2, column, f"is {length:,} characters long; at most {width:,}")
            )
    return text


def _number(frame: pd.DataFrame, column: str, mark: str, errors: list[RowError]) -> Parsed:
    """A required number column, parsed (a bad or empty cell is an error)."""
    parsed = parse_numbers(frame[column], decimal=mark)
    errors.extend(_errors(parsed, column))
    return parsed


def _optional_number(
    frame: pd.DataFrame, column: str, mark: str, errors: list[RowError]
) -> pd.Series:
    if column not in frame:
        return pd.Series(np.nan, index=frame.index)
    parsed = parse_numbers(frame[column], decimal=mark)
    parsed.errors[parsed.errors == "is empty"] = None
    errors.extend(_errors(parsed, column))
    return parsed.values


def _enum_column(
    raw: pd.Series, column: str, allowed: list[str], errors: list[RowError],
    aliases: dict[str, str] | None = None,
) -> pd.Series:  # fmt: skip
    """Match words case-insensitively to a vocabulary; an empty cell is None."""
    text = raw.fillna("").astype(str)
    distinct = pd.unique(text)
    words = text.map(dict(zip(distinct, [normalise_header(w) for w in distinct], strict=True)))
    if aliases:
        words = words.replace(aliases)
    empty = words == ""
    bad = ~empty & ~words.isin(allowed)
    for i in words.index[bad]:
        errors.append(
            RowError(int(i) + 2, column, f"'{_excerpt(raw[i])}' is not one of {', '.join(allowed)}")
        )
    return words.where(~empty, None)


def _customer_ids(session: Session, raw: pd.Series, errors: list[RowError]) -> pd.Series:
    """Resolve customer codes or names (case-insensitive) to ids; unknown ones are errors."""
    rows = customer_keys(session)
    by_code = {code: cid for cid, _name, code in rows if code}
    by_name = {name.lower(): cid for cid, name, _code in rows}
    text = clean_text_column(raw.fillna("").astype(str))
    ids = _lookup(text, by_code)
    missing = ids.isna()
    if missing.any():  # files that name customers by code (most) skip the pass by name
        ids[missing] = text[missing].str.lower().map(by_name)
    for i in text.index[ids.isna()]:
        problem = "is empty" if text[i] == "" else f"unknown customer '{clean_name(text[i])}'"
        errors.append(RowError(int(i) + 2, "customer", problem))
    return ids


def _lookup(text: pd.Series, mapping: dict[str, int]) -> pd.Series:
    """`text.map(mapping)` (NaN where a cell is not a key), by an Arrow hash join."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not mapping:
        return pd.Series(np.nan, index=text.index)
    cells = pa.array(text, type=pa.large_string(), from_pandas=True)
    keys = pa.array(list(mapping), type=pa.large_string())
    found = pc.index_in(cells, value_set=keys).fill_null(-1).to_numpy(zero_copy_only=False)
    ids = np.append(np.asarray(list(mapping.values()), dtype=float), np.nan)[found]
    return pd.Series(ids, index=text.index)


def _dates(frame: pd.DataFrame, order: str | None, errors: list[RowError]) -> pd.Series:
    parsed = parse_dates(frame["date"], order=order)
    errors.extend(_errors(parsed, "date"))
    future = parsed.values > pd.Timestamp(clock.today())
    for i in frame.index[future.fillna(False).to_numpy()]:
        problem = f"{_excerpt(frame['date'][i])} is in the future"
        errors.append(RowError(int(i) + 2, "date", problem))
    return parsed.values


def _side_by_side(
    here: Callable[[], T], *checks: Callable[[list[RowError]], Any]
) -> tuple[T, list[tuple[Any, list[RowError]]]]:
    """Run `here` on this thread (what needs the session) while two others run the column
    checks, which share nothing: Arrow's kernels, most of a check's work, let the other
    threads run meanwhile. Each check's problems are kept apart, in the checks' order, so
    the report does not depend on which ends first."""
    from concurrent.futures import ThreadPoolExecutor

    def apart(check: Callable[[list[RowError]], Any]) -> tuple[Any, list[RowError]]:
        found: list[RowError] = []
        return check(found), found

    with ThreadPoolExecutor(2, thread_name_prefix="kam-check") as pool:
        running = [pool.submit(apart, check) for check in checks]
        return here(), [done.result() for done in running]


def check_sales(session: Session, frame: pd.DataFrame, mark: str, order: str | None) -> Checked:
    errors: list[RowError] = []
    customer, checked = _side_by_side(
        lambda: _customer_ids(session, frame["customer"], errors),
        lambda found: _dates(frame, order, found),
        lambda found: _number(frame, "revenue", mark, found),
        lambda found: _number(frame, "cost_of_goods", mark, found),
        lambda found: _optional_number(frame, "quantity", mark, found).fillna(0.0),
        lambda found: _text(frame, "product", found),
        lambda found: _text(frame, "order_id", found),
        lambda found: _optional_number(frame, "line", mark, found),
    )
    sold_on, revenue, cogs, quantity, product, order_id, line = (value for value, _ in checked)
    errors += [problem for _, found in checked[:4] for problem in found]
    is_return = revenue.values < 0
    for i in frame.index[(cogs.values < 0) & ~is_return]:
        errors.append(
            RowError(
                int(i) + 2,
                "cost_of_goods",
                "is negative on a sale; only a return (negative revenue) has negative cost "
                "of goods",
            )
        )
    for i in frame.index[(quantity < 0) & ~is_return]:
        errors.append(
            RowError(
                int(i) + 2, "quantity", "is negative on a sale; only a return has negative quantity"
            )
        )
    errors += [problem for _, found in checked[4:] for problem in found]
    has_order = order_id != ""
    line_no = line.where(line.notna(), occurrence(order_id).astype(float)).fillna(1).astype(int)
    key = joined(order_id, "/", line_no, index=frame.index)
    if not has_order.all():
        content = pd.DataFrame({"c": customer.fillna(-1).astype("int64"),
                                "d": sold_on.astype("int64"), "r": revenue.values,
                                "g": cogs.values, "q": quantity, "p": product})  # fmt: skip
        key = content_key(content).where(~has_order, key)
    if "line" in frame:  # without it, (order, occurrence) is unique by construction
        dup = repeated_lines(key, order_id, line_no) & has_order.to_numpy()
        for i in frame.index[dup]:
            errors.append(
                RowError(int(i) + 2, "line", f"order {order_id[i]} line {line_no[i]} appears twice")
            )
    return Checked(
        {"customer_id": customer, "sold_on": sold_on, "revenue": revenue.values,
         "cost_of_goods": cogs.values, "quantity": quantity, "product": product.replace("", None),
         "order_id": order_id.replace("", None), "line_key": key},
        errors,
    )  # fmt: skip


def check_costs(session: Session, frame: pd.DataFrame, mark: str, order: str | None) -> Checked:
    errors: list[RowError] = []
    customer = _customer_ids(session, frame["customer"], errors)
    incurred = _dates(frame, order, errors)
    category = _enum_column(frame["category"], "category", [c.value for c in CostCategory],
                            errors, aliases=_CATEGORY_ALIASES)  # fmt: skip
    for i in frame.index[(category.isna()).to_numpy()]:
        errors.append(RowError(int(i) + 2, "category", "is empty"))
    amount = parse_numbers(frame["amount"], decimal=mark)
    errors += _errors(amount, "amount")
    for i in frame.index[amount.values < 0]:
        errors.append(RowError(int(i) + 2, "amount", "is negative; a cost-to-serve line is a cost"))
    note = _text(frame, "note", errors)
    key = cost_keys(customer, incurred, category, amount.values, note)
    return Checked(
        {"customer_id": customer, "incurred_on": incurred, "category": category,
         "amount": amount.values, "note": note, "line_key": key},
        errors,
    )  # fmt: skip


def check_customers(
    session: Session, frame: pd.DataFrame, mark: str, order: str | None, *,
    blank_clears: bool = False,
) -> Checked:  # fmt: skip
    """The customers' columns that the file has, and only those: an absent column leaves
    stored customers as they are. Blank cells stay blank here ("", None or NaN); the writer
    decides what they mean (a default for a new customer; for a known one, no change, or
    with --blank-clears the column's empty value)."""
    errors: list[RowError] = []
    name = _text(frame, "name", errors)
    for i in frame.index[name == ""]:
        errors.append(RowError(int(i) + 2, "name", "is empty"))
    lowered = name.str.lower()
    first_seen = {n: i for i, n in reversed(list(lowered.items()))}
    for i in frame.index[(lowered.duplicated() & (name != "")).to_numpy()]:
        errors.append(RowError(int(i) + 2, "name", f"repeats row {first_seen[lowered[i]] + 2}"))
    values: dict[str, pd.Series] = {"name": name}
    for column in ("code", "industry", "region"):
        if column in frame:
            values[column] = _text(frame, column, errors)
    if "code" in values:
        code = values["code"]
        for i in frame.index[(code.duplicated() & (code != "")).to_numpy()]:
            errors.append(RowError(int(i) + 2, "code", f"'{_excerpt(code[i])}' appears twice"))
    if "estimated_wallet" in frame:
        wallet = _optional_number(frame, "estimated_wallet", mark, errors)
        for i in frame.index[(wallet < 0).to_numpy()]:
            errors.append(RowError(int(i) + 2, "estimated_wallet", "is negative"))
        values["estimated_wallet"] = wallet
    for column, vocabulary in VOCABULARIES.items():
        if column not in frame:
            continue
        allowed = [v.value for v in vocabulary]
        words = _enum_column(_text(frame, column, errors), column, allowed, errors)
        if blank_clears and column not in EMPTY:
            for i in frame.index[words.isna().to_numpy()]:
                errors.append(RowError(int(i) + 2, column, (
                    f"is empty, and {column} cannot be cleared (--blank-clears): "
                    f"give one of {', '.join(allowed)}"
                )))  # fmt: skip
        values[column] = words
    stored = stored_customers(session)
    code = values.get("code")
    values["id"], values["by_code"] = match(stored, name, code)
    errors += match_errors(stored, name, code, values["id"], values["by_code"])
    return Checked(values, errors)


def check_categories(session: Session, frame: pd.DataFrame) -> Checked:
    """Each row a product and its category, both given; a product once per file."""
    errors: list[RowError] = []
    product = _text(frame, "product", errors)
    category = _text(frame, "category", errors)
    for column, values in (("product", product), ("category", category)):
        for i in frame.index[(values == "").to_numpy()]:
            errors.append(RowError(int(i) + 2, column, "is empty"))
    first_seen = {p: i for i, p in reversed(list(product.items()))}
    for i in frame.index[(product.duplicated() & (product != "")).to_numpy()]:
        errors.append(RowError(int(i) + 2, "product", f"repeats row {first_seen[product[i]] + 2}"))
    return Checked({"product": product, "category": category}, errors)
