"""Scorecards: what each key account manager's and executive sponsor's open key accounts are
worth and how well they are looked after.

Per person, over the open key accounts they run (managers) or sponsor (sponsors) today:

- portfolio CLV and T12M profit after cost to serve: the figures of the key accounts list
  (kam.services.portfolio), summed; their change against a year before: the same accounts'
  CLV at the date a year earlier (same model and settings), and the profit of the twelve
  months before the T12M window;
- health mix: how many accounts are green, amber and red (kam.services.health);
- overdue commitments (the health rule's count) and overdue sponsor visits
  (kam.services.sponsors);
- reviews on time (managers): of the reviews that came due, those done by their due date. A
  review counts when it was done in the T12M window (on time if on or before the date the
  review before it set, or, for the first, admission + review_days) and when one is overdue
  now (late);
- visits on time (sponsors): the same for sponsor visits, each due visit_days after the one
  before (the first: after admission).

Who sees what: executives and admins every scorecard; a manager their own; viewers none
(kam.rules.permissions, Action.SEE_SCORECARDS).

The CLV a year before comes from a lifetime-value fit at that date, made on the whole base
(seconds at 200,000 customers): `year_before` finds it stored, or makes it and keeps it
where the user may keep figures (kam.services.lifetime), so that it is made once per day
and data, not on every look at a scorecard. Without an open key account nothing is fitted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from db.enums import Role
from kam.errors import PermissionDenied
from kam.rules import lifecycle
from kam.rules.permissions import Action, may
from kam.views import View

if TYPE_CHECKING:
    from sqlmodel import Session

    from db.models import KeyAccount
    from kam.database import Database
    from kam.figures.value import Lifetime
    from kam.identity import Actor
    from kam.services.portfolio import PortfolioRow


@dataclass(frozen=True)
class Score(View):
    """One person's portfolio of open key accounts: worth, health and care."""

    login: str
    display_name: str
    accounts: int
    """Open key accounts they run (managers) or sponsor (sponsors)."""
    clv: float
    """The accounts' CLV now (as in the key accounts list)."""
    clv_before: float
    """The same accounts' CLV a year before."""
    profit: float
    """T12M profit after cost to serve."""
    profit_before: float
    """Profit of the twelve months before the T12M window."""
    green: int
    amber: int
    red: int
    overdue_commitments: int
    overdue_visits: int
    due: int
    """Reviews (managers) or sponsor visits (sponsors) that came due: done in the T12M window,
    or overdue now."""
    on_time: int
    """Of those, the ones done by their due date."""

    @property
    def clv_change(self) -> float:
        """CLV now less CLV a year before."""
        return self.clv - self.clv_before

    @property
    def profit_change(self) -> float:
        """T12M profit less the profit of the twelve months before."""
        return self.profit - self.profit_before

    @property
    def on_time_share(self) -> float | None:
        """on_time / due; None when nothing came due."""
        return self.on_time / self.due if self.due else None

    def to_dict(self) -> dict[str, object]:
        """The figures, the changes and the on-time share as JSON-ready values."""
        return {
            **super().to_dict(),
            "clv_change": self.clv_change,
            "profit_change": self.profit_change,
            "on_time_share": self.on_time_share,
        }


@dataclass(frozen=True)
class Scorecard(View):
    """The scorecards a user may see, as of a date."""

    as_of: date
    kind: str
    """'manager' or 'sponsor'."""
    scores: list[Score]
    everyone: bool
    """Whether the user sees every scorecard (executives, admins) or only their own."""

    def to_dict(self) -> dict[str, object]:
        """The context and one dict per score."""
        return {
            "as_of": self.as_of.isoformat(),
            "kind": self.kind,
            "everyone": self.everyone,
            "scores": [s.to_dict() for s in self.scores],
        }


