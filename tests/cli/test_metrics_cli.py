"""`kam metrics` and `kam account show`: the numbers, worked out by hand on a tiny base.

As of 2026-06-30 the trailing twelve months are 2025-07-01 .. 2026-06-30.

| customer            | sales in T12M (rev / cogs)       | costs in T12M            | before T12M        |
| Acme [/b] Ltd       | 1000/600 (2025-08-01), 500/250   | logistics 100, support 50| 200/100 2024-09-01 |
| 北京燕京啤酒          | none                             | sales 40                 | 300/200 2024-10-01 |
| Plain Prospect GmbH | 100/30 (2026-06-30)              | none                     | 100/20 2025-01-10  |

Acme: revenue 1500, margin 400 + 250 = 650, cost to serve 150, profit 500.
北京: profit 0 - 40 = -40.  Plain: revenue 100, margin 70, profit 70.  Total 530.
Base retention: active 2024-07-01..2025-06-30 = all three; active in T12M = Acme, Plain: 2/3.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import text

from kam.database import Database
from tests.cli.conftest import Kam
from tests.cli.support import ok, parsed, usage_error
from tests.support import add_small_base

AS_OF = "2026-06-30"


@pytest.fixture
def base(cli_db: Database) -> Database:
    add_small_base(cli_db)
    return cli_db


def test_profit_is_margin_after_cost_to_serve_per_customer(kam: Kam, base: Database) -> None:
    rows = {
        r["customer"]: r
        for r in parsed(kam("metrics", "profit", "--as-of", AS_OF, "--json"))["rows"]
    }
    acme = rows["Acme [/b] Ltd"]
    assert (acme["revenue"], acme["gross_margin"], acme["cost_to_serve"], acme["profit"]) == (
        1000 + 500,
        (1000 - 600) + (500 - 250),
        100 + 50,
        650 - 150,
    )
    assert (acme["cts_logistics"], acme["cts_support"], acme["cts_sales"]) == (100, 50, 0)
    assert rows["北京燕京啤酒"]["profit"] == 0 - 40
    assert rows["Plain Prospect GmbH"]["profit"] == 100 - 30
    assert list(rows) == ["Acme [/b] Ltd", "Plain Prospect GmbH", "北京燕京啤酒"]  # best first


def test_pareto_names_who_makes_80_percent_and_who_is_below_break_even(
    kam: Kam, base: Database
) -> None:
    report = parsed(kam("metrics", "pareto", "--as-of", AS_OF, "--json"))
    summary = report["summary"]
    assert summary["total_profit"] == 500 + 70 - 40
    # 80 % of 530 is 424; Acme alone brings 500.
    assert (summary["customers_for_80"], summary["share_for_80"]) == (1, pytest.approx(1 / 3))
    assert (summary["below_break_even"], summary["loss_from_below_break_even"]) == (1, -40)
    assert [r["cum_share"] for r in report["rows"]] == pytest.approx([500 / 530, 570 / 530, 1.0])


def test_share_of_wallet_and_headroom(kam: Kam, base: Database) -> None:
    report = parsed(
        kam("metrics", "wallet", "--as-of", AS_OF, "--customer", "acme [/b] ltd", "--json")
    )
    (acme,) = report["rows"]
    assert (acme["share"], acme["headroom"]) == (1500 / 1_000_000, 1_000_000 - 1500)


def test_retention_of_the_base(kam: Kam, base: Database) -> None:
    report = parsed(kam("metrics", "retention", "--as-of", AS_OF, "--json"))
    assert report["summary"]["trailing_retention"] == pytest.approx(2 / 3)
    by_year = {r["year"]: r for r in report["rows"]}
    # 2024 buyers: Acme, 北京. In 2025: Acme (Aug) and Plain (Jan, new) -> 1 of 2 retained.
    assert (by_year[2025]["active_previous"], by_year[2025]["retained"]) == (2, 1)


def test_clv_shows_every_input_beside_the_result(kam: Kam, base: Database) -> None:
    report = parsed(
        kam("metrics", "clv", "--as-of", AS_OF, "--customer", "Acme [/b] Ltd", "--json")
    )
    (acme,) = report["rows"]
    # (M - C) = 650 - 150 = 500; r = 2/3; d = 10 %; H = 5:
    # 500 * (0.909091 + 0.550964 + 0.333918 + 0.202374 + 0.122651) = 500 * 2.118998 = 1059.50
    assert acme["clv"] == pytest.approx(1059.50, abs=0.01)
    assert (acme["margin"], acme["cost_to_serve"], acme["retention"]) == (
        650,
        150,
        pytest.approx(2 / 3),
    )
    assert (acme["discount_rate"], acme["horizon"]) == (0.1, 5)
    assert (acme["margin_source"], acme["retention_source"]) == ("t12m", "base")


def test_clv_says_which_model_and_why(kam: Kam, base: Database) -> None:
    """Three customers cannot carry the model (it needs 20 who bought again): every CLV is
    the simple one, and the report says why."""
    report = parsed(kam("metrics", "clv", "--as-of", AS_OF, "--json"))
    summary = report["summary"]
    assert summary["model"] == "simple"
    assert summary["why"] == (  # Acme and Plain bought again; 2024-09-01 .. 2026-06-30
        "simple: the model needs 20 customers who bought again "
        "(3 customers, 2 bought again, 1.8 years of purchases)"
    )
    assert summary["by_model"] == {"simple": 3}
    assert {r["customer"]: r["tier"] for r in report["rows"]} == {
        "Acme [/b] Ltd": "A",  # 1059.50 of 1207.83: first, so A
        "Plain Prospect GmbH": "B",  # 1059.50 / 1207.83 = 0.877 before it: under 0.95
        "北京燕京啤酒": "loss",  # -40 x 2.118998
    }
    forced = parsed(kam("metrics", "clv", "--as-of", AS_OF, "--model", "simple", "--json"))
    assert forced["summary"]["why"].startswith("simple: asked for")
    problem = kam("metrics", "clv", "--as-of", AS_OF, "--period", "fortnight")
    assert "'fortnight' is not one of 'day', 'week', 'month'" in usage_error(problem)


def test_value_tiers_by_cumulative_share_of_positive_clv(kam: Kam, base: Database) -> None:
    report = parsed(kam("metrics", "tiers", "--as-of", AS_OF, "--json"))
    positive = (500 + 70) * 2.118998
    assert report["summary"]["tiers"] == {
        "A": {"customers": 1, "clv": pytest.approx(500 * 2.118998, abs=0.01)},
        "B": {"customers": 1, "clv": pytest.approx(70 * 2.118998, abs=0.01)},
        "loss": {"customers": 1, "clv": pytest.approx(-40 * 2.118998, abs=0.01)},
    }
    shares = {r["customer"]: r["cum_share"] for r in report["rows"]}
    assert shares["Acme [/b] Ltd"] == pytest.approx(500 * 2.118998 / positive)
    assert shares["Plain Prospect GmbH"] == pytest.approx(1.0)
    assert shares["北京燕京啤酒"] is None  # a loss is outside the shares


def test_churn_lists_the_customers_at_risk_with_their_reasons(kam: Kam, base: Database) -> None:
    """As of 2026-06-30 (the simple model: no P(alive)): 北京 bought once, on 2024-10-01,
    637 days before; Acme's usual gap is the median of 334 and 212 days (273) and its last
    purchase 121 days ago; Plain bought that day."""
    report = parsed(kam("metrics", "churn", "--as-of", AS_OF, "--json"))
    assert [(r["customer"], r["stage"], r["days_since_purchase"], r["reasons"])
            for r in report["rows"]] == [
        ("北京燕京啤酒", "lapsing", 637, ["one purchase, 637 days ago"]),
    ]  # fmt: skip
    assert report["summary"]["at_risk"] == 1
    # 北京 is a nominee, not a key account: the key accounts' list is empty.
    members = parsed(kam("metrics", "churn", "--as-of", AS_OF, "--key-accounts", "--json"))
    assert (members["rows"], members["summary"]["key_accounts_only"]) == ([], True)
    people = ok(kam("metrics", "churn", "--as-of", AS_OF)).stdout
    assert "one purchase, 637 days ago" in people


def test_account_show_gives_the_worth_with_the_accounts_own_retention(
    kam: Kam, base: Database
) -> None:
    ok(kam("account", "update", "Acme [/b] Ltd", "--retention", "0.5"))
    account = parsed(kam("account", "show", "Acme [/b] Ltd", "--as-of", AS_OF, "--json"))
    worth = account["worth"]
    assert (worth["profit"], worth["cost_to_serve"], worth["share_of_wallet"]) == (500, 150, 0.0015)
    assert worth["cost_to_serve_by_category"] == {"logistics": 100, "support": 50}
    # 500 * (1/1.1 + 0.5/1.21 + 0.25/1.331 + 0.125/1.4641 + 0.0625/1.61051) = 817.16
    assert worth["clv"] == pytest.approx(817.16, abs=0.01)
    assert (worth["clv_retention"], worth["clv_retention_source"]) == (0.5, "override")
    assert worth["profit_by_year"] == {"2024": 100, "2025": 400, "2026": 250 - 150}


def test_account_show_prints_worth_for_people(kam: Kam, base: Database) -> None:
    out = ok(kam("account", "show", "Acme [/b] Ltd", "--as-of", AS_OF)).stdout
    assert "Worth, trailing twelve months to 2026-06-30" in out
    assert "retention r" in out and "66.7% (base)" in out and "profit" in out
    assert "model" in out and "simple formula" in out


def test_account_show_names_the_probabilistic_model_and_its_own_inputs(
    base: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    """The probabilistic figure was printed over the simple formula's inputs, which give
    another figure, without naming the model."""
    from dataclasses import replace
    from datetime import date

    from kam.cli.account import _print_worth
    from kam.figures.worth import customer_worth
    from kam.services.common import customer_by_name

    with base.reading() as s:
        simple = customer_worth(s, customer_by_name(s, "Acme [/b] Ltd").id, as_of=date(2026, 6, 30))
    modelled = replace(simple, clv_model="probabilistic", clv=1234.5, simple_clv=simple.clv,
                       p_alive=0.87, purchases_12m=2.5, margin_per_purchase=300.0,
                       cost_per_purchase=40.0)  # fmt: skip
    _print_worth(modelled)
    lines = [" ".join(line.split()) for line in capsys.readouterr().out.splitlines()]

    assert "CLV 1,234.50" in lines
    assert "model probabilistic (BG/NBD and Gamma-Gamma)" in lines
    assert {"P(alive) 0.87", "purchases, 12 months 2.5", "margin per purchase 300.00",
            "cost per purchase 40.00"} <= set(lines)  # fmt: skip
    assert f"simple formula {simple.clv:,.2f}" in lines
    assert lines.index(f"simple formula {simple.clv:,.2f}") < lines.index(
        "retention r 66.7% (base)"
    )


def test_csv_output_is_machine_readable(kam: Kam, base: Database) -> None:
    out = ok(kam("metrics", "profit", "--as-of", AS_OF, "--csv", "--top", "2")).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["customer"] for r in rows] == ["Acme [/b] Ltd", "Plain Prospect GmbH"]


def test_metrics_help_does_not_need_a_database(kam: Kam) -> None:
    assert "pareto" in ok(kam("metrics", "--help")).stdout


def test_rfm_counts_the_same_twelve_months_as_profit_across_a_leap_day(
    kam: Kam, base: Database
) -> None:
    # As of 2025-01-09 the T12M run 2024-01-10 .. 2025-01-09: 366 days, 29 February within.
    with base.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sales_line (customer_id, sold_on, revenue, cost_of_goods, quantity, "
                "order_id, line_key) VALUES (3, :d, 40, 10, 1, 'P9', 'P9')"
            ),
            {"d": date(2024, 1, 10)},  # Plain Prospect GmbH, on the window's first day
        )
    as_of = "2025-01-09"
    profit = parsed(kam("metrics", "profit", "--as-of", as_of, "--json"))["rows"]
    rfm = {
        r["customer"]: r for r in parsed(kam("metrics", "rfm", "--as-of", as_of, "--json"))["rows"]
    }
    margins = {r["customer"]: r["gross_margin"] for r in profit if r["revenue"]}
    assert margins == {
        "Acme [/b] Ltd": 200 - 100,
        "北京燕京啤酒": 300 - 200,
        "Plain Prospect GmbH": 40 - 10,
    }
    assert {name: r["monetary"] for name, r in rfm.items()} == margins
    plain = rfm["Plain Prospect GmbH"]
    assert (plain["frequency"], plain["recency_days"]) == (1, 366 - 1)


def test_churn_shows_the_margin_change_as_a_percentage(kam: Kam, base: Database) -> None:
    # 北京: T12M gross margin 0 against 300 - 200 = 100 the twelve months before: -100 %.
    (beijing,) = parsed(kam("metrics", "churn", "--as-of", AS_OF, "--json"))["rows"]
    assert beijing["margin_change"] == -1.0
    table = ok(kam("metrics", "churn", "--as-of", AS_OF)).stdout.splitlines()
    (row,) = [line for line in table if line.startswith("2 ")]
    assert "-100.0%" in row.split()


def test_retention_of_one_customer_is_refused_naming_the_option(kam: Kam, base: Database) -> None:
    """Retention is the base's, a row per year: --customer is no option of it (as for churn
    and break-even), not a filter silently ignored."""
    stderr = usage_error(kam("metrics", "retention", "--as-of", AS_OF, "--customer", "Acme"))
    assert "--customer" in stderr
    assert "--customer" not in ok(kam("metrics", "retention", "--help")).stdout


def test_a_calibration_end_after_the_as_of_date_is_a_usage_error_naming_both(
    kam: Kam, base: Database
) -> None:
    stderr = usage_error(kam("metrics", "clv", "--as-of", AS_OF, "--calibration-end", "2026-07-01"))
    assert "--calibration-end" in stderr and "--as-of" in stderr
    assert "2026-07-01 is after the figures' date 2026-06-30" in stderr


def test_an_unmeasurable_base_retention_reads_unknown_in_the_clv_and_the_what_if(
    kam: Kam, base: Database
) -> None:
    """As of 2025-06-30 (T12M 2024-07-01 .. 2025-06-30) nobody bought in the year before,
    2023-07-01 .. 2024-06-30: the base's retention is unknown. Each CLV then takes r = 0,
    its source saying the base's is unknown: one discounted year of margin (no cost to
    serve yet), Acme 100 / 1.1, 北京 100 / 1.1, Plain 80 / 1.1. The what-if says the same:
    unknown, taken as 0 %, 5 % at +5 points; its profit over 5 years is now the year ahead's,
    280, and at r = 5 %: 280 x (1 + 0.05 + 0.05^2 + 0.05^3 + 0.05^4) = 294.73675."""
    report = parsed(kam("metrics", "clv", "--as-of", "2025-06-30", "--json"))
    assert report["summary"]["base_retention"] is None
    rows = {r["customer"]: r for r in report["rows"]}
    assert {name: (r["retention"], r["retention_source"]) for name, r in rows.items()} == {
        "Acme [/b] Ltd": (0.0, "base_unknown"),
        "北京燕京啤酒": (0.0, "base_unknown"),
        "Plain Prospect GmbH": (0.0, "base_unknown"),
    }
    assert rows["Plain Prospect GmbH"]["clv"] == pytest.approx(80 / 1.1)
    assert rows["Acme [/b] Ltd"]["clv"] == pytest.approx(100 / 1.1)
    out = " ".join(ok(kam("metrics", "clv", "--as-of", "2025-06-30")).stdout.split())
    assert "base retention unknown: nobody bought in the 12 months before" in out
    assert "base_unknown" in out

    what_if = parsed(kam("metrics", "what-if", "--retention", "5", "--as-of", "2025-06-30",
                         "--json"))  # fmt: skip
    assert (what_if["base_retention"], what_if["base_retention_then"]) == (None, 0.05)
    assert what_if["base"]["profit"]["now"] == pytest.approx(280.0)
    assert what_if["base"]["profit"]["then"] == pytest.approx(294.73675)
    said = " ".join(
        ok(kam("metrics", "what-if", "--retention", "5", "--as-of", "2025-06-30")).stdout.split()
    )
    assert "the base's retention is unknown" in said and "taken as 0.0%, becomes 5.0%" in said
    assert "the base's 0.0% becomes" not in said


@pytest.mark.parametrize("report", ["profit", "rfm", "pareto"])
def test_one_customer_s_report_says_its_summary_is_the_whole_base_s(
    kam: Kam, base: Database, report: str
) -> None:
    """Plain's row (profit 70) under the base's summary (3 customers, profit 530): the table
    for people says whose the summary is; JSON keeps its keys."""
    one = ok(kam("metrics", report, "--as-of", AS_OF, "--customer", "Plain Prospect GmbH"))
    lines = one.stdout.splitlines()
    assert lines[0] == "Whole base (the table below shows only the customer asked for):"
    assert lines[2].split() == ["customers", "3"]
    assert "Whole base" not in ok(kam("metrics", report, "--as-of", AS_OF)).stdout
    data = parsed(kam("metrics", report, "--as-of", AS_OF, "--customer", "Plain Prospect GmbH",
                      "--json"))  # fmt: skip
    assert data["summary"]["customers"] == 3
    assert [r["customer"] for r in data["rows"]] == ["Plain Prospect GmbH"]
    if report == "profit":
        assert (data["summary"]["profit"], data["rows"][0]["profit"]) == (530.0, 70.0)
