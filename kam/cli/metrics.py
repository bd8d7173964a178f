"""`kam metrics ...`: what customers are worth, computed from the imported data."""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated, Any

import typer

from kam.cli import output
from kam.cli.context import reading
from kam.cli.params import CsvOption, JsonOption, date_option
from kam.rules import clock

app = typer.Typer(
    help="Profit after cost to serve, Pareto, share of wallet, RFM, retention and CLV.",
    no_args_is_help=True,
)

AsOf = Annotated[date | None, date_option("Compute as of this date (default today).")]
CustomerOpt = Annotated[str | None, typer.Option(help="Only this customer.")]
Top = Annotated[int | None, typer.Option(min=1, help="Only the first N rows.")]


def _percent(key: str, value: Any) -> Any:
    """Shares and rates read as percentages, for people."""
    if isinstance(value, float) and ("share" in key or key in ("rate", "retention")):
        return f"{value:.1%}"
    return value


def _show(
    name: str, as_of: date | None, customer: str | None, top: int | None, json_: bool, csv_: bool
) -> None:
    from kam.figures.reports import metrics_report
    from kam.services.common import customer_by_name

    when = clock.on_or_today(as_of)
    with reading() as (session, _actor):
        target = customer_by_name(session, customer).id if customer else None
        report = metrics_report(session, name, as_of=when, customer_id=target)
    frame = (report.rows.head(top) if top else report.rows).reset_index()
    if json_ and not csv_ and output.frame_encodable(frame):
        context = {"report": name, "as_of": when, "summary": report.summary}
        output.print_json_frame(context, frame, total=len(report.rows))
        output.showing(len(frame), len(report.rows), "without --top for every row")
        return
    records = [
        {k: (None if v != v else v) for k, v in r.items()}  # NaN -> None
        for r in frame.to_dict("records")
    ]

    def for_people() -> None:
        summary = {
            k: f"{v:.1%}" if isinstance(v, float) and ("share" in k or "retention" in k) else v
            for k, v in report.summary.items()
        }
        output.print_record(summary)
        sys.stdout.write("\n")
        rows = [{k: _percent(k, v) for k, v in record.items()} for record in records]
        output.print_table(rows, [(str(c).replace("_", " "), str(c)) for c in frame.columns])

    output.show_list(
        records,
        json_=json_,
        csv_=csv_,
        total=len(report.rows),
        context={"report": name, "as_of": when, "summary": report.summary},
        more="without --top for every row",
        keys=[str(c) for c in frame.columns],
        table=for_people,
    )


def _command(name: str, doc: str) -> None:
    def command(
        as_of: AsOf = None,
        customer: CustomerOpt = None,
        top: Top = None,
        json_: JsonOption = False,
        csv_: CsvOption = False,
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
