"""sealed signature details

A signature's typed name, email and city are sealed to the campaign's custodians; what stays
readable is the public display form, keyed hashes of the address and its domain. The old
plaintext columns stay until `keys seal-existing` has emptied them; a later migration drops
them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('signature', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('public_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('email_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('mailbox_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('email_domain', sa.String(length=253), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_signature_campaign_id_email_hash'), ['campaign_id', 'email_hash'])


def downgrade():
    with op.batch_alter_table('signature', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_signature_campaign_id_email_hash'), type_='unique')
        batch_op.drop_column('email_domain')
        batch_op.drop_column('mailbox_hash')
        batch_op.drop_column('email_hash')
        batch_op.drop_column('public_name')
        batch_op.drop_column('sealed')
