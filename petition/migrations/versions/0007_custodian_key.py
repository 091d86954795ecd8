"""custodian keys

The public keys (age recipients) a campaign's signer data is sealed to, several per
campaign; the private halves never reach the server.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'custodian_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('recipient', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_custodian_key_campaign_id_campaign'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_custodian_key')),
        sa.UniqueConstraint('campaign_id', 'recipient', name=op.f('uq_custodian_key_campaign_id_recipient')),
    )


def downgrade():
    op.drop_table('custodian_key')
