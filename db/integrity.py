"""The database's own checks, for `kam db check`: the raw SQL they need.

SQLite: `PRAGMA integrity_check` (pages, indexes, constraints) and `PRAGMA
foreign_key_check` (rows whose foreign key names no row). PostgreSQL checks its pages
itself and enforces foreign keys, but a superuser can turn the checks off (disabled
triggers, `session_replication_role`), so rows whose foreign keys point nowhere are looked
for with one LEFT JOIN per foreign key.
"""

from __future__ import annotations

from sqlalchemy import Connection, inspect


def ping(connection: Connection) -> None:
    """Ask the database for the simplest answer (raises if it cannot give one)."""
    connection.exec_driver_sql("SELECT 1").scalar_one()


def sqlite_integrity_problems(connection: Connection) -> list[str]:
    """What `PRAGMA integrity_check` reports (empty when the file is sound)."""
    rows = [str(row[0]) for row in connection.exec_driver_sql("PRAGMA integrity_check")]
    return [] if rows == ["ok"] else rows


def foreign_key_problems(connection: Connection) -> list[str]:
    """Rows whose foreign keys point nowhere, one line per table and key."""
    if connection.dialect.name == "sqlite":
        return _sqlite_foreign_keys(connection)
    return _orphans(connection)


def _sqlite_foreign_keys(connection: Connection) -> list[str]:
    counts: dict[tuple[str, str], int] = {}
    for table, _rowid, parent, _key in connection.exec_driver_sql("PRAGMA foreign_key_check"):
        counts[(table, parent)] = counts.get((table, parent), 0) + 1
    return [_orphan_line(t, p, n) for (t, p), n in sorted(counts.items())]


def _orphans(connection: Connection) -> list[str]:
    quote = connection.dialect.identifier_preparer.quote
    inspector = inspect(connection)
    problems = []
    for table in sorted(inspector.get_table_names()):
        for key in inspector.get_foreign_keys(table):
            parent = key["referred_table"]
            pairs = list(zip(key["constrained_columns"], key["referred_columns"], strict=True))
            joined = " AND ".join(f"c.{quote(c)} = p.{quote(r)}" for c, r in pairs)
            present = " AND ".join(f"c.{quote(c)} IS NOT NULL" for c, _ in pairs)
            orphaned = connection.exec_driver_sql(
                f"SELECT count(*) FROM {quote(table)} c LEFT JOIN {quote(parent)} p "
                f"ON {joined} WHERE {present} AND p.{quote(pairs[0][1])} IS NULL"
            ).scalar_one()
            if orphaned:
                problems.append(_orphan_line(table, parent, int(orphaned)))
    return problems


def _orphan_line(table: str, parent: str, count: int) -> str:
    rows = "row refers" if count == 1 else "rows refer"
    return f"{count} {table} {rows} to {parent} rows that do not exist"
