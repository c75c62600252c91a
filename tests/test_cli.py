"""The command line: curators, rounds in and out as JSON, demo data, the schema."""
from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, inspect, select, text

from quizapp.auth.service import find_user
from quizapp.data.rounds_json import FORMAT, dump_document
from quizapp.demo import DEMO_HOST
from quizapp.extensions import db
from quizapp.models import Answer, Round, Series, User, utcnow
from quizapp.rules import rounds as round_rules
from quizapp.rules.lifecycle import RoundStatus, as_utc
from quizapp.rules.rounds import RoundKind
from quizapp.rules.scoring import score_facts


def round_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Round)) or 0


def facts(title: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "facts",
        "title": title,
        "statements": [{"text": "I ski", "true": True}, {"text": "I fly", "true": False}],
        **extra,
    }


def write_rounds(tmp_path: Path, *rounds: dict[str, Any]) -> Path:
    path = tmp_path / "rounds.json"
    path.write_text(dump_document({"format": FORMAT, "rounds": list(rounds)}), encoding="utf-8")
    return path


# create-curator


def test_create_curator_reads_the_password_from_stdin_and_can_log_in(runner, make, visitor):
    result = runner.invoke(args=["create-curator", "alice", "--password-stdin"], input="correct horse\n")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Curator alice is ready.\n"
    assert find_user("alice").is_curator
    assert visitor.login("alice", "correct horse").status_code == 303


def test_create_curator_asks_twice_and_again_after_a_short_password(runner, make):
    result = runner.invoke(args=["create-curator", "alice"], input="short\nlong enough\nlong enough\n")
    assert result.exit_code == 0, result.output
    assert "at least 8 characters" in result.output
    assert find_user("alice").check_password("long enough")


def test_create_curator_promotes_an_existing_player_and_sets_the_password(runner, make):
    make.user("Bob", password=None)
    result = runner.invoke(args=["create-curator", "bob", "--password-stdin"], input="new password\n")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Curator Bob is ready.\n"
    bob = find_user("bob")
    assert bob.is_curator and bob.check_password("new password")
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


@pytest.mark.parametrize(
    ("name", "message"),
    [
        pytest.param("a b", "Use letters, digits, _ and - only.", id="space"),
        pytest.param("ab", "Use 3 to 32 characters.", id="too-short"),
        pytest.param("\u0410dmin", "looks too much like the existing user 'Admin'", id="cyrillic-lookalike"),
    ],
)
def test_create_curator_refuses_a_bad_username_and_writes_nothing(runner, make, name, message):
    make.user("Admin")
    result = runner.invoke(args=["create-curator", name, "--password-stdin"], input="long enough\n")
    assert result.exit_code == 1
    assert message in result.stderr
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_create_curator_refuses_a_short_password_from_stdin(runner, make):
    result = runner.invoke(args=["create-curator", "alice", "--password-stdin"], input="short\n")
    assert result.exit_code == 1
    assert "at least 8 characters" in result.stderr
    assert find_user("alice") is None


# import-rounds


def test_import_prints_each_round_with_its_path_and_status_when_no_public_url_is_set(runner, make, tmp_path):
    """No guessed address: one naming port 5000 was wrong whenever the site was served elsewhere."""
    make.user("host", curator=True)
    path = write_rounds(
        tmp_path,
        facts("10 facts about me", closes_at="2099-01-01T00:00:00Z"),
        facts("Work in progress"),
        facts("Next week", opens_at="2098-01-01T00:00:00Z", closes_at="2099-01-01T00:00:00Z"),
    )
    result = runner.invoke(args=["import-rounds", str(path), "--curator", "host"])
    assert result.exit_code == 0, result.output
    ids = db.session.scalars(select(Round.id).order_by(Round.id)).all()
    assert result.stdout.splitlines() == [
        f"/rounds/{ids[0]}  10 facts about me (open)",
        f"/rounds/{ids[1]}  Work in progress (draft)",
        f"/rounds/{ids[2]}  Next week (scheduled)",
    ]


def test_import_builds_addresses_from_public_url(app, runner, make, tmp_path):
    app.config["PUBLIC_URL"] = "https://quiz.example.org/games/"
    make.user("host", curator=True)
    result = runner.invoke(args=["import-rounds", str(write_rounds(tmp_path, facts("A"))), "--curator", "host"])
    assert result.exit_code == 0, result.output
    round_id = db.session.scalar(select(Round.id))
    assert result.stdout == f"https://quiz.example.org/games/rounds/{round_id}  A (draft)\n"


