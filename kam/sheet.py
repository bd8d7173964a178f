"""The one-page account sheet: who, worth, standing, the plan, the key people and what is
open, for an executive to take to a board meeting.

Built once from the services (the TUI's overview shows the same Sheet): the account is read
once, its worth computed once (health and the plan's figure-linked objectives reuse it), the
plan read once and the relationship map built once. It renders as Markdown or as
self-contained HTML that prints on one A4 page. Untrusted text is escaped in both.

What yields when the page is full. Both renderers show the same selection (the Markdown
says what the printed page says); every list keeps its highest-ranked items and ends with
"… and N more" for the rest:

- key people (decision makers, champions, blockers): at most 8, the most influential first,
  then decision makers before the others, then by name;
- the plan's goals: at most 5 (the most a plan holds), dropped goals left out; each names at
  most 2 of its objectives in trouble, overdue before behind;
- open promises: at most 6, overdue first, then by due date, grouped by who made them;
- coverage findings: at most 5, in the order of the written coverage rule;
- open complaints: at most 3, the most severe first, then the oldest;
- criteria: at most 8; health reasons: at most 6; health's last 12 weeks and its change
  since the last review: one line on paper (cut with "…");
- profit after cost to serve by year (a chart and a table): the last 5 calendar years.

When the page is still too full for those caps (`fit_page`, counted in printed lines), the
older years yield first (down to the last 3), then the lowest-ranked item of each list in
turn: criteria, coverage findings, complaints, key people, promises, goals, each down to a
floor (4, 2, 1, 4, 3, 3).

Every amount carries the programme's currency (the `currency` setting) and is printed
right-aligned; vocabulary (statuses, roles, criteria) reads through kam.text's one table, as
in the TUI; satisfaction shows to two decimals everywhere.

Text is shortened to a display width (a CJK character counts as two), ending in "…": the
customer 70, its industry and region 40 each, people's names (theirs and ours) 32, job
titles 30, goal titles 60, objective titles 48, promises and complaints 80, findings 110,
criteria notes 36, the override reason 160. On paper every table row and list item takes
one line, or at most two (longer cells end in "…"), so the page's height is bounded by the
counts above whatever the data holds (tests/unit/test_sheet_page.py prints the fullest account with
Chromium: one page).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from db.enums import BuyingRole, CommitmentStatus, GoalStatus, Severity, Stance
from kam.services.health_history import LEGEND, MARKS, NO_MARK, WEEKS, spark
from kam.text import compact_money, label, words
from kam.views import CommitmentView, ComplaintView, ContactView, View

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.figures.worth import Worth, YearFigures
    from kam.services.people import Finding
    from kam.services.plans import GoalView, PlanView

#: At most this many of each list on the page (the rule in the module's docstring).
MAX_PEOPLE = 8
MAX_GOALS = 5
MAX_NAMED_OBJECTIVES = 2
MAX_FINDINGS = 5
MAX_PROMISES = 6
MAX_COMPLAINTS = 3
MAX_YEARS = 5
MAX_CRITERIA = 8
MAX_HEALTH_REASONS = 6

#: Display widths text is shortened to (a wide character counts as two).
WIDTH = {
    "customer": 70,
    "label": 40,
    "person": 32,
    "job_title": 30,
    "goal": 60,
    "objective": 48,
    "promise": 80,
    "complaint": 80,
    "finding": 110,
    "note": 36,
    "override": 160,
    "opportunities": 40,
}

#: The standing's lines for health's history (the HTML page puts them on one line).
WEEKS_LABEL = f"Last {WEEKS} weeks"
TREND_LABEL = "Trend"
CHURN_LABEL = "Churn risk"

T = TypeVar("T")
_KEY_STANCES = (Stance.CHAMPION, Stance.BLOCKER)
_SEVERITY_RANK = {s.value: i for i, s in enumerate(reversed(list(Severity)))}


@dataclass(frozen=True)
class Sheet(View):
    """Everything the one-page sheet shows."""

    customer: str
    industry: str
    region: str
    status: str
    as_of: date
    manager: str | None
    sponsor: str | None
    last_sponsor_visit: date | None
    admitted_on: date | None
    next_review_on: date | None
    override: bool
    override_reason: str
    worth: Worth
    health: str
    health_reasons: list[str]
    health_weekly: list[str | None]
    """Health over the last weeks, oldest first (None: nothing kept that week)."""
    health_trend: str | None
    """Health since the last review, in one sentence (None without one)."""
    criteria_total: float | None
    criteria_kind: str | None
    criteria_scores: list[dict[str, Any]]
    last_review: dict[str, Any] | None
    open_commitments: list[CommitmentView] = field(default_factory=list)
    open_complaints: list[ComplaintView] = field(default_factory=list)
    plan: PlanView | None = None
    """The plan of the fiscal year `as_of` falls in (id None when there is none yet)."""
    key_people: list[ContactView] = field(default_factory=list)
    """Decision makers, champions and blockers, the most influential first."""
    findings: list[Finding] = field(default_factory=list)
    """What the coverage rule finds (kam.rules.people.COVERAGE_RULE)."""
    currency: str = ""
    """The programme's currency (ISO 4217 code), named on every amount ("": none)."""
    opportunities: list[tuple[str, float]] = field(default_factory=list)
    """The account's largest whitespace opportunities, (category, T12M margin), at most
    three (kam.figures.whitespace)."""


