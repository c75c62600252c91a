"""Command-line tools: curators, demo data, rounds in and out as JSON."""
from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, NoReturn

import click
from flask import Flask, current_app, url_for
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from quizapp.announce.cli import channels
from quizapp.announce.outbox import plan_rounds
from quizapp.auth.service import UsernameError, find_user, new_user
from quizapp.data.rounds_json import (
    RoundsFileError,
    dump_document,
    export_rounds,
    import_rounds,
    load_document,
    parse_rounds,
)
from quizapp.demo import DEMO_HOST, seed_demo
from quizapp.extensions import db
from quizapp.models import Round, User, utcnow
from quizapp.rules import rounds as rules
from quizapp.rules.usernames import skeleton, validate_username
from quizapp.tasks import wake

MIN_PASSWORD = 8


def init_app(app: Flask) -> None:
    """Register the commands."""
    for command in (create_curator, import_rounds_command, export_rounds_command, seed_demo_command, init_db):
        app.cli.add_command(command)
    app.cli.add_command(channels)


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
    announcements = plan_rounds(rounds)
    db.session.commit()
    wake(announcements)
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