def test_import_checks_every_round_and_imports_nothing_when_round_3_of_3_is_invalid(runner, make, tmp_path):
    make.user("host", curator=True)
    broken = facts("Third one", series="New series", statements=[{"text": "Only", "true": False}])
    path = write_rounds(tmp_path, facts("First", series="New series"), facts("Second"), broken)
    result = runner.invoke(args=["import-rounds", str(path), "--curator", "host"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: nothing imported; {path} has 1 problem:",
        '  round 3 ("Third one"): statements: a facts round has 2 to 30 statements, not 1',
    ]
    assert round_count() == 0
    assert db.session.scalar(select(func.count()).select_from(Series)) == 0


def test_import_lists_every_problem_on_stderr(runner, make, tmp_path):
    make.user("host", curator=True)
    path = write_rounds(tmp_path, facts("", kind="quiz"), {"kind": "poll", "title": "Q", "options": []})
    result = runner.invoke(args=["import-rounds", str(path), "--curator", "host"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        '  round 1: kind: must be "facts" or "poll"',
        "  round 1: title: must not be empty",
        '  round 2 ("Q"): options: a poll has 2 to 10 options, not 0',
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b'{"format": "two-truths/rounds@1",\n "rounds": [}', "not valid JSON at line 2, column 13",
                     id="json"),
        pytest.param(b'{"format": "two-truths/rounds@1",\n  "rounds": "\xd1"}', "not valid UTF-8 at line 2, column 14",
                     id="utf-8"),
    ],
)
def test_import_names_the_line_and_column_of_a_broken_file(runner, make, tmp_path, content, message):
    make.user("host", curator=True)
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    result = runner.invoke(args=["import-rounds", str(path), "--curator", "host"])
    assert result.exit_code == 1
    assert message in result.stderr


@pytest.mark.parametrize(
    ("name", "message"),
    [("nobody", "there is no user named 'nobody'"), ("player", "'player' is not a curator")],
)
def test_import_needs_an_existing_curator(runner, make, tmp_path, name, message):
    make.user("player")
    result = runner.invoke(args=["import-rounds", str(write_rounds(tmp_path, facts("A"))), "--curator", name])
    assert result.exit_code == 1
    assert message in result.stderr
    assert round_count() == 0


def test_unicode_survives_import_and_export_byte_for_byte(runner, make, tmp_path):
    make.user("host", curator=True)
    rounds = [
        {
            "kind": "facts",
            "title": "Ёжик в тумане 🦔",
            "intro": "Ударение: тво\u0301рог и творо\u0301г; café and cafe\u0301 are two spellings.",
            "series": "Неделя гостя 👩🏽‍💻",
            "opens_at": "2026-11-27T10:00:00Z",
            "closes_at": "2099-11-28T10:00:00Z",
            "statements": [
                {"text": "Я пишу «ё» всегда.\nДаже в «ещё».", "true": True, "explanation": "Всё так 🙂"},
                {"text": "  Leading spaces and e\u0301\u0323 stacked marks", "true": False},
            ],
        },
        {
            "kind": "poll",
            "title": "Что лучше?",
            "results": "after_close",
            "options": [{"text": "Чай 🍵", "correct": True}, {"text": "Кофе ☕", "correct": False}],
        },
    ]
    source = write_rounds(tmp_path, *rounds)
    assert runner.invoke(args=["import-rounds", str(source), "--curator", "host"]).exit_code == 0
    exported = tmp_path / "exported.json"
    result = runner.invoke(args=["export-rounds", "--output", str(exported)])
    assert result.exit_code == 0, result.output
    assert exported.read_bytes() == source.read_bytes()


# export-rounds


def test_export_writes_json_to_stdout(runner, make):
    make.facts_round([("Ёжик", False), ("Lie", True)], title="Ёлка", status="draft")
    result = runner.invoke(args=["export-rounds"])
    assert result.exit_code == 0, result.output
    assert "Ёжик" in result.stdout
    assert json.loads(result.stdout) == {
        "format": FORMAT,
        "rounds": [{"kind": "facts", "title": "Ёлка",
                    "statements": [{"text": "Ёжик", "true": True}, {"text": "Lie", "true": False}]}],
    }


def test_export_can_keep_to_one_curator(runner, make):
    alice = make.user("alice", curator=True)
    make.poll(title="Alice's poll", curator=alice)
    make.poll(title="Someone else's poll")
    result = runner.invoke(args=["export-rounds", "--curator", "Alice"])
    assert result.exit_code == 0, result.output
    assert [r["title"] for r in json.loads(result.stdout)["rounds"]] == ["Alice's poll"]


def test_export_refuses_an_unknown_curator(runner, make):
    result = runner.invoke(args=["export-rounds", "--curator", "nobody"])
    assert result.exit_code == 1
    assert "there is no user named 'nobody'" in result.stderr


