"""Make the lookalike key of usernames unique

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 02:20:00

"""
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index('ix_user_username_skeleton')
        batch_op.create_unique_constraint('uq_user_username_skeleton', ['username_skeleton'])


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint('uq_user_username_skeleton', type_='unique')
        batch_op.create_index('ix_user_username_skeleton', ['username_skeleton'], unique=False)
