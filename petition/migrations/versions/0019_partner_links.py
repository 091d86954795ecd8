"""partner links: an organisation's share code, and the partner a signature came through

Every approved organisation gets a random code for its share link (`?via=<code>`); a
signature keeps the id of the organisation whose link the signer came through and kept, so
that replacing a code loses no count. Organisations approved before this revision get their
code here.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 06:30:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

ORGANISATION = sa.table(
    'organisation',
    sa.column('id', sa.Integer()),
    sa.column('status', sa.String()),
    sa.column('partner_code', sa.String()),
)


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partner_code', sa.String(length=32), nullable=True))
    op.create_index('uq_organisation_partner_code', 'organisation', ['partner_code'], unique=True)
    # A new foreign key: SQLite rebuilds the table for it (PostgreSQL just adds it).
    with op.batch_alter_table('signature', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partner_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_signature_partner_id_organisation'),
            'organisation',
            ['partner_id'],
            ['id'],
            ondelete='SET NULL',
        )
    op.create_index('ix_signature_partner_id_status', 'signature', ['partner_id', 'status'])

    connection = op.get_bind()
    approved = connection.execute(
        sa.select(ORGANISATION.c.id).where(ORGANISATION.c.status == 'approved')
    ).scalars()
    for organisation_id in list(approved):
        connection.execute(
            ORGANISATION.update()
            .where(ORGANISATION.c.id == organisation_id)
            .values(partner_code=secrets.token_urlsafe(10))
        )


def downgrade():
    op.drop_index('ix_signature_partner_id_status', table_name='signature')
    with op.batch_alter_table('signature', schema=None) as batch_op:
        batch_op.drop_constraint('fk_signature_partner_id_organisation', type_='foreignkey')
        batch_op.drop_column('partner_id')
    op.drop_index('uq_organisation_partner_code', table_name='organisation')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('partner_code')