def test_export_of_nothing_says_so(runner, make):
    result = runner.invoke(args=["export-rounds"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"format": FORMAT, "rounds": []}
    assert result.stderr == "No rounds to export.\n"


# seed-demo


def demo_password(output: str) -> str:
    line = next(line for line in output.splitlines() if line.startswith("Demo curator: "))
    return line.split(" / ")[1]


def test_seed_demo_prints_addresses_under_public_url(app, runner, make):
    app.config["PUBLIC_URL"] = "http://127.0.0.1:8123"
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\nhttp://127.0.0.1:8123/rounds/") == 5


def test_seed_demo_runs_once(runner, make, visitor):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith(f"Demo curator: {DEMO_HOST} / ")
    assert first.stdout.count("\n/rounds/") == 5
    rounds = round_count()
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert second.stdout == "Demo data already present.\n"
    assert round_count() == rounds == 5
    assert visitor.login(DEMO_HOST, demo_password(first.stdout)).status_code == 303


def demo_rounds() -> dict[str, Round]:
    return {round_.title: round_ for round_ in db.session.scalars(select(Round))}


def test_demo_has_open_and_closed_facts_rounds_and_polls(runner, make):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    statuses = sorted((r.kind, round_rules.is_quiz(r), round_rules.status(r, utcnow()).value) for r in demo_rounds().values())
    assert statuses == [
        (RoundKind.FACTS, False, RoundStatus.CLOSED),
        (RoundKind.FACTS, False, RoundStatus.OPEN),
        (RoundKind.POLL, False, RoundStatus.CLOSED),
        (RoundKind.POLL, False, RoundStatus.OPEN),
        (RoundKind.POLL, True, RoundStatus.OPEN),
    ]
    open_facts = demo_rounds()["10 facts about the demo host"]
    assert (len(open_facts.statements), round_rules.false_count(open_facts)) == (10, 3)
    assert all(statement.explanation for statement in open_facts.statements)
    assert open_facts.series.title == "Week of the demo host"
    assert 0 < open_facts.answer_count < 20


def test_closed_demo_facts_round_has_20_scored_answers_with_a_spread(runner, make):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    round_ = demo_rounds()["8 facts from my travels"]
    assert (len(round_.statements), round_rules.false_count(round_)) == (8, 2)
    answers = db.session.scalars(select(Answer).where(Answer.round_id == round_.id)).all()
    assert len(answers) == round_.answer_count == 20
    false_ids = {s.id for s in round_.statements if s.is_false}
    for answer in answers:
        assert len(answer.marks) == 2
        assert answer.points == score_facts(false_ids, [mark.statement_id for mark in answer.marks])
        assert answer.max_points == 2
        assert as_utc(round_.opens_at) <= as_utc(answer.created_at) <= as_utc(round_.closes_at)
    assert {answer.points for answer in answers} == {0, 1, 2}


def test_demo_includes_a_closed_russian_poll_with_combining_accents(runner, make):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    [russian] = [r for r in demo_rounds().values() if "\u0301" in r.title]
    assert round_rules.status(russian, utcnow()) is RoundStatus.CLOSED
    assert "ё" in russian.intro
    assert russian.answer_count == 20
    assert [option.text for option in russian.options][:2] == ["тво\u0301рог", "творо\u0301г"]


def test_seed_demo_reuses_demo_accounts_left_without_rounds(runner, make):
    make.user("demo_player_01", password=None)
    make.user(DEMO_HOST, curator=False)
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    host = find_user(DEMO_HOST)
    assert host.is_curator and host.check_password(demo_password(result.stdout))


# init-db


@pytest.fixture
def empty_database(app) -> Iterator[None]:
    """A database without tables; the migrations' logging setup and version table are undone afterwards."""
    loggers = {name: logger.disabled for name, logger in logging.root.manager.loggerDict.items()
               if isinstance(logger, logging.Logger)}
    root_handlers, root_level = list(logging.root.handlers), logging.root.level
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    yield
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    # Alembic's env.py calls logging.config.fileConfig, which disables loggers other tests rely on.
    for name, disabled in loggers.items():
        logging.getLogger(name).disabled = disabled
    logging.root.handlers[:] = root_handlers
    logging.root.setLevel(root_level)


def test_init_db_creates_the_schema_without_demo_data_by_default(app, runner, empty_database):
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "The database schema is up to date." in result.stdout
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        assert {"user", "round", "statement", "option", "answer", "mark", "series"} <= tables
        assert db.session.scalar(text("SELECT version_num FROM alembic_version")) is not None
        assert round_count() == 0


def test_init_db_with_demo_seeds_an_empty_database_once(app, runner, empty_database):
    assert runner.invoke(args=["init-db", "--demo"]).exit_code == 0
    again = runner.invoke(args=["init-db", "--demo"])
    assert again.exit_code == 0
    assert "Demo data already present." in again.stdout
    with app.app_context():
        assert round_count() == 5


def test_init_db_seeds_when_demo_on_empty_is_set(app, runner, empty_database):
    app.config["DEMO_ON_EMPTY"] = True
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Demo curator: demo_host / " in result.stdout
