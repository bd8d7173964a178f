"""Probabilistic customer lifetime value from the database's sums: BG/NBD and Gamma-Gamma
(kam.figures.lifetime) fitted on every customer's purchase occasions, then, per customer,
P(alive), the purchases to expect, the margin a purchase brings and the cost to serve it
takes, and the CLV they make over the programme's horizon at its discount rate.

- A purchase occasion is a day with a sale (returns alone do not make one); the time unit
  (day, week or month) only scales the fit.
- A purchase's value is its gross margin (profit before cost to serve); the Gamma-Gamma
  model takes the mean over repeat occasions (the first excluded).
- Cost to serve follows the expected purchases: the T12M cost to serve per T12M occasion
  (over the whole history when the customer has none in the T12M), times the purchases
  expected each year, discounted.
- CLV = sum over years k = 1..H of (E[purchases in year k] x (margin per purchase - cost
  per purchase)) / (1 + d)^k.
- Customers the model cannot speak for keep the simple CLV (kam.figures.metrics.clv_table),
  and say why: no purchase before the calibration end, or repeat purchases whose mean
  margin is not positive (the Gamma-Gamma model needs positive values).
- The model is used once the base has enough history (MIN_HISTORY_DAYS of purchases and
  MIN_REPEAT_CUSTOMERS who bought again); otherwise every customer has the simple CLV and
  the fit says why.
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from db import aggregates
from kam.figures import headline, lifetime
from kam.figures.fits import MODELS, PERIODS, PROBABILISTIC, SIMPLE, Request, key, request

__all__ = ["MODELS", "PERIODS", "PROBABILISTIC", "SIMPLE", "Request", "request"]

if TYPE_CHECKING:
    from sqlmodel import Session

DAYS_A_YEAR = 365.25
#: The history the probabilistic model needs before kam uses it by default.
MIN_HISTORY_DAYS = 365
MIN_REPEAT_CUSTOMERS = 20

VALUE_COLUMNS = [
    "model", "note", "purchases", "last_purchase", "p_alive", "purchases_12m",
    "purchases_horizon", "margin_per_purchase", "cost_per_purchase", "clv",
]  # fmt: skip


@dataclass(frozen=True)
class Fit:
    """What was fitted, on what, and why this model."""

    model: str
    why: str
    as_of: date
    calibration_end: date
    period: str
    customers: int = 0
    repeat_customers: int = 0
    bgnbd: lifetime.BGNBD | None = None
    gamma_gamma: lifetime.GammaGamma | None = None
    correlation: float | None = None
    """Pearson correlation of repeat purchases and mean repeat margin over repeat customers
    (the Gamma-Gamma model assumes they are independent)."""
    seconds: float = 0.0
    parameters: dict[str, Any] = field(default_factory=dict)


def occasions(session: Session, calibration_end: date, period: str) -> pd.DataFrame:
    """Per customer who bought up to `calibration_end`: x, t_x and T in the period's unit,
    the mean repeat margin m, T12M occasions, and the first and last purchase days."""
    first_t12m, _last = headline.t12m_window(calibration_end)
    rows = aggregates.purchase_occasions(session.connection(), calibration_end, first_t12m)
    frame = pd.DataFrame.from_records(rows, columns=aggregates.PURCHASE_COLUMNS)
    for column in ("first_day", "last_day"):
        frame[column] = pd.to_datetime(frame[column], format="ISO8601")
    unit = PERIODS[period]
    end = pd.Timestamp(calibration_end)
    count = frame["occasions"].astype(float)
    frame["x"] = count - 1
    frame["t_x"] = (frame["last_day"] - frame["first_day"]).dt.days / unit
    frame["T"] = (end - frame["first_day"]).dt.days / unit
    repeat = frame["margin"].astype(float) - frame["first_margin"].astype(float)
    frame["m"] = np.where(frame["x"] > 0, repeat / frame["x"].where(frame["x"] > 0, 1), 0.0)
    return frame.set_index("customer_id")


def fit(
    frame: pd.DataFrame, *, as_of: date, calibration_end: date, period: str,
    model: str | None = None,
) -> Fit:  # fmt: skip
    """Fit both models on `frame` (from `occasions`), or say why the simple CLV stands.
    `model` forces one; None chooses: probabilistic once the base has enough history."""
    started = time.perf_counter()
    repeat = frame.loc[frame["x"] > 0]
    first = frame["first_day"].min() if len(frame) else pd.Timestamp(calibration_end)
    history = (pd.Timestamp(calibration_end) - first).days
    facts = (
        f"{len(frame):,} customers, {len(repeat):,} bought again, "
        f"{history / DAYS_A_YEAR:.1f} years of purchases"
    )

    def simple(why: str) -> Fit:
        return Fit(SIMPLE, f"simple: {why} ({facts})", as_of, calibration_end, period,
                   len(frame), len(repeat))  # fmt: skip

    if model == SIMPLE:
        return simple("asked for")
    lacking = []
    if history < MIN_HISTORY_DAYS:
        lacking.append(f"{MIN_HISTORY_DAYS} days of purchases")
    if len(repeat) < MIN_REPEAT_CUSTOMERS:
        lacking.append(f"{MIN_REPEAT_CUSTOMERS} customers who bought again")
    if lacking and model is None:
        return simple(f"the model needs {' and '.join(lacking)}")
    try:
        bgnbd = lifetime.fit_bgnbd(frame["x"], frame["t_x"], frame["T"])
        spend = repeat.loc[repeat["m"] > 0]
        gamma_gamma = lifetime.fit_gamma_gamma(spend["x"], spend["m"])
    except lifetime.FitFailed as failed:
        if model == PROBABILISTIC:
            raise
        return simple(f"the model could not be fitted: {failed}")
    correlation = None
    if len(spend) > 2 and spend["x"].nunique() > 1 and spend["m"].nunique() > 1:
        correlation = float(np.corrcoef(spend["x"], spend["m"])[0, 1])
    parameters = {
        "r": bgnbd.r, "alpha": bgnbd.alpha, "a": bgnbd.a, "b": bgnbd.b,
        "bgnbd_log_likelihood": bgnbd.log_likelihood,
        "p": gamma_gamma.p, "q": gamma_gamma.q, "v": gamma_gamma.v,
        "gamma_gamma_log_likelihood": gamma_gamma.log_likelihood,
        "gamma_gamma_customers": len(spend),
        "frequency_spend_correlation": correlation,
    }  # fmt: skip
    return Fit(
        PROBABILISTIC, f"probabilistic: fitted on {facts}", as_of, calibration_end, period,
        len(frame), len(repeat), bgnbd, gamma_gamma, correlation,
        round(time.perf_counter() - started, 3), parameters,
    )  # fmt: skip


def value_table(
    frame: pd.DataFrame,
    model: Fit,
    *,
    customers: pd.Index,
    cost_t12m: pd.Series,
    cost_total: pd.Series,
    simple_clv: pd.Series,
    discount_rate: float,
    horizon: int,
) -> pd.DataFrame:
    """Every customer of `customers` with VALUE_COLUMNS: the model's figures where it speaks
    for them, the simple CLV (`simple_clv`) with a note where it does not."""
    table = pd.DataFrame(index=customers)
    table.index.name = "customer_id"
    bought = frame.reindex(customers)
    table["purchases"] = bought["occasions"].fillna(0).astype("int64")
    table["last_purchase"] = bought["last_day"].dt.date
    table["model"] = SIMPLE
    table["note"] = ""
    for column in VALUE_COLUMNS[4:-1]:
        table[column] = np.nan
    table["clv"] = simple_clv.reindex(customers).astype(float).fillna(0.0)
    if model.model != PROBABILISTIC or model.bgnbd is None or model.gamma_gamma is None:
        table["note"] = model.why
        return table[VALUE_COLUMNS]

    has = table.index[table["purchases"] > 0]
    rows = frame.loc[has]
    x, t_x, T = (rows[c].to_numpy(dtype=float) for c in ("x", "t_x", "T"))
    m = rows["m"].to_numpy(dtype=float)
    per_year = DAYS_A_YEAR / PERIODS[model.period]
    expected = [lifetime.expected_purchases(model.bgnbd, k * per_year, x, t_x, T)
                for k in range(horizon + 1)]  # fmt: skip
    margin = lifetime.expected_value(model.gamma_gamma, x, m)
    recent = rows["recent"].to_numpy(dtype=float)
    t12m_cost = cost_t12m.reindex(has).fillna(0.0).to_numpy(dtype=float)
    all_cost = cost_total.reindex(has).fillna(0.0).to_numpy(dtype=float)
    cost = np.where(recent > 0, t12m_cost / np.maximum(recent, 1),
                    all_cost / rows["occasions"].to_numpy(dtype=float))  # fmt: skip
    clv = sum(
        (expected[k] - expected[k - 1]) * (margin - cost) / (1.0 + discount_rate) ** k
        for k in range(1, horizon + 1)
    )
    speaks = (x == 0) | (m > 0)
    chosen = has[speaks]
    table.loc[chosen, "model"] = PROBABILISTIC
    table.loc[chosen, "p_alive"] = lifetime.p_alive(model.bgnbd, x, t_x, T)[speaks]
    table.loc[chosen, "purchases_12m"] = expected[1][speaks]
    table.loc[chosen, "purchases_horizon"] = expected[horizon][speaks]
    table.loc[chosen, "margin_per_purchase"] = margin[speaks]
    table.loc[chosen, "cost_per_purchase"] = cost[speaks]
    table.loc[chosen, "clv"] = np.asarray(clv)[speaks]
    table.loc[has[~speaks], "note"] = "mean repeat margin is not positive: simple CLV"
    table.loc[table["purchases"] == 0, "note"] = "no purchase by the calibration end: simple CLV"
    return table[VALUE_COLUMNS]


@dataclass(frozen=True)
class Lifetime:
    """A fit and every customer's figures under it (kam.figures.value.VALUE_COLUMNS)."""

    fit: Fit
    table: pd.DataFrame
    key: str
    stored: bool
    """Whether the fit is in the database (read from it, or written now)."""
    fit_id: int | None = None
    """The stored fit's id, when the figures were read from the database."""
    whole: bool = True
    """Whether `table` holds every customer (False: only those asked for)."""

    def standing(self, customer_id: int, clv: float, session: Session) -> tuple[float, float]:
        """Where a CLV of `clv` for this customer stands among the others' positive figures:
        (the sum of those ranked before it, the sum of them all); see
        kam.rules.outlook.tier_of."""
        if not self.whole:
            assert self.fit_id is not None
            return aggregates.clv_standing(session.connection(), self.fit_id, customer_id, clv)
        others = self.table["clv"].astype(float).drop(customer_id, errors="ignore")
        others = others[others > 0]
        ahead = (others > clv) | ((others == clv) & (others.index < customer_id))
        return float(others[ahead].sum()), float(others.sum())


