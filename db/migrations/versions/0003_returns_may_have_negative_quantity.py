"""a return (negative revenue) may have a negative quantity

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sales_line", schema=None) as batch_op:
        batch_op.drop_constraint("quantity_not_negative", type_="check")
        batch_op.create_check_constraint("quantity_not_negative", "quantity >= 0 OR revenue < 0")


def downgrade() -> None:
    with op.batch_alter_table("sales_line", schema=None) as batch_op:
        batch_op.drop_constraint("quantity_not_negative", type_="check")
        batch_op.create_check_constraint("quantity_not_negative", "quantity >= 0")
