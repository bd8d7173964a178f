"""`kam metrics ...`: what customers are worth, computed from the imported data."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from kam.cli import output
from kam.cli.context import reading
from kam.cli.params import parse_date
from kam.rules import clock

app = typer.Typer(
    help="Profit after cost to serve, Pareto, share of wallet, RFM, retention and CLV.",
    no_args_is_help=True,
)

AsOf = Annotated[str | None, typer.Option(help="Compute as of this date (default today).")]
CustomerOpt = Annotated[str | None, typer.Option(help="Only this customer.")]
Top = Annotated[int | None, typer.Option(min=1, help="Only the first N rows.")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
Csv = Annotated[bool, typer.Option("--csv", help="Print CSV (formulas neutralised).")]


def _show(
    name: str, as_of: str | None, customer: str | None, top: int | None, json_: bool, csv_: bool
) -> None:
    from kam.figures.reports import metrics_report
    from kam.services.common import customer_by_name

    if json_ and csv_:
        raise typer.BadParameter("choose --json or --csv, not both.")
    when = clock.on_or_today(parse_date(as_of))
    with reading() as (session, _actor):
        target = customer_by_name(session, customer).id if customer else None
        report = metrics_report(session, name, as_of=when, customer_id=target)
    rows = report.rows.head(top) if top else report.rows
    frame = rows.reset_index()
    if csv_:
        from kam.text import csv_safe

        frame.map(csv_safe).to_csv(sys.stdout, index=False)
        return
    records = [
        {k: (None if v != v else v) for k, v in r.items()}  # NaN -> None
        for r in frame.to_dict("records")
    ]
    if json_:
        output.print_json({"report": name, "summary": report.summary, "rows": records})
        return
    for record in records:  # shares and rates read as percentages
        for key, value in record.items():
            if isinstance(value, float) and ("share" in key or key in ("rate", "retention")):
                record[key] = f"{value:.1%}"
    output.print_record(
        {
            k: f"{v:.1%}" if isinstance(v, float) and ("share" in k or "retention" in k) else v
            for k, v in report.summary.items()
        }
    )
    sys.stdout.write("\n")
    output.print_table(records, [(c.replace("_", " "), c) for c in frame.columns])


def _command(name: str, doc: str) -> None:
    def command(
        as_of: AsOf = None,
        customer: CustomerOpt = None,
        top: Top = None,
        json_: Json = False,
        csv_: Csv = False,
    ) -> None:
        _show(name, as_of, customer, top, json_, csv_)

    command.__doc__ = doc[0].upper() + doc[1:] + "."
    app.command(name)(command)


def _register() -> None:
    # The report names and descriptions, without importing pandas for --help.
    for name, doc in {
        "profit": "T12M revenue, gross margin, cost to serve by category and profit per customer",
        "pareto": "customers by profit, cumulative share, who makes 80 %, who is below break-even",
        "wallet": "share of wallet and headroom per customer",
        "rfm": "recency, frequency, monetary value and their quintile scores",
        "retention": "year-over-year retention of the customer base",
        "clv": "forward CLV per customer with every input",
    }.items():
        _command(name, doc)


_register()
