"""the partners' sites that may frame a campaign's signing form

Each campaign lists the origins (one per line) allowed to show `/<lang>/<slug>/embed` in a
frame; existing campaigns list none, so nothing can frame them until staff say so.

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-03 01:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('embed_origins', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('embed_origins')
