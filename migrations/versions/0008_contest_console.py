"""The organizer's console: notices shown at the top of a public contest page.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contest_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('posted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('posted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_contest_notices_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['posted_by_id'], ['users.id'], name=op.f('fk_contest_notices_posted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contest_notices'))
    )
    with op.batch_alter_table('contest_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contest_notices_contest_id'), ['contest_id'], unique=False)


def downgrade():
    with op.batch_alter_table('contest_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contest_notices_contest_id'))
    op.drop_table('contest_notices')
