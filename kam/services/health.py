"""Account health: green, amber or red by a written rule, every flag given as a reason.

The rule (also in RULE, which the account sheet and the TUI print):

Red if any of:

- trailing-twelve-month (T12M) profit is negative, or fell more than 20 % against the
  twelve months before;
- the satisfaction index (perceived / expected) of the latest review is below 0.9;
- a complaint of severity high or critical is open (recorded and not yet fed back);
- two or more open commitments are overdue, or a commitment was broken in the last 90 days;
- an active or under-review account has no executive sponsor, or no sponsor visit for more
  than 2 x visit_days.

Amber if any of: T12M profit fell at all; satisfaction index below 1.0; any complaint open;
an open commitment overdue; no sponsor visit for more than visit_days; the customer is at
risk of churning (kam.rules.outlook: P(alive), the gap since its last purchase, a falling
share of wallet; its falling margin is judged above, as falling profit).

Otherwise green. The sponsor rules apply to active and under-review accounts (nominees get
their sponsor at admission); an account never visited is counted from its admission. Every
fact is taken as of the given date: later sales, reviews, visits and closings do not count.

Profit comes from kam.figures.metrics over the sums of kam.figures.frames (so this module
loads pandas when it computes, not when it is imported).

Each view also carries the account's T12M profit and the customer's P(alive) from the
lifetime-value model (None where the model does not speak for the customer: the simple
CLV), its last weeks and its change since the last review (read from the snapshots by
kam.services.health_history). The views a session computes are noted on it (`computed`),
so that after a read the health computed for today can be kept as that day's snapshot
(kam.services.snapshots).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from db.enums import CommitmentStatus, ComplaintStatus, Severity
from kam.errors import NotFound
from kam.rules import lifecycle
from kam.services.sponsors import last_visits, visit_clock
from kam.views import View

if TYPE_CHECKING:
    import pandas as pd
    from sqlmodel import Session

    from db.models import KeyAccount
    from kam.figures.worth import Worth

#: The health rule, as shown to people beside every health status.
RULE = """\
Red if any of:
  - T12M profit is negative, or fell more than 20 % against the 12 months before;
  - the latest review's satisfaction index (perceived / expected) is below 0.9;
  - a complaint of severity high or critical is open (not yet fed back);
  - 2 or more open commitments are overdue, or a commitment was broken in the last 90 days;
  - an active or under-review account has no executive sponsor, or no sponsor visit for
    more than 2 x visit_days (never visited: counted from admission).
Amber if any of:
  - T12M profit fell (any decline);
  - satisfaction index below 1.0;
  - any complaint open;
  - an open commitment overdue;
  - no sponsor visit for more than visit_days;
  - at risk of churning: P(alive) below churn_p_alive, a gap since the last purchase
    over twice the usual (and over 30 days), or share of wallet down over 5 points.
Otherwise green."""

GREEN, AMBER, RED = "green", "amber", "red"
#: Profit falling by more than this share of the previous twelve months is red.
PROFIT_DROP_RED = 0.20
#: Satisfaction index thresholds: below the first is red, below the second amber.
SATISFACTION_RED, SATISFACTION_AMBER = 0.9, 1.0
#: Overdue open commitments from which health is red.
OVERDUE_RED = 2
#: A commitment broken within this many days makes health red.
BROKEN_DAYS = 90
_SERIOUS = (Severity.HIGH, Severity.CRITICAL)
_ORDER = {RED: 0, AMBER: 1, GREEN: 2}


@dataclass(frozen=True)
class HealthFacts:
    """What the health rule looks at, for one account at one date."""

    profit: float
    """T12M profit (gross margin minus cost to serve)."""
    previous_profit: float
    """Profit of the twelve months before the T12M window."""
    satisfaction: float | None
    """Satisfaction index of the latest review that has one; None without a review."""
    reviewed_on: date | None
    open_complaints: int
    serious_complaints: int
    """Open complaints of severity high or critical."""
    overdue_commitments: int
    broken_commitments: int
    """Commitments broken in the last BROKEN_DAYS days."""
    expects_sponsor: bool
    """Whether the sponsor rules apply (active and under-review accounts)."""
    has_sponsor: bool
    last_visit: date | None
    """The last executive visit on or before the date; None if never."""
    days_since_visit: int
    """Days since the last sponsor visit, or (never visited) since `visit_counted_from`."""
    visit_counted_from: str
    churn: tuple[str, ...] = ()
    """Why the customer is at risk of churning (kam.rules.outlook); empty when it is not."""
    """'last visit', 'admission' or 'nomination': where the visit cadence counts from."""


@dataclass(frozen=True)
class HealthView(View):
    """An account's health at a date, with the reason for every flag."""

    account_id: int
    customer: str
    as_of: date
    status: str
    """green, amber or red."""
    reasons: list[str]
    """One sentence per flag, red ones first; empty when green."""
    profit: float = 0.0
    """T12M profit after cost to serve, as the rule judged it."""
    p_alive: float | None = None
    """The customer's P(alive) from the lifetime-value model (None where the model does not
    speak for the customer, or no fit is at hand)."""
    trend: str | None = None
    """Since the last review: its health then against now, with the profit's change (None
    without a review, or without a snapshot from it on)."""
    weekly: list[str | None] = field(default_factory=list)
    """Health over the last weeks, oldest first, one status per week (the latest snapshot
    that week; None: nothing recorded); the last is this view's own status."""


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _money(value: float) -> str:
    return f"{value:,.0f}"


