"""Answers write fewer B-trees: no index on answer.round_id, marks keyed by (answer_id, statement_id)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 07:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# Every answer wrote to these for nothing: lookups by round use the unique (round_id, player_id) key, and a
# mark is identified by its answer and statement, so its own id, the unique key beside it and the index on
# answer_id go. On SQLite the mark table becomes WITHOUT ROWID: one B-tree instead of two.
# The answer table is not rebuilt (plain DROP INDEX): a batch rebuild on SQLite would lose 0003's trigger.


def upgrade():
    op.drop_index('ix_answer_round_id', table_name='answer')
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('mark', recreate='always', table_kwargs={'sqlite_with_rowid': False}) as batch_op:
            batch_op.drop_index('ix_mark_answer_id')
            batch_op.drop_constraint('uq_mark_answer_id', type_='unique')
            batch_op.drop_column('id')
            batch_op.create_primary_key('pk_mark', ['answer_id', 'statement_id'])
    else:
        op.drop_index('ix_mark_answer_id', table_name='mark')
        op.drop_constraint('uq_mark_answer_id', 'mark', type_='unique')
        op.drop_constraint('pk_mark', 'mark', type_='primary')
        op.drop_column('mark', 'id')
        op.create_primary_key('pk_mark', 'mark', ['answer_id', 'statement_id'])


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('mark', recreate='always') as batch_op:
            batch_op.drop_constraint('pk_mark', type_='primary')
            batch_op.add_column(sa.Column('id', sa.Integer(), nullable=False))
            batch_op.create_primary_key('pk_mark', ['id'])
            batch_op.create_unique_constraint('uq_mark_answer_id', ['answer_id', 'statement_id'])
            batch_op.create_index('ix_mark_answer_id', ['answer_id'], unique=False)
    else:
        op.drop_constraint('pk_mark', 'mark', type_='primary')
        op.add_column('mark', sa.Column('id', sa.Integer(), sa.Identity(), nullable=False))
        op.create_primary_key('pk_mark', 'mark', ['id'])
        op.create_unique_constraint('uq_mark_answer_id', 'mark', ['answer_id', 'statement_id'])
        op.create_index('ix_mark_answer_id', 'mark', ['answer_id'], unique=False)
    op.create_index('ix_answer_round_id', 'answer', ['round_id'], unique=False)
