"""Count a round's answers with a trigger on the answer table

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 07:15:00

"""
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# As the models had them when this was written (quizapp.models.COUNT_ANSWERS); a migration keeps its own copy.
SQLITE = """CREATE TRIGGER count_answer AFTER INSERT ON answer FOR EACH ROW
BEGIN UPDATE "round" SET answer_count = answer_count + 1 WHERE id = NEW.round_id; END"""
POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION count_answer() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN UPDATE "round" SET answer_count = answer_count + 1 WHERE id = NEW.round_id; RETURN NULL; END $$""",
    """CREATE CONSTRAINT TRIGGER count_answer AFTER INSERT ON answer DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION count_answer()""",
]


def upgrade():
    # Until now the answer view kept the counter; it stays as it is and the trigger carries it on.
    if op.get_bind().dialect.name == 'postgresql':
        for sql in POSTGRESQL:
            op.execute(sql)
    else:
        op.execute(SQLITE)


def downgrade():
    op.execute('DROP TRIGGER IF EXISTS count_answer' + (' ON answer' if op.get_bind().dialect.name == 'postgresql' else ''))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS count_answer()')
