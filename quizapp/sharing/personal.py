"""A player's own result, shared after the close: a spoiler-free line, a public page and a card of their own.

The public address names the answer by its id and a MAC of it under the app's secret key, so a link shows the one
result its player shared: nobody can walk the ids to read other players' results (their points and rank are on the
round's leaderboard anyway; their marks are on no shared page at all).
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from quizapp.queries import PlayerAnswer
from quizapp.results.summary import RoundResults
from quizapp.rules.ranking import Place, place_of
from quizapp.sharing.cards import Card
from quizapp.sharing.previews import (
    LinkPreview,
    ShareOffer,
    absolute_url,
    card_alt,
    image_address,
    offer_of,
    preview,
    round_feeds,
    utc_time,
)
from quizapp.snapshots import RoundSnapshot

MAC_LENGTH = 16  # hex digits: 64 bits, far beyond guessing over HTTP


@dataclass(frozen=True)
class SharedResult:
    """One player's result in a closed, scored round: what their line, page and card show, and nothing more."""

    round: RoundSnapshot
    answer_id: int
    points: int
    max_points: int
    squares: tuple[bool, ...]  # one per point to find, in the round's order: found or missed
    place: Place

    @property
    def token(self) -> str:
        return token_for(self.round.id, self.answer_id)


def _mac(round_id: int, answer_id: int) -> str:
    key = str(current_app.secret_key).encode()
    return hmac.new(key, f"shared-result:{round_id}:{answer_id}".encode(), hashlib.sha256).hexdigest()[:MAC_LENGTH]


def token_for(round_id: int, answer_id: int) -> str:
    return f"{answer_id}-{_mac(round_id, answer_id)}"


def answer_id_of(round_id: int, token: str) -> int | None:
    """The answer a shared-result token names, if it was made here for this round."""
    number, _sep, mac = token.partition("-")
    if not number.isascii() or not number.isdigit() or len(number) > 18:
        return None
    if not hmac.compare_digest(mac, _mac(round_id, int(number))):
        return None
    return int(number)


def place_in(round_: RoundSnapshot, results: RoundResults, points: int) -> Place:
    """Where points stand among the round's players, read from the counts per score."""
    if results.facts is not None:
        return place_of(points, results.facts.distribution)
    right = next((row.votes for row in results.options if row.option.is_correct), 0)
    return place_of(points, [results.players - right, right])


def shared_result(round_: RoundSnapshot, results: RoundResults, answer: PlayerAnswer) -> SharedResult:
    if round_.is_facts:
        squares = tuple(s.id in answer.marked_ids for s in round_.statements if s.is_false)
    else:
        squares = (answer.points > 0,)
    return SharedResult(round_, answer.id, answer.points, answer.max_points, squares,
                        place_in(round_, results, answer.points))


def score_words(result: SharedResult) -> str:
    if result.round.is_facts:
        return _("%(points)d/%(max)d lies found", points=result.points, max=result.max_points)
    return _("right answer") if result.points else _("wrong answer")


def rank_words(result: SharedResult) -> str:
    return _("rank %(rank)d of %(players)d", rank=result.place.rank, players=result.place.players)


def squares_text(squares: tuple[bool, ...]) -> str:
    return "".join("🟩" if found else "🟥" for found in squares)


def share_line(result: SharedResult) -> str:
    """"Two Truths · 10 facts about Arseny · 2/3 lies found 🟥🟩🟩 · rank 4 of 214": which lies, never."""
    return " · ".join((_("Two Truths"), result.round.title,
                       f"{score_words(result)} {squares_text(result.squares)}", rank_words(result)))


def share_url(result: SharedResult) -> str:
    return absolute_url("sharing.shared_result", round_id=result.round.id, token=result.token)


def personal_card(result: SharedResult, name: str) -> Card:
    if result.round.is_facts:
        score, counted = f"{result.points}/{result.max_points}", _("lies found")
    else:
        score, counted = ("✓" if result.points else "✗"), score_words(result)
    return Card(wordmark=_("Two Truths"), badge=_("Result"), tone="closed", title=result.round.title,
                score=score, squares=result.squares, facts=counted,
                story=_("Rank %(rank)d of %(players)d", rank=result.place.rank, players=result.place.players),
                footer=_("Player: %(name)s · %(time)s", name=name, time=utc_time(result.round.closes_at)))


def result_preview(result: SharedResult, name: str) -> LinkPreview:
    description = " · ".join((f"{score_words(result)} {squares_text(result.squares)}", rank_words(result),
                              _("Can you do better?")))
    card_url = absolute_url("sharing.result_card_image", round_id=result.round.id, token=result.token)
    return preview(_("%(name)s’s result: %(title)s", name=name, title=result.round.title), description,
                    share_url(result), card_url, personal_card(result, name), round_feeds(result.round))


def result_offer(result: SharedResult, name: str) -> ShareOffer:
    """The share box on the player's reveal: their line, their page and its card (not the page's whole preview,
    which every player's reveal would build for nothing)."""
    token = result.token
    card = personal_card(result, name)
    card_url = absolute_url("sharing.result_card_image", round_id=result.round.id, token=token)
    return ShareOffer(share_line(result), absolute_url("sharing.shared_result", round_id=result.round.id, token=token),
                      image_address(card_url, card), card_alt(card))


def reveal_offer(round_: RoundSnapshot, link: LinkPreview) -> ShareOffer:
    """An opinion poll has no score to share: its voters pass on the reveal itself."""
    return offer_of(_("Two Truths · %(title)s · see how everyone voted", title=round_.title), link)
