"""The migrations build exactly the schema the models describe, and mend the data the rules now forbid."""
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import MetaData, Table, func, insert, select

from quizapp import create_app
from quizapp.extensions import db
from quizapp.models import Answer, Mark, Round, Statement, User
from tests.conftest import POSTGRES_URL


@contextmanager
def empty_database(tmp_path: Path) -> Iterator[Flask]:
    """An app on an empty database (the PostgreSQL suite's, or a SQLite file), in its app context; emptied after."""
    url = POSTGRES_URL or f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url,
                      "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        _empty()
        try:
            yield app
        finally:
            db.session.remove()
            _empty()
            db.engine.dispose()


def _empty() -> None:
    db.drop_all()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def test_migrations_match_the_models(tmp_path):
    with empty_database(tmp_path):
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        counted = answer_count_after_one_answer()
    assert differences == []
    assert counted == 1  # the trigger of migration 0007 counts answers into their round's tally


def answer_count_after_one_answer() -> int:
    """Insert a player, a round and one answer by hand, and read the round's counter."""
    user, round_, answer = User.__table__, Round.__table__, Answer.__table__
    with db.engine.begin() as connection:
        player_id = connection.execute(
            insert(user).values(username="Ann", username_key="ann", username_skeleton="ann").returning(user.c.id)
        ).scalar_one()
        round_id = connection.execute(
            insert(round_).values(curator_id=player_id, title="Facts").returning(round_.c.id)
        ).scalar_one()
        connection.execute(insert(answer).values(round_id=round_id, player_id=player_id))
    # Read after the commit: on PostgreSQL the trigger runs at commit time.
    with db.engine.connect() as connection:
        return connection.execute(select(Round.answer_count).where(Round.id == round_id)).scalar_one()


def test_migration_0006_removes_hosts_answers_to_their_own_rounds_and_recounts(tmp_path):
    with empty_database(tmp_path) as app:
        upgrade(revision="0005")
        round_id = closed_round_answered_by_its_host_and_a_player()
        upgrade()
        with db.engine.connect() as connection:
            answers = connection.execute(select(Answer.player_id).where(Answer.round_id == round_id)).scalars().all()
            counted = connection.execute(select(Round.answer_count).where(Round.id == round_id)).scalar_one()
            marks = connection.execute(select(func.count()).select_from(Mark)).scalar_one()
        db.session.remove()
        client = app.test_client()
        overall = client.get("/leaderboard").get_data(as_text=True)
        reveal = client.get(f"/rounds/{round_id}/reveal").get_data(as_text=True)
    player_id = 2
    assert answers == [player_id]
    assert counted == 1
    assert marks == 1  # the player's one mark; the host's went with their answer
    assert ">Bea<" in overall and ">Host<" not in overall
    assert re.search(r'stat-value">1</span>\s*<span class="stat-label">player</span>', reveal)


def closed_round_answered_by_its_host_and_a_player() -> int:
    """As a database before the rule held it: a closed round its host answered (all right) beside a player."""
    user, statement = User.__table__, Statement.__table__
    answer, mark = Answer.__table__, Mark.__table__
    now = datetime.now(UTC)
    with db.engine.begin() as connection:
        round_ = Table("round", MetaData(), autoload_with=connection)  # as it was then, with its answer_count
        ids = [connection.execute(insert(user).values(username=name, username_key=name.lower(),
                                                      username_skeleton=name.lower()).returning(user.c.id)).scalar_one()
               for name in ("Host", "Bea")]
        round_id = connection.execute(insert(round_).values(
            curator_id=ids[0], title="Facts", published=True, opens_at=now - timedelta(hours=2),
            closes_at=now - timedelta(hours=1), kind="facts", intro="", results_visibility="after_close",
            created_at=now - timedelta(hours=3), answer_count=0).returning(round_.c.id)).scalar_one()
        lie, truth = (connection.execute(insert(statement).values(round_id=round_id, position=position, text=text,
                                                                  is_false=is_false).returning(statement.c.id)).scalar_one()
                      for position, text, is_false in ((0, "A lie", True), (1, "A truth", False)))
        for player_id, marked, points in ((ids[0], lie, 1), (ids[1], truth, 0)):
            answer_id = connection.execute(insert(answer).values(
                round_id=round_id, player_id=player_id, points=points, max_points=1).returning(answer.c.id)).scalar_one()
            connection.execute(insert(mark).values(answer_id=answer_id, statement_id=marked))
    return round_id


def test_migration_0007_counts_each_rounds_answers_from_the_answers_themselves(tmp_path):
    """The old counter on the round's row may have drifted; the tally starts from the rows, and keeps counting."""
    with empty_database(tmp_path):
        upgrade(revision="0006")
        round_id = closed_round_answered_by_its_host_and_a_player()  # two answers, by players 1 and 2
        with db.engine.begin() as connection:
            connection.exec_driver_sql(f'UPDATE "round" SET answer_count = 7 WHERE id = {round_id}')
        upgrade()
        with db.engine.connect() as connection:
            migrated = connection.execute(select(Round.answer_count).where(Round.id == round_id)).scalar_one()
        with db.engine.begin() as connection:
            player_id = connection.execute(insert(User.__table__).values(
                username="Cy", username_key="cy", username_skeleton="cy").returning(User.id)).scalar_one()
            connection.execute(insert(Answer.__table__).values(round_id=round_id, player_id=player_id))
        with db.engine.connect() as connection:
            after_one_more = connection.execute(select(Round.answer_count).where(Round.id == round_id)).scalar_one()
    assert (migrated, after_one_more) == (2, 3)
