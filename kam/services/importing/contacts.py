"""Importing the people at customers (`kam import contacts`), as `kam export contacts` writes
them: keyed by customer and name (case-insensitive), written through the contacts service
(its checks, its audit), `reports_to` by name at the same customer, `owner` by login.

A known contact changes only in the columns the file has, and only where a cell is not
empty; a new one gets what the file gives."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from db.enums import BuyingRole, CommunicationStyle, Role, Stance
from kam.services.importing.checks import Checked, _customer_ids, _enum_column, _text
from kam.services.importing.names import clean_name
from kam.services.importing.parsing import parse_numbers
from kam.services.importing.report import RowError

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.identity import Actor
    from kam.services.importing.report import ImportReport

_TEXTS = ("job_title", "email", "phone")
_WORDS = {"buying_role": BuyingRole, "communication_style": CommunicationStyle, "stance": Stance}
#: Whole-number columns and their ranges (as the contacts service's input model has them).
_NUMBERS = {"relationship_strength": (1, 5), "influence": (1, 5), "cadence_days": (1, 3650)}


def check_contacts(session: Session, frame: pd.DataFrame, mark: str) -> Checked:
    """Every row's cells checked, the customer and the owner looked up, `reports_to` found
    among the file's or the stored people at the same customer."""
    from sqlmodel import select

    from db.models import Contact, User

    errors: list[RowError] = []
    customer = _customer_ids(session, frame["customer"], errors)
    values: dict[str, pd.Series] = {"customer_id": customer}
    name = _text(frame, "name", errors)
    for i in frame.index[(name == "").to_numpy()]:
        errors.append(RowError(int(i) + 2, "name", "is empty"))
    values["name"] = name
    key = values["customer_id"].astype(str) + "\n" + name.str.lower()
    first_seen = {k: i for i, k in reversed(list(key.items()))}
    for i in frame.index[(key.duplicated() & (name != "")).to_numpy()]:
        problem = f"repeats row {first_seen[key[i]] + 2} (the same person at the same customer)"
        errors.append(RowError(int(i) + 2, "name", problem))
    for column in _TEXTS:
        if column in frame:
            values[column] = _text(frame, column, errors)
    for column, vocabulary in _WORDS.items():
        if column in frame:
            allowed = [v.value for v in vocabulary]
            values[column] = _enum_column(_text(frame, column, errors), column, allowed, errors)
    for column, (low, high) in _NUMBERS.items():
        if column not in frame:
            continue
        parsed = parse_numbers(frame[column], decimal=mark)
        number = parsed.values
        for i, problem in parsed.errors[parsed.errors.notna()].items():
            if problem != "is empty":
                errors.append(RowError(int(i) + 2, column, str(problem)))
        wrong = number.notna() & ((number % 1 != 0) | (number < low) | (number > high))
        for i in frame.index[wrong.to_numpy()]:
            errors.append(RowError(int(i) + 2, column, f"is not a whole number {low} to {high}"))
        values[column] = number
    if "owner" in frame:
        owner = _text(frame, "owner", errors)
        users = {login: (role, active) for login, role, active in session.exec(
            select(User.login, User.role, User.active))}  # fmt: skip
        for i in frame.index[(owner != "").to_numpy()]:
            found = users.get(owner[i])
            refusal: str | None = (
                f"unknown login '{clean_name(owner[i])}'" if found is None
                else f"'{owner[i]}' is no longer an active kam user" if not found[1]
                else f"'{owner[i]}' is a viewer, who only reads; an owner is a manager, an "
                "executive or an admin" if found[0] == Role.VIEWER
                else None
            )  # fmt: skip
            if refusal:
                errors.append(RowError(int(i) + 2, "owner", refusal))
        values["owner"] = owner
    if "reports_to" in frame:
        boss = _text(frame, "reports_to", errors)
        stored = session.exec(select(Contact.customer_id, Contact.name)).all()
        known = {(cid, n.lower()) for cid, n in stored} | {
            (cid, n.lower()) for cid, n in zip(values["customer_id"], name, strict=True)
        }
        for i in frame.index[(boss != "").to_numpy()]:
            if (values["customer_id"][i], boss[i].lower()) not in known:
                problem = f"no one named '{clean_name(boss[i])}' at this customer"
                errors.append(RowError(int(i) + 2, "reports_to", problem))
        errors += _loops(session, values["customer_id"], name, boss)
        errors += _under_refused(values["customer_id"], name, boss, stored, errors)
        values["reports_to"] = boss
    return Checked(values, errors)


