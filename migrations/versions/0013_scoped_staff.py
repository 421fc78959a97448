"""Scoped staff: organizers and judges may be scoped to a unit like unit officers; banks may belong to a unit.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 14:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

_OFFICER_HAS_SCOPE_OLD = "(role = 'unit_officer') = (scope_unit_id IS NOT NULL)"
_OFFICER_HAS_SCOPE = "role <> 'unit_officer' OR scope_unit_id IS NOT NULL"
_SCOPED_ROLES = "scope_unit_id IS NULL OR role IN ('organizer', 'judge', 'unit_officer')"


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_unit_officer_has_scope'), type_='check')
        batch_op.create_check_constraint(op.f('ck_users_unit_officer_has_scope'), sa.text(_OFFICER_HAS_SCOPE))
        batch_op.create_check_constraint(op.f('ck_users_scope_only_for_staff'), sa.text(_SCOPED_ROLES))
    with op.batch_alter_table('banks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope_unit_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_banks_scope_unit_id'), ['scope_unit_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_banks_scope_unit_id_units'), 'units', ['scope_unit_id'], ['id'])


def downgrade():
    # the old schema has no scoped organizer or judge: they become unscoped (and so are turned off, since they
    # would otherwise see everything); banks lose their owner and become shared
    op.execute("UPDATE users SET active = false, scope_unit_id = NULL "
               "WHERE scope_unit_id IS NOT NULL AND role <> 'unit_officer'")
    with op.batch_alter_table('banks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_banks_scope_unit_id_units'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_banks_scope_unit_id'))
        batch_op.drop_column('scope_unit_id')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_scope_only_for_staff'), type_='check')
        batch_op.drop_constraint(op.f('ck_users_unit_officer_has_scope'), type_='check')
        batch_op.create_check_constraint(op.f('ck_users_unit_officer_has_scope'), sa.text(_OFFICER_HAS_SCOPE_OLD))
