"""`kam account ...`: the key accounts."""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from db.enums import AccountStatus
from kam.cli import output
from kam.cli.context import reading, reading_rows, writing
from kam.cli.params import (
    AsOfOption,
    CsvOption,
    DryRunOption,
    JsonOption,
    criterion_pairs,
    date_option,
    number_option,
)
from kam.rules import clock

if TYPE_CHECKING:
    from kam.figures.worth import Worth
    from kam.services.vetting import AssessmentView

app = typer.Typer(help="Key accounts: list, show, nominate and update.", no_args_is_help=True)

COLUMNS = [
    ("Customer", "customer"),
    ("Status", "status"),
    ("Manager", "manager"),
    ("Sponsor", "sponsor"),
    ("Next review", "next_review_on"),
    ("Version", "version"),
]
HEALTH_COLUMNS = [
    ("Customer", "customer"),
    ("Health", "status"),
    ("12 weeks", "weeks"),
    ("Why", "reasons"),
]
HISTORY_COLUMNS = [
    ("Date", "taken_on"),
    ("Health", "status"),
    ("Profit T12M", "profit"),
    ("P(alive)", "p_alive"),
    ("Review", "review"),
    ("Why", "reasons"),
]


@app.command("list")
def list_accounts(
    status: Annotated[AccountStatus | None, typer.Option(help="Only this status.")] = None,
    closed: Annotated[
        bool,
        typer.Option(
            "--closed", "--all", help="Include retired and rejected accounts (--all: the same)."
        ),
    ] = False,
    json_: JsonOption = False,
    csv_: CsvOption = False,
) -> None:
    """List the key accounts (open ones unless --closed or --status)."""
    from kam.services.accounts import list_accounts as list_
    from kam.views import AccountView

    with reading_rows() as (connection, _actor):
        views = list_(connection, status=status, include_closed=closed)
    output.show_list(views, COLUMNS, json_=json_, csv_=csv_, keys=output.keys_of(AccountView))


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="The customer's name.")],
    as_of: Annotated[
        date | None, date_option("Compute its worth as of this date (default today).")
    ] = None,
    json_: JsonOption = False,
) -> None:
    """Show one key account and what it is worth: profit, cost to serve, wallet share, CLV."""
    from kam.figures.worth import customer_worth
    from kam.services.accounts import get_account

    when = clock.on_or_today(as_of)
    with reading() as (session, _actor):
        view = get_account(session, name)
        worth = customer_worth(session, view.customer_id, as_of=when)

    def for_people() -> None:
        output.print_record(view.to_dict())
        _print_worth(worth)

    output.show_record({**view.to_dict(), "worth": worth.to_dict()}, json_=json_, table=for_people)


def _print_worth(worth: Worth) -> None:
    sys.stdout.write(f"\nWorth, trailing twelve months to {worth.as_of.isoformat()}:\n")
    output.print_record(
        {
            "revenue": worth.revenue,
            "gross margin": worth.gross_margin,
            "cost to serve": worth.cost_to_serve,
            **{f"  {k.replace('_', ' ')}": v for k, v in worth.cost_to_serve_by_category.items()},
            "profit": worth.profit,
            "share of wallet": _percent(worth.share_of_wallet),
            "headroom": worth.headroom,
            "CLV": worth.clv,
            **_clv_inputs(worth),
            "profit by year": ", ".join(
                f"{year}: {profit:,.0f}" for year, profit in worth.profit_by_year.items()
            ),
        }
    )


