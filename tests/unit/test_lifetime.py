"""Probabilistic CLV: the published CDNOW fits reproduced through kam's own importer, the
closed forms against values worked by hand, the figures per customer, the fallbacks to the
simple CLV, and the stored fit that every screen reuses."""

from __future__ import annotations

import csv
import math
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from kam.database import Database
from kam.figures import lifetime, value
from kam.services import lifetime as service
from kam.services.importing.importer import run_import
from tests.support import Cast, add_buyers, add_small_base

CDNOW = Path(__file__).parents[1] / "data" / "cdnow"
CALIBRATION_END = date(1997, 9, 30)
PUBLISHED_BGNBD = {"r": 0.2426, "alpha": 4.4135, "a": 0.7929, "b": 2.4258}
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}


def _hyp2f1(a: float, b: float, c: float, z: float) -> float:
    """Gauss's hypergeometric series, summed term by term (|z| < 1): the tests' own."""
    total, term, n = 1.0, 1.0, 0
    while abs(term) > 1e-15 * abs(total):
        term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
        total += term
        n += 1
    return total


# ------------------------------------------------------------------ the closed forms by hand


def test_p_alive_and_expected_purchases_by_hand_for_two_customers() -> None:
    """With the published CDNOW parameters. Customer 1 (x = 2, t_x = 30.43, T = 38.86) is
    the paper's worked example: 1.226 purchases expected in the next 39 weeks."""
    r, alpha, a, b = 0.2426, 4.4135, 0.7929, 2.4258
    model = lifetime.BGNBD(r, alpha, a, b, 0.0)

    # Customer 1. Odds against being alive: a / (b + x - 1) * ((alpha + T)/(alpha + t_x))^(r + x)
    x, t_x, T, t = 2, 30.43, 38.86, 39.0
    odds = a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)
    assert odds == pytest.approx(0.37626, rel=1e-4)  # 0.7929/3.4258 * 1.62565...
    alive = 1 / (1 + odds)
    z = t / (alpha + T + t)
    expected = (
        ((a + b + x - 1) / (a - 1))
        * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * _hyp2f1(r + x, b + x, a + b + x - 1, z))
        / (1 + odds)
    )
    assert expected == pytest.approx(1.226, abs=5e-4)  # the published figure
    assert lifetime.p_alive(model, [x], [t_x], [T])[0] == pytest.approx(alive, rel=1e-9)
    assert lifetime.expected_purchases(model, t, [x], [t_x], [T])[0] == pytest.approx(
        expected, rel=1e-9
    )

    # Customer 2 bought once (x = 0): alive for sure; the expectation has no odds term.
    x, t_x, T = 0, 0.0, 38.86
    z = t / (alpha + T + t)
    expected = ((a + b - 1) / (a - 1)) * (
        1 - ((alpha + T) / (alpha + T + t)) ** r * _hyp2f1(r, b, a + b - 1, z)
    )
    assert lifetime.p_alive(model, [x], [t_x], [T])[0] == 1.0
    assert lifetime.expected_purchases(model, t, [x], [t_x], [T])[0] == pytest.approx(
        expected, rel=1e-9
    )
    assert 0 < expected < 1


def test_the_expected_value_of_a_purchase_by_hand() -> None:
    """(v + x m) p / (p x + q - 1): 3 repeat purchases of mean 20 with p = 6.25, q = 3.74,
    v = 15.44 give (15.44 + 60) * 6.25 / (18.75 + 2.74) = 471.5 / 21.49 = 21.94; with no
    repeat purchase, the population mean v p / (q - 1) = 96.5 / 2.74 = 35.22."""
    model = lifetime.GammaGamma(6.25, 3.74, 15.44, 0.0)
    assert lifetime.expected_value(model, [3, 0], [20.0, 0.0]).tolist() == pytest.approx(
        [471.5 / 21.49, 96.5 / 2.74]
    )