def build_sheet(session: Session, name: str, *, as_of: date) -> Sheet:
    """Gather the sheet for one key account as of a date: the account is looked up once, its
    worth computed once (health and the plan's figures share it), the plan and the people map
    read once."""
    from db.enums import AssessmentKind
    from kam.figures.worth import customer_worth
    from kam.rules import lifecycle
    from kam.rules.programme import load_settings
    from kam.services.accounts import account_and_customer, account_view
    from kam.services.commitments import list_commitments
    from kam.services.complaints import list_complaints
    from kam.services.health import account_health
    from kam.services.people import people_map
    from kam.services.plans import plan_view
    from kam.services.reviews import list_reviews
    from kam.services.sponsors import last_visits
    from kam.services.vetting import assessment_view, latest_assessment
    from kam.services.vetting import override_reason as vetting_override_reason
    from kam.services.whitespace import top_opportunities

    row, customer = account_and_customer(session, name)
    assert row.id is not None and customer.id is not None
    account = account_view(session, row)
    worth = customer_worth(session, customer.id, as_of=as_of)
    health = account_health(session, row.id, as_of=as_of, worth=worth)
    reviews = list_reviews(session, customer.name)
    vetting = latest_assessment(session, row)
    latest = latest_assessment(session, row, AssessmentKind.REVIEW) or vetting
    assessment = assessment_view(session, latest, customer.name) if latest else None
    override_reason = vetting_override_reason(session, row)
    visit = last_visits(session, [customer.id], as_of=as_of).get(customer.id)
    last = reviews[0] if reviews else None
    chart = people_map(session, customer.name, as_of=as_of)
    return Sheet(
        customer=account.customer,
        industry=account.industry,
        region=account.region,
        status=account.status,
        as_of=as_of,
        manager=account.manager_name,
        sponsor=account.sponsor_name,
        last_sponsor_visit=visit,
        admitted_on=account.admitted_on,
        next_review_on=account.next_review_on,
        override=account.admitted_by_override,
        override_reason=override_reason,
        worth=worth,
        health=health.status,
        health_reasons=health.reasons,
        health_weekly=health.weekly,
        health_trend=health.trend,
        criteria_total=assessment.total if assessment else None,
        criteria_kind=assessment.kind if assessment else None,
        criteria_scores=[s.to_dict() for s in assessment.scores] if assessment else [],
        last_review=last.to_dict() if last else None,
        open_commitments=[
            c
            for c in list_commitments(session, customer.name, today=as_of)
            if c.status == CommitmentStatus.OPEN
        ],
        open_complaints=[
            c
            for c in list_complaints(session, customer.name)
            if lifecycle.complaint_is_open(c.status)
        ],
        plan=plan_view(session, row, customer.name, as_of=as_of, worth=worth),
        key_people=key_people(chart.people),
        findings=chart.findings,
        currency=load_settings(session).currency,
        opportunities=top_opportunities(session, customer.id, as_of=as_of),
    )


def key_people(people: list[ContactView]) -> list[ContactView]:
    """The decision makers, champions and blockers, the most influential first (then decision
    makers before the others, then by name)."""
    chosen = [
        p for p in people if p.buying_role == BuyingRole.DECISION_MAKER or p.stance in _KEY_STANCES
    ]
    return sorted(
        chosen,
        key=lambda p: (-(p.influence or 0), p.buying_role != BuyingRole.DECISION_MAKER, p.name),
    )


# ---------------------------------------------------------------------------- the page


def width(text: str) -> int:
    """The display width of text: wide and full-width characters (CJK) count as two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def short(text: str, limit: int) -> str:
    """Text cut to a display width, ending in "…" when cut; newlines become spaces."""
    text = " ".join(text.split())
    if width(text) <= limit:
        return text
    out, used = [], 0
    for ch in text:
        used += width(ch)
        if used > limit - 1:
            break
        out.append(ch)
    return "".join(out).rstrip() + "…"


def _first(items: list[T], most: int) -> tuple[list[T], int]:
    """The first `most` items, and how many more there are."""
    return items[:most], max(0, len(items) - most)


def more(count: int, what: str = "more") -> str:
    """The line that stands for what did not fit: "… and 3 more"."""
    return f"… and {count} {what}"


#: The minus sign amounts are printed with.
MINUS = "−"


def amount(value: float | None, currency: str = "") -> str:
    """A whole amount with its currency: "EUR 12,345", "EUR −1,200"; "—" when unknown."""
    if value is None:
        return "—"
    rounded = round(value)
    figure = f"{MINUS if rounded < 0 else ''}{abs(rounded):,}"
    return f"{currency} {figure}" if currency else figure


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def satisfaction(value: float | None) -> str:
    """A satisfaction index (perceived ÷ expected) to two decimals, as every screen shows it."""
    return "—" if value is None else f"{value:.2f}"


def _clv_inputs(w: Worth, currency: str) -> str:
    """The CLV's inputs on one line: the model's, or the simple formula's."""
    from kam.figures.fits import PROBABILISTIC

    money = lambda v: amount(v, currency)  # noqa: E731
    if w.clv_model == PROBABILISTIC and w.p_alive is not None:
        return (
            f"P(alive) {w.p_alive:.2f}, {w.purchases_12m or 0:.1f} purchases in 12 months, "
            f"margin {money(w.margin_per_purchase)} − cost {money(w.cost_per_purchase)} "
            f"per purchase, d {_pct(w.discount_rate)}, H {w.horizon} years"
        )
    return (
        f"M {money(w.clv_margin)} ({words(w.clv_margin_source)}) − C "
        f"{money(w.clv_cost_to_serve)}, r {_pct(w.clv_retention)} "
        f"({words(w.clv_retention_source)}), d {_pct(w.discount_rate)}, H {w.horizon} years"
    )


