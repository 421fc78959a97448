"""Unit officers: staff accounts scoped to a unit of the tree.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 12:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_ROLES = ('admin', 'organizer', 'judge', 'participant')
_WITH_OFFICER = (*_ROLES, 'unit_officer')
_HAS_SCOPE = "(role = 'unit_officer') = (scope_unit_id IS NOT NULL)"


def _roles_check(roles):
    return sa.text('role IN (' + ', '.join(f"'{role}'" for role in roles) + ')')


def upgrade():
    # the role is a non-native enum: its values live in the CHECK constraint ck_users_role, replaced here
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope_unit_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_scope_unit_id'), ['scope_unit_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_users_scope_unit_id_units'), 'units', ['scope_unit_id'], ['id'])
        batch_op.drop_constraint(op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_users_role'), _roles_check(_WITH_OFFICER))
        batch_op.create_check_constraint(op.f('ck_users_unit_officer_has_scope'), sa.text(_HAS_SCOPE))


def downgrade():
    # the old roles have no unit officer: such an account is kept (audit rows point at it) but can no longer
    # sign in, as an inactive participant
    op.execute("UPDATE users SET role = 'participant', active = false WHERE role = 'unit_officer'")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_unit_officer_has_scope'), type_='check')
        batch_op.drop_constraint(op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_users_role'), _roles_check(_ROLES))
        batch_op.drop_constraint(batch_op.f('fk_users_scope_unit_id_units'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_scope_unit_id'))
        batch_op.drop_column('scope_unit_id')
