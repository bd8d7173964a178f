"""audit events: who really acted, the batch door, and a hash chain

- real_actor: the OS login that ran kam (another login than `actor` when an admin acted
  as `actor` with KAM_USER); NULL on the events recorded before, where it is not known.
- door may be 'batch' (`kam batch`).
- prev_hash, hash: each event's link in the hash chain (db.auditlog defines it). The
  events already recorded are linked in id order; the append-only trigger is lifted for
  that UPDATE inside this migration's transaction and restored before it ends.
- PostgreSQL: TRUNCATE is refused by a trigger (row triggers do not fire on TRUNCATE),
  and UPDATE, DELETE and TRUNCATE are revoked from PUBLIC and from every role but the
  table's owner. Downgrading keeps the revocations (the earlier grants are not known) and
  refuses while events of the batch door exist (0003 cannot hold them).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from db.auditlog import link

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

OLD_DOORS = ("tui", "cli", "import")
DOORS = (*OLD_DOORS, "batch")
#: The events read (and linked) at a time while the existing ones are back-filled.
PAGE = 5_000


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _doors(doors: tuple[str, ...]) -> str:
    return "door IN (" + ", ".join(f"'{d}'" for d in doors) + ")"


def _sqlite_append_only() -> None:
    """The 0001 triggers: audit events can be added, never changed or removed."""
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
            "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
        )


def upgrade() -> None:
    sqlite = _sqlite()
    text64 = sqlmodel.sql.sqltypes.AutoString(length=64)
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("real_actor", text64, nullable=True))
        batch_op.add_column(sa.Column("prev_hash", text64, nullable=True))
        batch_op.add_column(sa.Column("hash", text64, nullable=True))

    # Link the events already recorded, with the append-only trigger lifted meanwhile.
    if sqlite:
        op.execute("DROP TRIGGER audit_event_no_update")
    else:
        op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
    _link_existing_events()
    if sqlite:
        op.execute("DROP TRIGGER audit_event_no_delete")  # the table is rebuilt just below
    else:
        op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")

    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.alter_column("hash", existing_type=text64, nullable=False)
        batch_op.drop_constraint("ck_audit_door", type_="check")
        batch_op.create_check_constraint("ck_audit_door", _doors(DOORS))

    if sqlite:
        _sqlite_append_only()  # SQLite dropped the triggers with the rebuilt table
    else:
        op.execute(
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
        )
        op.execute(
            """
            DO $$
            DECLARE grantee regrole;
            BEGIN
              REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM PUBLIC;
              FOR grantee IN
                SELECT DISTINCT a.grantee::regrole
                FROM pg_class c, aclexplode(c.relacl) a
                WHERE c.oid = 'audit_event'::regclass AND a.grantee <> 0
                  AND a.grantee <> c.relowner
                  AND a.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')
              LOOP
                EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM %s', grantee);
              END LOOP;
            END $$
            """
        )


def _link_existing_events() -> None:
    """Set prev_hash and hash on every event, in id order (a page at a time)."""
    bind = op.get_bind()
    at = sa.String() if bind.dialect.name == "sqlite" else sa.DateTime(timezone=True)
    events = sa.table(
        "audit_event",
        sa.column("id", sa.Integer()),
        sa.column("at", at),
        *(
            sa.column(name, sa.Integer() if name.endswith("_id") else sa.String())
            for name in (
                "actor", "real_actor", "door", "entity", "entity_id", "customer_id", "field",
                "old", "new",
            )
        ),
    )  # fmt: skip
    query = sa.select(events).order_by(events.c.id).limit(PAGE)
    update = sa.text("UPDATE audit_event SET prev_hash = :prev_hash, hash = :hash WHERE id = :id")
    head: str | None = None
    after: int | None = None
    while True:
        page = query if after is None else query.where(events.c.id > after)
        rows = [dict(row) for row in bind.execute(page).mappings()]
        if not rows:
            return
        head = link(rows, head)
        bind.execute(update, [{"id": r["id"], "prev_hash": r["prev_hash"], "hash": r["hash"]}
                              for r in rows])  # fmt: skip
        after = rows[-1]["id"]


def downgrade() -> None:
    sqlite = _sqlite()
    batch_events = op.get_bind().execute(
        sa.text("SELECT count(*) FROM audit_event WHERE door = 'batch'")
    ).scalar()
    if batch_events:
        raise RuntimeError(
            f"{batch_events} audit events came through the batch door, which revision 0003 "
            "cannot hold (audit events are never changed or removed); stay at 0004."
        )
    if sqlite:
        op.execute("DROP TRIGGER audit_event_no_update")
        op.execute("DROP TRIGGER audit_event_no_delete")
    else:
        op.execute("DROP TRIGGER audit_event_no_truncate ON audit_event")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_constraint("ck_audit_door", type_="check")
        batch_op.create_check_constraint("ck_audit_door", _doors(OLD_DOORS))
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("real_actor")
    if sqlite:
        _sqlite_append_only()