def _clv_inputs(worth: Worth) -> dict[str, object]:
    """The CLV's model and its inputs: the probabilistic model's, with the simple formula's
    figure beside them, or the simple formula's."""
    from kam.figures.fits import PROBABILISTIC

    simple = {
        "  margin M": f"{worth.clv_margin:,.2f} ({worth.clv_margin_source})",
        "  cost to serve C": worth.clv_cost_to_serve,
        "  retention r": f"{worth.clv_retention:.1%} ({worth.clv_retention_source})",
    }
    both = {
        "  discount rate d": f"{worth.discount_rate:.1%}",
        "  horizon H": f"{worth.horizon} years",
    }
    if worth.clv_model == PROBABILISTIC and worth.p_alive is not None:
        return {
            "  model": "probabilistic (BG/NBD and Gamma-Gamma)",
            "  P(alive)": f"{worth.p_alive:.2f}",
            "  purchases, 12 months": f"{worth.purchases_12m or 0:.1f}",
            "  margin per purchase": worth.margin_per_purchase,
            "  cost per purchase": worth.cost_per_purchase,
            **both,
            "  simple formula": worth.simple_clv,
            **{f"  {k}": v for k, v in simple.items()},
        }
    note = f" ({worth.clv_note})" if worth.clv_note else ""
    return {"  model": f"simple formula{note}", **simple, **both}


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


