"""letterhead, signatories and the addressee block of delivery letters

A campaign's letters get a letterhead (who writes and how to answer) and the people who sign
them; a target gets the addressee line (its office in the case the letter needs, e.g. the
dative "Президентові України"), the person holding it, and the letter's closing. Everything
starts empty: the letters fall back to what they said before until staff fill it in.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

CAMPAIGN_COLUMNS = (
    ('letterhead_name', sa.String(length=200)),
    ('letterhead_address', sa.Text()),
    ('letterhead_email', sa.String(length=254)),
    ('letterhead_phone', sa.String(length=50)),
    ('letterhead_website', sa.String(length=200)),
)
TARGET_COLUMNS = (
    ('addressee', sa.String(length=300)),
    ('person', sa.String(length=200)),
    ('closing', sa.String(length=200)),
)


def upgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        for name, type_ in CAMPAIGN_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, server_default='', nullable=False))
    with op.batch_alter_table('target', schema=None) as batch_op:
        for name, type_ in TARGET_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, server_default='', nullable=False))
    op.create_table(
        'campaign_signatory',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('organisation', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_signatory_campaign_id_campaign'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_signatory')),
    )


def downgrade():
    op.drop_table('campaign_signatory')
    with op.batch_alter_table('target', schema=None) as batch_op:
        for name, _ in reversed(TARGET_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        for name, _ in reversed(CAMPAIGN_COLUMNS):
            batch_op.drop_column(name)
