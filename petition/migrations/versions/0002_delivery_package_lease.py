"""delivery package lease

A worker's claim on a delivery package it builds: `attempt` counts the claims (existing
rows start at 0) and `lease_until` is when another worker may take the package over.
Packages left BUILDING before this revision have no lease, so the next worker takes them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 15:28:05.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('delivery_package', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempt', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('delivery_package', schema=None) as batch_op:
        batch_op.drop_column('lease_until')
        batch_op.drop_column('attempt')
