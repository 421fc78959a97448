"""Certificates of prizes: decision details per contest, verification codes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificate_templates',
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('heading', sa.String(length=60), nullable=False),
    sa.Column('issuing_body', sa.String(length=200), nullable=False),
    sa.Column('decision_number', sa.String(length=60), nullable=False),
    sa.Column('decision_date', sa.Date(), nullable=True),
    sa.Column('place', sa.String(length=100), nullable=False),
    sa.Column('intro', sa.String(length=300), nullable=False),
    sa.Column('signer_title', sa.String(length=100), nullable=False),
    sa.Column('signer_name', sa.String(length=100), nullable=False),
    sa.Column('logo', sa.LargeBinary(), nullable=True),
    sa.Column('logo_type', sa.String(length=20), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_certificate_templates_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_certificate_templates_updated_by_id_users')),
    sa.PrimaryKeyConstraint('contest_id', name=op.f('pk_certificate_templates'))
    )
    op.create_table('issued_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('prize_name', sa.String(length=100), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('basis_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(user_id IS NULL) <> (unit_id IS NULL)', name=op.f('ck_issued_certificates_one_holder')),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_issued_certificates_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_issued_certificates_round_id_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_issued_certificates_unit_id_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_issued_certificates_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_certificates')),
    sa.UniqueConstraint('code', name=op.f('uq_issued_certificates_code'))
    )
    with op.batch_alter_table('issued_certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_certificates_contest_id'), ['contest_id'], unique=False)
        batch_op.create_index('uq_issued_certificates_person', ['round_id', 'user_id', 'prize_name'], unique=True,
                              sqlite_where=sa.text('user_id IS NOT NULL'),
                              postgresql_where=sa.text('user_id IS NOT NULL'))
        batch_op.create_index('uq_issued_certificates_unit', ['contest_id', 'unit_id', 'prize_name'], unique=True,
                              sqlite_where=sa.text('unit_id IS NOT NULL'),
                              postgresql_where=sa.text('unit_id IS NOT NULL'))


def downgrade():
    with op.batch_alter_table('issued_certificates', schema=None) as batch_op:
        batch_op.drop_index('uq_issued_certificates_unit')
        batch_op.drop_index('uq_issued_certificates_person')
        batch_op.drop_index(batch_op.f('ix_issued_certificates_contest_id'))
    op.drop_table('issued_certificates')
    op.drop_table('certificate_templates')
