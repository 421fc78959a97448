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


def upgrade():
    pass


def downgrade():
    pass
