"""The one-page account sheet: who, worth, standing and what is open, for an executive.

Built once from the services (the TUI's overview shows the same Sheet) and rendered as
Markdown or as self-contained HTML that prints on one page. Untrusted text is escaped.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from db.enums import CommitmentStatus
from kam.views import CommitmentView, ComplaintView, View

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.figures.worth import Worth


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
    criteria_total: float | None
    criteria_kind: str | None
    criteria_scores: list[dict[str, Any]]
    last_review: dict[str, Any] | None
    open_commitments: list[CommitmentView] = field(default_factory=list)
    open_complaints: list[ComplaintView] = field(default_factory=list)


def build_sheet(session: Session, name: str, *, as_of: date) -> Sheet:
    """Gather the sheet for one key account as of a date: the account is looked up once and
    its worth computed once (health, the TUI's tabs and the exports share it)."""
    from db.enums import AssessmentKind
    from kam.figures.worth import customer_worth
    from kam.rules import lifecycle
    from kam.services.accounts import account_and_customer, account_view
    from kam.services.commitments import list_commitments
    from kam.services.complaints import list_complaints
    from kam.services.health import account_health
    from kam.services.reviews import list_reviews
    from kam.services.sponsors import last_visits
    from kam.services.vetting import assessment_view, latest_assessment

    row, customer = account_and_customer(session, name)
    assert row.id is not None and customer.id is not None
    account = account_view(session, row)
    worth = customer_worth(session, customer.id, as_of=as_of)
    health = account_health(session, row.id, as_of=as_of, worth=worth)
    reviews = list_reviews(session, customer.name)
    vetting = latest_assessment(session, row)
    latest = latest_assessment(session, row, AssessmentKind.REVIEW) or vetting
    assessment = assessment_view(session, latest, customer.name) if latest else None
    override_reason = vetting.override_reason if vetting and vetting.override else ""
    visit = last_visits(session, [customer.id], as_of=as_of).get(customer.id)
    last = reviews[0] if reviews else None
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
    )


def _money(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _lines(sheet: Sheet) -> dict[str, list[tuple[str, str]]]:
    """The sheet's sections as (label, plain text) pairs, shared by both renderers."""
    w = sheet.worth
    trend = ", ".join(f"{y}: {_money(p)}" for y, p in w.profit_by_year.items()) or "—"
    who = [
        ("Status", sheet.status + (" (admitted by override)" if sheet.override else "")),
        ("Key account manager", sheet.manager or "none"),
        ("Executive sponsor", sheet.sponsor or "none"),
        ("Last sponsor visit", str(sheet.last_sponsor_visit or "never")),
        ("Next review", str(sheet.next_review_on or "not scheduled")),
    ]
    worth = [
        ("CLV (forward)", _money(w.clv)),
        (
            "  inputs",
            f"M {_money(w.clv_margin)} ({w.clv_margin_source}) − C "
            f"{_money(w.clv_cost_to_serve)}, r {_pct(w.clv_retention)} "
            f"({w.clv_retention_source}), d {_pct(w.discount_rate)}, "
            f"H {w.horizon} years",
        ),
        ("Profit after cost to serve (T12M)", _money(w.profit)),
        (
            "Gross margin / cost to serve",
            f"{_money(w.gross_margin)} / {_money(w.cost_to_serve)}",
        ),
        ("Share of wallet / headroom", f"{_pct(w.share_of_wallet)} / {_money(w.headroom)}"),
        ("Revenue (T12M)", _money(w.revenue)),
        ("Profit by year", trend),
    ]
    review = sheet.last_review
    standing = [
        ("Health", f"{sheet.health}: " + ("; ".join(sheet.health_reasons) or "no concerns")),
        (
            "Criteria total",
            "—"
            if sheet.criteria_total is None
            else f"{sheet.criteria_total:g} / 100 ({sheet.criteria_kind})",
        ),
        (
            "Last review",
            "none"
            if review is None
            else f"{review['reviewed_on']}: {review['decision']}, satisfaction "
            f"{review['satisfaction'] if review['satisfaction'] is not None else '—'}"
            + (f", recommends {review['recommendation']}" if review["recommendation"] else ""),
        ),
    ]
    if sheet.override:
        standing.append(("Override", sheet.override_reason or "(no reason recorded)"))
    return {"Who": who, "Worth": worth, "Standing": standing}


_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|~]|(?<!\w)_|_(?!\w))")


