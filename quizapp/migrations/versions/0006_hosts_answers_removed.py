"""Remove the answers hosts stored on their own rounds, and recount those rounds' answers

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 23:55:00

"""
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# Nobody answers a round they host (quizapp.rules.rounds.may_answer); answers stored before that rule are removed
# so leaderboards, tallies and counts agree. Data only: no table is rebuilt, so plain SQL both dialects run (a
# batch rebuild on SQLite would lose 0003's trigger, see 0004). The trigger counts inserts only, so the
# rounds that lose an answer are recounted here.
HOSTS_ANSWERS = """SELECT answer.id FROM answer JOIN "round" ON "round".id = answer.round_id
    WHERE answer.player_id = "round".curator_id"""


def upgrade():
    # The marks go first: foreign keys cascade only where they are enforced (SQLite enforces them per connection).
    op.execute(f"DELETE FROM mark WHERE answer_id IN ({HOSTS_ANSWERS})")
    op.execute(f"DELETE FROM answer WHERE id IN ({HOSTS_ANSWERS})")
    # Every round whose counter disagrees with its rows: those that just lost an answer, and any that drifted.
    op.execute("""UPDATE "round" SET answer_count = (SELECT count(*) FROM answer WHERE answer.round_id = "round".id)
        WHERE answer_count <> (SELECT count(*) FROM answer WHERE answer.round_id = "round".id)""")


def downgrade():
    # The removed answers are gone for good; there is nothing to put back.
    pass
