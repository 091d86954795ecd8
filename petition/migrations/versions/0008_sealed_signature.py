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
    # A unique index, not a constraint: on SQLite a new constraint means rebuilding the table,
    # and dropping the old one would take every link and queued mail with it (ON DELETE CASCADE).
    op.create_index('uq_signature_campaign_id_email_hash', 'signature', ['campaign_id', 'email_hash'], unique=True)

    # Mail queued before the upgrade found its address on the signature; from now on it
    # carries its own (until it is sent), so copy it over for what is still waiting.
    signature = sa.table('signature', sa.column('id', sa.Integer()), sa.column('email', sa.String(254)))
    outbox = sa.table('outbox_message', sa.column('signature_id', sa.Integer()), sa.column('recipient', sa.String(254)), sa.column('status', sa.String(20)))
    address = sa.select(signature.c.email).where(signature.c.id == outbox.c.signature_id).scalar_subquery()
    op.execute(
        outbox.update()
        .where(outbox.c.status == 'queued', outbox.c.signature_id.is_not(None), outbox.c.recipient.is_(None))
        .values(recipient=address)
    )


def downgrade():
    op.drop_index('uq_signature_campaign_id_email_hash', table_name='signature')
    with op.batch_alter_table('signature', schema=None) as batch_op:
        batch_op.drop_column('email_domain')
        batch_op.drop_column('mailbox_hash')
        batch_op.drop_column('email_hash')
        batch_op.drop_column('public_name')
        batch_op.drop_column('sealed')
