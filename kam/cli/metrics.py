"""`kam metrics ...`: what customers are worth, computed from the imported data."""

from __future__ import annotations

import sys
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

import typer

from kam.cli import output
from kam.cli.context import reading
from kam.cli.params import CsvOption, JsonOption, date_option
from kam.rules import clock

app = typer.Typer(
    help="Profit after cost to serve, Pareto, share of wallet, RFM, retention, CLV and whitespace.",
    no_args_is_help=True,
)

#: What the CLV's summary says when the base's retention cannot be measured.
UNKNOWN_RETENTION = (
    "unknown: nobody bought in the 12 months before the T12M window; the CLV takes r = 0 "
    "(no one assumed to stay) where no override gives one"
)

AsOf = Annotated[date | None, date_option("Compute as of this date (default today).")]
CustomerOpt = Annotated[str | None, typer.Option(help="Only this customer.")]
Top = Annotated[int | None, typer.Option(min=1, help="Only the first N rows.")]


def _percent(key: str, value: Any) -> Any:
    """Shares, rates and changes (a fraction of the year before) read as percentages, for people."""
    if isinstance(value, float) and (
        "share" in key or key in ("rate", "retention", "margin_change")
    ):
        return f"{value:.1%}"
    return value


def _brief(value: Any) -> str:
    """A number or a small mapping of numbers, briefly, for people."""
    if isinstance(value, dict):
        return ", ".join(f"{k} {_brief(v)}" for k, v in value.items())
    return f"{value:,.0f}" if isinstance(value, float) else f"{value:,}"


def _show(
    name: str,
    as_of: date | None,
    customer: str | None,
    top: int | None,
    json_: bool,
    csv_: bool,
    *,
    model: str | None = None,
    calibration_end: date | None = None,
    period: str = "week",
    key_accounts: bool = False,
) -> None:
    when = clock.on_or_today(as_of)
    if name == "pareto":
        _pareto(when, customer, top, json_, csv_)
        return

    from kam.figures.reports import MODELLED, metrics_report
    from kam.services.common import customer_by_name

    if name in MODELLED:
        from kam.cli.context import administering
        from kam.figures.fits import request
        from kam.services.lifetime import lifetime_values

        asked = request(when, calibration_end=calibration_end, period=period, model=model)
        with administering() as (database, actor):
            figures = lifetime_values(database, actor, asked)
            with database.reading() as session:
                target = customer_by_name(session, customer).id if customer else None
                report = metrics_report(
                    session, name, as_of=when, customer_id=target, lifetime=figures,
                    key_accounts=key_accounts,
                )  # fmt: skip
    else:
        with reading() as (session, _actor):
            target = customer_by_name(session, customer).id if customer else None
            report = metrics_report(session, name, as_of=when, customer_id=target)
    frame = (report.rows.head(top) if top else report.rows).reset_index()
    if json_ and not csv_ and output.frame_encodable(frame, lists=True):
        context = {"report": name, "as_of": when, "summary": report.summary}
        output.print_json_frame(context, frame, total=len(report.rows))
        output.showing(len(frame), len(report.rows), "without --top for every row")
        return
    if csv_ and output.frame_encodable(frame):
        output.print_csv_frame(frame)
        output.showing(len(frame), len(report.rows), "without --top for every row")
        return
    records = [
        {k: (None if not isinstance(v, list) and v != v else v) for k, v in r.items()}  # NaN
        for r in frame.to_dict("records")
    ]
    keys = [str(c) for c in frame.columns]
    _print(name, when, report.summary, records, keys, len(report.rows), json_, csv_,
           one=customer is not None)  # fmt: skip


def _print(
    name: str,
    when: date,
    summary: dict[str, Any],
    records: list[dict[str, Any]],
    keys: list[str],
    total: int,
    json_: bool,
    csv_: bool,
    *,
    one: bool = False,
) -> None:
    """A report's rows and summary: JSON, CSV or a summary and table for people (`one`:
    the rows are one customer's, asked for with --customer, and the summary says it is the
    whole base's)."""

    def for_people() -> None:
        if one:
            sys.stdout.write("Whole base (the table below shows only the customer asked for):\n")
        brief = {
            k: f"{v:.1%}" if isinstance(v, float) and ("share" in k or "retention" in k) else v
            for k, v in summary.items()
            if k != "parameters"
        }
        if "base_retention" in brief and brief["base_retention"] is None:
            brief["base_retention"] = UNKNOWN_RETENTION
        for k, v in brief.items():
            if isinstance(v, dict):  # by model, by tier: one line of "name figures"
                brief[k] = "  ".join(f"{part}: {_brief(figures)}" for part, figures in v.items())
        output.print_record(brief)
        sys.stdout.write("\n")
        rows = [
            {k: "; ".join(v) if isinstance(v, list) else _percent(k, v) for k, v in r.items()}
            for r in records
        ]
        output.print_table(rows, [(k.replace("_", " "), k) for k in keys])

    output.show_list(
        records,
        json_=json_,
        csv_=csv_,
        total=total,
        context={"report": name, "as_of": when, "summary": summary},
        more="without --top for every row",
        keys=keys,
        table=for_people,
    )


