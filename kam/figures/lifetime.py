"""The probabilistic lifetime-value models: BG/NBD for how often a customer buys and when
they drop out (Fader, Hardie & Lee 2005, "Counting your customers the easy way"), and
Gamma-Gamma for what a purchase is worth (Fader, Hardie & Lee 2005, "RFM and CLV"; Fader &
Hardie 2013, "The Gamma-Gamma model of monetary value"). Fitted by maximum likelihood with
scipy; pure functions over numpy arrays (no database, no pandas).

Per customer, in the fit's time unit (days, weeks or months):

- x: repeat purchases (purchase occasions, i.e. distinct days with a purchase, minus one);
- t_x: the time from the first purchase to the last;
- T: the time from the first purchase to the end of the calibration period;
- m: the mean value of the repeat purchases (the first excluded, as the model requires).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]


class FitFailed(ValueError):
    """The likelihood could not be maximised on these data (too few, or degenerate)."""


@dataclass(frozen=True)
class BGNBD:
    """Fitted BG/NBD parameters: purchase rates ~ Gamma(r, alpha); the dropout probability
    after each purchase ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float


@dataclass(frozen=True)
class GammaGamma:
    """Fitted Gamma-Gamma parameters: a purchase's value ~ Gamma(p, nu), with the customer's
    nu ~ Gamma(q, v)."""

    p: float
    q: float
    v: float
    log_likelihood: float


def _arrays(*values: ArrayLike) -> list[Array]:
    return [np.asarray(v, dtype=float) for v in values]


def _grouped(*columns: Array) -> tuple[list[Array], Array]:
    """The distinct rows of the columns and how many times each occurs (the likelihood of a
    big base is a sum over far fewer distinct (x, t_x, T) than customers)."""
    stacked = np.column_stack(columns)
    rows, counts = np.unique(stacked, axis=0, return_counts=True)
    return [rows[:, i] for i in range(rows.shape[1])], counts.astype(float)


def bgnbd_log_likelihood(
    r: float, alpha: float, a: float, b: float, x: Array, t_x: Array, T: Array
) -> Array:
    """Each customer's log-likelihood under BG/NBD (equation 6 of the 2005 paper, in logs)."""
    from scipy.special import betaln, gammaln

    x, t_x, T = _arrays(x, t_x, T)
    common = (
        gammaln(r + x) - gammaln(r) + r * math.log(alpha)
        + betaln(a, b + x) - betaln(a, b)
    )  # fmt: skip
    stays = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    drops = np.full_like(x, -np.inf)
    drops[repeat] = (
        math.log(a) - np.log(b + x[repeat] - 1) - (r + x[repeat]) * np.log(alpha + t_x[repeat])
    )
    return common + np.logaddexp(stays, drops)


#: The log-parameters are searched within these bounds (about 1.5e-8 to 6.6e7): a fit that
#: ends on one means the likelihood has no maximum on the data (it keeps rising as a
#: parameter runs off, e.g. purchase values that never vary, or customers who never drop out).
_BOUND = 18.0


def _maximise(
    likelihood: Callable[..., Array], start: Array, *, limit: Callable[[Array], bool] | None = None
) -> tuple[Array, float]:
    """Maximise a summed log-likelihood over log-parameters; (parameters, maximum). A fit
    on a bound is refused unless `limit` accepts the log-parameters as a meaningful limit.

    L-BFGS-B climbs from `start` (a few hundred evaluations, each a pass over the distinct
    customers); a short Nelder-Mead from there checks the summit and L-BFGS-B polishes what
    it finds. Nelder-Mead alone to tight tolerances takes a hundred times as many passes.
    """
    from scipy.optimize import minimize

    def negative(log_params: Array) -> float:
        with np.errstate(all="ignore"):
            try:
                value = -float(np.sum(likelihood(*np.exp(log_params))))
            except (ValueError, OverflowError, ZeroDivisionError):
                return 1e300
        return value if math.isfinite(value) else 1e300

    bounds = [(-_BOUND, _BOUND)] * len(start)
    best = minimize(negative, np.clip(start, -_BOUND, _BOUND), method="L-BFGS-B", bounds=bounds)
    options = {"xatol": 1e-6, "fatol": 1e-6, "maxfev": 150 * len(start)}
    check = minimize(negative, best.x, method="Nelder-Mead", bounds=bounds, options=options)
    if check.fun < best.fun - 1e-9:
        polished = minimize(negative, check.x, method="L-BFGS-B", bounds=bounds)
        best = polished if polished.fun <= check.fun else check
    on_bound = np.any(np.abs(best.x) > _BOUND - 1e-3)
    if best.fun >= 1e300 or (on_bound and not (limit and limit(best.x))):
        raise FitFailed("the likelihood has no maximum on these data")
    return np.exp(best.x), -float(best.fun)


