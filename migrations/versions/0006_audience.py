"""Contest audiences: the units whose subtrees may take part, and the participants' categories that may.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contest_audience_units',
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_contest_audience_units_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_contest_audience_units_unit_id_units')),
    sa.PrimaryKeyConstraint('contest_id', 'unit_id', name=op.f('pk_contest_audience_units')),
    sa.UniqueConstraint('contest_id', 'position', name=op.f('uq_contest_audience_units_contest_id_position'))
    )
    op.create_table('contest_audience_categories',
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_contest_audience_categories_contest_id_contests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('contest_id', 'category', name=op.f('pk_contest_audience_categories')),
    sa.UniqueConstraint('contest_id', 'position', name=op.f('uq_contest_audience_categories_contest_id_position'))
    )


def downgrade():
    op.drop_table('contest_audience_categories')
    op.drop_table('contest_audience_units')
