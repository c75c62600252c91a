"""Count a round's answers in slots of their own instead of on the round's row

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 03:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# As the models have them when this is written (quizapp.models.COUNT_ANSWERS, TALLY_SLOTS = 16); a migration
# keeps its own copy. Every answer updated its round's row at commit, and PostgreSQL holds a row lock until the
# commit is on disk: concurrent answers to one round flushed one at a time (quizapp.models.AnswerTally).
SLOTS = 16
NEW_TRIGGER = {
    "sqlite": [
        f"""CREATE TRIGGER count_answer AFTER INSERT ON answer FOR EACH ROW
        BEGIN INSERT INTO answer_tally (round_id, slot, answers) VALUES (NEW.round_id, NEW.player_id % {SLOTS}, 1)
        ON CONFLICT (round_id, slot) DO UPDATE SET answers = answers + 1; END""",
    ],
    "postgresql": [
        f"""CREATE OR REPLACE FUNCTION count_answer() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO answer_tally (round_id, slot, answers) VALUES (NEW.round_id, NEW.player_id % {SLOTS}, 1)
        ON CONFLICT (round_id, slot) DO UPDATE SET answers = answer_tally.answers + 1; RETURN NULL; END $$""",
        """CREATE CONSTRAINT TRIGGER count_answer AFTER INSERT ON answer DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION count_answer()""",
    ],
}
# 0003's trigger, for the way down.
OLD_TRIGGER = {
    "sqlite": [
        """CREATE TRIGGER count_answer AFTER INSERT ON answer FOR EACH ROW
        BEGIN UPDATE "round" SET answer_count = answer_count + 1 WHERE id = NEW.round_id; END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION count_answer() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN UPDATE "round" SET answer_count = answer_count + 1 WHERE id = NEW.round_id; RETURN NULL; END $$""",
        """CREATE CONSTRAINT TRIGGER count_answer AFTER INSERT ON answer DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION count_answer()""",
    ],
}


def _drop_trigger(dialect):
    op.execute('DROP TRIGGER IF EXISTS count_answer' + (' ON answer' if dialect == 'postgresql' else ''))


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table(
        'answer_tally',
        sa.Column('round_id', sa.Integer(), sa.ForeignKey('round.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('slot', sa.SmallInteger(), primary_key=True),
        sa.Column('answers', sa.Integer(), nullable=False),
    )
    _drop_trigger(dialect)
    # Counted from the answers themselves, not copied from the old counter.
    op.execute(f"""INSERT INTO answer_tally (round_id, slot, answers)
        SELECT round_id, player_id % {SLOTS}, count(*) FROM answer GROUP BY round_id, player_id % {SLOTS}""")
    for sql in NEW_TRIGGER[dialect]:
        op.execute(sql)
    # Both dialects drop a column in place (SQLite since 3.35) once no trigger names it; a batch rebuild of
    # "round" on SQLite would cascade the delete to its statements and answers.
    op.execute('ALTER TABLE "round" DROP COLUMN answer_count')


def downgrade():
    dialect = op.get_bind().dialect.name
    op.add_column('round', sa.Column('answer_count', sa.Integer(), nullable=False, server_default='0'))
    op.execute("""UPDATE "round" SET answer_count = (SELECT count(*) FROM answer WHERE answer.round_id = "round".id)""")
    _drop_trigger(dialect)
    for sql in OLD_TRIGGER[dialect]:
        op.execute(sql)
    op.drop_table('answer_tally')
