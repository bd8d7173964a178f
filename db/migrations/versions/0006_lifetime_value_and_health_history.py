"""lifetime value: the model's fits and each customer's value under them; key accounts'
daily health snapshots

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op


revision = '0006'
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('value_fit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('calibration_end', sa.Date(), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('why', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('parameters_json', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('customers', sa.Integer(), nullable=False),
    sa.Column('repeat_customers', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('fitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('fitted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['fitted_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_table('customer_value',
    sa.Column('fit_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('purchases', sa.Integer(), nullable=False),
    sa.Column('last_purchase', sa.Date(), nullable=True),
    sa.Column('p_alive', sa.Float(), nullable=True),
    sa.Column('purchases_12m', sa.Float(), nullable=True),
    sa.Column('purchases_horizon', sa.Float(), nullable=True),
    sa.Column('margin_per_purchase', sa.Float(), nullable=True),
    sa.Column('cost_per_purchase', sa.Float(), nullable=True),
    sa.Column('clv', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['fit_id'], ['value_fit.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('fit_id', 'customer_id')
    )
    op.create_table('health_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_account_id', sa.Integer(), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('reasons_json', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('profit', sa.Float(), nullable=False),
    sa.Column('p_alive', sa.Float(), nullable=True),
    sa.Column('review_id', sa.Integer(), nullable=True),
    sa.Column('taken_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['key_account_id'], ['key_account.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key_account_id', 'taken_on', name='uq_health_day')
    )
    with op.batch_alter_table('health_snapshot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_health_snapshot_key_account_id'), ['key_account_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('health_snapshot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_health_snapshot_key_account_id'))

    op.drop_table('health_snapshot')
    op.drop_table('customer_value')
    op.drop_table('value_fit')