def test_the_discounted_clv_of_one_customer_by_hand() -> None:
    """One customer, weeks, a 2-year horizon at 10 %: CLV = sum over years k of
    (E[Y(52.18 k)] - E[Y(52.18 (k-1))]) x (margin - cost per purchase) / 1.1^k."""
    r, alpha, a, b = 0.2426, 4.4135, 0.7929, 2.4258
    p, q, v = 6.25, 3.74, 15.44
    x, t_x, T, m = 2, 30.43, 38.86, 40.0
    week_years = 365.25 / 7

    def expected(t: float) -> float:
        if t == 0:
            return 0.0
        odds = a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)
        z = t / (alpha + T + t)
        head = (a + b + x - 1) / (a - 1)
        tail = ((alpha + T) / (alpha + T + t)) ** (r + x) * _hyp2f1(r + x, b + x, a + b + x - 1, z)
        return head * (1 - tail) / (1 + odds)

    margin = (v + x * m) * p / (p * x + q - 1)  # 95.44 * 6.25 / 15.24 = 39.14
    cost = 90.0 / 3  # T12M cost to serve 90 over 3 T12M purchases
    by_hand = sum(
        (expected(k * week_years) - expected((k - 1) * week_years)) * (margin - cost) / 1.1**k
        for k in (1, 2)
    )
    import pandas as pd

    frame = pd.DataFrame(
        {"occasions": [3], "first_day": [pd.Timestamp("1997-01-01")],
         "last_day": [pd.Timestamp("1997-08-02")], "x": [x], "t_x": [t_x], "T": [T], "m": [m],
         "recent": [3]},
        index=pd.Index([7], name="customer_id"),
    )  # fmt: skip
    fit = value.Fit(
        value.PROBABILISTIC, "", CALIBRATION_END, CALIBRATION_END, "week",
        bgnbd=lifetime.BGNBD(r, alpha, a, b, 0.0), gamma_gamma=lifetime.GammaGamma(p, q, v, 0.0),
    )  # fmt: skip
    table = value.value_table(
        frame, fit, customers=pd.Index([7]), cost_t12m=pd.Series({7: 90.0}),
        cost_total=pd.Series({7: 500.0}), simple_clv=pd.Series({7: -1.0}), discount_rate=0.10,
        horizon=2,
    )  # fmt: skip
    row = table.loc[7]
    assert row["model"] == value.PROBABILISTIC
    assert row["margin_per_purchase"] == pytest.approx(margin)
    assert row["cost_per_purchase"] == pytest.approx(30.0)
    assert row["clv"] == pytest.approx(by_hand, rel=1e-9)
    assert row["purchases_12m"] == pytest.approx(expected(week_years), rel=1e-9)


# ------------------------------------------------------------------ CDNOW, through the importer


def _import_cdnow(database: Database, cast: Cast, tmp_path: Path) -> None:
    """The CDNOW transactions as a supplier would send them: one CSV of customers, one of
    sales lines (cost of goods 0, so a purchase's margin is its value)."""
    lines = [row.split() for row in (CDNOW / "CDNOW_sample.txt").read_text().splitlines()]
    customers, sales = tmp_path / "customers.csv", tmp_path / "sales.csv"
    with customers.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["name", "code"])
        writer.writerows([f"CDNOW {c}", c] for c in sorted({line[0] for line in lines}))
    with sales.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["customer", "date", "revenue", "cost_of_goods", "quantity"])
        for customer, _index, day, quantity, amount in lines:
            iso = f"{day[:4]}-{day[4:6]}-{day[6:]}"
            writer.writerow([customer, iso, amount, "0", quantity])
    with database.writing() as s:
        run_import(s, cast.admin, "customers", customers)
    with database.writing() as s:
        report = run_import(s, cast.admin, "transactions", sales)
    assert report.written == len(lines) == 6919  # every line, zero-value ones included