def sees_every_scorecard(actor: Actor) -> bool:
    """Whether `actor` sees everyone's scorecard (the screens ask this, the services refuse)."""
    return may(actor, Action.SEE_SCORECARDS) is None


def _visible(actor: Actor, kind: str, login: str | None) -> str | None:
    """The one login `actor` may see when they may not see all (None: all, or `login`);
    refuse with a sentence otherwise."""
    refusal = may(actor, Action.SEE_SCORECARDS)
    if refusal is None:
        return login
    if actor.role == Role.MANAGER and kind == "manager":
        if login is not None and login != actor.login:
            raise PermissionDenied(
                f"A manager sees only their own scorecard; you ({actor.login}) asked for "
                f"'{login}'. Executives and admins see every manager's."
            )
        return actor.login
    raise PermissionDenied(refusal.reason)


def year_before(
    database: Database, actor: Actor, kind: str, *, as_of: date, login: str | None = None
) -> Lifetime | None:
    """The lifetime-value figures a year before `as_of`, which each scorecard's CLV change is
    measured against: the stored fit, else one made now and kept where the user may keep
    figures. None when no key account is open (no scorecard has a CLV to compare). Refuses
    as the scorecard would, before any fit is made."""
    from db import aggregates
    from kam.figures.fits import request
    from kam.figures.worth import previous_window
    from kam.services.lifetime import lifetime_values

    _visible(actor, kind, login)
    with database.reading() as session:
        opened = aggregates.member_ids(session.connection(), [s.value for s in lifecycle.OPEN])
    if not opened:
        return None
    _, last_before = previous_window(as_of)
    return lifetime_values(database, actor, request(last_before))


def _slots(
    done: Iterable[tuple[date, date]], overdue: bool, *, first: date, as_of: date
) -> tuple[int, int]:
    """(came due, on time) from the (done on, due on) of what was done, and whether the next
    one is overdue: each done in [first, as_of] counts, on time when done by its due date;
    an overdue one counts, late."""
    due = on_time = 0
    for done_on, due_on in done:
        if first <= done_on <= as_of:
            due += 1
            on_time += done_on <= due_on
    return due + overdue, on_time


def _review_slots(
    session: Session, accounts: list[KeyAccount], *, first: date, as_of: date, review_days: int
) -> dict[int, tuple[int, int]]:
    """{account id: (reviews that came due, on time)} for admitted accounts. The next review
    is due on the account's next review date; without one, review_days after the last review
    (or the admission)."""
    from db import aggregates

    admitted = {a.id: a for a in accounts if a.admitted_on is not None and a.id is not None}
    done: dict[int, list[tuple[date, date]]] = {}
    rows = aggregates.review_dates(session.connection(), as_of, account_ids=admitted.keys())
    for account_id, reviewed_on, set_due in rows:
        a = admitted[account_id]
        assert a.admitted_on is not None
        due = _day(set_due) if set_due else a.admitted_on + timedelta(days=review_days)
        done.setdefault(account_id, []).append((_day(reviewed_on), due))
    found = {}
    for aid, a in admitted.items():
        assert a.admitted_on is not None
        reviews = done.get(aid, [])
        last = reviews[-1][0] if reviews else a.admitted_on
        next_due = a.next_review_on or last + timedelta(days=review_days)
        found[aid] = _slots(reviews, next_due < as_of, first=first, as_of=as_of)
    return found


