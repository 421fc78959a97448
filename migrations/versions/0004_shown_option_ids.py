"""Options reach the participant under ids drawn per attempt (attempt_questions.shown_option_ids).

The bank's option ids follow the file's order, in which authors tend to put the key first or last, so showing them
told the key. Each attempt now shows its options under random ids, stored beside the bank's (``option_order``)
in the same order. Attempts drawn before this revision keep showing the bank's ids: their shown ids are a copy of
``option_order``, so an attempt in progress during the upgrade goes on unchanged.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite adds a NOT NULL column only with a default; no batch copy of the table (its rows are many).
        op.add_column('attempt_questions',
                      sa.Column('shown_option_ids', sa.String(length=80), nullable=False, server_default=''))
        op.execute("UPDATE attempt_questions SET shown_option_ids = option_order")
        return
    op.add_column('attempt_questions', sa.Column('shown_option_ids', sa.String(length=80), nullable=True))
    op.execute("UPDATE attempt_questions SET shown_option_ids = option_order")
    op.alter_column('attempt_questions', 'shown_option_ids', nullable=False)


def downgrade():
    op.execute("ALTER TABLE attempt_questions DROP COLUMN shown_option_ids")  # SQLite 3.35+ and PostgreSQL