def test_the_published_cdnow_fits_are_reproduced_through_the_importer(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    _import_cdnow(database, cast, tmp_path)
    with database.reading() as s:
        frame = value.occasions(s, CALIBRATION_END, "week")
    cdnow = frame.loc[frame.index > 3]  # the cast's three customers have no sales
    assert len(cdnow) == 2357
    fit = value.fit(cdnow, as_of=CALIBRATION_END, calibration_end=CALIBRATION_END,
                    period="week", model=value.PROBABILISTIC)  # fmt: skip
    assert fit.bgnbd is not None and fit.gamma_gamma is not None
    for name, published in PUBLISHED_BGNBD.items():
        assert getattr(fit.bgnbd, name) == pytest.approx(published, rel=0.005), name
    for name, published in PUBLISHED_GAMMA_GAMMA.items():
        assert getattr(fit.gamma_gamma, name) == pytest.approx(published, rel=0.005), name
    assert fit.parameters["gamma_gamma_customers"] == 946
    assert fit.bgnbd.log_likelihood == pytest.approx(-9582.4, abs=0.1)  # as published

    # The summaries the published fits start from, customer by customer.
    with (CDNOW / "cdnow_customers_summary_with_transactions.csv").open() as source:
        published = list(csv.DictReader(source))
    assert sorted(cdnow["x"].astype(int)) == sorted(int(row["x"]) for row in published)
    assert sum(cdnow["m"]) == pytest.approx(sum(float(row["zbar"]) for row in published),
                                            rel=1e-4)  # fmt: skip


# ------------------------------------------------------------------ the service and its store


@pytest.mark.today("2026-07-01")
def test_too_little_history_keeps_the_simple_clv_and_says_why(
    database: Database, cast: Cast
) -> None:
    add_small_base(database)
    with database.reading() as s:
        figures = value.compute(s, value.request(date(2026, 6, 30)))
    assert figures.fit.model == value.SIMPLE
    assert "the model needs" in figures.fit.why and "customers who bought again" in figures.fit.why
    # Acme's simple CLV: 500 x 2.118998 (see tests/cli/test_metrics_cli.py)
    assert figures.table.loc[1, "clv"] == pytest.approx(1059.50, abs=0.01)
    assert set(figures.table["model"]) == {value.SIMPLE}


@pytest.mark.today("2026-07-01")
def test_a_fit_is_stored_once_reused_and_refitted_when_the_data_change(
    database: Database, cast: Cast
) -> None:
    add_buyers(database)
    asked = value.request(date(2026, 6, 30))
    first = service.lifetime_values(database, cast.manager, asked)
    assert first.fit.model == value.PROBABILISTIC and first.stored, first.fit.why
    again = service.lifetime_values(database, cast.manager, asked)
    assert again.key == first.key and again.stored
    assert again.table["clv"].tolist() == pytest.approx(first.table["clv"].tolist())
    with database.engine.begin() as conn:  # one more sale: a new fit
        conn.execute(text("INSERT INTO sales_line (customer_id, sold_on, revenue, "
                          "cost_of_goods, quantity, line_key) VALUES (4, '2026-06-01', 1, 0, "
                          "1, 'late')"))  # fmt: skip
    changed = service.lifetime_values(database, cast.manager, asked)
    assert changed.key != first.key
    with database.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM value_fit")).scalar_one() == 2


@pytest.mark.today("2026-07-01")
def test_a_viewer_computes_the_figures_but_stores_nothing(database: Database, cast: Cast) -> None:
    add_buyers(database, customers=25)
    figures = service.lifetime_values(database, cast.viewer, value.request(date(2026, 6, 30)))
    assert figures.fit.model == value.PROBABILISTIC and not figures.stored
    with database.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM value_fit")).scalar_one() == 0


@pytest.mark.today("2026-07-01")
def test_customers_the_model_cannot_speak_for_keep_the_simple_clv(
    database: Database, cast: Cast
) -> None:
    add_buyers(database, customers=25)
    with database.engine.begin() as conn:
        # Acme (1) buys on two days at a loss after the first: mean repeat margin < 0.
        for day, margin in (("2025-01-10", 50), ("2025-06-10", -30)):
            conn.execute(
                text("INSERT INTO sales_line (customer_id, sold_on, revenue, cost_of_goods, "
                     "quantity, line_key) VALUES (1, :d, 100, :g, 1, :k)"),
                {"d": day, "g": 100 - margin, "k": f"acme/{day}"},
            )  # fmt: skip
    with database.reading() as s:
        figures = value.compute(s, value.request(date(2026, 6, 30)))
    table = figures.table
    assert table.loc[1, "model"] == value.SIMPLE
    assert table.loc[1, "note"] == "mean repeat margin is not positive: simple CLV"
    assert table.loc[2, "note"] == "no purchase by the calibration end: simple CLV"  # 北京
    assert table.loc[4, "model"] == value.PROBABILISTIC
    assert 0 < table.loc[4, "p_alive"] <= 1 and table.loc[4, "clv"] > 0


def test_a_request_names_what_is_wrong() -> None:
    from kam.errors import InvalidData

    with pytest.raises(InvalidData, match="period: 'fortnight' is not one of day, week, month"):
        value.request(date(2026, 6, 30), period="fortnight")
    with pytest.raises(InvalidData, match="calibration end 2026-07-01 is after"):
        value.request(date(2026, 6, 30), calibration_end=date(2026, 7, 1))
    assert math.isfinite(value.PERIODS["month"])


def test_customers_who_never_drop_out_fit_the_limit_where_everyone_is_alive() -> None:
    """Everyone bought until the end of the calibration (t_x = T): the likelihood rises as
    the dropout probability a / (a + b) falls to 0, BG/NBD's limit (the NBD model), so the
    fit stands with P(alive) 1 for everyone instead of falling back."""
    x = [1, 2, 3, 4, 5, 6, 8, 10, 12, 15] * 5
    t_x = T = [52.0] * len(x)
    fit = lifetime.fit_bgnbd(x, t_x, T)
    assert fit.a / (fit.a + fit.b) < 1e-6
    assert lifetime.p_alive(fit, x, t_x, T) == pytest.approx([1.0] * len(x), abs=1e-6)


def test_a_heavy_buyer_s_expected_purchases_stay_finite() -> None:
    """With hundreds of purchases, (alpha+T)/(alpha+T+t))^(r+x) underflows to 0 while
    2F1(r+x, b+x; a+b+x-1; z) overflows: their product was NaN and the fit could not be
    stored (NOT NULL clv). Euler's transformation keeps it finite. Parameters of a 50,000-
    customer fit near the no-dropout limit (a ~ 0): the customer is then simply a Poisson
    buyer at the gamma posterior's rate, E = (r + x) / (alpha + T) * t."""
    m = lifetime.BGNBD(r=0.4178, alpha=6.0957, a=1.3e-7, b=27330.3, log_likelihood=0.0)
    got = lifetime.expected_purchases(m, 52.0, [1087.0], [155.0], [156.0])
    assert math.isfinite(got[0])
    assert got[0] == pytest.approx((0.4178 + 1087) / (6.0957 + 156) * 52, rel=1e-4)
    # Where the closed form is finite, the result is unchanged (the published CDNOW fit).
    cdnow = lifetime.BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0.0)
    few = lifetime.expected_purchases(cdnow, 39.0, [2.0, 30.0], [30.43, 38.0], [38.86, 38.86])
    assert all(math.isfinite(v) for v in few)
