"""Best practices found inside or outside the company, linkable from reviews."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kam.errors import InvalidData, NotFound
from kam.rules.permissions import Action, require
from kam.services import audit
from kam.text import clean_text
from kam.views import View

if TYPE_CHECKING:
    from sqlmodel import Session

    from db.models import BestPractice
    from kam.identity import Actor


@dataclass(frozen=True)
class PracticeView(View):
    """A best practice."""

    id: int
    title: str
    description: str
    source: str
    tags: list[str]


def to_view(row: BestPractice) -> PracticeView:
    """The plain view of a practice row."""
    assert row.id is not None
    tags = [t for t in row.tags.split(",") if t]
    return PracticeView(row.id, row.title, row.description, row.source, tags)


def add_practice(
    session: Session,
    actor: Actor,
    *,
    title: str,
    description: str = "",
    source: str = "",
    tags: list[str] | None = None,
) -> PracticeView:
    """Record a best practice (managers and admins); titles are unique."""
    from sqlmodel import select

    from db.folding import lowered
    from db.models import BestPractice

    require(actor, Action.ADD_PRACTICE)
    name = clean_text(title)
    if not name:
        raise InvalidData("title: a best practice needs a title.")
    if session.exec(
        select(BestPractice).where(lowered(BestPractice.title) == lowered(name))
    ).first():
        raise InvalidData(f"title: '{name}' is already recorded.")
    cleaned = sorted({clean_text(t).lower() for t in tags or [] if clean_text(t)})
    row = BestPractice(
        title=name,
        description=clean_text(description, multiline=True),
        source=clean_text(source),
        tags=",".join(cleaned),
    )
    session.add(row)
    session.flush()
    audit.record_created(
        session,
        actor,
        entity="best_practice",
        entity_id=row.id,
        customer_id=None,
        values={"title": name, "source": row.source},
    )
    return to_view(row)


def list_practices(session: Session, *, tag: str | None = None) -> list[PracticeView]:
    """Every practice by title, or those with a tag."""
    from sqlmodel import select

    from db.models import BestPractice

    views = [to_view(r) for r in session.exec(select(BestPractice).order_by(BestPractice.title))]
    return [v for v in views if tag is None or tag.lower() in v.tags]


def practice_by_title(session: Session, title: str) -> BestPractice:
    """A practice by its title (case-insensitive)."""
    from sqlmodel import select

    from db.folding import lowered
    from db.models import BestPractice

    row = session.exec(
        select(BestPractice).where(lowered(BestPractice.title) == lowered(title.strip()))
    ).first()
    if row is None:
        raise NotFound(f"No best practice is titled '{title}'; add it with `kam practice add`.")
    return row
