"""a plan objective may be dropped: plan_objective.dropped_on is the day it was (null while it
is pursued); a dropped objective stays in the plan's history and counts in no progress

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plan_objective", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dropped_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan_objective", schema=None) as batch_op:
        batch_op.drop_column("dropped_on")