def opportunity_line(opportunities: list[tuple[str, float]], *, printed: bool = True) -> str:
    """The largest whitespace opportunities on one line ("Bearings 34.0k · Tools 2.6k"); on
    the printed page the lower-ranked ones yield to WIDTH["opportunities"], and say how many
    did."""
    if not opportunities:
        return "none against its peers"
    shown: list[str] = []
    for category, amount in opportunities:
        item = f"{short(category, 18)} {compact_money(amount)}"
        if printed and shown and width(" · ".join([*shown, item])) > WIDTH["opportunities"]:
            break
        shown.append(item)
    hidden = len(opportunities) - len(shown)
    return " · ".join(shown) + (f" (+{hidden})" if hidden else "")


def _whole_pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


@dataclass(frozen=True)
class Figure:
    """One line of the sheet's worth: what it is, the amount (printed right-aligned) and a
    note."""

    label: str
    value: str
    note: str = ""


def worth_lines(sheet: Sheet) -> list[Figure]:
    """The account's worth, the CLV and the T12M profit first, every amount in the currency
    (the CLV's model is named on its inputs' line)."""
    w, c = sheet.worth, sheet.currency
    stage = words(w.stage) if w.stage else "no purchases"
    lines = [
        Figure("CLV (forward)", amount(w.clv, c),
               f"tier {w.tier} · {stage}" + (" · at risk" if w.at_risk else "")),
        Figure("Profit after cost to serve", amount(w.profit, c), "T12M"),
        Figure("Gross margin", amount(w.gross_margin, c), "T12M"),
        Figure("Cost to serve", amount(w.cost_to_serve, c), "T12M"),
        Figure("Revenue", amount(w.revenue, c), "T12M"),
        Figure("Share of wallet", _pct(w.share_of_wallet),
               "" if w.estimated_wallet is not None else "no wallet estimate"),
    ]  # fmt: skip
    if w.headroom is not None:
        lines.append(Figure("Wallet headroom", amount(w.headroom, c)))
    return lines


def clv_inputs(sheet: Sheet) -> str:
    """The CLV's model and inputs in one line, amounts in the currency."""
    return f"{words(sheet.worth.clv_model)}: {_clv_inputs(sheet.worth, sheet.currency)}"


def _lines(sheet: Sheet) -> dict[str, list[tuple[str, str]]]:
    """Who and the standing as (label, plain text) pairs, shared by both renderers."""
    status = label(sheet.status) + (" (admitted by override)" if sheet.override else "")
    who = [
        ("Status", status),
        ("Key account manager", short(sheet.manager or "none", WIDTH["person"])),
        ("Executive sponsor", short(sheet.sponsor or "none", WIDTH["person"])),
        ("Last sponsor visit", str(sheet.last_sponsor_visit or "never")),
        ("Next review", str(sheet.next_review_on or "not scheduled")),
    ]
    review = sheet.last_review
    reasons, hidden = _first(sheet.health_reasons, MAX_HEALTH_REASONS)
    said = "; ".join(reasons) or "no concerns"
    w = sheet.worth
    churn = "; ".join(w.risk_reasons) if w.at_risk else ""
    standing = [
        ("Health", f"{label(sheet.health)}: {said}" + (f" ({more(hidden)})" if hidden else "")),
        (WEEKS_LABEL, f"{spark(sheet.health_weekly)} (oldest first; {LEGEND})"),
        *([(TREND_LABEL, sheet.health_trend)] if sheet.health_trend else []),
        *([(CHURN_LABEL, churn or "at risk")] if w.at_risk else []),
        (
            "Criteria total",
            "—"
            if sheet.criteria_total is None
            else f"{sheet.criteria_total:g} / 100 ({words(sheet.criteria_kind)})",
        ),
        (
            "Last review",
            "none"
            if review is None
            else f"{review['reviewed_on']}: {words(review['decision'])}, satisfaction "
            f"{satisfaction(review['satisfaction'])}"
            + (
                f", recommends {words(review['recommendation'])}"
                if review["recommendation"]
                else ""
            ),
        ),
    ]
    if sheet.override:
        reason = short(sheet.override_reason, WIDTH["override"]) or "(no reason recorded)"
        standing.append(("Override", reason))
    return {"Who": who, "Standing": standing}


# ---------------------------------------------------------------------------- profit by year


def year_lines(sheet: Sheet, most: int = MAX_YEARS) -> tuple[list[YearFigures], int]:
    """The last `most` calendar years, oldest first, and how many earlier years yield."""
    years = sheet.worth.years
    shown = years[-most:] if most > 0 else []
    return shown, len(years) - len(shown)


def year_label(year: YearFigures) -> str:
    """A year as the table names it: "2026 (to date)" for the year not over yet."""
    return f"{year.year} (to date)" if year.partial else str(year.year)


#: The profit chart's drawing box (SVG user units) and its margins.
CHART_WIDTH, CHART_HEIGHT = 320, 112
_CHART_TOP, _CHART_PLOT = 14, 74