def _percent(share: float) -> str:
    value = round(share * 100, 1)
    return f"{value:g} %"


def judge(facts: HealthFacts, *, visit_days: int) -> tuple[str, list[str]]:
    """Apply the written rule: (green/amber/red, the reasons, red ones first)."""
    red: list[str] = []
    amber: list[str] = []

    now, before = round(facts.profit, 2), round(facts.previous_profit, 2)
    if now < 0:
        fell = f", down from {_money(before)}" if now < before else ""
        red.append(f"T12M profit is negative ({_money(now)}{fell})")
    elif now < before:  # before > 0 here
        drop = (before - now) / before
        sentence = f"T12M profit fell {_percent(drop)} (from {_money(before)} to {_money(now)})"
        (red if round(drop, 9) > PROFIT_DROP_RED else amber).append(sentence)

    if facts.satisfaction is not None and facts.satisfaction < SATISFACTION_AMBER:
        when = facts.reviewed_on.isoformat() if facts.reviewed_on else "?"
        if facts.satisfaction < SATISFACTION_RED:
            red.append(
                f"satisfaction index {facts.satisfaction:.2f} at the review of {when} "
                f"(below {SATISFACTION_RED})"
            )
        else:
            amber.append(
                f"satisfaction index {facts.satisfaction:.2f} at the review of {when} "
                f"(below {SATISFACTION_AMBER:.1f})"
            )

    if facts.serious_complaints:
        opened = _count(facts.open_complaints, "open complaint")
        if facts.serious_complaints == facts.open_complaints:
            red.append(f"{opened} of severity high or critical")
        else:
            red.append(f"{opened}, {facts.serious_complaints} of severity high or critical")
    elif facts.open_complaints:
        amber.append(_count(facts.open_complaints, "open complaint"))

    if facts.overdue_commitments:
        sentence = f"{_count(facts.overdue_commitments, 'commitment')} overdue"
        (red if facts.overdue_commitments >= OVERDUE_RED else amber).append(sentence)
    if facts.broken_commitments:
        red.append(
            f"{_count(facts.broken_commitments, 'commitment')} broken in the last "
            f"{BROKEN_DAYS} days"
        )

    if facts.expects_sponsor:
        days = facts.days_since_visit
        if facts.last_visit is not None:
            sentence = f"last sponsor visit {days} days ago (due every {visit_days})"
        else:
            sentence = (
                f"no sponsor visit in the {days} days since {facts.visit_counted_from} "
                f"(due every {visit_days})"
            )
        if not facts.has_sponsor:
            red.append("no executive sponsor")
        elif days > 2 * visit_days:
            red.append(sentence)
        elif days > visit_days:
            amber.append(sentence)

    if facts.churn:
        amber.append("at risk of churning: " + "; ".join(facts.churn))

    status = RED if red else AMBER if amber else GREEN
    return status, red + amber


def _profits(
    session: Session, customer_ids: list[int], *, as_of: date, one: bool
) -> dict[int, tuple[float, float]]:
    """{customer id: (T12M profit, profit of the twelve months before)}, in one load."""
    from kam.figures import frames, metrics
    from kam.figures.worth import previous_window

    previous_start, previous_end = previous_window(as_of)
    customers = frames.customers(session, customer_ids=customer_ids)
    now_sums = frames.t12m(session, as_of, customer_ids=customer_ids)
    before_sums = frames.window(
        session, previous_start, previous_end, customer_ids=customer_ids, detail=False
    )
    now = metrics.profit_from(now_sums.sales, now_sums.costs, customers)
    before = metrics.profit_from(before_sums.sales, before_sums.costs, customers)
    return {
        int(cid): (float(now.at[cid, "profit"]), float(before.at[cid, "profit"]))
        for cid in now.index
    }


