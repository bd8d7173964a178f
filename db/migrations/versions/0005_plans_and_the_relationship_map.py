"""account plans and the relationship map: plan tables, contacts' place in the customer's
organisation, who took part in each interaction, who made each promise

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op


revision = '0005'
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('interaction_contact',
    sa.Column('interaction_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['interaction_id'], ['interaction.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('interaction_id', 'contact_id')
    )
    op.create_table('account_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_account_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('situation', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('strengths', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('weaknesses', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('opportunities', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('threats', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['key_account_id'], ['key_account.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key_account_id', 'fiscal_year', name='uq_plan_account_year')
    )
    with op.batch_alter_table('account_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_plan_key_account_id'), ['key_account_id'], unique=False)

    op.create_table('plan_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['account_plan.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('plan_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_comment_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_goal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('open', 'achieved', 'dropped', 'carried', name='ck_goal_status', native_enum=False, create_constraint=True), server_default='open', nullable=False),
    sa.Column('carried_from_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['carried_from_id'], ['plan_goal.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['account_plan.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('plan_goal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_goal_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_objective',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('figure', sa.Enum('t12m_profit', 'gross_margin', 'revenue', 'share_of_wallet', 'cost_to_serve', 'satisfaction', 'contacts_met_90d', name='ck_objective_figure', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('baseline', sa.Float(), nullable=True),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('current', sa.Float(), nullable=True),
    sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_on', sa.Date(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['goal_id'], ['plan_goal.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('plan_objective', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_objective_goal_id'), ['goal_id'], unique=False)

    op.create_table('plan_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('owner_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('owner_department', sa.Enum('sales', 'operations', 'supply_chain', 'service', 'finance', 'product', 'other', name='ck_action_department', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'in_progress', 'done', 'dropped', name='ck_action_status', native_enum=False, create_constraint=True), server_default='planned', nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('commitment_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitment.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['objective_id'], ['plan_objective.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('plan_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_action_objective_id'), ['objective_id'], unique=False)

    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('made_by_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('made_by_department', sa.Enum('sales', 'operations', 'supply_chain', 'service', 'finance', 'product', 'other', name='ck_commitment_made_by_department', native_enum=False, create_constraint=True), nullable=True))
        batch_op.add_column(sa.Column('contact_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_commitment_contact', 'contact', ['contact_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reports_to_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('influence', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('stance', sa.Enum('champion', 'supporter', 'neutral', 'skeptic', 'blocker', name='ck_contact_stance', native_enum=False, create_constraint=True), nullable=True))
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cadence_days', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_contact_owner', 'user_account', ['owner_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key('fk_contact_reports_to', 'contact', ['reports_to_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint('influence_range', 'influence BETWEEN 1 AND 5')
        batch_op.create_check_constraint('cadence_positive', 'cadence_days IS NULL OR cadence_days > 0')

    with op.batch_alter_table('key_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('counterpart_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_key_account_counterpart', 'contact', ['counterpart_id'], ['id'], ondelete='SET NULL')

    _link_named_people()


def _split(people: str) -> list[str]:
    """The names in an interaction's free-text people: separated by commas, semicolons or
    new lines."""
    import re

    return [p.strip() for p in re.split(r"[,;\n]", people) if p.strip()]


def _link_named_people() -> None:
    """Interactions named the customer's people as free text: link each name that matches
    one of the customer's contacts (case-insensitively), and keep only the other names as
    text."""
    bind = op.get_bind()
    contacts: dict[int, dict[str, int]] = {}
    for cid, customer_id, name in bind.execute(
        sa.text("SELECT id, customer_id, name FROM contact")
    ):
        contacts.setdefault(customer_id, {}).setdefault(name.strip().lower(), cid)
    rows = bind.execute(
        sa.text("SELECT id, customer_id, their_people FROM interaction WHERE their_people <> ''")
    ).all()
    for interaction_id, customer_id, people in rows:
        known = contacts.get(customer_id, {})
        linked, kept = [], []
        for name in _split(people):
            cid = known.get(name.lower())
            if cid is not None and cid not in linked:
                linked.append(cid)
            elif cid is None:
                kept.append(name)
        if not linked:
            continue
        for cid in linked:
            bind.execute(
                sa.text("INSERT INTO interaction_contact (interaction_id, contact_id) "
                        "VALUES (:i, :c)"),
                {"i": interaction_id, "c": cid},
            )
        bind.execute(
            sa.text("UPDATE interaction SET their_people = :p WHERE id = :i"),
            {"p": ", ".join(kept), "i": interaction_id},
        )


def downgrade() -> None:
    _unlink_named_people()
    with op.batch_alter_table('key_account', schema=None) as batch_op:
        batch_op.drop_constraint('fk_key_account_counterpart', type_='foreignkey')
        batch_op.drop_column('counterpart_id')

    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_constraint('ck_contact_stance', type_='check')
        batch_op.drop_constraint('cadence_positive', type_='check')
        batch_op.drop_constraint('influence_range', type_='check')
        batch_op.drop_constraint('fk_contact_reports_to', type_='foreignkey')
        batch_op.drop_constraint('fk_contact_owner', type_='foreignkey')
        batch_op.drop_column('cadence_days')
        batch_op.drop_column('owner_id')
        batch_op.drop_column('stance')
        batch_op.drop_column('influence')
        batch_op.drop_column('reports_to_id')

    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.drop_constraint('ck_commitment_made_by_department', type_='check')
        batch_op.drop_constraint('fk_commitment_contact', type_='foreignkey')
        batch_op.drop_column('contact_id')
        batch_op.drop_column('made_by_department')
        batch_op.drop_column('made_by_name')

    with op.batch_alter_table('plan_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_action_objective_id'))

    op.drop_table('plan_action')
    with op.batch_alter_table('plan_objective', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_objective_goal_id'))

    op.drop_table('plan_objective')
    with op.batch_alter_table('plan_goal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_goal_plan_id'))

    op.drop_table('plan_goal')
    with op.batch_alter_table('plan_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_comment_plan_id'))

    op.drop_table('plan_comment')
    with op.batch_alter_table('account_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_plan_key_account_id'))

    op.drop_table('account_plan')
    op.drop_table('interaction_contact')


def _unlink_named_people() -> None:
    """Put linked contacts' names back into the interactions' free text."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT l.interaction_id, c.name, i.their_people FROM interaction_contact l "
        "JOIN contact c ON c.id = l.contact_id JOIN interaction i ON i.id = l.interaction_id "
        "ORDER BY l.interaction_id, c.name"
    )).all()
    names: dict[int, tuple[list[str], str]] = {}
    for interaction_id, name, people in rows:
        names.setdefault(interaction_id, ([], people))[0].append(name)
    for interaction_id, (linked, people) in names.items():
        text = ", ".join([*linked, *([people] if people else [])])
        bind.execute(sa.text("UPDATE interaction SET their_people = :p WHERE id = :i"),
                     {"p": text, "i": interaction_id})
