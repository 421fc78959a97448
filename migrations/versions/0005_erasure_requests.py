"""Data rights (SPEC rule 11): erasure requests, and an erased account may keep neither phone nor email.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 09:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_HAS_LOGIN = 'email IS NOT NULL OR phone IS NOT NULL'


def upgrade():
    op.create_table('erasure_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('pending', 'done', 'refused', name='erasure_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['handled_by_id'], ['users.id'], name=op.f('fk_erasure_requests_handled_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_erasure_requests_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_requests'))
    )
    with op.batch_alter_table('erasure_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erasure_requests_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_erasure_requests_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_erasure_requests_pending', ['user_id'], unique=True,
                              sqlite_where=sa.text("status = 'pending'"),
                              postgresql_where=sa.text("status = 'pending'"))
    _set_has_login(_HAS_LOGIN + ' OR erased_at IS NOT NULL')


def downgrade():
    # an account erased meanwhile keeps no login: it cannot pass the old check, so it gets an unusable address
    op.execute("UPDATE users SET email = 'erased-' || id || '@invalid' "
               "WHERE email IS NULL AND phone IS NULL AND erased_at IS NOT NULL")
    _set_has_login(_HAS_LOGIN)
    with op.batch_alter_table('erasure_requests', schema=None) as batch_op:
        batch_op.drop_index('uq_erasure_requests_pending')
        batch_op.drop_index(batch_op.f('ix_erasure_requests_user_id'))
        batch_op.drop_index(batch_op.f('ix_erasure_requests_status'))
    op.drop_table('erasure_requests')


def _set_has_login(condition):
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_has_login'), type_='check')
        batch_op.create_check_constraint(op.f('ck_users_has_login'), sa.text(condition))