def profit_chart(years: list[YearFigures]) -> str:
    """Profit after cost to serve by year as an inline SVG bar chart (no script, no network):
    one bar per year, above the axis for a profit, below it for a loss, the value over or
    under the bar and the year beneath; the year not over yet drawn lighter."""
    profits = [y.profit for y in years]
    high, low = max([0.0, *profits]), min([0.0, *profits])
    span = (high - low) or 1.0
    axis = _CHART_TOP + high / span * _CHART_PLOT
    slot = CHART_WIDTH / max(len(years), 1)
    parts = [
        f"<svg class=chart role=img viewBox='0 0 {CHART_WIDTH} {CHART_HEIGHT}' "
        f"aria-label='Profit after cost to serve by year'>"
    ]
    for i, y in enumerate(years):
        height = abs(y.profit) / span * _CHART_PLOT
        top = axis - height if y.profit >= 0 else axis
        x = i * slot + slot * 0.2
        kind = ("pos" if y.profit >= 0 else "neg") + (" partial" if y.partial else "")
        middle = x + slot * 0.3
        said = compact_money(y.profit).replace("-", MINUS)
        value_y = top - 3 if y.profit >= 0 else axis + height + 10
        parts.append(
            f"<rect class='{kind}' data-year='{y.year}' data-profit='{y.profit:.2f}' "
            f"x='{x:.1f}' y='{top:.1f}' width='{slot * 0.6:.1f}' height='{height:.1f}'/>"
            f"<text class=v x='{middle:.1f}' y='{value_y:.1f}'>{said}</text>"
            f"<text class=y x='{middle:.1f}' y='{CHART_HEIGHT - 2}'>{y.year}</text>"
        )
    parts.append(
        f"<line class=axis x1='0' x2='{CHART_WIDTH}' y1='{axis:.1f}' y2='{axis:.1f}'/></svg>"
    )
    return "".join(parts)


@dataclass(frozen=True)
class GoalLine:
    """One goal as the page shows it."""

    title: str
    status: str
    progress: float | None
    objectives: str
    """How many objectives stand where: "2 on track, 1 behind"."""
    attention: list[str]
    """Objectives overdue or behind, named briefly ("overdue: Roadmap signed")."""


def plan_headline(plan: PlanView | None) -> str:
    """The plan in one line: its year, progress, goals and overdue actions."""
    if plan is None:
        return "No plan."
    if plan.id is None:
        return f"No plan for {plan.period} yet."
    goals = [g for g in plan.goals if g.status != GoalStatus.DROPPED]
    late = sum(a.overdue for a in plan.actions)
    parts = [
        f"{_whole_pct(plan.progress)} of the way",
        f"{len(goals)} goal{'s' if len(goals) != 1 else ''}"
        + ("" if plan.complete else " (incomplete: fewer than 2)"),
        f"{late} action{'s' if late != 1 else ''} overdue" if late else "no action overdue",
    ]
    return f"Plan {plan.period}: " + ", ".join(parts) + "."


def _goal_line(goal: GoalView) -> GoalLine:
    from kam.rules import plans as rules

    states = [o.state for o in goal.objectives]
    counts = [f"{states.count(s)} {s}" for s in (rules.ON_TRACK, rules.BEHIND, rules.OVERDUE,
                                                  rules.DONE) if states.count(s)]  # fmt: skip
    late = [o for o in goal.objectives if o.state == rules.OVERDUE] + [
        o for o in goal.objectives if o.state == rules.BEHIND
    ]
    named, hidden = _first(late, MAX_NAMED_OBJECTIVES)
    attention = [f"{o.state}: {short(o.title, WIDTH['objective'])}" for o in named]
    if hidden:
        attention.append(more(hidden))
    return GoalLine(
        title=short(goal.title, WIDTH["goal"]),
        status=goal.status,
        progress=goal.progress,
        objectives=", ".join(counts) or "no objectives",
        attention=attention,
    )


def goal_lines(plan: PlanView | None, most: int = MAX_GOALS) -> tuple[list[GoalLine], int]:
    """The goals the page shows (dropped ones left out), and how many more there are."""
    goals = [g for g in plan.goals if g.status != GoalStatus.DROPPED] if plan else []
    shown, hidden = _first(goals, most)
    return [_goal_line(g) for g in shown], hidden


@dataclass(frozen=True)
class PersonLine:
    """One key person as the page shows them."""

    name: str
    job_title: str
    role: str
    """Their buying role and stance: "decision maker · blocker"."""
    influence: str
    owner: str
    last_contact: str
    overdue: bool


def person_lines(sheet: Sheet, most: int = MAX_PEOPLE) -> tuple[list[PersonLine], int]:
    """The key people the page shows, and how many more there are."""
    shown, hidden = _first(sheet.key_people, most)
    lines = [
        PersonLine(
            name=short(p.name, WIDTH["person"]),
            job_title=short(p.job_title, WIDTH["job_title"]) or "—",
            role=" · ".join(words(x) for x in (p.buying_role, p.stance) if x) or "—",
            influence=f"{p.influence}/5" if p.influence else "—",
            owner=short(p.owner_name or p.owner or "", WIDTH["person"]) or "none",
            last_contact=str(p.last_contact) if p.last_contact else "never",
            overdue=p.overdue,
        )
        for p in shown
    ]
    return lines, hidden


def finding_lines(sheet: Sheet, most: int = MAX_FINDINGS) -> tuple[list[str], int]:
    """The coverage findings the page shows, and how many more there are."""
    shown, hidden = _first(sheet.findings, most)
    return [short(f.text, WIDTH["finding"]) for f in shown], hidden


def maker(c: CommitmentView) -> str:
    """Who made a promise: a kam user by name, or a named outside person with department."""
    name = c.made_by_name or c.made_by or "unknown"
    if c.made_by_department:
        department = words(c.made_by_department)
        return f"{short(name, WIDTH['person'])} ({department}, outside kam)"
    return short(name, WIDTH["person"])


