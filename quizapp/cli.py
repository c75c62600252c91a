"""Command-line tools: curators, demo data, rounds in and out as JSON."""
from __future__ import annotations

import random
import secrets
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

import click
from flask import Flask, current_app, url_for
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from quizapp.auth.service import UsernameError, find_user, new_user
from quizapp.data.rounds_json import (
    RoundsFileError,
    dump_document,
    export_rounds,
    format_time,
    import_rounds,
    load_document,
    parse_rounds,
)
from quizapp.extensions import db
from quizapp.models import Answer, Mark, Round, User, utcnow
from quizapp.rules import rounds as rules
from quizapp.rules.scoring import score_facts, score_poll
from quizapp.rules.usernames import skeleton, validate_username

MIN_PASSWORD = 8

DEMO_HOST = "demo_host"
DEMO_PLAYERS = 20
DEMO_SERIES = "Week of the demo host"
DEMO_SEED = 42


def init_app(app: Flask) -> None:
    """Register the commands."""
    for command in (create_curator, import_rounds_command, export_rounds_command, seed_demo_command, init_db):
        app.cli.add_command(command)


@click.command("create-curator")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@with_appcontext
def create_curator(name: str, password_stdin: bool) -> None:
    """Create a curator, or make an existing user one, and set the password."""
    user = find_user(name)
    if user is None:
        _check_new_username(name)
    password = _password_from_stdin() if password_stdin else _password_from_prompt()
    if user is None:
        try:
            user = new_user(name, password, curator=True)
        except UsernameError as error:
            _fail(str(error))
    else:
        user.is_curator = True
        user.set_password(password)
    db.session.commit()
    click.echo(f"Curator {user.username} is ready.")


@click.command("import-rounds")
@click.argument("file", type=click.File("rb"))
@click.option("--curator", "curator_name", required=True, help="The curator who will own the rounds.")
@with_appcontext
def import_rounds_command(file: BinaryIO, curator_name: str) -> None:
    """Import rounds from a JSON file, all or nothing, and print their addresses."""
    curator = _curator(curator_name)
    now = utcnow()
    try:
        specs = parse_rounds(load_document(file.read()), now=now)
    except RoundsFileError as error:
        _fail(f"nothing imported; {file.name} has {_count(len(error.errors), 'problem')}:", error.errors)
    rounds = import_rounds(specs, curator, now)
    db.session.commit()
    _echo_rounds(rounds, now)


