"""stop updates token

A link token that can only stop a signer's campaign updates: the List-Unsubscribe header's
link, which mail systems log and forward, so it must not carry the manage token.
Downgrading deletes such tokens (their links stop working).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

BEFORE = ('confirm_sig', 'set_password', 'manage_sig', 'confirm_org', 'manage_org')
AFTER = (*BEFORE, 'stop_updates')


def purpose(values):
    return sa.Enum(*values, name='token_purpose', native_enum=False, create_constraint=True, length=20)


def upgrade():
    with op.batch_alter_table('link_token', schema=None) as batch_op:
        batch_op.alter_column('purpose', existing_type=purpose(BEFORE), type_=purpose(AFTER), existing_nullable=False)


def downgrade():
    link_token = sa.table('link_token', sa.column('purpose', sa.String(20)))
    op.execute(link_token.delete().where(link_token.c.purpose == 'stop_updates'))
    with op.batch_alter_table('link_token', schema=None) as batch_op:
        batch_op.alter_column('purpose', existing_type=purpose(AFTER), type_=purpose(BEFORE), existing_nullable=False)