@dataclass(frozen=True)
class PromiseLine:
    """One open promise as the page shows it."""

    due_on: date
    overdue: bool
    promise: str
    to: str | None
    """The person at the customer it was made to."""
    keeps: str
    """Our department that keeps it."""

    @property
    def text(self) -> str:
        """What was promised, to whom, and who keeps it, in one line."""
        to = f" — to {self.to}" if self.to else ""
        return f"{self.promise}{to}; {self.keeps} keeps it"


def promise_groups(
    sheet: Sheet, most: int = MAX_PROMISES
) -> tuple[list[tuple[str, list[PromiseLine]]], int]:
    """The open promises the page shows, grouped by who made them (the group of the most
    urgent first), and how many more there are."""
    ranked = sorted(sheet.open_commitments, key=lambda c: (not c.overdue, c.due_on, c.id))
    shown, hidden = _first(ranked, most)
    groups: dict[str, list[PromiseLine]] = {}
    for c in shown:
        line = PromiseLine(
            due_on=c.due_on,
            overdue=c.overdue,
            promise=short(c.description, WIDTH["promise"]),
            to=short(c.contact, WIDTH["person"]) if c.contact else None,
            keeps=words(c.department),
        )
        groups.setdefault(maker(c), []).append(line)
    return list(groups.items()), hidden


def complaint_lines(sheet: Sheet, most: int = MAX_COMPLAINTS) -> tuple[list[str], int]:
    """The open complaints the page shows, the most severe first, and how many more."""
    ranked = sorted(
        sheet.open_complaints,
        key=lambda c: (_SEVERITY_RANK.get(c.severity, 9), c.recorded_on, c.id),
    )
    shown, hidden = _first(ranked, most)
    return [
        f"{label(c.severity)}, {words(c.status)} since {c.recorded_on}: "
        f"{short(c.summary, WIDTH['complaint'])}"
        for c in shown
    ], hidden


def criteria_rows(sheet: Sheet, most: int = MAX_CRITERIA) -> tuple[list[dict[str, Any]], int]:
    """The criteria scores the page shows, and how many more there are."""
    return _first(sheet.criteria_scores, most)


# ---------------------------------------------------------------------------- page fill

#: The parts that yield when the page is full, in the order they start to: the older years
#: first, then the lowest-ranked item of each list in turn; each keeps at least this many.
YIELDING: tuple[tuple[str, int], ...] = (
    ("years", 3), ("criteria", 4), ("findings", 2), ("complaints", 1), ("people", 4),
    ("promises", 3), ("goals", 3),
)  # fmt: skip
#: The most of each part the page shows (the module's caps).
MOST = {"years": MAX_YEARS, "criteria": MAX_CRITERIA, "findings": MAX_FINDINGS,
        "complaints": MAX_COMPLAINTS, "people": MAX_PEOPLE, "promises": MAX_PROMISES,
        "goals": MAX_GOALS}  # fmt: skip
#: The printed lines one item of each part takes (goals, findings and complaints may take
#: two); a part that leaves some out takes one more line for "… and N more".
LINE_COST = {"years": 1, "criteria": 1, "findings": 2, "complaints": 2, "people": 1,
             "promises": 1, "goals": 2}  # fmt: skip
#: The lines the A4 page holds at the printed size (measured with Chromium on the fullest
#: account of tests/unit/test_sheet_page.py), and what the rest of the page takes.
PAGE_LINES = 86
FIXED_LINES = 46


def page_lines(shown: dict[str, int], wanted: dict[str, int], fixed: int = FIXED_LINES) -> int:
    """The printed lines the page needs with `shown` of each part out of `wanted`."""
    return fixed + sum(LINE_COST[k] * n + (1 if n < wanted[k] else 0) for k, n in shown.items())


def fit_page(
    wanted: dict[str, int], *, budget: int = PAGE_LINES, fixed: int = FIXED_LINES
) -> dict[str, int]:
    """How many of each part the page shows: each up to its cap (MOST); while the page would
    need more than `budget` lines, the older years yield first (down to 3), then the
    lowest-ranked item of each list in turn, in YIELDING order, none below its floor."""
    shown = {k: min(n, MOST[k]) for k, n in wanted.items()}
    years_floor = dict(YIELDING)["years"]
    while page_lines(shown, wanted, fixed) > budget and shown["years"] > years_floor:
        shown["years"] -= 1
    while page_lines(shown, wanted, fixed) > budget:
        yielded = False
        for part, floor in YIELDING[1:]:
            if shown[part] > floor and page_lines(shown, wanted, fixed) > budget:
                shown[part] -= 1
                yielded = True
        if not yielded:
            break
    return shown


def page_fit(sheet: Sheet) -> dict[str, int]:
    """How many of each part this sheet's page shows (fit_page over what it holds)."""
    plan = sheet.plan
    wanted = {
        "years": len(sheet.worth.years),
        "criteria": len(sheet.criteria_scores),
        "findings": len(sheet.findings),
        "complaints": len(sheet.open_complaints),
        "people": len(sheet.key_people),
        "promises": len(sheet.open_commitments),
        "goals": len([g for g in plan.goals if g.status != GoalStatus.DROPPED]) if plan else 0,
    }
    fixed = FIXED_LINES + (2 if sheet.override else 0) + (1 if sheet.worth.at_risk else 0)
    return fit_page(wanted, fixed=fixed)


# ---------------------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|~#]|(?<!\w)_|_(?!\w))")


