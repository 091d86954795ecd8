"""at most one reminder to confirm per signature

A signer who has not confirmed may get one reminder (CONFIRM_REMINDER_HOURS); a partial
unique index makes "one" hold even when two workers schedule it at the same moment.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 01:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

ONLY_REMINDERS = sa.text("kind = 'confirm_reminder'")


def upgrade():
    op.create_index(
        'uq_outbox_message_one_reminder',
        'outbox_message',
        ['signature_id'],
        unique=True,
        sqlite_where=ONLY_REMINDERS,
        postgresql_where=ONLY_REMINDERS,
    )


def downgrade():
    op.drop_index('uq_outbox_message_one_reminder', table_name='outbox_message')