def _facts(
    session: Session,
    accounts: list[KeyAccount],
    *,
    as_of: date,
    profits: dict[int, tuple[float, float]] | None = None,
) -> dict[int, HealthFacts]:
    """The facts of several accounts, {account id: facts}, in a fixed number of queries
    (`profits` when the caller computed them already)."""
    from sqlmodel import col, select

    from db.models import Commitment, Complaint, Review

    customer_ids = sorted({a.customer_id for a in accounts})
    account_ids = [a.id for a in accounts]
    if profits is None:
        profits = _profits(session, customer_ids, as_of=as_of, one=len(customer_ids) == 1)

    satisfaction: dict[int, tuple[float, date]] = {}
    for review in session.exec(
        select(Review)
        .where(col(Review.key_account_id).in_(account_ids), col(Review.reviewed_on) <= as_of)
        .order_by(col(Review.reviewed_on), col(Review.id))
    ):
        index = review.satisfaction
        if index is None and review.perceived and review.expected:
            index = review.perceived / review.expected
        if index is not None:
            satisfaction[review.key_account_id] = (index, review.reviewed_on)

    complaints: dict[int, list[Severity]] = {}
    for complaint in session.exec(
        select(Complaint).where(
            col(Complaint.customer_id).in_(customer_ids), col(Complaint.recorded_on) <= as_of
        )
    ):
        closed = complaint.status == ComplaintStatus.FED_BACK and (
            complaint.fed_back_on is None or complaint.fed_back_on <= as_of
        )
        if not closed:
            complaints.setdefault(complaint.customer_id, []).append(complaint.severity)

    overdue: dict[int, int] = {}
    broken: dict[int, int] = {}
    for c in session.exec(select(Commitment).where(col(Commitment.customer_id).in_(customer_ids))):
        closed_later = c.closed_on is not None and c.closed_on > as_of
        if c.due_on < as_of and (c.status == CommitmentStatus.OPEN or closed_later):
            overdue[c.customer_id] = overdue.get(c.customer_id, 0) + 1
        when = c.closed_on or c.due_on
        if c.status == CommitmentStatus.BROKEN and 0 <= (as_of - when).days <= BROKEN_DAYS:
            broken[c.customer_id] = broken.get(c.customer_id, 0) + 1

    visits = last_visits(session, customer_ids, as_of=as_of)
    facts = {}
    for a in accounts:
        assert a.id is not None
        profit, previous = profits.get(a.customer_id, (0.0, 0.0))
        index, reviewed_on = satisfaction.get(a.id, (None, None))
        severities = complaints.get(a.customer_id, [])
        last = visits.get(a.customer_id)
        clock = visit_clock(a, last)
        facts[a.id] = HealthFacts(
            profit=profit,
            previous_profit=previous,
            satisfaction=index,
            reviewed_on=reviewed_on,
            open_complaints=len(severities),
            serious_complaints=sum(s in _SERIOUS for s in severities),
            overdue_commitments=overdue.get(a.customer_id, 0),
            broken_commitments=broken.get(a.customer_id, 0),
            expects_sponsor=lifecycle.is_member(a.status),
            has_sponsor=a.sponsor_id is not None,
            last_visit=last,
            days_since_visit=(as_of - clock).days,
            visit_counted_from=(
                "last visit" if last else "admission" if a.admitted_on else "nomination"
            ),
        )
    return facts


def _health(
    session: Session,
    rows: list[tuple[KeyAccount, str]],
    *,
    as_of: date,
    profits: dict[int, tuple[float, float]] | None = None,
    alive: dict[int, float] | None = None,
) -> list[HealthView]:
    from kam.rules.programme import load_settings
    from kam.services.health_history import with_history

    if not rows:
        return []
    visit_days = load_settings(session).visit_days
    accounts = [a for a, _ in rows]
    facts = _facts(session, accounts, as_of=as_of, profits=profits)
    if alive is None:
        alive = p_alive_of(session, sorted({a.customer_id for a in accounts}), as_of=as_of)
    facts = _with_churn(session, accounts, facts, alive, as_of=as_of)
    views = []
    for account, name in rows:
        assert account.id is not None
        status, reasons = judge(facts[account.id], visit_days=visit_days)
        views.append(
            HealthView(
                account.id,
                name,
                as_of,
                status,
                reasons,
                profit=round(facts[account.id].profit, 2),
                p_alive=alive.get(account.customer_id),
            )
        )
    views = with_history(session, views)
    session.info.setdefault(_COMPUTED, {}).update({(v.account_id, v.as_of): v for v in views})
    return views


