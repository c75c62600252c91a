"""A session generation per account: logging out or changing the password ends every earlier session

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:55:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN on both databases: batch mode rebuilds the table only when it must, and this one need not.
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
