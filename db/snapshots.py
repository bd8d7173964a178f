"""Writing health snapshots: one row per key account per day, whoever writes it first.

`INSERT ... ON CONFLICT (key_account_id, taken_on) DO UPDATE`, which SQLite (3.24+) and
PostgreSQL both speak: two kams recording the same day at once leave one row, the later
writer's figures, without either failing on the unique constraint (`uq_health_day`). A
review's mark (`review_id`) and a known P(alive) stay when the day is recomputed without
them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlmodel import Session

#: The columns a snapshot row gives (besides the key: key_account_id, taken_on).
SNAPSHOT_COLUMNS = ("status", "reasons_json", "profit", "p_alive", "review_id", "taken_at")


def upsert_health(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Write each row as its account's snapshot of its day, replacing that day's figures.

    Each row has key_account_id, taken_on and SNAPSHOT_COLUMNS.
    """
    from sqlalchemy import Table, func, inspect

    from db.models import HealthSnapshot

    if not rows:
        return
    table = inspect(HealthSnapshot).local_table
    assert isinstance(table, Table)
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # type: ignore[assignment]
    else:  # pragma: no cover - kam runs on SQLite and PostgreSQL only
        raise NotImplementedError(f"no health snapshot upsert for {dialect}")
    statement = insert(table).values(list(rows))
    new = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=["key_account_id", "taken_on"],
        set_={
            "status": new.status,
            "reasons_json": new.reasons_json,
            "profit": new.profit,
            "p_alive": func.coalesce(new.p_alive, table.c.p_alive),
            "review_id": func.coalesce(new.review_id, table.c.review_id),
            "taken_at": new.taken_at,
        },
    )
    session.execute(statement)