@app.command("add")
def add(
    customer: Annotated[str, typer.Argument(help="The customer to nominate, by name.")],
    manager: Annotated[str | None, typer.Option(help="Manager's login (admins).")] = None,
    sponsor: Annotated[str | None, typer.Option(help="Executive sponsor's login (admins).")] = None,
    reason: Annotated[str, typer.Option(help="Why this customer is nominated.")] = "",
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Nominate a customer as a key account."""
    from kam.services.accounts import create_account

    with writing(dry_run=dry_run) as (session, actor):
        view = create_account(
            session, actor, customer=customer, manager=manager, sponsor=sponsor, reason=reason
        )
    output.show_written(
        view, json_=json_, said=f"Nominated '{view.customer}' (account {view.id}, {view.status})."
    )


UPDATE_OPTIONS = [
    "--status",
    "--manager",
    "--sponsor",
    "--reason",
    "--retention",
    "--margin-forecast",
    "--next-review",
]


@app.command("update")
def update(
    name: Annotated[str, typer.Argument(help="The customer's name.")],
    status: Annotated[AccountStatus | None, typer.Option(help="New status (admins).")] = None,
    manager: Annotated[str | None, typer.Option(help="New manager's login (admins).")] = None,
    sponsor: Annotated[str | None, typer.Option(help="New sponsor's login (admins).")] = None,
    reason: Annotated[str | None, typer.Option(help="Notes on the account.")] = None,
    retention: Annotated[
        float | None, number_option("Retention probability override, 0-1, for CLV.")
    ] = None,
    margin_forecast: Annotated[
        float | None, number_option("Annual gross margin forecast override, for CLV.")
    ] = None,
    next_review: Annotated[date | None, date_option("Next review date.")] = None,
    if_version: Annotated[
        int | None,
        typer.Option(help="Refuse (exit 3) unless the account is still at this version."),
    ] = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Change a key account; only the options given change."""
    from kam.services.accounts import update_account
    from kam.services.common import user_by_login
    from kam.services.staffing import skill_warning

    fields: dict[str, object] = {}
    for key, value in (
        ("status", status),
        ("manager", manager),
        ("sponsor", sponsor),
        ("reason", reason),
        ("retention_override", retention),
        ("margin_override", margin_forecast),
        ("next_review_on", next_review),
    ):
        if value is not None:
            fields[key] = value
    if not fields:
        raise typer.BadParameter(
            "nothing to change: give at least one of them.", param_hint=UPDATE_OPTIONS
        )
    with writing(dry_run=dry_run) as (session, actor):
        view = update_account(session, actor, name, expected_version=if_version, **fields)
        warning = skill_warning(session, user_by_login(session, manager)) if manager else None
    if warning:  # as `kam manager assign` warns
        output.info(f"Warning: {warning}")
    output.show_written(
        view, json_=json_, said=f"Updated '{view.customer}' (now version {view.version})."
    )


@app.command("nominate")
def nominate(
    customer: Annotated[str, typer.Argument(help="The customer to nominate, by name.")],
    reason: Annotated[str, typer.Option(help="Why this customer should be a key account.")] = "",
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Nominate a customer for the programme (managers for themselves, admins)."""
    add(customer, None, None, reason, dry_run, json_)


SCORE_COLUMNS = [
    ("Criterion", "criterion"),
    ("Kind", "kind"),
    ("Weight", "weight"),
    ("Score", "score"),
    ("Knock-out", "knock_out"),
    ("Failed", "failed"),
    ("Why", "comment"),
]


def print_assessment(view: AssessmentView) -> None:
    """An assessment for people: the scores (to one decimal), then the total, what is
    missing and why any knock-out failed."""
    rows = [s.to_dict() | {"score": "" if s.score is None else f"{s.score:g}"} for s in view.scores]
    output.print_table(rows, SCORE_COLUMNS)
    total = "incomplete" if view.total is None else f"{view.total:g} / 100"
    sys.stdout.write(f"\nTotal: {total} (criteria version {view.criteria_version})\n")
    if view.missing:
        sys.stdout.write(f"Missing manual scores: {', '.join(view.missing)}\n")
    for s in view.scores:
        if s.failed:
            output.info_out(f"Knock-out failed: {s.criterion}: {s.reason}.")


@app.command("assess")
def assess(
    name: Annotated[str, typer.Argument(help="The nominee's customer name.")],
    score: Annotated[
        list[str] | None,
        typer.Option(help="A manual score: CRITERION=1..5 (repeatable).", show_default=False),
    ] = None,
    comment: Annotated[
        list[str] | None,
        typer.Option(help="Why: CRITERION=TEXT (needed with each score).", show_default=False),
    ] = None,
    as_of: Annotated[date | None, date_option("Score the data as of this date.")] = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Score a nominee against every criterion; metric ones score themselves from the data."""
    from kam.services.vetting import assess as run

    scores = criterion_pairs(score, "--score")
    comments = criterion_pairs(comment, "--comment")
    manual: dict[str, tuple[int, str]] = {}
    for key, value in scores.items():
        if not value.isdigit():
            raise typer.BadParameter(
                f"{key}: '{value}' is not a whole number.", param_hint=["--score"]
            )
        manual[key] = (int(value), comments.pop(key, ""))
    if comments:
        raise typer.BadParameter(
            f"a comment without a score: {', '.join(comments)}.", param_hint=["--comment"]
        )
    with writing(dry_run=dry_run) as (session, actor):
        view = run(session, actor, name, manual=manual, as_of=as_of)
    output.show_record(view, json_=json_, table=lambda: print_assessment(view))


@app.command("assessment")
def assessment(
    name: Annotated[str, typer.Argument(help="The customer's name.")],
    json_: JsonOption = False,
) -> None:
    """Show a nominee's latest vetting assessment."""
    from kam.services.vetting import get_assessment

    with reading() as (session, _actor):
        view = get_assessment(session, name)
    output.show_record(view, json_=json_, table=lambda: print_assessment(view))


@app.command("admit")
def admit(
    name: Annotated[str, typer.Argument(help="The nominee's customer name.")],
    rationale: Annotated[str, typer.Option(help="Why it is admitted (kept with the decision).")],
    override: Annotated[
        bool,
        typer.Option("--override", help="Admit despite broken rules (admins; needs --reason)."),
    ] = False,
    reason: Annotated[str | None, typer.Option(help="The written reason for an override.")] = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Admit a vetted nominee (executives and admins)."""
    from kam.services.vetting import admit as run

    if override and not reason:
        raise typer.BadParameter("an override needs --reason.", param_hint=["--override"])
    if reason and not override:
        raise typer.BadParameter("--reason is for --override.", param_hint=["--reason"])
    with writing(dry_run=dry_run) as (session, actor):
        result = run(
            session, actor, name, rationale=rationale, override_reason=reason if override else None
        )
    for warning in result.warnings:
        output.info(f"Warning: {warning}")
    customer = result.account.customer
    said = (
        f"Admitted '{customer}' by override: {'; '.join(result.waived)}."
        if result.override
        else f"Admitted '{customer}'; next review {result.account.next_review_on}."
    )
    output.show_written(result, json_=json_, said=said)


@app.command("reject")
def reject(
    name: Annotated[str, typer.Argument(help="The nominee's customer name.")],
    rationale: Annotated[str, typer.Option(help="Why it is turned down.")],
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Turn a nominee down (executives and admins)."""
    from kam.services.vetting import reject as run

    with writing(dry_run=dry_run) as (session, actor):
        view = run(session, actor, name, rationale=rationale)
    output.show_written(view, json_=json_, said=f"Rejected '{view.customer}'.")


@app.command("retire")
def retire(
    name: Annotated[str, typer.Argument(help="The account's customer name.")],
    reason: Annotated[str, typer.Option(help="Why it leaves the programme.")],
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Retire a key account (executives and admins); its whole history stays."""
    from kam.services.vetting import retire as run

    with writing(dry_run=dry_run) as (session, actor):
        view = run(session, actor, name, reason=reason)
    output.show_written(view, json_=json_, said=f"Retired '{view.customer}'.")


@app.command("health")
def health(
    name: Annotated[
        str | None, typer.Argument(help="One account (default: every open one).")
    ] = None,
    as_of: AsOfOption = None,
    history: Annotated[
        bool,
        typer.Option(
            "--history", help="The account's health day by day, newest first (needs ACCOUNT)."
        ),
    ] = False,
    rule: Annotated[bool, typer.Option("--rule", help="Also print the written rule.")] = False,
    json_: JsonOption = False,
    csv_: CsvOption = False,
) -> None:
    """Green, amber or red for each key account, with the reasons, by a written rule; the
    last 12 weeks and the change since the last review beside it."""
    from kam.services.health import RULE, HealthView, account_health, programme_health
    from kam.services.health_history import spark

    if history and name is None:
        raise typer.BadParameter(
            "give the account whose history to show.", param_hint=["--history"]
        )
    when = clock.on_or_today(as_of)
    if history:
        assert name is not None
        _health_history(name, when, rule=rule, json_=json_, csv_=csv_)
        return
    with reading() as (session, _actor):
        views = (
            [account_health(session, name, as_of=when)]
            if name
            else programme_health(session, as_of=when)
        )

    def for_people() -> None:
        rows = [{"customer": v.customer, "status": v.status, "weeks": spark(v.weekly),
                 "reasons": "; ".join(v.reasons)} for v in views]  # fmt: skip
        output.print_table(rows, HEALTH_COLUMNS)
        trends = [v for v in views if v.trend]
        if trends:
            sys.stdout.write("\n")
        for v in trends:
            output.info_out(f"{v.customer}: {v.trend}" if name is None else f"{v.trend}")
        if rule:
            sys.stdout.write("\n" + RULE + "\n")

    output.show_list(
        views,
        json_=json_,
        csv_=csv_,
        context={"as_of": when},
        keys=output.keys_of(HealthView),
        table=for_people,
    )


def _health_history(name: str, when: date, *, rule: bool, json_: bool, csv_: bool) -> None:
    """`kam account health ACCOUNT --history`: each day's health kept, newest first."""
    from kam.services.health import RULE
    from kam.services.health_history import SnapshotView, history

    with reading() as (session, _actor):
        now, days = history(session, name, as_of=when)

    def for_people() -> None:
        output.info_out(f"{now.customer}: health by day, newest first (to {when.isoformat()})")
        if now.trend:
            output.info_out(now.trend)
        sys.stdout.write("\n")
        known = any(d.p_alive is not None for d in days)
        columns = HISTORY_COLUMNS if known else [c for c in HISTORY_COLUMNS if c[1] != "p_alive"]
        rows = [{**d.to_dict(), "review": "review" if d.review_id else "",
                 "p_alive": "" if d.p_alive is None else f"{d.p_alive:.2f}",
                 "reasons": "; ".join(d.reasons)} for d in days]  # fmt: skip
        output.print_table(rows, columns)
        if rule:
            sys.stdout.write("\n" + RULE + "\n")

    output.show_list(
        days,
        json_=json_,
        csv_=csv_,
        context={"customer": now.customer, "as_of": when, "trend": now.trend},
        keys=output.keys_of(SnapshotView),
        table=for_people,
    )
