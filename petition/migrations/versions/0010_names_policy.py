"""names policy per negotiating party

Each target says whether its delivery packages name the signers (`named`, each as they chose)
or carry only totals and the count by country (`counted`), and each package records the
policy it was built with. Every party and package from before was named, so both start so;
staff set the parties that would endanger signers to `counted`.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # On SQLite the CHECK means rebuilding both tables; env.py turns foreign keys off for
    # it, so the campaigns' links to their targets stay (a test keeps them so).
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.add_column(sa.Column('names_policy', sa.Enum('named', 'counted', name='target_names_policy', native_enum=False, create_constraint=True, length=20), server_default='named', nullable=False))
    with op.batch_alter_table('delivery_package', schema=None) as batch_op:
        batch_op.add_column(sa.Column('names_policy', sa.Enum('named', 'counted', name='delivery_package_names_policy', native_enum=False, create_constraint=True, length=20), server_default='named', nullable=False))


def downgrade():
    with op.batch_alter_table('delivery_package', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_delivery_package_delivery_package_names_policy'), type_='check')
        batch_op.drop_column('names_policy')
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_target_target_names_policy'), type_='check')
        batch_op.drop_column('names_policy')
