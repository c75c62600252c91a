"""Drop the indexes on answer.round_id and mark.answer_id: the unique keys lead with those columns

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 07:10:00

"""
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


# Every answer wrote to both for nothing: lookups by round use unique (round_id, player_id), lookups by
# answer use unique (answer_id, statement_id). Plain DROP INDEX, not a batch operation: on SQLite a batch
# would rebuild the answer table without the counting trigger of 0003.
def upgrade():
    op.drop_index('ix_answer_round_id', table_name='answer')
    op.drop_index('ix_mark_answer_id', table_name='mark')


def downgrade():
    op.create_index('ix_mark_answer_id', 'mark', ['answer_id'], unique=False)
    op.create_index('ix_answer_round_id', 'answer', ['round_id'], unique=False)
