"""drop the single-column sales_line.sold_on index

ix_sales_line_customer_date (customer_id, sold_on) already serves every per-customer date
range, and also covers the whole-base `customer_id, sold_on WHERE sold_on >= ...` reads;
the single-column index only slowed every write (a third b-tree per sales line).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sales_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_line_sold_on'))


def downgrade() -> None:
    with op.batch_alter_table('sales_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_line_sold_on'), ['sold_on'], unique=False)
