"""The account sheet's overview and metrics panels: who, worth, standing and CLV inputs,
rendered as Rich tables from the service views (every name and note as literal text)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from kam.figures.fits import PROBABILISTIC
from kam.sheet import plan_headline
from kam.text import label as vocabulary_label
from screens.formatting import day, money, safe, share, words
from screens.widgets.health_sparkline import health_trend

if TYPE_CHECKING:
    from kam.figures.worth import Worth
    from kam.sheet import Sheet
    from kam.views import AccountView

#: What each CLV input's source means, in words.
SOURCES = {
    "t12m": "T12M gross margin",
    "base": "the customer base's measured retention",
    "base_unknown": "the base's retention is unknown (nobody bought the year before): none",
    "override": "the account's override",
}


def _grid() -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    return grid


def who_table(a: AccountView, *, as_of: date) -> Table:
    """Who the account is: customer, status, people, dates, reason, version (an override
    is the banner's, and its reason the standing's)."""
    grid = _grid()
    grid.add_column()

    def person(name: str | None, login: str | None) -> Text:
        return Text(safe(f"{name} ({login})")) if login else Text("none", style="italic")

    review = Text(day(a.next_review_on) or "not set")
    if a.next_review_on and a.next_review_on < as_of:
        review.append("  overdue", style="bold red")
    joined = (
        Text(f"{day(a.admitted_on)} (nominated {day(a.nominated_on)})")
        if a.admitted_on
        else Text(f"not yet (nominated {day(a.nominated_on)})")
    )
    rows: list[tuple[str, Text]] = [
        ("Customer", Text(safe(a.customer), style="bold")),
        ("Industry", Text(safe(a.industry) or "–")),
        ("Region", Text(safe(a.region) or "–")),
        ("Status", Text(words(a.status))),
        ("Manager", person(a.manager_name, a.manager)),
        ("Sponsor", person(a.sponsor_name, a.sponsor)),
        ("Admitted", joined),
        ("Next review", review),
        ("Reason", Text(safe(a.reason) or "–")),
        ("Version", Text(f"{a.version} (changed {day(a.updated_at)} by {a.updated_by or '–'})")),
    ]
    if a.retired_on:
        rows.insert(7, ("Retired", Text(day(a.retired_on))))
    grid.add_row(Text("WHO", style="bold"), Text(""))
    for label, value in rows:
        grid.add_row(label, value)
    return grid


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" + ("" if n == 1 else "s")


def worth_table(w: Worth) -> Table:
    """The T12M figures, profit first, revenue last, and the CLV with its inputs."""
    grid = _grid()
    # The heading above the rows, not in the labels' column, which it would widen.
    grid.title = Text(f"WORTH (T12M to {day(w.as_of)})", style="bold")
    grid.title_justify = "left"
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(style="dim")
    profit_style = "bold red" if w.profit < 0 else "bold"
    grid.add_row("Profit", Text(money(w.profit), style=profit_style), "after cost to serve")
    grid.add_row("Gross margin", money(w.gross_margin), "")
    grid.add_row("Cost to serve", money(w.cost_to_serve), "")
    for category, amount in w.cost_to_serve_by_category.items():
        grid.add_row(f"  {words(category)}", Text(money(amount), style="dim"), "")
    grid.add_row("Revenue", money(w.revenue), "not the headline")
    grid.add_row("Share of wallet", share(w.share_of_wallet), "")
    if w.estimated_wallet is not None:
        grid.add_row("  wallet", Text(money(w.estimated_wallet), style="dim"), "estimated")
        grid.add_row("  headroom", Text(money(w.headroom), style="dim"), "")
    grid.add_row("CLV", Text(money(w.clv), style="bold"), w.clv_model)
    dim = "dim"
    if w.clv_model == PROBABILISTIC:
        grid.add_row(
            "  P(alive)", Text(f"{w.p_alive:.2f}", style=dim), f"{w.purchases_12m:.0f} buys/yr"
        )
        per_buy = f"{money(w.margin_per_purchase)} − {money(w.cost_per_purchase)}"
        grid.add_row("  m − c", Text(per_buy, style=dim), "per buy")
    else:
        grid.add_row("  M − C", Text(f"{money(w.clv_margin)} − {money(w.clv_cost_to_serve)}",
                                      style=dim), w.clv_margin_source)  # fmt: skip
        grid.add_row("  r retention", Text(f"{w.clv_retention:.3f}", style=dim),
                     w.clv_retention_source)  # fmt: skip
    grid.add_row("  d, H", Text(f"{share(w.discount_rate, 0)}, {w.horizon} y", style=dim), "")
    grid.add_row(
        "Tier / stage",
        Text(f"{w.tier} / {w.stage or 'no purchases'}", style="bold red" if w.at_risk else ""),
        "at risk" if w.at_risk else "",
    )
    return grid


def clv_table(w: Worth) -> Table:
    """The CLV formula with every input and where it comes from (the model's when it speaks
    for the customer)."""
    grid = _grid()
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column()
    if w.clv_model == PROBABILISTIC:
        grid.add_row(
            "CLV",
            Text(money(w.clv), style="bold"),
            Text("Σ years k of E[purchases in year k] · (m − c) / (1+d)^k"),
        )
        grid.add_row("P(alive)", f"{w.p_alive:.3f}", "BG/NBD: the chance the customer still buys")
        grid.add_row("E  purchases", f"{w.purchases_12m:.2f}", "expected in the next 12 months")
        grid.add_row("m  margin", money(w.margin_per_purchase), "per purchase (Gamma-Gamma)")
        grid.add_row("c  cost to serve", money(w.cost_per_purchase), "per purchase")
        grid.add_row("d  discount rate", share(w.discount_rate, 0), "programme setting")
        grid.add_row("H  horizon", f"{w.horizon} years", "programme setting")
        grid.add_row("simple CLV", money(w.simple_clv), "(M − C) at a retention, for comparison")
        grid.add_row("model", PROBABILISTIC, Text(w.clv_why))
        return grid
    grid.add_row("CLV", Text(money(w.clv), style="bold"), "Σ t=1..H of (M − C) · r^(t−1) / (1+d)^t")
    grid.add_row("M  margin", money(w.clv_margin), SOURCES.get(w.clv_margin_source, ""))
    grid.add_row("C  cost to serve", money(w.clv_cost_to_serve), "T12M")
    grid.add_row("r  retention", f"{w.clv_retention:.3f}", SOURCES.get(w.clv_retention_source, ""))
    grid.add_row("d  discount rate", share(w.discount_rate, 0), "programme setting")
    grid.add_row("H  horizon", f"{w.horizon} years", "programme setting")
    grid.add_row("model", "simple", Text(w.clv_note or w.clv_why))
    return grid


def standing_table(sheet: Sheet) -> Table:
    """Health with its reasons, the criteria, the last review, the last sponsor visit."""
    grid = _grid()
    grid.add_column()
    style = {"green": "bold green", "amber": "bold yellow", "red": "bold red"}
    health = Text(sheet.health, style=style.get(sheet.health, ""))
    for reason in sheet.health_reasons:
        health.append(f"\n· {safe(reason)}", style="")
    grid.add_row("Health", health)
    grid.add_row("", health_trend(sheet.health_weekly, sheet.health_trend))
    grid.add_row("Plan", Text(plan_headline(sheet.plan).removeprefix("Plan ")))
    total = sheet.criteria_total
    if total is None and not sheet.criteria_kind:
        criteria = "no assessment"
    elif total is not None:
        criteria = f"{total:g} / 100 at the latest {sheet.criteria_kind}"
    else:
        criteria = f"incomplete {sheet.criteria_kind}"
    grid.add_row("Criteria", Text(criteria))
    review = sheet.last_review
    if review:
        line = Text(f"{review['reviewed_on']}: {review['decision']}")
        if review["satisfaction"] is not None:
            line.append(f", satisfaction {review['satisfaction']:.2f}")
        if review["recommendation"]:
            line.append(f"  recommends {review['recommendation']}", style="bold red")
    else:
        line = Text("none yet", style="italic")
    grid.add_row("Last review", line)
    grid.add_row("Sponsor visit", Text(day(sheet.last_sponsor_visit) or "never"))
    if sheet.override:
        grid.add_row("Override", Text(safe(sheet.override_reason) or "–", style="yellow"))
    grid.add_row(
        "Open",
        Text(
            f"{_count(len(sheet.open_commitments), 'commitment')}, "
            f"{_count(len(sheet.open_complaints), 'complaint')} not yet fed back"
        ),
    )
    return grid


def essentials_table(sheet: Sheet) -> Table:
    """What an account stands at in a dozen lines (the overview's top at 80 columns): health
    and its reasons, profit, CLV, wallet, churn risk, the plan, reviews, who runs it and what
    is open; the details follow below and on the tabs."""
    grid = _grid()
    grid.add_column()
    w = sheet.worth
    style = {"green": "bold green", "amber": "bold yellow", "red": "bold red"}
    health = Text()
    health.append(vocabulary_label(sheet.health), style=style.get(sheet.health, ""))
    if sheet.health_reasons:
        health.append(f": {safe('; '.join(sheet.health_reasons))}")
    grid.add_row("Health", health)
    profit = Text()
    profit.append(money(w.profit), style="bold red" if w.profit < 0 else "bold")
    profit.append(" after cost to serve (T12M)")
    grid.add_row("Profit", profit)
    grid.add_row("CLV", Text(f"{money(w.clv)} {words(w.clv_model)} · tier {w.tier} · "
                             f"{words(w.stage) or 'no purchases'}"))  # fmt: skip
    if w.at_risk:
        grid.add_row("Churn risk", Text(safe("; ".join(w.risk_reasons)) or "at risk",
                                        style="bold red"))  # fmt: skip
    wallet = share(w.share_of_wallet)
    if w.headroom is not None:
        wallet += f", headroom {money(w.headroom)}"
    grid.add_row("Wallet", Text(wallet))
    grid.add_row("Plan", Text(plan_headline(sheet.plan).removeprefix("Plan ")))
    review = sheet.last_review
    last = (
        f"last {review['reviewed_on']} {words(review['decision'])}"
        + (f", satisfaction {review['satisfaction']:.2f}" if review["satisfaction"] else "")
        if review
        else "no review yet"
    )
    grid.add_row("Review", Text(f"next {day(sheet.next_review_on) or 'not set'}; {last}"))
    grid.add_row("Runs it", Text(safe(f"{sheet.manager or 'no manager'}; sponsor "
                                      f"{sheet.sponsor or 'none'}")))  # fmt: skip
    late = sum(1 for c in sheet.open_commitments if c.overdue)
    grid.add_row(
        "Open",
        Text(
            f"{_count(len(sheet.open_commitments), 'commitment')}"
            + (f" ({late} overdue)" if late else "")
            + f", {_count(len(sheet.open_complaints), 'complaint')}"
        ),
    )
    grid.add_row("", Text("Scroll for who and worth; tabs 2-9 for the rest.", style="dim"))
    return grid


def opportunities_table(sheet: Sheet) -> Table | Text:
    """The account's largest whitespace opportunities: category and T12M gross margin."""
    if not sheet.opportunities:
        return Text("None: it buys at least what its peers buy for its size.", style="italic")
    grid = _grid()
    grid.add_column(justify="right", no_wrap=True)
    for category, amount in sheet.opportunities:
        grid.add_row(Text(safe(category)), money(amount))
    return grid
