"""Keeping health: each key account's health, reasons, T12M profit and P(alive) as kam
computed them, at most one snapshot per account per day (kam.services.health_history reads
them back).

Snapshots are written

- after a read that computed today's health (`reading`, or `keep` with the views): in a
  short write transaction of its own, never inside the read, and only by a role that may
  keep figures (Action.KEEP_FIGURES); a viewer computes on the fly and stores nothing. A
  snapshot that cannot be written (a database login granted SELECT only, a busy
  database) is given up with one debug line: computing health never fails for it;
- at every review, in the review's own transaction (`record` with its id);
- by `kam snapshot` (cron): `take_snapshots` first refreshes the lifetime-value fit
  (kam.services.lifetime: reused while the data are unchanged, else fitted and kept), then
  records every open key account's health with the fit's P(alive); one job keeps both.

The same day computed again replaces that day's figures (db.snapshots.upsert_health).
Snapshots are figures kam derives, not changes anyone made: they are not audited.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from kam.rules import clock
from kam.rules.permissions import Action, allowed, require
from kam.views import View

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.database import Database
    from kam.figures.value import Lifetime
    from kam.identity import Actor
    from kam.services.health import HealthView

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StepReport(View):
    """What one step of `kam snapshot` did."""

    step: str
    counts: dict[str, int]
    said: str
    """One sentence for people."""


@dataclass(frozen=True)
class SnapshotReport(View):
    """What `kam snapshot` recorded, step by step."""

    as_of: date
    dry_run: bool = False
    steps: list[StepReport] = field(default_factory=list)


def record(
    session: Session, actor: Actor, views: Sequence[HealthView], *, review_id: int | None = None
) -> tuple[int, int]:
    """Write the views as their accounts' snapshots of their days (in `session`'s write
    transaction), marked with `review_id` if given: (new rows, days rewritten)."""
    from sqlmodel import col, select

    from db.models import HealthSnapshot, utcnow
    from db.snapshots import upsert_health

    require(actor, Action.KEEP_FIGURES)
    if not views:
        return 0, 0
    taken_at = utcnow()
    rows: list[dict[str, Any]] = [
        {
            "key_account_id": v.account_id,
            "taken_on": v.as_of,
            "status": v.status,
            "reasons_json": json.dumps(v.reasons, ensure_ascii=False),
            "profit": v.profit,
            "p_alive": v.p_alive,
            "review_id": review_id,
            "taken_at": taken_at,
        }
        for v in {(v.account_id, v.as_of): v for v in views}.values()
    ]
    existing = {
        (account_id, day)
        for account_id, day in session.exec(
            select(col(HealthSnapshot.key_account_id), col(HealthSnapshot.taken_on)).where(
                col(HealthSnapshot.key_account_id).in_(sorted({r["key_account_id"] for r in rows})),
                col(HealthSnapshot.taken_on).in_(sorted({r["taken_on"] for r in rows})),
            )
        ).all()
    }
    upsert_health(session, rows)
    again = sum((r["key_account_id"], r["taken_on"]) in existing for r in rows)
    return len(rows) - again, again


def keep(database: Database, actor: Actor, views: Sequence[HealthView]) -> bool:
    """Keep the views computed for today as today's snapshots, in a write transaction of
    their own; False when nothing was written (nothing of today's, a role that does not
    write, or a database that refused: logged at debug level, never raised)."""
    from sqlalchemy.exc import SQLAlchemyError

    from kam.errors import KamError

    today = [v for v in views if v.as_of == clock.today()]
    if not today or not allowed(actor, Action.KEEP_FIGURES):
        return False
    try:
        with database.writing() as session:
            record(session, actor, today)
    except (KamError, SQLAlchemyError) as error:
        log.debug("health snapshots not kept: %s", error)
        return False
    return True


def keep_computed(database: Database, actor: Actor, session: Session) -> bool:
    """Keep the health computed for today in `session` (a read that has ended); see `keep`."""
    from kam.services.health import computed

    return keep(database, actor, computed(session))


@contextmanager
def reading(database: Database, actor: Actor) -> Iterator[Session]:
    """A read session after which the health it computed for today is kept (`keep`).

    Whatever the caller shows should be shown inside the block: the write comes after it.
    """
    from kam.services.health import computed

    with database.reading() as session:
        yield session
        views = computed(session)
    keep(database, actor, views)


def record_review_day(session: Session, actor: Actor, view: HealthView, review_id: int) -> None:
    """Mark the review's day: its snapshot (health just after the review) carries the
    review. Inside the review's transaction, in a savepoint, so a snapshot the database
    refuses never fails the review."""
    from sqlalchemy.exc import SQLAlchemyError

    if not allowed(actor, Action.KEEP_FIGURES):
        return
    try:
        with session.begin_nested():
            record(session, actor, [view], review_id=review_id)
    except SQLAlchemyError as error:
        log.debug("the review's health snapshot was not kept: %s", error)


# ---------------------------------------------------------------------- kam snapshot


@dataclass(frozen=True)
class Run:
    """What each step of `kam snapshot` works with."""

    database: Database
    actor: Actor
    as_of: date
    dry_run: bool = False
    """Compute and report, but write nothing."""


def values_step(run: Run) -> tuple[StepReport, Lifetime]:
    """Refresh the lifetime-value fit of the default request at the run's date: the kept one
    while the data are unchanged, else a new fit, kept (not on a dry run)."""
    from kam.figures import fits
    from kam.services.lifetime import lifetime_values

    asked = fits.request(run.as_of)
    with run.database.reading() as session:
        had = fits.find(session, asked) is not None
    figures = lifetime_values(run.database, run.actor, asked, keep=not run.dry_run)
    fit = figures.fit
    if had:
        fate = "the kept fit still holds"
    elif run.dry_run:
        fate = "would fit and keep"
    elif figures.stored:
        fate = "fitted and kept"
    else:
        fate = "fitted, not kept (the database refused the write)"
    counts = {
        "customers": fit.customers,
        "repeat_customers": fit.repeat_customers,
        "reused": int(had),
        "kept": int(figures.stored and not had),
    }
    said = f"Lifetime value at {run.as_of}: {fate}; {fit.why}."
    return StepReport("values", counts, said), figures


def health_step(run: Run, figures: Lifetime | None = None) -> StepReport:
    """Record every open key account's health at the run's date, with P(alive) from
    `figures` (the values step's), else from the kept fit."""
    from kam.services.health import AMBER, GREEN, RED, known_p_alive, programme_health

    alive = None if figures is None else known_p_alive(figures.table["p_alive"])
    with run.database.reading() as session:
        views = programme_health(session, run.as_of, alive=alive)
    with run.database.writing(dry_run=run.dry_run) as session:
        new, again = record(session, run.actor, views)
    counts = {
        "accounts": len(views),
        "new": new,
        "rewritten": again,
        **{status: sum(v.status == status for v in views) for status in (GREEN, AMBER, RED)},
    }
    done = (
        f"would record {new} new, would rewrite {again}"
        if run.dry_run
        else f"recorded {new} new, rewrote {again}"
    )
    said = (
        f"Health of {len(views)} key account{'' if len(views) == 1 else 's'} at {run.as_of}: "
        f"{counts[GREEN]} green, {counts[AMBER]} amber, {counts[RED]} red; {done}."
    )
    return StepReport("health", counts, said)


def take_snapshots(
    database: Database, actor: Actor, *, as_of: date, dry_run: bool = False
) -> SnapshotReport:
    """`kam snapshot`: refresh the lifetime-value fit, then record every open key account's
    health at `as_of`, each in short transactions of its own, so a slow step never holds the
    write lock while it computes."""
    require(actor, Action.KEEP_FIGURES)
    run = Run(database, actor, as_of, dry_run)
    fitted, figures = values_step(run)
    return SnapshotReport(as_of, dry_run, [fitted, health_step(run, figures)])