def fit_bgnbd(x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> BGNBD:
    """Maximum-likelihood BG/NBD parameters for customers (x, t_x, T)."""
    x, t_x, T = _arrays(x, t_x, T)
    if len(x) == 0 or not np.any(x > 0):
        raise FitFailed("no customer has bought more than once")
    (gx, gt, gT), weight = _grouped(x, t_x, T)
    scale = float(np.mean(T)) or 1.0  # alpha is in the time unit: start near it

    def likelihood(r: float, alpha: float, a: float, b: float) -> Array:
        return weight * bgnbd_log_likelihood(r, alpha, a, b, gx, gt, gT)

    def nobody_drops_out(log_params: Array) -> bool:
        """Only the dropout ran off (a to 0, or b to infinity): the customers in these data
        do not drop out, and BG/NBD's limit is the NBD model, P(alive) 1 for everyone."""
        r_, alpha_, a_, b_ = log_params
        inside = all(abs(v) < _BOUND - 1e-3 for v in (r_, alpha_))
        return inside and (a_ < -_BOUND + 1e-3 or b_ > _BOUND - 1e-3)

    params, maximum = _maximise(
        likelihood, np.log([1.0, scale / 10, 1.0, 1.0]), limit=nobody_drops_out
    )
    r, alpha, a, b = (float(v) for v in params)
    return BGNBD(r, alpha, a, b, maximum)


def _alive_odds(model: BGNBD, x: Array, t_x: Array, T: Array) -> Array:
    """delta(x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x): the odds
    against being alive, computed in logs."""
    odds = np.zeros_like(x)
    repeat = x > 0
    xr, tr, Tr = x[repeat], t_x[repeat], T[repeat]
    odds[repeat] = np.exp(
        math.log(model.a) - np.log(model.b + xr - 1)
        + (model.r + xr) * (np.log(model.alpha + Tr) - np.log(model.alpha + tr))
    )  # fmt: skip
    return odds


def p_alive(model: BGNBD, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> Array:
    """P(alive | x, t_x, T): the probability the customer has not dropped out by T."""
    x, t_x, T = _arrays(x, t_x, T)
    return 1.0 / (1.0 + _alive_odds(model, x, t_x, T))


def expected_purchases(model: BGNBD, t: float, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> Array:
    """E[purchases in (T, T + t] | x, t_x, T] (equation 10 of the 2005 paper)."""
    from scipy.special import hyp2f1

    x, t_x, T = _arrays(x, t_x, T)
    if t <= 0:
        return np.zeros_like(x)
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    if a == 1:  # the closed form divides by a - 1; a hair away, it is continuous
        a = 1 + 1e-9
    z = t / (alpha + T + t)
    survive = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t)))
    head = (a + b + x - 1) / (a - 1)
    with np.errstate(invalid="ignore", over="ignore"):
        body = 1.0 - survive * hyp2f1(r + x, b + x, a + b + x - 1, z)
    lost = ~np.isfinite(body)
    if lost.any():
        # For a heavy buyer (x in the hundreds) survive underflows to 0 while the
        # hypergeometric term overflows: Euler's transformation, 2F1(α, β; γ; z) =
        # (1 - z)^(γ-α-β) 2F1(γ-α, γ-β; γ; z), folds survive into it and leaves a series
        # that stays small: survive * 2F1(...) = (1 - z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z).
        xl, zl = x[lost], z[lost]
        body[lost] = 1.0 - (1.0 - zl) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + xl - 1, zl)
    return head * body / (1.0 + _alive_odds(model, x, t_x, T))


def gamma_gamma_log_likelihood(p: float, q: float, v: float, x: Array, m: Array) -> Array:
    """Each repeat customer's log-likelihood of their mean repeat value m over x purchases."""
    from scipy.special import gammaln

    x, m = _arrays(x, m)
    px = p * x
    return (
        gammaln(px + q) - gammaln(px) - gammaln(q) + q * math.log(v)
        + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * np.log(x * m + v)
    )  # fmt: skip


def fit_gamma_gamma(x: ArrayLike, m: ArrayLike) -> GammaGamma:
    """Maximum-likelihood Gamma-Gamma parameters from repeat customers (x > 0, m > 0)."""
    x, m = _arrays(x, m)
    keep = (x > 0) & (m > 0)
    if not np.any(keep):
        raise FitFailed("no customer has a repeat purchase of positive value")
    (gx, gm), weight = _grouped(x[keep], m[keep])

    def likelihood(p: float, q: float, v: float) -> Array:
        return weight * gamma_gamma_log_likelihood(p, q, v, gx, gm)

    params, maximum = _maximise(likelihood, np.log([1.0, 1.0, float(np.mean(m[keep]))]))
    p, q, v = (float(value) for value in params)
    return GammaGamma(p, q, v, maximum)


def expected_value(model: GammaGamma, x: ArrayLike, m: ArrayLike) -> Array:
    """E[a purchase's value | x, m]: the customer's mean repeat value shrunk towards the
    population's, (v + x m) p / (p x + q - 1); with x = 0, the population's mean v p / (q - 1)."""
    x, m = _arrays(x, m)
    if model.q <= 1:
        raise FitFailed(f"q = {model.q:.4g} <= 1: the mean purchase value is infinite")
    mean = np.where(x > 0, m, 0.0)
    return (model.v + x * mean) * model.p / (model.p * x + model.q - 1)
