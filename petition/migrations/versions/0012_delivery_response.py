"""the party's response to a delivery package

A package marked sent may record what the party answered: a short text and the address of
a document it published. Both are public in the campaign's delivery log; packages from
before have none.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('delivery_package', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_text', sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column('response_document_url', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('delivery_package', schema=None) as batch_op:
        batch_op.drop_column('response_document_url')
        batch_op.drop_column('response_text')
