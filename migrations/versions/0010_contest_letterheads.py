"""A contest's letterhead: issuing body, number, motto, place and date, recipients and signature block of its
formal results announcement.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contest_letterheads',
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('superior_body', sa.String(length=200), nullable=False),
    sa.Column('issuing_body', sa.String(length=200), nullable=False),
    sa.Column('motto', sa.Enum('state', 'party', name='motto', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('document_number', sa.String(length=60), nullable=False),
    sa.Column('place', sa.String(length=100), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('opening', sa.Text(), nullable=False),
    sa.Column('recipients', sa.Text(), nullable=False),
    sa.Column('signing_capacity', sa.String(length=100), nullable=False),
    sa.Column('signer_title', sa.String(length=100), nullable=False),
    sa.Column('signer_name', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_contest_letterheads_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_contest_letterheads_updated_by_id_users')),
    sa.PrimaryKeyConstraint('contest_id', name=op.f('pk_contest_letterheads'))
    )


def downgrade():
    op.drop_table('contest_letterheads')
