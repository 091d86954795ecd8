"""campaign update

One row per update mailed to a campaign's signers: language, subject, body, how many
signers it went to, who sent it and when; no recipient. The unique `idempotency_key`
makes a confirmation sent twice record (and queue) one update.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 16:09:42.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaign_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('lang', sa.String(length=2), nullable=False),
    sa.Column('subject', sa.String(length=150), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_update_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_user.id'], name=op.f('fk_campaign_update_created_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_update')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_campaign_update_idempotency_key'))
    )
    with op.batch_alter_table('campaign_update', schema=None) as batch_op:
        batch_op.create_index('ix_campaign_update_campaign_created', ['campaign_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('campaign_update', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_update_campaign_created')

    op.drop_table('campaign_update')
