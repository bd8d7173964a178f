"""Customer lifetime value under the probabilistic model, fitted once per data change.

A fit belongs to the data (the sales and cost lines) and the settings it was made with (the
date, calibration end, time unit, model, discount rate, horizon): its key is a hash of them,
and while they are unchanged every screen and command reuses the stored fit and each
customer's figures instead of fitting again. Users who may keep figures (not viewers) store
a fit the first time it is needed; a viewer, or a database login that may only read,
computes on the fly and stores nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from kam.errors import InvalidData
from kam.rules.permissions import Action, allowed

if TYPE_CHECKING:
    import pandas as pd
    from sqlmodel import Session

    from kam.database import Database
    from kam.figures.value import Fit
    from kam.identity import Actor

log = logging.getLogger(__name__)

#: Bumped when the way figures are computed changes, so older stored fits are not reused.
METHOD = 1
#: Stored fits kept (older ones are deleted as a new one is stored).
KEEP_FITS = 4


@dataclass(frozen=True)
class Lifetime:
    """A fit and every customer's figures under it (kam.figures.value.VALUE_COLUMNS)."""

    fit: Fit
    table: pd.DataFrame
    key: str
    stored: bool
    """Whether the fit is in the database (read from it, or written now)."""


@dataclass(frozen=True)
class Request:
    """What a fit is asked for."""

    as_of: date
    calibration_end: date
    period: str = "week"
    model: str | None = None
    """'probabilistic' or 'simple' to force one; None lets the base's history choose."""


def request(
    as_of: date, *, calibration_end: date | None = None, period: str = "week",
    model: str | None = None,
) -> Request:  # fmt: skip
    """A checked request (the calibration end defaults to `as_of`)."""
    from kam.figures.value import MODELS, PERIODS

    if period not in PERIODS:
        raise InvalidData(f"period: '{period}' is not one of {', '.join(PERIODS)}.")
    if model is not None and model not in MODELS:
        raise InvalidData(f"model: '{model}' is not one of {', '.join(MODELS)}.")
    end = calibration_end or as_of
    if end > as_of:
        raise InvalidData(f"calibration end {end} is after the figures' date {as_of}.")
    return Request(as_of, end, period, model)


def _key(session: Session, asked: Request) -> str:
    from db import aggregates
    from kam.rules.programme import load_settings

    settings = load_settings(session)
    facts = {
        "method": METHOD,
        "data": [int(v) for v in aggregates.data_version(session.connection())],
        "as_of": asked.as_of.isoformat(),
        "calibration_end": asked.calibration_end.isoformat(),
        "period": asked.period,
        "model": asked.model or "auto",
        "discount_rate": settings.discount_rate,
        "horizon": settings.horizon,
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def stored(session: Session, asked: Request) -> Lifetime | None:
    """The stored fit for this request and the data as they are, if there is one."""
    import pandas as pd
    from sqlmodel import select

    from db.models import CustomerValue, ValueFit
    from kam.figures import lifetime as models
    from kam.figures.value import VALUE_COLUMNS, Fit

    key = _key(session, asked)
    row = session.exec(select(ValueFit).where(ValueFit.key == key)).first()
    if row is None:
        return None
    parameters = json.loads(row.parameters_json)
    bgnbd = gamma_gamma = None
    if parameters:
        bgnbd = models.BGNBD(parameters["r"], parameters["alpha"], parameters["a"],
                             parameters["b"], parameters["bgnbd_log_likelihood"])  # fmt: skip
        gamma_gamma = models.GammaGamma(parameters["p"], parameters["q"], parameters["v"],
                                        parameters["gamma_gamma_log_likelihood"])  # fmt: skip
    fit = Fit(
        row.model, row.why, row.as_of, row.calibration_end, row.period, row.customers,
        row.repeat_customers, bgnbd, gamma_gamma,
        parameters.get("frequency_spend_correlation"), row.seconds, parameters,
    )  # fmt: skip
    values = (
        session.connection()
        .execute(
            select(
                CustomerValue.customer_id, *(getattr(CustomerValue, c) for c in VALUE_COLUMNS)
            ).where(CustomerValue.fit_id == row.id)  # type: ignore[call-overload]
        )
        .all()
    )
    table = pd.DataFrame.from_records(
        [tuple(v) for v in values], columns=["customer_id", *VALUE_COLUMNS]
    ).set_index("customer_id")
    for column in VALUE_COLUMNS[4:]:
        table[column] = table[column].astype(float)
    return Lifetime(fit, table[VALUE_COLUMNS], key, stored=True)


def compute(session: Session, asked: Request) -> Lifetime:
    """Fit and compute every customer's figures (nothing is stored)."""
    from kam.figures import frames, metrics, value
    from kam.rules.programme import load_settings

    settings = load_settings(session)
    end = asked.calibration_end
    occasions = value.occasions(session, end, asked.period)
    fit = value.fit(occasions, as_of=asked.as_of, calibration_end=end, period=asked.period,
                    model=asked.model)  # fmt: skip
    customers = frames.customers(session)
    sums = frames.t12m(session, end)
    profit = metrics.profit_from(sums.sales, sums.costs, customers)
    base = frames.base_retention(session, end)
    simple = metrics.clv_table(
        profit, base_retention=base if base is not None else 0.0,
        discount_rate=settings.discount_rate, horizon=settings.horizon,
    )  # fmt: skip
    _, yearly_costs = frames.yearly(session, end)
    table = value.value_table(
        occasions, fit, customers=profit.index, cost_t12m=profit["cost_to_serve"],
        cost_total=yearly_costs.groupby("customer_id")["amount"].sum(),
        simple_clv=simple["clv"], discount_rate=settings.discount_rate,
        horizon=settings.horizon,
    )  # fmt: skip
    return Lifetime(fit, table, _key(session, asked), stored=False)


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


def current(session: Session, as_of: date) -> Lifetime:
    """The figures at `as_of` with the default request: stored if kept, else computed now."""
    asked = request(as_of)
    return stored(session, asked) or compute(session, asked)


def to_dict(fit: Fit) -> dict[str, Any]:
    """The fit as JSON-ready facts."""
    return {
        "model": fit.model, "why": fit.why, "as_of": fit.as_of.isoformat(),
        "calibration_end": fit.calibration_end.isoformat(), "period": fit.period,
        "customers": fit.customers, "repeat_customers": fit.repeat_customers,
        "parameters": fit.parameters, "seconds": fit.seconds,
    }  # fmt: skip
