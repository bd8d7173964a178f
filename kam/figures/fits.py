"""Which stored lifetime-value fit belongs to the data and settings as they are, without
pandas: the fit's key, and the stored figures of a few customers (the dashboard reads its
members' CLV from here). kam.figures.value computes fits; kam.services.lifetime keeps them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from kam.errors import InvalidData

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlmodel import Session

    from db.models import ValueFit

#: The time units a fit can count in, in days.
PERIODS = {"day": 1.0, "week": 7.0, "month": 365.25 / 12}
PROBABILISTIC, SIMPLE = "probabilistic", "simple"
MODELS = (PROBABILISTIC, SIMPLE)
#: Bumped when the way figures are computed changes, so older stored fits are not reused.
METHOD = 1


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
    if period not in PERIODS:
        raise InvalidData(f"period: '{period}' is not one of {', '.join(PERIODS)}.")
    if model is not None and model not in MODELS:
        raise InvalidData(f"model: '{model}' is not one of {', '.join(MODELS)}.")
    end = calibration_end or as_of
    if end > as_of:
        raise InvalidData(f"calibration end {end} is after the figures' date {as_of}.")
    return Request(as_of, end, period, model)


def key(source: Session | Connection, asked: Request, *, data: Sequence[Any] | None = None) -> str:
    """What a fit is stored under: the request, the settings and the data's version
    (`data`, when the caller read db.aggregates.data_version already)."""
    from db import aggregates
    from db.reads import connection_of
    from kam.rules.programme import load_settings

    settings = load_settings(source)
    if data is None:
        data = aggregates.data_version(connection_of(source))
    facts = {
        "method": METHOD,
        "data": [int(v) for v in data],
        "as_of": asked.as_of.isoformat(),
        "calibration_end": asked.calibration_end.isoformat(),
        "period": asked.period,
        "model": asked.model or "auto",
        "discount_rate": settings.discount_rate,
        "horizon": settings.horizon,
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def find(session: Session, asked: Request) -> ValueFit | None:
    """The stored fit for `asked` and the data as they are now, if one was kept."""
    from sqlmodel import select

    from db.models import ValueFit

    found_key = key(session, asked)
    return session.exec(select(ValueFit).where(ValueFit.key == found_key)).first()


def stored(
    source: Session | Connection, asked: Request, *, data: Sequence[Any] | None = None
) -> tuple[int, str] | None:
    """(id, model) of the stored fit for `asked` and the data as they are now (`data`: their
    version, when read already), if one was kept: what `find` finds, read without building
    the models."""
    from db import aggregates
    from db.reads import connection_of

    return aggregates.stored_fit(connection_of(source), key(source, asked, data=data))


def stored_clv(
    source: Session | Connection, fit_id: int, customer_ids: Collection[int]
) -> dict[int, float]:
    """The CLV the model gave each of these customers under a stored fit."""
    from db import aggregates
    from db.reads import connection_of

    rows = aggregates.stored_values(
        connection_of(source), fit_id, PROBABILISTIC, customer_ids=customer_ids
    )
    return {cid: float(clv) for cid, clv in rows}


def stored_p_alive(
    session: Session, asked: Request, customer_ids: Collection[int]
) -> dict[int, float]:
    """P(alive) of these customers under the stored fit for `asked`, where the model speaks
    for them (empty when no fit is stored)."""
    from sqlmodel import col, select

    from db.models import CustomerValue

    found = find(session, asked)
    if found is None:
        return {}
    rows = session.exec(
        select(CustomerValue.customer_id, CustomerValue.p_alive).where(
            CustomerValue.fit_id == found.id,
            col(CustomerValue.customer_id).in_(list(customer_ids)),
            CustomerValue.model == PROBABILISTIC,
        )
    ).all()
    return {cid: float(p) for cid, p in rows if p is not None}