def stored(
    session: Session, asked: Request, *, customer_ids: Collection[int] | None = None
) -> Lifetime | None:
    """The stored fit for this request and the data as they are, if there is one; with
    `customer_ids`, its table holds only those customers."""
    from sqlmodel import col, select

    from db.models import CustomerValue
    from kam.figures.fits import find

    row = find(session, asked)
    if row is None:
        return None
    parameters = json.loads(row.parameters_json)
    bgnbd = gamma_gamma = None
    if parameters:
        bgnbd = lifetime.BGNBD(parameters["r"], parameters["alpha"], parameters["a"],
                             parameters["b"], parameters["bgnbd_log_likelihood"])  # fmt: skip
        gamma_gamma = lifetime.GammaGamma(parameters["p"], parameters["q"], parameters["v"],
                                        parameters["gamma_gamma_log_likelihood"])  # fmt: skip
    fitted = Fit(
        row.model, row.why, row.as_of, row.calibration_end, row.period, row.customers,
        row.repeat_customers, bgnbd, gamma_gamma,
        parameters.get("frequency_spend_correlation"), row.seconds, parameters,
    )  # fmt: skip
    reading = select(
        CustomerValue.customer_id, *(getattr(CustomerValue, c) for c in VALUE_COLUMNS)
    ).where(CustomerValue.fit_id == row.id)  # type: ignore[call-overload]
    if customer_ids is not None:
        reading = reading.where(col(CustomerValue.customer_id).in_(list(customer_ids)))
    values = session.connection().execute(reading).all()
    table = pd.DataFrame.from_records(
        [tuple(v) for v in values], columns=["customer_id", *VALUE_COLUMNS]
    ).set_index("customer_id")
    for column in VALUE_COLUMNS[4:]:
        table[column] = table[column].astype(float)
    whole = customer_ids is None
    return Lifetime(fitted, table[VALUE_COLUMNS], row.key, True, row.id, whole)