@click.command("export-rounds")
@click.option("--curator", "curator_name", help="Only this curator's rounds.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write to this file instead of standard output.")
@with_appcontext
def export_rounds_command(curator_name: str | None, output: Path | None) -> None:
    """Write rounds, drafts included, as JSON in the two-truths/rounds@1 format."""
    query = select(Round).order_by(Round.id).options(
        selectinload(Round.statements), selectinload(Round.options), selectinload(Round.series)
    )
    if curator_name is not None:
        user = find_user(curator_name)
        if user is None:
            _fail(f"there is no user named {curator_name!r}.")
        query = query.where(Round.curator_id == user.id)
    rounds = db.session.scalars(query).all()
    encoded = dump_document(export_rounds(rounds)).encode("utf-8")
    if not rounds:
        click.echo("No rounds to export.", err=True)
    if output is None:
        # Bytes, so the text comes out as UTF-8 whatever the terminal's locale says.
        click.echo(encoded, nl=False)
        return
    output.write_bytes(encoded)
    click.echo(f"Exported {_count(len(rounds), 'round')} to {output}.", err=True)


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Fill an empty database with a demo curator, players, rounds and answers."""
    _seed_if_empty()


@click.command("init-db")
@click.option("--demo", is_flag=True, help="Add the demo data when there are no rounds yet.")
@with_appcontext
def init_db(demo: bool) -> None:
    """Run the migrations up to the latest schema; add the demo data to an empty database if asked."""
    upgrade()
    click.echo("The database schema is up to date.")
    if demo or current_app.config.get("DEMO_ON_EMPTY"):
        _seed_if_empty()


def _fail(message: str, details: Sequence[str] = ()) -> NoReturn:
    """Report an error on standard error, undo the transaction, and exit with status 1."""
    db.session.rollback()
    click.echo(f"Error: {message}", err=True)
    for detail in details:
        click.echo(f"  {detail}", err=True)
    raise click.exceptions.Exit(1)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _check_new_username(name: str) -> None:
    """Refuse a name new_user would refuse, in English: the CLI has no request to pick a language from."""
    problem = validate_username(name)
    if problem:
        _fail(f"{name!r} can't be a username. {problem}")
    lookalike = db.session.scalar(select(User.username).where(User.username_skeleton == skeleton(name)))
    if lookalike is not None:
        _fail(f"{name!r} looks too much like the existing user {lookalike!r}; choose another name.")


def _password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"The password needs at least {MIN_PASSWORD} characters."
    return None


def _password_from_stdin() -> str:
    # Bytes decoded as UTF-8, as the login form sends them, whatever the terminal's locale says.
    try:
        password = sys.stdin.buffer.readline().decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        _fail("the password on standard input is not valid UTF-8.")
    problem = _password_problem(password)
    if problem:
        _fail(problem)
    return password


def _password_from_prompt() -> str:
    def check(value: str) -> str:
        problem = _password_problem(value)
        if problem:
            # click shows a UsageError raised here and asks again.
            raise click.BadParameter(problem)
        return value

    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True, value_proc=check))


def _curator(name: str) -> User:
    user = find_user(name)
    if user is None:
        _fail(f"there is no user named {name!r}; create one with: flask --app quizapp create-curator {name}")
    if not user.is_curator:
        _fail(
            f"{user.username!r} is not a curator; make them one with: "
            f"flask --app quizapp create-curator {user.username}"
        )
    return user


def _echo_rounds(rounds: Sequence[Round], now: datetime) -> None:
    """Print each round's address (its path when PUBLIC_URL is unset), title and status."""
    lines = [(round_.id, round_.title, rules.status(round_, now).value) for round_ in rounds]
    base_url = current_app.config.get("PUBLIC_URL")
    # url_for needs a request to build URLs; this one only supplies the public address, if there is one.
    with current_app.test_request_context(base_url=base_url):
        for round_id, title, status in lines:
            url = url_for("play.round_page", round_id=round_id, _external=bool(base_url))
            click.echo(f"{url}  {title} ({status})")


def _seed_if_empty() -> None:
    if db.session.scalar(select(Round.id).limit(1)) is not None:
        click.echo("Demo data already present.")
        return
    now = utcnow()
    try:
        password, rounds = seed_demo(now)
        db.session.commit()
    except IntegrityError:
        # Another process seeded at the same moment and won the unique usernames.
        db.session.rollback()
        click.echo("Demo data already present.")
        return
    click.echo(f"Demo curator: {DEMO_HOST} / {password}")
    _echo_rounds(rounds, now)


def seed_demo(now: datetime) -> tuple[str, list[Round]]:
    """Add the demo curator, players, rounds and answers to the session; return the password and the rounds."""
    password = secrets.token_urlsafe(12)
    host = _demo_user(DEMO_HOST, password, curator=True)
    players = [_demo_user(f"demo_player_{number:02d}") for number in range(1, DEMO_PLAYERS + 1)]
    rounds = import_rounds(parse_rounds(demo_document(now)), host, now)
    db.session.flush()
    open_facts, closed_facts, opinion_poll, quiz_poll, closed_poll = rounds
    # A fixed seed: every demo database shows the same spread, so screenshots and tests agree.
    rng = random.Random(DEMO_SEED)
    _answer_facts(open_facts, players[:5], rng, now - timedelta(hours=1))
    _answer_facts(closed_facts, players, rng, closed_facts.opens_at or now,
                  suspicion=[1, 2, 5, 2, 4, 3, 6, 2])
    _vote(opinion_poll, players[:9], rng, now - timedelta(minutes=50), weights=[2, 5, 2, 1])
    _vote(quiz_poll, players[3:9], rng, now - timedelta(minutes=20), weights=[3, 2, 4, 1])
    _vote(closed_poll, players, rng, closed_poll.opens_at or now, weights=[7, 6, 4, 3])
    return password, rounds