def _under_refused(
    customer: pd.Series, name: pd.Series, boss: pd.Series, stored: Any, errors: list[RowError]
) -> list[RowError]:
    """The rows whose `reports_to` is a person only a refused row of the file brings in (so
    they would report to no one the import writes), down the chain."""
    kept = {(cid, n.lower()) for cid, n in stored}
    rows = {(customer[i], name[i].lower()): int(i) + 2 for i in name.index}
    refused = {e.row for e in errors}
    found: list[RowError] = []
    changed = True
    while changed:
        changed = False
        for i in boss.index[(boss != "").to_numpy()]:
            row, key = int(i) + 2, (customer[i], boss[i].lower())
            if row in refused or key in kept or rows.get(key) not in refused:
                continue
            problem = f"reports to {clean_name(boss[i])} of row {rows[key]}, which is refused"
            found.append(RowError(row, "reports_to", problem))
            refused.add(row)
            changed = True
    return found


def _loops(
    session: Session, customer: pd.Series, name: pd.Series, boss: pd.Series
) -> list[RowError]:
    """The rows whose `reports_to` would make the chart loop, as the import would leave it
    (the stored people's bosses, then the file's): a person cannot report, directly or not,
    to themselves."""
    from sqlmodel import select

    from db.models import Contact

    stored = session.exec(
        select(Contact.id, Contact.customer_id, Contact.name, Contact.reports_to_id)
    ).all()
    names = {cid: n.lower() for cid, _customer, n, _boss in stored}
    above = {(c, n.lower()): names[b] for _id, c, n, b in stored if b is not None}
    rows = [(int(i), customer[i], name[i], boss[i]) for i in boss.index[(boss != "").to_numpy()]]
    for _i, c, n, b in rows:
        above[(c, n.lower())] = b.lower()
    errors = []
    for i, c, n, b in rows:
        if b.lower() == n.lower():
            errors.append(RowError(i + 2, "reports_to", "a person cannot report to themselves"))
            continue
        seen, at = {n.lower()}, b.lower()
        while at is not None and at not in seen:
            seen.add(at)
            at = above.get((c, at))
        if at == n.lower():
            problem = (f"{clean_name(b)} already reports, directly or not, to {clean_name(n)}; "
                       "the organisation chart cannot loop")  # fmt: skip
            errors.append(RowError(i + 2, "reports_to", problem))
    return errors


def _cell(value: Any) -> Any:
    """A checked cell as the service takes it: None for empty, ints for whole numbers."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        return None
    if isinstance(value, float | np.floating):
        return int(value)
    return value


def write_contacts(
    session: Session, actor: Actor, values: dict[str, pd.Series], report: ImportReport
) -> None:
    """Add the new people and change the known ones (the file's non-empty cells), then link
    each to whom they report to; counts go into `report`."""
    from sqlmodel import select

    from db.models import Contact, Customer
    from kam.services.contacts import add_contact, update_contact

    names = dict(session.exec(select(Customer.id, Customer.name)).all())
    people = {(c.customer_id, c.name.lower()): c for c in session.exec(select(Contact)).all()}
    fields = [c for c in values if c not in ("customer_id", "name", "reports_to")]
    frame = pd.DataFrame(values)
    ids: dict[tuple[int, str], int] = {}
    for row in frame.itertuples(index=False):
        customer_id, name = int(row.customer_id), str(row.name)
        given = {f: _cell(getattr(row, f)) for f in fields}
        given = {f: v for f, v in given.items() if v is not None}
        known = people.get((customer_id, name.lower()))
        if known is None:
            view = add_contact(session, actor, names[customer_id], name=name, **given)
            ids[(customer_id, name.lower())] = view.id
            report.written += 1
            continue
        assert known.id is not None
        ids[(customer_id, name.lower())] = known.id
        stored = {f: _stored(session, known, f) for f in given}
        changed = {f: v for f, v in given.items() if stored[f] != v}
        if changed:
            update_contact(session, actor, known.id, **changed)
            report.updated += 1
        else:
            report.unchanged += 1
    if "reports_to" not in frame:
        return
    for row in frame.itertuples(index=False):
        boss = _cell(row.reports_to)
        if boss is None:
            continue
        customer_id = int(row.customer_id)
        person = session.get(Contact, ids[(customer_id, str(row.name).lower())])
        assert person is not None and person.id is not None
        boss_id = ids.get((customer_id, boss.lower())) or people[(customer_id, boss.lower())].id
        if person.reports_to_id != boss_id:
            update_contact(session, actor, person.id, reports_to=boss_id)


def _stored(session: Session, contact: Any, field: str) -> Any:
    """A stored contact's value of an import column (owner as its login, words as text)."""
    from kam.services.common import login_of

    if field == "owner":
        return login_of(session, contact.owner_id)
    value = getattr(contact, field)
    return value.value if hasattr(value, "value") else value
