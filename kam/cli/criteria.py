"""`kam criteria ...` and `kam programme ...`: the written rules of the programme."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from db.enums import CriterionKind
from kam.cli import output
from kam.cli.context import reading, writing
from kam.cli.params import CsvOption, DryRunOption, JsonOption, number_option
from kam.rules.scale import MIN_MEMBERS, TOP_N

if TYPE_CHECKING:
    from kam.services.criteria import CriterionView

app = typer.Typer(
    help=(
        "The admission criteria (a versioned, weighted set). A metric criterion without a "
        "threshold scores the customer's figure 1-5 against the current key accounts (active "
        "or under review): 1 at or below their lowest, 3 at their median, 5 at or above their "
        f"top quartile, linear in between, to one decimal; with fewer than {MIN_MEMBERS} key "
        f"accounts, against the {TOP_N} customers of the whole base with the highest figure at "
        "the assessment date. Percentiles interpolate linearly between closest ranks (numpy's "
        "default). A threshold scores 5 above it, else 0; a knock-out fails under 2, whatever "
        "the total (minimum_profit: T12M profit under the programme's min_profit)."
    ),
    no_args_is_help=True,
)
programme = typer.Typer(
    help="Programme settings: cap, threshold, minimum profit, limits, cadences, CLV.",
    no_args_is_help=True,
)

COLUMNS = [
    ("Name", "name"),
    ("Kind", "kind"),
    ("Metric", "metric"),
    ("Rule", "rule"),
    ("Weight", "weight"),
    ("Knock-out", "knock_out"),
    ("Description", "description"),
]


def _show(views: list[CriterionView], json_: bool, csv_: bool = False) -> None:
    """The criteria set, as a list (after a change too: the change makes a new set)."""
    from kam.services.criteria import CriterionView

    def for_people() -> None:
        output.print_table(views, COLUMNS)
        if views:
            output.info(f"Criteria set version {views[0].set_version}.")

    output.show_list(
        views, json_=json_, csv_=csv_, keys=output.keys_of(CriterionView), table=for_people
    )


@app.command("list")
def list_(json_: JsonOption = False, csv_: CsvOption = False) -> None:
    """Show the current criteria and how each scores (see `kam criteria --help` for the scale)."""
    from kam.services.criteria import list_criteria

    with writing() as (session, _actor):  # saves the default set the first time
        views = list_criteria(session)
    _show(views, json_, csv_)


@app.command("set")
def set_(
    name: Annotated[str, typer.Argument(help="The criterion.")],
    weight: Annotated[float | None, number_option("New weight (> 0).")] = None,
    description: Annotated[str | None, typer.Option(help="New written rule.")] = None,
    threshold: Annotated[float | None, number_option("Pass/fail threshold (metric).")] = None,
    no_threshold: Annotated[
        bool,
        typer.Option(
            "--no-threshold",
            help="Score 1-5 against the current key accounts (1 at their lowest, 3 at their "
            "median, 5 at or above their top quartile; fewer than "
            f"{MIN_MEMBERS}: the base's top {TOP_N} customers).",
        ),
    ] = False,
    knock_out: Annotated[
        bool | None, typer.Option("--knock-out/--no-knock-out", help="Failing it blocks admission.")
    ] = None,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Change a criterion; this makes a new version of the set (admins)."""
    from kam.services.criteria import change_criterion

    with writing(dry_run=dry_run) as (session, actor):
        views = change_criterion(
            session,
            actor,
            name,
            weight=weight,
            description=description,
            threshold=threshold,
            clear_threshold=no_threshold,
            knock_out=knock_out,
        )
    _show(views, json_)


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="A short name, e.g. innovation_partner.")],
    kind: Annotated[CriterionKind, typer.Option(help="manual (scored 1-5) or metric.")],
    weight: Annotated[float, number_option("Weight (> 0).")],
    description: Annotated[str, typer.Option(help="The written rule.")] = "",
    metric: Annotated[
        str | None, typer.Option(help="profit, revenue, clv, headroom or share_of_wallet.")
    ] = None,
    threshold: Annotated[float | None, number_option("Pass/fail threshold (metric).")] = None,
    knock_out: Annotated[
        bool, typer.Option("--knock-out", help="Failing it blocks admission.")
    ] = False,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Add a criterion; this makes a new version of the set (admins)."""
    from kam.services.criteria import add_criterion

    with writing(dry_run=dry_run) as (session, actor):
        views = add_criterion(
            session,
            actor,
            name,
            kind=kind,
            weight=weight,
            description=description,
            metric=metric,
            threshold=threshold,
            knock_out=knock_out,
        )
    _show(views, json_)


@app.command("remove")
def remove(
    name: Annotated[str, typer.Argument(help="The criterion.")],
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Remove a criterion; this makes a new version of the set (admins)."""
    from kam.services.criteria import remove_criterion

    with writing(dry_run=dry_run) as (session, actor):
        views = remove_criterion(session, actor, name)
    _show(views, json_)


@programme.command("show")
def show(json_: JsonOption = False) -> None:
    """Show the programme settings in force, by the names `kam programme set` takes.

    min_profit shows the value in force: when it is not set, the lowest T12M profit among the
    current key accounts today (JSON: min_profit null, min_profit_in_force the number)."""
    from dataclasses import asdict

    from kam.rules import clock
    from kam.rules.programme import DESCRIPTIONS, load_settings
    from kam.services.programme import minimum_profit

    with reading() as (session, _actor):
        settings: dict[str, object] = asdict(load_settings(session))
        least = minimum_profit(session, as_of=clock.today())
    settings["min_profit_in_force"] = least.value
    rows = [
        {
            "setting": k,
            "value": least.explained() if k == "min_profit" else v,
            "meaning": DESCRIPTIONS[k],
        }
        for k, v in settings.items()
        if k in DESCRIPTIONS
    ]
    output.show_record(
        settings,
        json_=json_,
        table=lambda: output.print_table(
            rows, [("Setting", "setting"), ("Value", "value"), ("Meaning", "meaning")]
        ),
    )


@programme.command("set")
def set_setting(
    key: Annotated[
        str,
        typer.Argument(
            help="cap, warn_below, threshold, min_profit, sponsor_limit, "
            "manager_limit, visit_days, review_days, "
            "discount_rate, horizon, fiscal_year_start, churn_p_alive, tier_a_share, "
            "tier_b_share, min_order_size or currency."
        ),
    ],
    value: Annotated[
        str, typer.Argument(help="The new value, or 'default' to go back to the default.")
    ],
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Set a cap or limit below what the programme already holds.",
        ),
    ] = False,
    dry_run: DryRunOption = False,
    json_: JsonOption = False,
) -> None:
    """Change a programme setting (admins); checked against the others, audited."""
    from dataclasses import asdict

    from kam.errors import ForceableRefusal, RuleError
    from kam.services.programme import set_setting as run

    try:
        with writing(dry_run=dry_run) as (session, actor):
            settings = asdict(run(session, actor, key, value, force=force))
    except ForceableRefusal as refusal:
        raise RuleError(f"{refusal} --force sets it anyway.") from None
    shown = "its default" if settings.get(key) is None else settings[key]
    shown = "'' (none)" if shown == "" else shown
    output.show_written(settings, json_=json_, said=f"{key} is now {shown}.")