def md_escape(text: str) -> str:
    """Escape Markdown (emphasis, code, links, HTML, headings, table pipes) so text shows as
    written."""
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def render_markdown(sheet: Sheet) -> str:
    """The sheet as Markdown (the same selection as the printed page)."""
    m = md_escape
    out = [
        f"# {m(short(sheet.customer, WIDTH['customer']))}",
        "",
        f"{m(short(sheet.industry, WIDTH['label']))} · {m(short(sheet.region, WIDTH['label']))}"
        f" · as of {sheet.as_of}",
        "",
    ]
    fit = page_fit(sheet)
    sections = _lines(sheet)
    out += ["## Who", "", "| | |", "|---|---|"]
    out += [f"| {m(k)} | {m(v)} |" for k, v in sections["Who"]]
    out += ["", "## Worth", "", "| | amount | |", "|---|---:|---|"]
    out += [f"| {m(f.label)} | {m(f.value)} | {m(f.note)} |" for f in worth_lines(sheet)]
    out += ["", f"CLV inputs: {m(clv_inputs(sheet))}", ""]
    out += [f"Top opportunities: {m(opportunity_line(sheet.opportunities, printed=False))}", ""]
    years, older = year_lines(sheet, fit["years"])
    out += ["### Profit after cost to serve by year", ""]
    if years:
        c = sheet.currency
        out += ["| year | gross margin | cost to serve | profit |", "|---|---:|---:|---:|"]
        out += [
            f"| {year_label(y)} | {amount(y.gross_margin, c)} | {amount(y.cost_to_serve, c)} | "
            f"{amount(y.profit, c)} |"
            for y in years
        ]
        if older:
            out.append(f"| {more(older, 'earlier years')} | | | |")
    else:
        out.append("- No sales yet.")
    out += ["", "## Standing", "", "| | |", "|---|---|"]
    out += [f"| {m(k)} | {m(v)} |" for k, v in sections["Standing"]]
    out.append("")
    out += ["## Plan", "", m(plan_headline(sheet.plan)), ""]
    goals, hidden = goal_lines(sheet.plan, fit["goals"])
    if goals:
        out += ["| goal | progress | objectives | needs attention |", "|---|---:|---|---|"]
        for g in goals:
            status = f" ({words(g.status)})" if g.status != GoalStatus.OPEN else ""
            out.append(
                f"| {m(g.title)}{status} | {_whole_pct(g.progress)} | {g.objectives} | "
                f"{m('; '.join(g.attention)) or '—'} |"
            )
        if hidden:
            out.append(f"| {more(hidden, 'more goals')} | | | |")
        out.append("")
    people, hidden = person_lines(sheet, fit["people"])
    out += ["## Key people", ""]
    if people:
        out += ["| name | title | role · stance | influence | owner | last contact |",
                "|---|---|---|---:|---|---|"]  # fmt: skip
        for p in people:
            late = " **overdue**" if p.overdue else ""
            out.append(
                f"| {m(p.name)} | {m(p.job_title)} | {p.role} | {p.influence} | {m(p.owner)} | "
                f"{p.last_contact}{late} |"
            )
        if hidden:
            out.append(f"| {more(hidden)} | | | | | |")
    else:
        out.append("- No decision maker, champion or blocker recorded.")
    out.append("")
    findings, hidden = finding_lines(sheet, fit["findings"])
    out += ["## Coverage", ""]
    out += [f"- {m(f)}" for f in findings] or ["- No gaps in how the people are covered."]
    if hidden:
        out.append(f"- {more(hidden)}")
    out.append("")
    if sheet.criteria_scores:
        rows, hidden = criteria_rows(sheet, fit["criteria"])
        out += ["## Criteria", "", "| criterion | weight | score | note |", "|---|---:|---:|---|"]
        for s in rows:
            flag = " (knock-out failed)" if s["failed"] else ""
            score = "—" if s["score"] is None else format(s["score"], "g")
            out.append(
                f"| {m(label(s['criterion']))}{flag} | {s['weight']:g} | "
                f"{score} | "
                f"{m(short(s['comment'], WIDTH['note']))} |"
            )
        if hidden:
            out.append(f"| {more(hidden)} | | | |")
        out.append("")
    out += ["## Open", "", "### Promises, by who made them", ""]
    groups, hidden = promise_groups(sheet, fit["promises"])
    for who, lines in groups:
        out.append(f"- {m(who)}")
        for promise in lines:
            late = " **overdue**" if promise.overdue else ""
            out.append(f"  - due {promise.due_on}{late}: {m(promise.text)}")
    if hidden:
        out.append(f"- {more(hidden)}")
    if not groups:
        out.append("- No open promise.")
    out += ["", "### Complaints", ""]
    complaints, hidden = complaint_lines(sheet, fit["complaints"])
    out += [f"- {m(c)}" for c in complaints] or ["- No open complaint."]
    if hidden:
        out.append(f"- {more(hidden)}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------- HTML

_CSS = """
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font:10.5pt/1.35 "Liberation Sans","DejaVu Sans","Noto Sans","Noto Sans CJK SC",
system-ui,sans-serif;margin:1.5em auto;max-width:62em;padding:0 1em;color:#111}
h1{font-size:1.5em;margin:0;line-height:1.2;overflow:hidden;text-overflow:ellipsis;
white-space:nowrap}
h2{font-size:1.02em;margin:.6em 0 .2em;padding-bottom:.05em;border-bottom:1px solid #bbb;
color:#1d3a6e}
header{display:flex;justify-content:space-between;align-items:center;gap:1em}
p{margin:.15em 0}.meta{color:#555}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:0 1.6em}
table{border-collapse:collapse;width:100%;table-layout:fixed}
td,th{padding:.05em .35em;text-align:left;vertical-align:top}
th{font-weight:600;color:#444}
.kv th{width:44%}.kv td,.kv th{overflow-wrap:anywhere}
.rows td,.rows th{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.rows thead th{border-bottom:1px solid #ccc;font-size:.9em;color:#555}
.rows tbody tr:nth-child(even){background:#f3f5f8}
.clamp{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;overflow:hidden;
white-space:normal;overflow-wrap:anywhere}
td.n,th.n{text-align:right}
ul{margin:.05em 0;padding-left:1.2em}
.health{font-weight:700;padding:.1em .6em;border-radius:.3em;color:#fff;white-space:nowrap}
.green{background:#17723a}.amber{background:#a66300}.red{background:#b3261e}
.reasons{overflow-wrap:anywhere}.reasons b{color:#b3261e}
.trend{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.weeks{letter-spacing:.1em}.weeks span{background:none}.weeks .green{color:#17723a}
.weeks .amber{color:#a66300}.weeks .red{color:#b3261e}.weeks .none{color:#999}
.late{color:#b3261e;font-weight:600}
.override{background:#fff3cd;padding:.1em .5em;border-left:4px solid #a66300}
.bar{display:inline-block;width:3.6em;height:.65em;background:#e3e3e3;vertical-align:-.05em;
margin-right:.35em}.bar span{display:block;height:100%;background:#2d6cdf}
.muted{color:#666}
.fig th{width:44%;text-align:left}.fig td.n{width:28%}
.fig td.muted{padding-left:.6em;font-size:.92em;white-space:nowrap;overflow:hidden;
text-overflow:ellipsis}
td.n{font-variant-numeric:tabular-nums;white-space:nowrap}td.loss{color:#b3261e}
.inputs{font-size:.88em;margin:.1em 0 .2em}
svg.chart{display:block;width:100%;height:7.5em;margin:.1em 0 .15em}
.chart .pos{fill:#2d6cdf}.chart .neg{fill:#b3261e}.chart .partial{fill-opacity:.45}
.chart .axis{stroke:#555;stroke-width:.8}
.chart text{font-size:10px;text-anchor:middle;fill:#333}.chart .y{fill:#555}
@media print{body{margin:0;max-width:none;padding:0;font-size:8pt;line-height:1.25}
@page{size:A4;margin:10mm 11mm}}
"""


def render_html(sheet: Sheet) -> str:
    """The sheet as one self-contained HTML page that prints on one A4 page: every table row
    is one line (or two, clamped), so the page holds what the yielding rule lets through."""
    e = html.escape

    def kv(pairs: list[tuple[str, str]]) -> str:
        rows = "".join(f"<tr><th>{e(k.strip())}</th><td>{e(v)}</td></tr>" for k, v in pairs)
        return f"<table class=kv>{rows}</table>"

    def grid(widths: list[int], heads: list[str], rows: list[str], hidden: str = "") -> str:
        cols = "".join(f"<col style='width:{w}%'>" for w in widths)
        head = "".join(f"<th{' class=n' if h.startswith('#') else ''}>{h.lstrip('#')}</th>"
                       for h in heads)  # fmt: skip
        if hidden:
            rows = [*rows, f"<tr><td class=muted colspan={len(widths)}>{e(hidden)}</td></tr>"]
        return (f"<table class=rows><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table>")  # fmt: skip

    def items(lines: list[str], hidden: int, empty: str) -> str:
        shown = "".join(f"<li><div class=clamp>{e(x)}</div></li>" for x in lines)
        if hidden:
            shown += f"<li class=muted>{e(more(hidden))}</li>"
        return f"<ul>{shown or f'<li class=muted>{e(empty)}</li>'}</ul>"

    def bar(share: float | None) -> str:
        filled = 0 if share is None else round(share * 100)
        return f"<span class=bar><span style='width:{filled}%'></span></span>"

    def late(flag: bool) -> str:
        return " <span class=late>overdue</span>" if flag else ""

    sections = _lines(sheet)
    customer = short(sheet.customer, WIDTH["customer"])
    reasons, hidden = _first(sheet.health_reasons, MAX_HEALTH_REASONS)
    said = "; ".join(reasons) or "no concerns"
    weeks = "".join(
        f"<span class={status} title={status}>{MARKS[status]}</span>"
        if status in MARKS
        else f"<span class=none title='none kept'>{NO_MARK}</span>"
        for status in sheet.health_weekly
    )
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>{e(customer)} — account sheet</title><style>{_CSS}</style></head><body>",
        f"<header><h1>{e(customer)}</h1>"
        f"<span class='health {e(sheet.health)}'>Health: {e(label(sheet.health))}</span>"
        "</header>",
        f"<p class=meta>{e(short(sheet.industry, WIDTH['label']))} · "
        f"{e(short(sheet.region, WIDTH['label']))} · "
        f"{e(label(sheet.status))} · "
        f"as of {sheet.as_of}</p>",
        f"<p class=reasons><b>Health {e(words(sheet.health))}:</b> {e(said)}"
        + (f" ({e(more(hidden))})" if hidden else "")
        + "</p>",
        f"<p class=trend><span class=weeks>{weeks}</span> last {WEEKS} weeks, oldest first"
        + (f" · {e(sheet.health_trend)}" if sheet.health_trend else "")
        + "</p>",
    ]
    if sheet.worth.at_risk:
        churn = "; ".join(sheet.worth.risk_reasons) or "at risk"
        parts.append(f"<p class=reasons><b>{CHURN_LABEL}:</b> {e(churn)}</p>")
    if sheet.override:
        reason = short(sheet.override_reason, WIDTH["override"]) or "(no reason recorded)"
        parts.append(f"<p class=override>Admitted by override: {e(reason)}</p>")
    shown_above = ("Health", WEEKS_LABEL, TREND_LABEL, CHURN_LABEL, "Override")
    standing = [(k, v) for k, v in sections["Standing"] if k not in shown_above]
    fit = page_fit(sheet)
    figures = "".join(
        f"<tr><th>{e(f.label)}</th><td class=n>{e(f.value)}</td><td class=muted>{e(f.note)}</td>"
        "</tr>"
        for f in worth_lines(sheet)
    )
    years, older = year_lines(sheet, fit["years"])
    c = sheet.currency
    by_year = "<p class=muted>No sales yet.</p>"
    if years:
        rows = [
            f"<tr><td>{e(year_label(y))}</td><td class=n>{e(amount(y.gross_margin, c))}</td>"
            f"<td class=n>{e(amount(y.cost_to_serve, c))}</td>"
            f"<td class='n{' loss' if y.profit < 0 else ''}'>{e(amount(y.profit, c))}</td></tr>"
            for y in years
        ]
        by_year = profit_chart(years) + grid(
            [28, 24, 24, 24], ["Year", "#Gross margin", "#Cost to serve", "#Profit"], rows,
            more(older, "earlier years") if older else "",
        )  # fmt: skip
    # Who and worth on the left, standing and the years on the right: columns of a height.
    parts.append(
        "<div class=grid><div>"
        f"<h2>Who</h2>{kv(sections['Who'])}"
        f"<h2>Worth</h2><table class=fig>{figures}</table>"
        f"<p class='muted inputs'>CLV inputs: {e(clv_inputs(sheet))}</p>"
        f"<p class=inputs><b>Top opportunities:</b> {e(opportunity_line(sheet.opportunities))}"
        "</p>"
        f"</div><div><h2>Standing</h2>{kv(standing)}"
        f"<h2>Profit after cost to serve by year</h2>{by_year}</div></div>"
    )

    parts.append(f"<h2>Plan</h2><p>{e(plan_headline(sheet.plan))}</p>")
    goals, hidden = goal_lines(sheet.plan, fit["goals"])
    if goals:
        rows = [
            f"<tr><td><div class=clamp>{e(g.title)}"
            + (
                f" <span class=muted>({e(words(g.status))})</span>"
                if g.status != GoalStatus.OPEN
                else ""
            )
            + f"</div></td><td class=n>{bar(g.progress)}{_whole_pct(g.progress)}</td>"
            f"<td>{e(g.objectives)}</td>"
            f"<td><div class=clamp>{e('; '.join(g.attention)) or '—'}</div></td></tr>"
            for g in goals
        ]
        parts.append(grid([33, 12, 20, 35], ["Goal", "#Progress", "Objectives",
                                              "Needs attention"], rows,
                          more(hidden, "more goals") if hidden else ""))  # fmt: skip

    people, hidden = person_lines(sheet, fit["people"])
    parts.append("<h2>Key people</h2>")
    if people:
        rows = [
            f"<tr><td>{e(p.name)}</td><td>{e(p.job_title)}</td><td>{e(p.role)}</td>"
            f"<td class=n>{p.influence}</td><td>{e(p.owner)}</td>"
            f"<td>{p.last_contact}{late(p.overdue)}</td></tr>"
            for p in people
        ]
        parts.append(grid([22, 20, 19, 6, 16, 17], ["Name", "Title", "Role · stance", "#Infl.",
                                                     "Owner", "Last contact"], rows,
                          more(hidden) if hidden else ""))  # fmt: skip
    else:
        parts.append("<p class=muted>No decision maker, champion or blocker recorded.</p>")

    groups, hidden = promise_groups(sheet, fit["promises"])
    parts.append("<h2>Open promises, by who made them</h2>")
    if groups:
        rows = [
            f"<tr><td>{e(who) if i == 0 else ''}</td><td>{p.due_on}{late(p.overdue)}</td>"
            f"<td>{e(p.promise)}</td><td>{e(p.to or '—')}</td><td>{e(p.keeps)}</td></tr>"
            for who, lines in groups
            for i, p in enumerate(lines)
        ]
        parts.append(grid([26, 16, 31, 15, 12], ["Made by", "Due", "Promise", "To", "Kept by"],
                          rows, more(hidden) if hidden else ""))  # fmt: skip
    else:
        parts.append("<p class=muted>No open promise.</p>")

    findings, hidden = finding_lines(sheet, fit["findings"])
    parts.append(
        f"<h2>Coverage</h2>{items(findings, hidden, 'No gaps in how the people are covered.')}"
    )

    complaints, hidden = complaint_lines(sheet, fit["complaints"])
    criteria = ""
    if sheet.criteria_scores:
        scores, more_scores = criteria_rows(sheet, fit["criteria"])
        rows = [
            f"<tr><td>{e(label(s['criterion']))}"
            f"{' (knock-out failed)' if s['failed'] else ''}</td>"
            f"<td class=n>{s['weight']:g}</td>"
            f"<td class=n>{'—' if s['score'] is None else format(s['score'], 'g')}</td>"
            f"<td>{e(short(s['comment'], WIDTH['note']))}</td></tr>"
            for s in scores
        ]
        criteria = "<h2>Criteria</h2>" + grid(
            [42, 14, 12, 32], ["Criterion", "#Weight", "#Score", "Note"], rows,
            more(more_scores) if more_scores else "",
        )  # fmt: skip
    parts.append(
        "<div class=grid><div><h2>Open complaints</h2>"
        f"{items(complaints, hidden, 'No open complaint.')}</div>"
        f"<div>{criteria}</div></div>"
    )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
