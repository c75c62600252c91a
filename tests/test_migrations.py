"""The migrations build exactly the schema the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import insert, select

from quizapp import create_app
from quizapp.extensions import db
from quizapp.models import Answer, Round, User
from tests.conftest import POSTGRES_URL


def test_migrations_match_the_models(tmp_path):
    url = POSTGRES_URL or f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        counted = answer_count_after_one_answer()
        db.drop_all()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.engine.dispose()
    assert differences == []
    assert counted == 1  # the trigger of migration 0003 counts answers on their round


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
        return connection.execute(select(round_.c.answer_count).where(round_.c.id == round_id)).scalar_one()
