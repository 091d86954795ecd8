"""sealed organisation representatives

An organisation's representative (name, role, email) is sealed to the campaign's custodians
once the review decision has been mailed to them; from sign-on on, keyed hashes of the
address (one organisation per representative, later mail only to the same mailbox) and its
domain (trust signals) stay readable. Rows from before keep their plaintext and are found by
`rep_email_normalised` until they are sealed.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rep_sealed', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('rep_email_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('rep_mailbox_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('rep_email_domain', sa.String(length=253), nullable=True))
    # A unique index, not a constraint: on SQLite a new constraint means rebuilding the table
    # (see 0008).
    op.create_index('uq_organisation_campaign_id_rep_email_hash', 'organisation', ['campaign_id', 'rep_email_hash'], unique=True)


def downgrade():
    op.drop_index('uq_organisation_campaign_id_rep_email_hash', table_name='organisation')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('rep_email_domain')
        batch_op.drop_column('rep_mailbox_hash')
        batch_op.drop_column('rep_email_hash')
        batch_op.drop_column('rep_sealed')