def compute(session: Session, asked: Request) -> Lifetime:
    """Fit and compute every customer's figures (nothing is stored)."""
    from kam.figures import frames, metrics
    from kam.rules.programme import load_settings

    settings = load_settings(session)
    end = asked.calibration_end
    bought = occasions(session, end, asked.period)
    fitted = fit(bought, as_of=asked.as_of, calibration_end=end, period=asked.period,
                    model=asked.model)  # fmt: skip
    customers = frames.customers(session)
    sums = frames.t12m(session, end)
    profit = metrics.profit_from(sums.sales, sums.costs, customers)
    base = frames.base_retention(session, end)
    simple = metrics.clv_table(
        profit, base_retention=base,
        discount_rate=settings.discount_rate, horizon=settings.horizon,
    )  # fmt: skip
    yearly_costs = frames.yearly_costs(session, end)
    table = value_table(
        bought, fitted, customers=profit.index, cost_t12m=profit["cost_to_serve"],
        cost_total=yearly_costs.groupby("customer_id")["amount"].sum(),
        simple_clv=simple["clv"], discount_rate=settings.discount_rate,
        horizon=settings.horizon,
    )  # fmt: skip
    return Lifetime(fitted, table, key(session, asked), stored=False)


def current(
    session: Session, as_of: date, *, customer_ids: Collection[int] | None = None
) -> Lifetime:
    """The figures at `as_of` with the default request: stored if kept (with
    `customer_ids`, of those customers only), else computed now (every customer's)."""
    asked = request(as_of)
    return stored(session, asked, customer_ids=customer_ids) or compute(session, asked)


