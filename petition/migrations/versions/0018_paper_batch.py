"""paper batches

Signatures gathered on paper or at events, entered by staff as one count per country and
batch: where and when they were gathered, the SHA-256 of the scan (never the scan, never a
name), who entered it, and whether and why it was voided. The unique `idempotency_key`
makes one form sent twice record one batch.

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-03 05:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('paper_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('gathered_on', sa.Date(), nullable=False),
    sa.Column('scan_sha256', sa.String(length=64), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('voided_by_id', sa.Integer(), nullable=True),
    sa.Column('void_reason', sa.String(length=500), nullable=True),
    sa.CheckConstraint('count >= 1 AND count <= 100000', name=op.f('ck_paper_batch_count_in_range')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_paper_batch_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff_user.id'], name=op.f('fk_paper_batch_recorded_by_id_staff_user')),
    sa.ForeignKeyConstraint(['voided_by_id'], ['staff_user.id'], name=op.f('fk_paper_batch_voided_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_batch')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_paper_batch_idempotency_key'))
    )
    with op.batch_alter_table('paper_batch', schema=None) as batch_op:
        batch_op.create_index('ix_paper_batch_campaign_recorded', ['campaign_id', 'recorded_at'], unique=False)


def downgrade():
    with op.batch_alter_table('paper_batch', schema=None) as batch_op:
        batch_op.drop_index('ix_paper_batch_campaign_recorded')

    op.drop_table('paper_batch')
