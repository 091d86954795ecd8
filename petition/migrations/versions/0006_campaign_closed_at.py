"""campaign closed at

When staff last closed a campaign, as a column: retention counts its erasure period from
it. Until now the moment was read back from the audit trail ("status open→closed" in the
detail of a `campaign.updated` event); campaigns already closed get it from there, once.
A closed campaign without such an event keeps NULL, and retention falls back, as before,
to its scheduled closing or its last sign-on. Downgrading drops the column (the audit
trail still has the moments).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))

    campaign = sa.table('campaign', sa.column('id', sa.Integer()), sa.column('status', sa.String(20)), sa.column('closed_at', sa.DateTime(timezone=True)))
    audit_event = sa.table('audit_event', sa.column('at', sa.DateTime(timezone=True)), sa.column('action', sa.String(40)), sa.column('object_type', sa.String(30)), sa.column('object_id', sa.String(40)), sa.column('detail', sa.String(500)))
    last_closing = (
        sa.select(sa.func.max(audit_event.c.at))
        .where(
            audit_event.c.action == 'campaign.updated',
            audit_event.c.object_type == 'campaign',
            audit_event.c.object_id == sa.cast(campaign.c.id, sa.String(40)),
            audit_event.c.detail.like('%→closed%'),
        )
        .scalar_subquery()
    )
    op.execute(campaign.update().where(campaign.c.status == 'closed').values(closed_at=last_closing))


def downgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