#: The columns the CLV table gains from the lifetime-value figures.
MODEL_COLUMNS = [
    "model", "note", "simple_clv", "p_alive", "purchases_12m", "purchases_horizon",
    "margin_per_purchase", "cost_per_purchase",
]  # fmt: skip


def combine(simple: pd.DataFrame, figures: Lifetime, overrides: pd.Index) -> pd.DataFrame:
    """The CLV table (metrics.clv_table's columns) with the model's figures beside them: `clv`
    is the probabilistic CLV where the model speaks for the customer, and the simple one
    (with its note) where it does not or where the account's overrides say otherwise."""
    table = simple.copy()
    model = figures.table.reindex(table.index)
    table["simple_clv"] = table["clv"]
    table["model"] = model["model"].fillna(SIMPLE)
    table["note"] = model["note"].fillna("")
    for column in MODEL_COLUMNS[3:]:
        table[column] = model[column].astype(float)
    overridden = table.index.isin(overrides) & (table["model"] == PROBABILISTIC)
    table.loc[overridden, "model"] = SIMPLE
    table.loc[overridden, "note"] = "the account's CLV overrides apply: simple CLV"
    chosen = table["model"] == PROBABILISTIC
    table.loc[chosen, "clv"] = model.loc[chosen, "clv"].astype(float)
    return table
