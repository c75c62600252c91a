"""Cache keys, all built here, beside the fingerprints they depend on.

A kept value is right as long as its key changes whenever the value would. So a key names everything its value
shows: a closed round's key holds its texts, its series and its answer count; a leaderboard's key the
fingerprint of the rounds it sums. Anything later that changes what a page shows without changing a round
(moderation, a voided answer) joins the keys here. Rendered HTML also depends on the viewer's language and time
zone, the year and the mount point: html_scope() adds them.
"""
from __future__ import annotations

from collections.abc import Hashable

from flask import request

from quizapp.extensions import locale_and_zone
from quizapp.queries import PlayerAnswer
from quizapp.snapshots import RoundSnapshot
from quizapp.web import this_year


def round_version(round_: RoundSnapshot) -> tuple[object, ...]:
    """Everything about a round that its closed pages show and that can still change after the close.

    Answers that arrived before the close and committed after it move answer_count; the curator can still edit
    the title, the intro, the series and the explanations. Statements and options are in it whole, so an edit
    the editor may allow later cannot leave an old copy behind either.
    """
    series = (round_.series.id, round_.series.title) if round_.series else None
    statements = tuple((s.id, s.text, s.is_false, s.explanation) for s in round_.statements)
    options = tuple((o.id, o.text, o.is_correct) for o in round_.options)
    return (round_.id, round_.closes_at, round_.answer_count, round_.title, round_.intro, round_.host_name, series,
            statements, options)


def tallies_key(round_: RoundSnapshot) -> tuple[object, ...]:
    """A closed round's counts: only an answer committed after the close can change them, and that moves
    answer_count."""
    return ("tallies", round_.id, round_.closes_at, round_.answer_count)


def leaderboard_key(name: str, fingerprint: tuple[object, ...]) -> tuple[object, ...]:
    """A ranking over closed rounds (overall, or one series), kept until their fingerprint changes."""
    return ("leaderboard", name, fingerprint)


def series_rounds_key(listed: list[tuple[int, str, object]]) -> tuple[object, ...]:
    """A series' list of rounds, which shows each round's id, title and status and nothing else."""
    return ("series-rounds", tuple(listed), html_scope())


def html_scope() -> tuple[str, str, int, str]:
    """What any rendered HTML depends on beyond its data: the language, the time zone, the year (a time within the
    current one is shown without it) and the mount point."""
    locale, zone = locale_and_zone()
    return locale, zone, this_year(zone), request.script_root


def reveal_key(round_: RoundSnapshot) -> tuple[object, ...]:
    """The shared parts of a closed round's reveal (everything but the viewer's own)."""
    return ("reveal", round_version(round_), html_scope())


def reveal_page_key(round_: RoundSnapshot) -> tuple[object, ...]:
    """A closed round's whole reveal, as everyone without an answer or a row on it sees it."""
    return ("reveal-page", round_version(round_), html_scope())


def my_result_key(round_: RoundSnapshot, answer: PlayerAnswer, name: str) -> tuple[object, ...]:
    """A player's own result on a closed round's reveal, with its share box: the round as its reveal shows it (its
    tally moves their rank), their answer and their name; kept for them alone, under their answer's id."""
    return ("my-result", round_version(round_), answer.id, answer.points, answer.max_points, answer.option_id,
            answer.marked_ids, name, html_scope())


def board_key(where: str, leaderboard: tuple[object, ...], page: int) -> tuple[object, ...]:
    """A page of a leaderboard's table, as shown on one page (`where`: "reveal", "round", "overall", "series"),
    to a viewer without a row on it."""
    return ("board", where, leaderboard, page, html_scope())


def confirmation_key(round_: RoundSnapshot, fragment: bool) -> tuple[object, ...]:
    """A round's "you answered" box and the panel around it: its statements or options and its closing time,
    not its answer count; as htmx swaps it in (`fragment`, which takes the focus) or in a whole page."""
    items = tuple((s.id, s.text) for s in round_.statements) or tuple((o.id, o.text) for o in round_.options)
    return ("confirmation", round_.id, round_.kind, round_.closes_at, items, fragment, html_scope())


def preview_key(round_: RoundSnapshot, endpoint: str, language: str, url_root: str) -> tuple[object, ...]:
    """The link preview of a round whose results are public (quizapp.sharing.previews.round_preview): its words and
    card tell the reveal, which moves only with the round; in the page's language, for the site's public address
    (the preview's links are absolute)."""
    return ("preview", endpoint, round_version(round_), language, url_root)


def feed_key(self_url: str, home_url: str, title: str, language: str,
             rows: tuple[Hashable, ...]) -> tuple[object, ...]:
    """An Atom feed's XML: its rounds' rows (quizapp.sharing.feeds.newest: every field an entry writes, and whether
    the round has closed, which adds its reveal's entry) and the language its words are in."""
    return ("feed", self_url, home_url, title, language, rows)


def card_key(subject: str, state: str, language: str, digest: str) -> tuple[object, ...]:
    """A preview image: of a round, a series or the site (`subject`), in its state and language; `digest` is
    quizapp.sharing.cards.Card.digest, of every text and number the card draws (a round's texts can still change)."""
    return ("card", subject, state, language, digest)