def _pareto(when: date, customer: str | None, top: int | None, json_: bool, csv_: bool) -> None:
    """The Pareto report without pandas: the database sums, nets and ranks the profits, and
    the shares are one pass over the ranked list (50,000 customers in a fraction of the
    time of loading a frame)."""
    from kam.figures.headline import RANKING_COLUMNS, pareto_ranking, ranked_profit
    from kam.services.common import customer_by_name

    with reading() as (session, _actor):
        target = customer_by_name(session, customer).id if customer else None
        ranking = pareto_ranking(ranked_profit(session, when))
    summary = {
        "as_of": when.isoformat(),
        "customers": len(ranking.rows),
        "total_profit": ranking.total_profit,
        "customers_for_80": ranking.customers_for_80,
        "share_for_80": ranking.share_for_80,
        "below_break_even": ranking.below_break_even,
        "loss_from_below_break_even": ranking.loss_from_below_break_even,
    }
    rows = [r for r in ranking.rows if target is None or r["customer_id"] == target]
    shown = rows[:top] if top else rows
    keys = list(RANKING_COLUMNS)
    if json_ and not csv_:
        context = {"report": "pareto", "as_of": when, "summary": summary}
        output.print_json_rows(context, shown, total=len(rows))
        output.showing(len(shown), len(rows), "without --top for every row")
        return
    _print("pareto", when, summary, shown, keys, len(rows), json_, csv_, one=target is not None)


#: The reports whose rows are not customers (retention: one row per year).
WHOLE_BASE = ("retention",)


def _command(name: str, doc: str) -> None:
    def command(
        as_of: AsOf = None,
        customer: CustomerOpt = None,
        top: Top = None,
        json_: JsonOption = False,
        csv_: CsvOption = False,
    ) -> None:
        _show(name, as_of, customer, top, json_, csv_)

    def whole_base(
        as_of: AsOf = None,
        top: Top = None,
        json_: JsonOption = False,
        csv_: CsvOption = False,
    ) -> None:
        _show(name, as_of, None, top, json_, csv_)

    # A figure of the whole base (retention: a row per year) has no customer's row to pick,
    # so it offers no --customer, as churn and break-even do not.
    chosen = whole_base if name in WHOLE_BASE else command
    chosen.__doc__ = doc[0].upper() + doc[1:] + "."
    app.command(name)(chosen)


class ModelChoice(StrEnum):
    simple = "simple"
    probabilistic = "probabilistic"


class PeriodChoice(StrEnum):
    day = "day"
    week = "week"
    month = "month"


Model = Annotated[
    ModelChoice | None,
    typer.Option(
        help="simple, or probabilistic (BG/NBD and Gamma-Gamma). Default: probabilistic once "
        "the base has a year of purchases and 20 customers who bought again, else simple; "
        "the output says which and why.",
        show_default=False,
    ),
]
CalibrationEnd = Annotated[
    date | None,
    date_option("Fit the model on purchases up to this date (default: the --as-of date)."),
]
Period = Annotated[PeriodChoice, typer.Option(help="The model's time unit.")]


@app.command("clv")
def clv(
    as_of: AsOf = None,
    customer: CustomerOpt = None,
    top: Top = None,
    model: Model = None,
    calibration_end: CalibrationEnd = None,
    period: Period = PeriodChoice.week,
    json_: JsonOption = False,
    csv_: CsvOption = False,
) -> None:
    """Forward CLV per customer, every input beside it, and which model gave it and why
    (--json adds the fit's parameters and log-likelihoods)."""
    when = clock.on_or_today(as_of)
    if calibration_end is not None and calibration_end > when:
        raise typer.BadParameter(
            f"the fit's end {calibration_end} is after the figures' date {when}"
            f"{'' if as_of else ' (today)'}; give a calibration end on or before it.",
            param_hint=["--calibration-end", "--as-of"],
        )
    _show("clv", as_of, customer, top, json_, csv_, model=model and model.value,
          calibration_end=calibration_end, period=period.value)  # fmt: skip


@app.command("churn")
def churn(
    as_of: AsOf = None,
    key_accounts: Annotated[
        bool, typer.Option("--key-accounts", help="Only active and under-review key accounts.")
    ] = False,
    top: Top = None,
    json_: JsonOption = False,
    csv_: CsvOption = False,
) -> None:
    """Customers at risk of churning, the most CLV first, each with its reasons (P(alive),
    the gap since the last purchase; for key accounts also margin and share of wallet)."""
    _show("churn", as_of, None, top, json_, csv_, key_accounts=key_accounts)


