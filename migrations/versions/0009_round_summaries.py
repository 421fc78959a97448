"""Dashboard figures kept per round (summary counters).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def _round_fk(table):
    return sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f(f'fk_{table}_round_id_rounds'),
                                   ondelete='CASCADE')


def upgrade():
    op.create_table('round_summaries',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('counted_through', sa.BigInteger(), nullable=False),
    sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rebuilt_at', sa.DateTime(timezone=True), nullable=False),
    _round_fk('round_summaries'),
    sa.PrimaryKeyConstraint('round_id', name=op.f('pk_round_summaries'))
    )
    op.create_table('round_unit_figures',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('participants', sa.Integer(), nullable=False),
    _round_fk('round_unit_figures'),
    sa.PrimaryKeyConstraint('round_id', 'unit_id', 'category', name=op.f('pk_round_unit_figures'))
    )
    op.create_table('round_hour_figures',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    _round_fk('round_hour_figures'),
    sa.PrimaryKeyConstraint('round_id', 'hour', 'category', name=op.f('pk_round_hour_figures'))
    )
    op.create_table('round_score_figures',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('correct_count', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    _round_fk('round_score_figures'),
    sa.PrimaryKeyConstraint('round_id', 'correct_count', 'category', name=op.f('pk_round_score_figures'))
    )


def downgrade():
    for table in ('round_score_figures', 'round_hour_figures', 'round_unit_figures', 'round_summaries'):
        op.drop_table(table)
