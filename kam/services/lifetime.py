"""Customer lifetime value under the probabilistic model, fitted once per data change and
kept (kam.figures.value computes it and reads what was kept; this module keeps it).

A fit belongs to the data (the sales and cost lines) and the settings it was made with (the
date, calibration end, time unit, model, discount rate, horizon): its key is a hash of them,
and while they are unchanged every screen and command reuses the stored fit and each
customer's figures instead of fitting again. Users who may keep figures (not viewers) store
a fit the first time it is needed; a viewer, or a database login that may only read,
computes on the fly and stores nothing.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from kam.rules.permissions import Action, allowed

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.database import Database
    from kam.figures.value import Fit, Lifetime, Request
    from kam.identity import Actor

log = logging.getLogger(__name__)

#: Stored fits kept (older ones are deleted as a new one is stored).
KEEP_FITS = 4


def store(session: Session, actor: Actor, figures: Lifetime) -> None:
    """Keep a computed fit and its figures (in the caller's write transaction), and drop the
    oldest fits beyond KEEP_FITS."""
    from sqlalchemy import delete
    from sqlmodel import col, select

    from db.bulk import insert_rows
    from db.models import CustomerValue, ValueFit
    from kam.figures.value import VALUE_COLUMNS
    from kam.rules.permissions import require

    require(actor, Action.KEEP_FIGURES)
    if session.exec(select(ValueFit.id).where(ValueFit.key == figures.key)).first() is not None:
        return  # someone stored the same fit meanwhile
    fit = figures.fit
    row = ValueFit(
        key=figures.key, as_of=fit.as_of, calibration_end=fit.calibration_end,
        period=fit.period, model=fit.model, why=fit.why,
        parameters_json=json.dumps(fit.parameters), customers=fit.customers,
        repeat_customers=fit.repeat_customers, seconds=fit.seconds, fitted_by_id=actor.id,
    )  # fmt: skip
    session.add(row)
    session.flush()
    table = figures.table.astype(object).where(figures.table.notna(), None)
    rows = table[VALUE_COLUMNS].itertuples(index=True, name=None)
    insert_rows(
        session,
        CustomerValue,
        [
            {
                "fit_id": row.id,
                "customer_id": int(cid),
                **dict(zip(VALUE_COLUMNS, rest, strict=True)),
            }
            for cid, *rest in rows
        ],
    )
    old = session.exec(
        select(ValueFit.id).order_by(col(ValueFit.id).desc()).offset(KEEP_FITS)
    ).all()
    if old:
        session.execute(delete(CustomerValue).where(col(CustomerValue.fit_id).in_(old)))
        session.execute(delete(ValueFit).where(col(ValueFit.id).in_(old)))


def lifetime_values(
    database: Database, actor: Actor, asked: Request, *, keep: bool = True
) -> Lifetime:
    """The figures for `asked`: the stored fit when the data and settings are unchanged, else
    a new fit, stored when `keep` and the user may keep figures (a database login that may
    only read is told no by the database: the figures are returned all the same)."""
    from kam.errors import BusyError, PermissionDenied
    from kam.figures.value import Lifetime, compute, stored

    with database.reading() as session:
        found = stored(session, asked)
        if found is not None:
            return found
        figures = compute(session, asked)
    if not (keep and allowed(actor, Action.KEEP_FIGURES)):
        return figures
    try:
        with database.writing() as session:
            store(session, actor, figures)
    except (PermissionDenied, BusyError) as refused:  # a login granted SELECT only; a lock
        log.info("the fit was not stored: %s", refused)
        return figures
    return Lifetime(figures.fit, figures.table, figures.key, stored=True)


def to_dict(fit: Fit) -> dict[str, Any]:
    """The fit as JSON-ready facts."""
    return {
        "model": fit.model, "why": fit.why, "as_of": fit.as_of.isoformat(),
        "calibration_end": fit.calibration_end.isoformat(), "period": fit.period,
        "customers": fit.customers, "repeat_customers": fit.repeat_customers,
        "parameters": fit.parameters, "seconds": fit.seconds,
    }  # fmt: skip
