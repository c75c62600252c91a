"""`flask --app quizapp channels add|list|test|remove`: announcement channels on the command line."""
from __future__ import annotations

from typing import NoReturn

import click
from flask.cli import AppGroup
from sqlalchemy import select

from quizapp.announce.channels import KINDS, ChannelSpec, add_channel, shown_address, spec_problems
from quizapp.announce.senders import attempt, test_request
from quizapp.extensions import db
from quizapp.models import Channel, Series, User, utcnow
from quizapp.tasks import wake

channels = AppGroup("channels", help="Announce rounds on Telegram, Discord, Slack or a webhook.")


def _fail(message: str) -> NoReturn:
    db.session.rollback()
    click.echo(f"Error: {message}", err=True)
    raise click.exceptions.Exit(1)


def find_series(key: str) -> Series:
    """The series with this id, or the one series of this title; several curators' series of one title are refused."""
    if key.isascii() and key.isdigit():
        series = db.session.get(Series, int(key))
        if series is None:
            _fail(f"there is no series with id {key}.")
        return series
    found = db.session.execute(
        select(Series, User.username).join(User, User.id == Series.curator_id)
        .where(Series.title == key.strip()).order_by(Series.id)
    ).all()
    if not found:
        _fail(f"there is no series named {key!r}.")
    if len(found) > 1:
        choices = ", ".join(f"{series.id} ({name})" for series, name in found)
        _fail(f"several curators have a series named {key!r}; give its id instead: {choices}.")
    return found[0][0]


@channels.command("add")
@click.option("--series", "series_key", metavar="ID|NAME", help="The series whose rounds it announces.")
@click.option("--site", is_flag=True, help="Announce every round of the site.")
@click.option("--kind", required=True, type=click.Choice(KINDS))
@click.option("--url", default="", help="The webhook's address (not for Telegram).")
@click.option("--secret", default="", help="Telegram: the bot token; webhook: the signing key (made up if left out).")
@click.option("--chat", "chat_id", default="", help="Telegram: the chat id, such as @mychannel or -100123.")
@click.option("--language", default="en", help="The language of the messages (en, ru).")
def add_command(series_key: str | None, site: bool, kind: str, url: str, secret: str, chat_id: str,
                language: str) -> None:
    """Add a channel to a series or to the whole site."""
    if site == (series_key is not None):
        _fail("give either --series ID|NAME or --site.")
    series = find_series(series_key) if series_key is not None else None
    spec = ChannelSpec(kind=kind, url=url.strip(), secret=secret.strip(), chat_id=chat_id.strip(), language=language)
    problems = spec_problems(spec)
    if problems:
        _fail(" ".join(f"--{field.replace('_id', '')}: {problem}" for field, problem in problems.items()))
    channel, made_secret, rows = add_channel(series.id if series else None, spec, utcnow())
    db.session.commit()
    wake(rows)
    where = f"series {series.id} ({series.title})" if series else "the whole site"
    click.echo(f"Channel {channel.id} ({kind}) announces the rounds of {where}.")
    if made_secret != spec.secret:
        click.echo(f"Its signing secret, shown this once: {made_secret}")


@channels.command("list")
def list_command() -> None:
    """List the channels, each with its series, kind, address and language."""
    rows = db.session.execute(
        select(Channel, Series.title).outerjoin(Series, Series.id == Channel.series_id).order_by(Channel.id)
    ).all()
    if not rows:
        click.echo("No channels.")
    for channel, title in rows:
        where = f"series {channel.series_id} ({title})" if channel.series_id else "site"
        click.echo(f"{channel.id}  {where}  {channel.kind}  {shown_address(channel)}  {channel.language}")


def _channel(channel_id: int) -> Channel:
    channel = db.session.get(Channel, channel_id)
    if channel is None:
        _fail(f"there is no channel {channel_id}.")
    return channel


@channels.command("remove")
@click.argument("channel_id", type=int)
def remove_command(channel_id: int) -> None:
    """Remove a channel and its announcements."""
    db.session.delete(_channel(channel_id))
    db.session.commit()
    click.echo(f"Channel {channel_id} removed.")


@channels.command("test")
@click.argument("channel_id", type=int)
def test_command(channel_id: int) -> None:
    """Send a test message to a channel now, and say how it went."""
    channel, now = _channel(channel_id), utcnow()
    outcome = attempt(channel, test_request(channel, now), now)
    if not outcome.ok:
        _fail(f"the test message was not delivered: {outcome.error}")
    click.echo(f"Channel {channel_id}: the test message was delivered.")