@app.command("what-if")
def what_if(
    retention: Annotated[
        float,
        typer.Option(
            min=-100,
            max=100,
            help="Move every customer's retention by this many percentage points, e.g. +5 "
            "or -5 (kept within 0 and 99 %).",
        ),
    ],
    as_of: AsOf = None,
    json_: JsonOption = False,
) -> None:
    """Profit and CLV of the whole base and of the key accounts now and if retention rose
    (or fell) by N points, under the simple CLV model (where retention is explicit)."""
    from kam.figures.whatif import MAX_RETENTION, MODEL_NOTE, retention_what_if

    when = clock.on_or_today(as_of)
    with reading() as (session, _actor):
        found = retention_what_if(session, as_of=when, points=retention)
    if json_:
        output.print_json(found.to_dict())
        return
    points = f"{retention:+g} points"

    def change(now: float, then: float) -> str:
        moved = f"{then - now:+,.0f}"
        return f"{moved} ({(then - now) / now:+.1%})".replace("%", " %") if now > 0 else moved

    rows = [
        {
            "group": label,
            "customers": f"{o.customers:,}",
            "profit_now": f"{o.profit_now:,.0f}",
            "profit_then": f"{o.profit_then:,.0f}",
            "profit_change": change(o.profit_now, o.profit_then),
            "clv_now": f"{o.clv_now:,.0f}",
            "clv_then": f"{o.clv_then:,.0f}",
            "clv_change": change(o.clv_now, o.clv_then),
        }
        for label, o in (("Whole base", found.base), ("Key accounts", found.key_accounts))
    ]
    base = found.base_retention
    output.print_record(
        {
            "as of": when,
            "retention": f"{points}: the base's {base:.1%} becomes "
            f"{found.base_retention_then:.1%}; each account's override moves as much"
            if base is not None
            else f"{points}: the base's retention is unknown (nobody bought in the 12 months "
            f"before the T12M window), taken as 0.0%, becomes {found.base_retention_then:.1%}; "
            "each account's override moves as much",
            "model": MODEL_NOTE,
            "clamped": f"{found.clamped:,} customers' retention kept within 0 and "
            f"{MAX_RETENTION:.0%}"
            if found.clamped
            else "none",
            "discount rate": f"{found.discount_rate:.0%}",
            "horizon": f"{found.horizon} years",
        }
    )
    sys.stdout.write("\n")
    h = found.horizon
    output.print_table(
        rows,
        [
            ("", "group"),
            ("Customers", "customers"),
            (f"Profit {h}y now", "profit_now"),
            (f"at {points}", "profit_then"),
            ("Change", "profit_change"),
            ("CLV now", "clv_now"),
            (f"at {points}", "clv_then"),
            ("Change", "clv_change"),
        ],
    )
    sys.stdout.write(
        f"\nProfit {h}y: the profit over the next {h} years, undiscounted, if a share r of the "
        "customers stays each year: sum of (M - C) x r^(t-1); CLV discounts it by (1 + d)^t. "
        "M: T12M gross margin, C: T12M cost to serve (see README, Retention what-if).\n"
    )


AccountOpt = Annotated[str | None, typer.Option("--account", help="Only this key account.")]