def md_escape(text: str) -> str:
    """Escape Markdown (emphasis, code, links, HTML, table pipes) so text shows as written."""
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def render_markdown(sheet: Sheet) -> str:
    """The sheet as Markdown."""
    out = [
        f"# {md_escape(sheet.customer)}",
        "",
        f"{md_escape(sheet.industry)} · {md_escape(sheet.region)} · as of {sheet.as_of}",
        "",
    ]
    for section, pairs in _lines(sheet).items():
        out += [f"## {section}", "", "| | |", "|---|---|"]
        out += [f"| {md_escape(k.strip())} | {md_escape(v)} |" for k, v in pairs]
        out.append("")
    if sheet.criteria_scores:
        out += ["## Criteria", "", "| criterion | weight | score | note |", "|---|---:|---:|---|"]
        for s in sheet.criteria_scores:
            flag = " (knock-out failed)" if s["failed"] else ""
            out.append(
                f"| {md_escape(s['criterion'])}{flag} | {s['weight']:g} | "
                f"{'—' if s['score'] is None else s['score']} | {md_escape(s['comment'])} |"
            )
        out.append("")
    out += ["## Open", ""]
    for c in sheet.open_commitments:
        late = " **overdue**" if c.overdue else ""
        out.append(
            f"- Commitment due {c.due_on}{late}: {md_escape(c.description)} "
            f"({md_escape(c.department)}, made by {md_escape(c.made_by or '—')})"
        )
    for p in sheet.open_complaints:
        out.append(
            f"- Complaint ({p.severity}, {p.status}) since {p.recorded_on}: {md_escape(p.summary)}"
        )
    if not sheet.open_commitments and not sheet.open_complaints:
        out.append("- Nothing open.")
    return "\n".join(out) + "\n"


_CSS = """
body{font:11pt/1.35 system-ui,sans-serif;margin:1.5em auto;max-width:60em;color:#111}
h1{font-size:1.6em;margin:0}h2{font-size:1.05em;margin:1em 0 .3em;border-bottom:1px solid #ccc}
.meta{color:#555;margin:.2em 0 .8em}.grid{display:grid;grid-template-columns:1fr 1fr;gap:0 2em}
table{border-collapse:collapse;width:100%}td,th{padding:.15em .4em;text-align:left;
vertical-align:top}th{font-weight:600;color:#444}td.n{text-align:right}
.health{font-weight:700}.green{color:#17723a}.amber{color:#a66300}.red{color:#b3261e}
.override{background:#fff3cd;padding:.3em .5em;border-left:4px solid #a66300}
@media print{body{margin:0;font-size:9.5pt}@page{size:A4;margin:12mm}}
"""


def render_html(sheet: Sheet) -> str:
    """The sheet as one self-contained HTML page that prints on one sheet of paper."""
    e = html.escape
    sections = _lines(sheet)

    def table(pairs: list[tuple[str, str]]) -> str:
        rows = "".join(f"<tr><th>{e(k.strip())}</th><td>{e(v)}</td></tr>" for k, v in pairs)
        return f"<table>{rows}</table>"

    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>{e(sheet.customer)} — account sheet</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(sheet.customer)}</h1>",
        f"<p class=meta>{e(sheet.industry)} · {e(sheet.region)} · as of {sheet.as_of}</p>",
        f"<p class='health {e(sheet.health)}'>Health: {e(sheet.health)}</p>",
    ]
    if sheet.override:
        parts.append(f"<p class=override>Admitted by override: {e(sheet.override_reason)}</p>")
    parts.append("<div class=grid>")
    for section, pairs in sections.items():
        parts.append(f"<section><h2>{section}</h2>{table(pairs)}</section>")
    parts.append("</div>")
    if sheet.criteria_scores:
        rows = "".join(
            f"<tr><td>{e(s['criterion'])}{' (knock-out failed)' if s['failed'] else ''}</td>"
            f"<td class=n>{s['weight']:g}</td>"
            f"<td class=n>{'—' if s['score'] is None else s['score']}</td>"
            f"<td>{e(s['comment'])}</td></tr>"
            for s in sheet.criteria_scores
        )
        parts.append(
            "<h2>Criteria</h2><table><tr><th>criterion</th><th>weight</th>"
            f"<th>score</th><th>note</th></tr>{rows}</table>"
        )
    items = [
        f"<li>Commitment due {c.due_on}{' <b>overdue</b>' if c.overdue else ''}: "
        f"{e(c.description)} ({e(c.department)}, made by {e(c.made_by or '—')})</li>"
        for c in sheet.open_commitments
    ] + [
        f"<li>Complaint ({e(c.severity)}, {e(c.status)}) since {c.recorded_on}: {e(c.summary)}</li>"
        for c in sheet.open_complaints
    ]
    parts.append(f"<h2>Open</h2><ul>{''.join(items) or '<li>Nothing open.</li>'}</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