def _visit_slots(
    session: Session,
    accounts: list[KeyAccount],
    overdue: dict[int, bool],
    *,
    first: date,
    as_of: date,
    visit_days: int,
) -> dict[int, tuple[int, int]]:
    """{account id: (sponsor visits that came due, on time)} for sponsored member accounts."""
    from db import aggregates
    from kam.services.sponsors import visit_clock

    by_customer = {
        a.customer_id: a
        for a in accounts
        if a.sponsor_id is not None and lifecycle.is_member(a.status) and a.id is not None
    }
    done: dict[int, list[tuple[date, date]]] = {}
    rows = aggregates.visit_dates(session.connection(), as_of, customer_ids=by_customer.keys())
    for customer_id, happened_on, previous_on in rows:
        a = by_customer[customer_id]
        assert a.id is not None
        since = _day(previous_on) if previous_on else visit_clock(a, None)
        done.setdefault(a.id, []).append((_day(happened_on), since + timedelta(days=visit_days)))
    result = {}
    for a in by_customer.values():
        assert a.id is not None
        result[a.id] = _slots(
            done.get(a.id, []), overdue.get(a.id, False), first=first, as_of=as_of
        )
    return result


def _day(value: object) -> date:
    """A date from the database (SQLite gives ISO text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@dataclass(frozen=True)
class _Facts:
    """Everything the scorecards are summed from, per open key account."""

    accounts: list[KeyAccount]
    rows: dict[int, PortfolioRow]
    clv_before: dict[int, float]
    profit_before: dict[int, float]
    commitments: dict[int, int]
    visits_overdue: dict[int, bool]
    reviews: dict[int, tuple[int, int]]
    visits: dict[int, tuple[int, int]]


def _facts(session: Session, *, as_of: date, before: Lifetime | None) -> _Facts:
    from sqlmodel import col, select

    from db import aggregates
    from db.models import KeyAccount
    from kam.figures import frames, metrics
    from kam.figures.base import base_figures
    from kam.figures.headline import t12m_window
    from kam.figures.worth import previous_window
    from kam.rules.programme import load_settings
    from kam.services.portfolio import portfolio
    from kam.services.sponsors import visit_schedule

    settings = load_settings(session)
    accounts = list(
        session.exec(select(KeyAccount).where(col(KeyAccount.status).in_(lifecycle.OPEN))).all()
    )
    ids = [a.customer_id for a in accounts]
    rows: dict[int, PortfolioRow] = {}
    clv_before: dict[int, float] = {}
    profit_before: dict[int, float] = {}
    if accounts:  # else no figure to show, and none to fit a model for
        rows = {r.id: r for r in portfolio(session, as_of=as_of)}
        first_before, last_before = previous_window(as_of)
        window = frames.window(session, first_before, last_before, customer_ids=ids, detail=False)
        profit = metrics.profit_from(
            window.sales, window.costs, frames.customers(session, customer_ids=ids)
        )
        year_ago = base_figures(session, as_of=last_before, customer_ids=ids, lifetime=before)
        by_customer = {a.customer_id: a.id for a in accounts if a.id is not None}
        clv_before = {
            by_customer[int(cid)]: float(v) for cid, v in year_ago.clv["clv"].dropna().items()
        }
        profit_before = {by_customer[int(cid)]: float(v) for cid, v in profit["profit"].items()}
    commitments = dict(
        aggregates.overdue_commitments(session.connection(), as_of, customer_ids=ids)
    )
    overdue = {v.account_id: v.overdue for v in visit_schedule(session, as_of)}
    first, _ = t12m_window(as_of)
    return _Facts(
        accounts=accounts,
        rows=rows,
        clv_before=clv_before,
        profit_before=profit_before,
        commitments={a.id: int(commitments.get(a.customer_id, 0)) for a in accounts if a.id},
        visits_overdue=overdue,
        reviews=_review_slots(
            session, accounts, first=first, as_of=as_of, review_days=settings.review_days
        ),
        visits=_visit_slots(
            session, accounts, overdue, first=first, as_of=as_of, visit_days=settings.visit_days
        ),
    )


def _score(
    login: str,
    name: str,
    accounts: list[KeyAccount],
    facts: _Facts,
    care: dict[int, tuple[int, int]],
) -> Score:
    ids = [a.id for a in accounts if a.id is not None]
    rows = [facts.rows[i] for i in ids if i in facts.rows]
    health = [r.health for r in rows]
    from kam.services.health import AMBER, GREEN, RED

    return Score(
        login=login,
        display_name=name,
        accounts=len(ids),
        clv=sum(r.clv or 0.0 for r in rows),
        clv_before=sum(facts.clv_before.get(i, 0.0) for i in ids),
        profit=sum(r.profit or 0.0 for r in rows),
        profit_before=sum(facts.profit_before.get(i, 0.0) for i in ids),
        green=health.count(GREEN),
        amber=health.count(AMBER),
        red=health.count(RED),
        overdue_commitments=sum(facts.commitments.get(i, 0) for i in ids),
        overdue_visits=sum(facts.visits_overdue.get(i, False) for i in ids),
        due=sum(care.get(i, (0, 0))[0] for i in ids),
        on_time=sum(care.get(i, (0, 0))[1] for i in ids),
    )


def _scorecard(
    session: Session,
    actor: Actor,
    kind: str,
    people: list[tuple[int, str, str]],
    holder: Callable[[KeyAccount], int | None],
    *,
    as_of: date,
    login: str | None,
    before: Lifetime | None,
) -> Scorecard:
    from kam.errors import NotFound

    only = _visible(actor, kind, login)
    if only is not None:
        people = [p for p in people if p[1] == only]
        if not people and login is not None:
            if kind == "manager":
                raise NotFound(
                    f"'{login}' is not a manager and runs no open key account; "
                    "`kam manager list` names the managers."
                )
            raise NotFound(
                f"'{login}' is not an executive and sponsors no open key account; "
                "`kam sponsor list` names the sponsors."
            )
    facts = _facts(session, as_of=as_of, before=before)
    care = facts.reviews if kind == "manager" else facts.visits
    scores = [
        _score(login_, name, [a for a in facts.accounts if holder(a) == uid], facts, care)
        for uid, login_, name in people
    ]
    return Scorecard(as_of, kind, scores, everyone=only is None)


def manager_scorecard(
    session: Session,
    actor: Actor,
    *,
    as_of: date,
    login: str | None = None,
    before: Lifetime | None = None,
) -> Scorecard:
    """Every manager's scorecard (executives, admins), or one's; a manager sees their own.
    `before`: the figures a year before (`year_before`), else the stored fit or one made
    now and not kept."""
    from kam.services.managers import manager_profiles

    people = [
        (_user_id(session, p.login), p.login, p.display_name) for p in manager_profiles(session)
    ]
    return _scorecard(
        session,
        actor,
        "manager",
        people,
        lambda a: a.manager_id,
        as_of=as_of,
        login=login,
        before=before,
    )


def sponsor_scorecard(
    session: Session,
    actor: Actor,
    *,
    as_of: date,
    login: str | None = None,
    before: Lifetime | None = None,
) -> Scorecard:
    """Every executive sponsor's scorecard (executives and admins); `before` as for
    manager_scorecard."""
    from kam.services.sponsors import list_sponsors

    people = [(_user_id(session, s.login), s.login, s.display_name) for s in list_sponsors(session)]
    return _scorecard(
        session,
        actor,
        "sponsor",
        people,
        lambda a: a.sponsor_id,
        as_of=as_of,
        login=login,
        before=before,
    )


def read_scorecard(
    database: Database, actor: Actor, kind: str, *, as_of: date, login: str | None = None
) -> Scorecard:
    """The managers' (`kind` "manager") or sponsors' scorecards the user may see, their CLV
    a year before from the kept fit (`year_before`): what the CLI and the screens show."""
    before = year_before(database, actor, kind, as_of=as_of, login=login)
    read = manager_scorecard if kind == "manager" else sponsor_scorecard
    with database.reading() as session:
        return read(session, actor, as_of=as_of, login=login, before=before)


def _user_id(session: Session, login: str) -> int:
    from kam.services.common import user_by_login

    user = user_by_login(session, login)
    assert user.id is not None
    return user.id