def _demo_user(name: str, password: str | None = None, *, curator: bool = False) -> User:
    """Find or create a demo account: rounds may have been deleted while their players stayed."""
    user = find_user(name)
    if user is None:
        return new_user(name, password, curator=curator)
    if password is not None:
        user.set_password(password)
    user.is_curator = user.is_curator or curator
    return user


def _answer_facts(round_: Round, players: Sequence[User], rng: random.Random, start: datetime,
                  suspicion: Sequence[int] | None = None) -> None:
    """Store each player's marks, picking statements with the given suspicion weights."""
    weights = list(suspicion or [1] * len(round_.statements))
    false_ids = {statement.id for statement in round_.statements if statement.is_false}
    for player in players:
        positions = _weighted_sample(rng, weights, len(false_ids))
        marked = sorted(round_.statements[position].id for position in positions)
        db.session.add(Answer(  # the database counts it on the round
            round_id=round_.id,
            player_id=player.id,
            points=score_facts(false_ids, marked),
            max_points=len(false_ids),
            marks=[Mark(statement_id=statement_id) for statement_id in marked],
            created_at=start + timedelta(minutes=rng.randint(5, 600)),
        ))


def _vote(round_: Round, players: Sequence[User], rng: random.Random, start: datetime, weights: Sequence[int]) -> None:
    """Store one vote per player, options drawn with the given weights."""
    correct = next((option.id for option in round_.options if option.is_correct), None)
    for player in players:
        option_id = rng.choices(round_.options, weights=weights)[0].id
        db.session.add(Answer(  # the database counts it on the round
            round_id=round_.id,
            player_id=player.id,
            option_id=option_id,
            points=score_poll(correct, option_id),
            max_points=1 if correct is not None else 0,
            created_at=start + timedelta(minutes=rng.randint(1, 45)),
        ))


def _weighted_sample(rng: random.Random, weights: Sequence[int], count: int) -> list[int]:
    """Pick count distinct positions, each draw weighted like the suspicion a statement raises."""
    remaining = dict(enumerate(weights))
    picked = []
    for _draw in range(count):
        position = rng.choices(list(remaining), weights=list(remaining.values()))[0]
        picked.append(position)
        del remaining[position]
    return picked