@app.command("whitespace")
def whitespace(
    account: AccountOpt = None,
    as_of: AsOf = None,
    top: Annotated[
        int | None, typer.Option(min=1, help="Only the N accounts with the most opportunity.")
    ] = None,
    json_: JsonOption = False,
    csv_: CsvOption = False,
) -> None:
    """Key accounts × product categories: where each account buys little or nothing that its
    industry's customers buy (T12M gross margin; peers' median scaled to the account's size).
    The table shows each cell's opportunity; --json and --csv one row per account and
    category, with every figure."""
    from kam.services.whitespace import account_whitespace
    from kam.text import compact_money, for_terminal

    when = clock.on_or_today(as_of)
    with reading() as (session, _actor):
        view = account_whitespace(session, as_of=when, customer=account)
    rows = view.rows[:top] if top else view.rows
    more = "without --top for every account"
    summary = {
        "as_of": when.isoformat(),
        "accounts": len(view.rows),
        "categories": len(view.categories),
        "opportunity": sum(r.opportunity for r in view.rows),
        "headroom_margin": sum(r.headroom_margin or 0.0 for r in view.rows),
    }
    # One row per account and category (the account's figures repeated), for JSON and CSV
    # alike: what a script or a pivot table groups as it needs.
    cells = [
        {"customer_id": r.customer_id, "customer": r.customer, "industry": r.industry,
         "category": c.category, "margin": c.margin, "expected": c.expected,
         "opportunity": c.opportunity, "account_opportunity": r.opportunity,
         "headroom_margin": r.headroom_margin, "margin_rate": r.margin_rate, "size": r.size,
         "size_basis": r.size_basis, "peers": r.peers, "compared_with": r.compared_with,
         "has_plan": r.has_plan}
        for r in rows for c in r.cells
    ]  # fmt: skip
    keys = ["customer_id", "customer", "industry", "category", "margin", "expected",
            "opportunity", "account_opportunity", "headroom_margin", "margin_rate", "size",
            "size_basis", "peers", "compared_with", "has_plan"]  # fmt: skip

    def for_people() -> None:
        output.print_record(
            {**summary, "categories": ", ".join(view.categories) or "none"}
            | {k: f"{summary[k]:,.0f}" for k in ("opportunity", "headroom_margin")}
        )
        sys.stdout.write(
            "\nEach cell: the opportunity in T12M gross margin (the peers' median margin per unit "
            "of size × the account's size, less what it buys; · none). headroom × margin: "
            "(wallet − revenue) × the account's margin rate.\n\n"
        )
        table = []
        for r in rows:
            line: dict[str, Any] = {"customer": r.customer}
            for c in r.cells:
                line[f"c:{c.category}"] = compact_money(c.opportunity) if c.opportunity else "·"
            line["total"] = compact_money(r.opportunity)
            line["headroom"] = compact_money(r.headroom_margin)
            table.append(line)
        columns = [("account", "customer")]
        columns += [(for_terminal(c), f"c:{c}") for c in view.categories]
        columns += [("total", "total"), ("headroom × margin", "headroom")]
        output.print_table(table, columns)

    output.show_list(
        cells,
        json_=json_,
        csv_=csv_,
        total=len(view.rows) * len(view.categories),
        context={
            "report": "whitespace",
            "as_of": when,
            "categories": view.categories,
            "summary": summary,
        },  # fmt: skip
        more=more,
        keys=keys,
        table=for_people,
    )


def _register() -> None:
    # The report names and descriptions, without importing pandas for --help.
    for name, doc in {
        "profit": "T12M revenue, gross margin, cost to serve by category and profit per customer",
        "pareto": "customers by profit, cumulative share, who makes 80 %, who is below break-even",
        "wallet": "share of wallet and headroom per customer",
        "rfm": "recency, frequency, monetary value and their quintile scores",
        "retention": "year-over-year retention of the customer base",
        "tiers": "value tiers A, B and C by cumulative share of positive CLV (the tier_a_share "
        "and tier_b_share settings); customers with negative CLV are 'loss'",
    }.items():
        _command(name, doc)


_register()


@app.command("break-even")
def break_even(
    as_of: AsOf = None,
    top: Top = None,
    json_: JsonOption = False,
    csv_: CsvOption = False,
) -> None:
    """Customers below break-even (T12M profit after cost to serve under 0), the biggest loss
    first, each with what drives it: cost to serve by category against the median of
    customers of its revenue (deciles of T12M revenue), orders per year and the average
    order (flagged under the min_order_size setting)."""
    from kam.figures.breakeven import break_even as compute
    from kam.figures.breakeven import record_keys

    when = clock.on_or_today(as_of)
    with reading() as (session, _actor):
        found = compute(session, as_of=when)
    shown = found.rows[:top] if top else found.rows
    records = [row.record() for row in shown]
    summary = {
        "customers": found.customers,
        "below_break_even": found.below,
        "loss": found.loss,
        "min_order_size": found.min_order_size,
    }

    def for_people() -> None:
        output.print_record(summary)
        sys.stdout.write("\n")
        rows = [
            {
                "customer": r.customer,
                "profit": f"{r.profit:,.0f}",
                "revenue": f"{r.revenue:,.0f}",
                "band": str(r.size_band),
                "orders": str(r.orders),
                "average": "—" if r.average_order is None else f"{r.average_order:,.0f}",
                "drivers": "; ".join(r.driver_texts) or "—",
            }
            for r in shown
        ]
        columns = [("Customer", "customer"), ("Profit", "profit"), ("Revenue", "revenue"),
                   ("Band", "band"), ("Orders", "orders"), ("Avg order", "average"),
                   ("What drives the loss", "drivers")]  # fmt: skip
        for title, key in columns[1:-1]:  # numbers to the right, under their heading's end
            wide = max([len(title), *(len(row[key]) for row in rows)])
            for row in rows:
                row[key] = row[key].rjust(wide)
        output.print_table(rows, columns)

    output.show_list(
        records,
        json_=json_,
        csv_=csv_,
        total=found.below,
        context={"report": "break-even", "as_of": when, "summary": summary},
        more="without --top for every row",
        keys=record_keys(),
        table=for_people,
    )
