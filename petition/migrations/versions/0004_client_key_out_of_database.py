"""client key out of database

The day's key for client-address hashes no longer lives in the database, beside the
hashes it could reverse: it is kept in Redis with an expiry, or in process memory
(petition/privacy.py). The table goes, with the keys it holds; hashes already stored stay
until retention empties them, and can no longer be recomputed from a copy.

Dropping or creating a whole table needs no batch mode on SQLite (only ALTER does). Going
down makes the table again, empty: keys cannot come back, and an older release makes a
new one on first use.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table('client_hash_key')


def downgrade():
    op.create_table('client_hash_key',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('key', sa.LargeBinary(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_client_hash_key'))
    )