def demo_document(now: datetime) -> dict[str, Any]:
    """The demo rounds, in the import format: two facts rounds and three polls, one in Russian."""

    def at(delta: timedelta) -> str:
        return format_time(now + delta)

    return {
        "format": "two-truths/rounds@1",
        "rounds": [
            {
                "kind": "facts",
                "title": "10 facts about the demo host",
                "intro": "7 are true and 3 are false. Mark the three you think are made up.",
                "series": DEMO_SERIES,
                "opens_at": at(-timedelta(hours=2)),
                "closes_at": at(timedelta(days=3)),
                "statements": [
                    {"text": "I learned to program on a graphing calculator during maths lessons.", "true": True,
                     "explanation": "Guilty. The teacher confiscated it twice; my Snake clone survived both times."},
                    {"text": "I once ran a half marathon in a banana costume.", "true": False,
                     "explanation": "I once ran for a bus in a banana costume. Not the same thing, sadly."},
                    {"text": "I can name every capital in Europe, Liechtenstein's included.", "true": True,
                     "explanation": "Vaduz. Everybody forgets Vaduz."},
                    {"text": "My first job was testing water slides at a theme park.", "true": False,
                     "explanation": "It was washing dishes in a pizzeria. The water slides were my brother's job, "
                                    "and I'm still jealous."},
                    {"text": "I fixed a production bug from a ski lift.", "true": True,
                     "explanation": "Phone in one glove, 14 minutes to the top. The fix was one character."},
                    {"text": "I have kept a spreadsheet of every book I've read since 2009.", "true": True,
                     "explanation": "412 rows so far, with a column for \"would lend it to a friend\"."},
                    {"text": "I have never seen a single Star Wars film.", "true": False,
                     "explanation": "I've seen all of them, some more often than I'd admit in public."},
                    {"text": "I've been to Iceland three times and never seen the northern lights.", "true": True,
                     "explanation": "Clouds, every single night. Iceland owes me one aurora."},
                    {"text": "I speak enough Finnish to order a coffee and apologise.", "true": True,
                     "explanation": "Kahvi, kiitos. Anteeksi. That is roughly the whole repertoire."},
                    {"text": "One of the chilli plants on my balcony is nine years old.", "true": True,
                     "explanation": "Chillies live for years if they winter indoors. Her name is Pepper Potts."},
                ],
            },
            {
                "kind": "facts",
                "title": "8 facts from my travels",
                "intro": "Six true, two false. The reveal is open: see who spotted the lies.",
                "series": DEMO_SERIES,
                "opens_at": at(-timedelta(days=6)),
                "closes_at": at(-timedelta(days=5)),
                "statements": [
                    {"text": "I missed a flight because I was reading at the gate.", "true": True,
                     "explanation": "Three final calls. The book was very good."},
                    {"text": "I have slept in airports in four different countries.", "true": True,
                     "explanation": "Singapore was the best one. Let's not talk about the worst."},
                    {"text": "I once got lost in IKEA for over an hour.", "true": False,
                     "explanation": "Forty minutes at most. The hour is a family legend."},
                    {"text": "My train once stopped because a cow was standing on the tracks.", "true": True,
                     "explanation": "Switzerland. The cow was unbothered; the passengers applauded when it left."},
                    {"text": "I have climbed Kilimanjaro.", "true": False,
                     "explanation": "I read a book about climbing Kilimanjaro. On a beach. Lying down."},
                    {"text": "I ate a whole pizza in Naples by myself before noon.", "true": True,
                     "explanation": "A margherita at 11:40. No regrets."},
                    {"text": "I saw a volcano erupting from a plane window.", "true": True,
                     "explanation": "Etna, on the way to Catania. The pilot announced it like a tour guide."},
                    {"text": "My suitcase once went to Tokyo without me.", "true": True,
                     "explanation": "I was flying to Lisbon. It came back a week later with more stamps than me."},
                ],
            },
            {
                "kind": "poll",
                "title": "How broad should an ML engineer's job be?",
                "intro": "No wrong answers, only strong opinions. You see the results as soon as you vote.",
                "series": DEMO_SERIES,
                "opens_at": at(-timedelta(hours=1)),
                "closes_at": at(timedelta(days=1)),
                "results": "after_vote",
                "options": [
                    {"text": "Models only: training, tuning, evaluation"},
                    {"text": "Models and the data pipelines around them"},
                    {"text": "Everything from the data to deployment and monitoring"},
                    {"text": "Whatever the team needs this sprint"},
                ],
            },
            {
                "kind": "poll",
                "title": "Which of these animals sleeps the most in a day?",
                "intro": "One answer is right. Results stay hidden until the poll closes.",
                "opens_at": at(-timedelta(minutes=30)),
                "closes_at": at(timedelta(days=2)),
                "results": "after_close",
                "options": [
                    {"text": "Sloth", "correct": False},
                    {"text": "House cat", "correct": False},
                    {"text": "Koala", "correct": True},
                    {"text": "Giraffe", "correct": False},
                ],
            },
            {
                "kind": "poll",
                "title": "Где ударение: тво\u0301рог или творо\u0301г?",
                # U+0301 (combining acute accent) marks the stress, the way Russian dictionaries do;
                # written as escapes so that no editor quietly normalises it away.
                "intro": "Словари разрешают оба варианта. А как говорите вы? И да, мы всегда пишем «ё»: "
                         "ещё, ёжик, всё.",
                "opens_at": at(-timedelta(days=4)),
                "closes_at": at(-timedelta(days=3)),
                "results": "after_vote",
                "options": [
                    {"text": "тво\u0301рог"},
                    {"text": "творо\u0301г"},
                    {"text": "Как придётся, зависит от собеседника"},
                    {"text": "Говорю «сырники», и вопрос закрыт"},
                ],
            },
        ],
    }
