"""criteria score on a continuous scale against the key accounts; a knock-out on profit

- assessment_score.score holds a real number (metric criteria now score to one decimal),
  and assessment_score.threshold the threshold a value was held to when it was scored.
- criterion.threshold_setting names a programme setting that stands for the threshold
  (min_profit); a knock-out may weigh 0 (it gates admission and adds nothing to the total).
- A database that already has a criteria set gets a new version of it: the descriptions
  that said "quintile" describe the new scale, and the minimum_profit knock-out is added.
  Assessments made before keep the version they were scored against (its descriptions were
  true of them). The new version is recorded in the audit trail, by the login that ran
  the upgrade.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import os
import pwd
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

from db.auditlog import CHAIN_LOCK, link

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: The rule the new descriptions state (kam.rules.scale holds it in code).
_SCALE = (
    "against the current key accounts: 1 at their lowest, 3 at their median, 5 at or above "
    "their top quartile"
)
#: The default criteria's new descriptions, by name (the metric they must still have).
_DEFAULTS = {
    ("profit_contribution", "profit"): f"T12M profit after cost to serve, {_SCALE}.",
    ("purchase_volume", "revenue"): f"T12M revenue, {_SCALE}.",
    ("forward_clv", "clv"): f"Forward customer lifetime value, {_SCALE}.",
    ("wallet_headroom", "headroom"): f"Estimated wallet minus T12M revenue, {_SCALE}.",
}
#: Any other metric criterion's figure, in words.
_FIGURES = {
    "profit": "T12M profit after cost to serve",
    "revenue": "T12M revenue",
    "clv": "Forward customer lifetime value",
    "headroom": "Estimated wallet minus T12M revenue",
    "share_of_wallet": "Share of wallet (T12M revenue / estimated wallet)",
}
_KNOCK_OUT = {
    "name": "minimum_profit",
    "description": (
        "T12M profit after cost to serve at least the programme's minimum profit (min_profit; "
        "unless set, the lowest among the current key accounts). A knock-out only: it adds "
        "nothing to the total."
    ),
    "weight": 0.0,
    "kind": "metric",
    "metric": "profit",
    "threshold": None,
    "threshold_setting": "min_profit",
    "knock_out": True,
}

_criterion = sa.table(
    "criterion",
    sa.column("id", sa.Integer()),
    sa.column("set_version", sa.Integer()),
    sa.column("name", sa.String()),
    sa.column("description", sa.String()),
    sa.column("weight", sa.Float()),
    sa.column("kind", sa.String()),
    sa.column("metric", sa.String()),
    sa.column("threshold", sa.Float()),
    sa.column("threshold_setting", sa.String()),
    sa.column("knock_out", sa.Boolean()),
    sa.column("created_at", sqlmodel.sql.sqltypes.UTCDateTime()),
)


def upgrade() -> None:
    with op.batch_alter_table("assessment_score", schema=None) as batch_op:
        batch_op.alter_column(
            "score", existing_type=sa.Integer(), type_=sa.Float(), existing_nullable=False
        )
        batch_op.add_column(sa.Column("threshold", sa.Float(), nullable=True))
    with op.batch_alter_table("criterion", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "threshold_setting", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True
            )
        )
        batch_op.drop_constraint("weight_positive", type_="check")
        batch_op.create_check_constraint(
            "weight_positive", "weight > 0 OR (weight = 0 AND knock_out)"
        )
    _new_criteria_version()


def _describe(name: str, metric: str | None, threshold: float | None, text: str) -> str:
    """The description a criterion keeps in the new version: a metric criterion scored by
    quintile is described by the new scale instead."""
    if metric is None or threshold is not None or "quintile" not in text.lower():
        return text
    known = _DEFAULTS.get((name, metric))
    return known or f"{_FIGURES.get(metric, metric)}, {_SCALE}."


def _new_criteria_version() -> None:
    """Copy the current set into a new version with the new descriptions and the knock-out."""
    bind = op.get_bind()
    c = _criterion
    current = bind.execute(sa.select(sa.func.max(c.c.set_version))).scalar()
    if current is None:
        return  # no set yet: the defaults, saved at first use, are already the new ones
    rows = bind.execute(
        sa.select(c).where(c.c.set_version == current).order_by(c.c.id)
    ).mappings().all()
    now = datetime.now(UTC)
    version = current + 1
    copies = [
        {k: v for k, v in row.items() if k != "id"}
        | {
            "set_version": version,
            "created_at": now,
            "description": _describe(row["name"], row["metric"], row["threshold"],
                                     row["description"]),
        }
        for row in rows
    ]  # fmt: skip
    if not any(row["name"] == _KNOCK_OUT["name"] for row in rows):
        copies.append(_KNOCK_OUT | {"set_version": version, "created_at": now})
    bind.execute(sa.insert(c), copies)
    _audit(bind, now, current, version)


def _audit(bind: sa.Connection, now: datetime, old: int, new: int) -> None:
    """Record the new version at the head of the audit chain (db.auditlog)."""
    events = sa.table(
        "audit_event",
        sa.column("id", sa.Integer()),
        sa.column("at", sqlmodel.sql.sqltypes.UTCDateTime()),
        *(sa.column(n, sa.String()) for n in ("actor", "real_actor", "door", "entity", "field",
                                               "old", "new", "prev_hash", "hash")),
        sa.column("entity_id", sa.Integer()),
        sa.column("customer_id", sa.Integer()),
    )  # fmt: skip
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    head = bind.execute(
        sa.select(events.c.hash).order_by(events.c.id.desc()).limit(1)
    ).scalar()
    login = pwd.getpwuid(os.getuid()).pw_name[:64]
    event = {
        "at": now,
        "actor": login,
        "real_actor": login,
        "door": "cli",
        "entity": "criteria",
        "entity_id": new,
        "customer_id": None,
        "field": "(new version)",
        "old": str(old),
        "new": "schema upgrade 0007: metric criteria score against the key accounts; "
        "added minimum_profit",
    }
    link([event], head)
    bind.execute(sa.insert(events), [event])


def downgrade() -> None:
    bind = op.get_bind()
    scores = sa.table("assessment_score", sa.column("score", sa.Float()),
                      sa.column("criterion_id", sa.Integer()))  # fmt: skip
    c = _criterion
    fractional = bind.execute(
        sa.select(sa.func.count()).select_from(scores).where(
            scores.c.score != sa.func.round(scores.c.score)
        )
    ).scalar()
    bound = sa.or_(c.c.threshold_setting.is_not(None), c.c.weight == 0)
    used = bind.execute(
        sa.select(sa.func.count()).select_from(scores).where(
            scores.c.criterion_id.in_(sa.select(c.c.id).where(bound))
        )
    ).scalar()
    if fractional or used:
        raise RuntimeError(
            f"{fractional} scores are fractional and {used} were scored against a knock-out "
            "that weighs 0 or takes its threshold from a setting; revision 0006 can hold "
            "neither (assessments are kept as scored): stay at 0007."
        )
    bind.execute(sa.delete(c).where(bound))
    with op.batch_alter_table("criterion", schema=None) as batch_op:
        batch_op.drop_constraint("weight_positive", type_="check")
        batch_op.create_check_constraint("weight_positive", "weight > 0")
        batch_op.drop_column("threshold_setting")
    with op.batch_alter_table("assessment_score", schema=None) as batch_op:
        batch_op.drop_column("threshold")
        batch_op.alter_column(
            "score",
            existing_type=sa.Float(),
            type_=sa.Integer(),
            existing_nullable=False,
            postgresql_using="score::integer",
        )