def _with_churn(
    session: Session,
    accounts: list[KeyAccount],
    facts: dict[int, HealthFacts],
    alive: dict[int, float],
    *,
    as_of: date,
) -> dict[int, HealthFacts]:
    """The facts with each customer's churn warning (kam.rules.outlook) added."""
    from dataclasses import replace

    from kam.figures.outlook import outlooks
    from kam.rules.programme import load_settings

    found = outlooks(
        session, as_of, p_alive=alive, customer_ids=[a.customer_id for a in accounts],
        churn_p_alive=load_settings(session).churn_p_alive,
    )  # fmt: skip
    result = dict(facts)
    for a in accounts:
        seen = found.get(a.customer_id)
        if a.id is None or seen is None or not seen.at_risk:
            continue
        # A falling margin is already judged as falling profit, by the rule's own numbers.
        reasons = tuple(r for r, kind in zip(seen.reasons, seen.kinds, strict=True)
                        if kind != "margin")  # fmt: skip
        if reasons:
            result[a.id] = replace(facts[a.id], churn=reasons)
    return result


def p_alive_of(session: Session, customer_ids: list[int], *, as_of: date) -> dict[int, float]:
    """{customer id: P(alive) at `as_of`} from the kept lifetime-value fit of the default
    request (kam.figures.fits), for the customers the probabilistic model speaks for; empty
    while no fit for the data as they are is kept (nothing is fitted here)."""
    from kam.figures import fits

    return fits.stored_p_alive(session, fits.request(as_of), customer_ids)


def known_p_alive(column: pd.Series) -> dict[int, float]:
    """{customer id: P(alive)} from a figures table's `p_alive` column (kam.figures.value),
    leaving out the customers the model does not speak for (no value)."""
    return {int(cid): float(p) for cid, p in column.dropna().items()}


#: Where a session keeps the health computed in it ({(account id, as_of): view}), so that
#: after a read the health computed today can be kept (kam.services.snapshots.keep).
_COMPUTED = "kam.health.computed"


def computed(session: Session) -> list[HealthView]:
    """The health views computed in this session so far, one per account and date."""
    return list(session.info.get(_COMPUTED, {}).values())


def _account(session: Session, account: int | str) -> tuple[KeyAccount, str]:
    from db.models import Customer, KeyAccount
    from kam.services.accounts import account_by_name

    if isinstance(account, int):
        found = session.get(KeyAccount, account)
        if found is None:
            raise NotFound(f"No key account has id {account}.")
    else:
        found = account_by_name(session, account)
    customer = session.get(Customer, found.customer_id)
    assert customer is not None
    return found, customer.name


def account_health(
    session: Session, account: int | str, *, as_of: date, worth: Worth | None = None
) -> HealthView:
    """One account's health at `as_of` (by key account id or customer name), with reasons.

    `worth`, when the caller computed it for the same date, gives the profits and P(alive).
    """
    target, name = _account(session, account)
    profits = alive = None
    if worth is not None and worth.as_of == as_of:
        profits = {target.customer_id: (worth.profit, worth.previous_profit)}
        alive = {} if worth.p_alive is None else {target.customer_id: worth.p_alive}
    return _health(session, [(target, name)], as_of=as_of, profits=profits, alive=alive)[0]


def programme_health(
    session: Session, as_of: date, *, alive: dict[int, float] | None = None
) -> list[HealthView]:
    """The health of every open key account at `as_of`, red first, in one pass over the data.

    `alive`, when the caller has the lifetime-value figures at hand, gives each customer's
    P(alive) ({customer id: P(alive)}); otherwise the kept fit's are read.
    """
    from sqlmodel import col, select

    from db.models import Customer, KeyAccount

    rows = session.exec(
        select(KeyAccount, Customer.name)
        .join(Customer)
        .where(col(KeyAccount.status).in_(lifecycle.OPEN))
    ).all()
    views = _health(session, [(a, name) for a, name in rows], as_of=as_of, alive=alive)
    return sorted(views, key=lambda v: (_ORDER[v.status], v.customer))
