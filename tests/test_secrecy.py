"""Secrecy: before the close, nothing a player or visitor is served depends on which statements are false.

Two worlds are built identically, ids included, except for the secrets: in the second one every statement
of the open facts round has its truth flipped (still two false of four), other players marked other
statements, the quiz poll has another correct option and the opinion poll another tally. Every page,
fragment and JSON a non-curator can reach is rendered in both and must be byte-identical once the CSRF
tokens (random per session) are blanked.
"""
from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from quizapp.cache import forget_everything
from quizapp.extensions import db
from quizapp.models import Answer, Round, Series, User, utcnow
from tests.conftest import Player
from tests.factories import Factory

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}




STATEMENTS = ["I have a cat", "I climbed Everest", "I speak French", "I met the Queen"]
IS_FALSE = [True, False, True, False]  # two of four, so flipping every one keeps "2 of these 4 are false"
EXPLANATIONS = ["Allergic to cats.", "Base camp, twice.", "Only menus.", "At Ascot in 2009."]
VIEWER_MARKS = [0, 2]  # the answering viewer marks the first and third: both lies in one world, both truths in the other
OTHERS_MARKS = {False: {"oleg": [0, 2], "petra": [0, 1]}, True: {"oleg": [1, 3], "petra": [2, 3]}}
QUIZ = ["Paris", "Lyon", "Nice"]
OPINION = ["Tea", "Coffee", "Water"]

CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*? value=")[^"]*(")')
CSRF_HEADER = re.compile(r'("X-CSRFToken": ")[^"]*(")')


def normalise(body: str) -> str:
    """Blank the CSRF tokens, which are random per session."""
    return CSRF_HEADER.sub(r"\1CSRF\2", CSRF_VALUE.sub(r"\1CSRF\2", body))


@dataclass(frozen=True)
class Page:
    status: int
    content_type: str
    location: str | None
    body: str


def page(response) -> Page:  # type: ignore[no-untyped-def]
    if response.mimetype == "image/png":
        # A preview card: compared byte for byte, through its digest.
        body = "png " + hashlib.sha256(response.data).hexdigest()
    else:
        body = normalise(response.get_data(as_text=True))
    return Page(response.status_code, response.content_type, response.headers.get("Location"), body)


@dataclass
class Ids:
    facts: int = 0
    quiz: int = 0
    opinion: int = 0
    closed: int = 0
    series: int = 0
    statements: list[int] = field(default_factory=list)
    quiz_options: list[int] = field(default_factory=list)
    opinion_options: list[int] = field(default_factory=list)


def seed(flipped: bool, now: datetime) -> Ids:
    """Create the world's rounds and the other players' answers; only the secrets depend on flipped."""
    make = Factory()
    host = make.user("host", password=None, curator=True)
    others = {name: make.user(name, password=None) for name in ("oleg", "petra", "quinn")}
    series = Series(curator_id=host.id, title="Week of the host")
    db.session.add(series)

    truth = [is_false != flipped for is_false in IS_FALSE]
    facts = make.facts_round(list(zip(STATEMENTS, truth, strict=True)), explanations=EXPLANATIONS, curator=host,
                             title="Four facts about me", now=now)
    facts.series = series
    quiz = make.poll(QUIZ, correct=2 if flipped else 0, curator=host, title="Capital of France?")
    opinion = make.poll(OPINION, results="after_close", curator=host, title="Tea or coffee?")
    for poll in (quiz, opinion):
        poll.opens_at, poll.closes_at = now - timedelta(hours=1), now + timedelta(days=1)
    closed = make.facts_round([("Old truth", False), ("Old lie", True)], curator=host, title="Last week",
                              status="closed", now=now)
    closed.series = series
    db.session.commit()

    statement_ids = [s.id for s in facts.statements]
    for name, marks in OTHERS_MARKS[flipped].items():
        make.answer(facts, others[name], [statement_ids[i] for i in marks])
    make.answer(quiz, others["oleg"], option=quiz.options[1].id)
    for name in others:
        # The opinion poll's tally: all Tea in one world, all Water in the other.
        make.answer(opinion, others[name], option=opinion.options[2 if flipped else 0].id)
    make.answer(closed, others["oleg"], [closed.statements[1].id])
    make.answer(closed, others["petra"], [closed.statements[0].id])
    return Ids(facts.id, quiz.id, opinion.id, closed.id, series.id, statement_ids,
               [o.id for o in quiz.options], [o.id for o in opinion.options])


def public_urls(ids: Ids) -> list[tuple[str, bool]]:
    """Every page, fragment and JSON a non-curator can ask for: (url, as an htmx partial)."""
    urls: list[tuple[str, bool]] = [("/", False), ("/leaderboard", False), (f"/series/{ids.series}", False)]
    for round_id in (ids.facts, ids.quiz, ids.opinion):
        urls += [
            (f"/rounds/{round_id}", False),
            (f"/rounds/{round_id}", True),
            (f"/rounds/{round_id}/count", True),
            (f"/rounds/{round_id}/reveal", False),
            (f"/rounds/{round_id}/results.json", False),
        ]
    urls.append((f"/rounds/{ids.opinion}/tally", True))
    # What a shared link unfurls into: the cards (in both languages) and the feeds.
    for round_id in (ids.facts, ids.quiz, ids.opinion):
        urls += [(f"/rounds/{round_id}/card.png", False), (f"/rounds/{round_id}/card.png?lang=ru", False)]
    urls += [("/card.png", False), (f"/series/{ids.series}/card.png", False), ("/feed.atom", False),
             (f"/series/{ids.series}/feed.atom", False), ("/hosts/host/feed.atom", False)]
    return urls


@dataclass
class World:
    ids: Ids
    pages: dict[str, Page]
    viewer_points: list[int]


VIEWERS = ["visitor", "guest", "answered-htmx", "answered-plain"]


def build_world(app: Flask, *, flipped: bool, viewer: str, now: datetime, closed: bool = False) -> World:
    """Build the world on an empty database, act as the viewer, and render everything it can see."""
    # A new database under the same process: results kept for the old one's closed rounds no longer apply.
    forget_everything(app)
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.create_all()
        ids = seed(flipped, now)
        if closed:
            for round_id in (ids.facts, ids.quiz, ids.opinion):
                db.session.get(Round, round_id).closes_at = now - timedelta(seconds=1)
            db.session.commit()
        db.session.remove()

    pages: dict[str, Page] = {}
    player = Player(app.test_client())
    if viewer != "visitor":
        name = "gus" if viewer == "guest" else "hana"
        assert player.join(name).status_code == 303
    if viewer.startswith("answered"):
        htmx = viewer == "answered-htmx"
        posts = [
            ("facts", player.answer(ids.facts, [ids.statements[i] for i in VIEWER_MARKS], htmx=htmx)),
            ("quiz", player.answer(ids.quiz, option=ids.quiz_options[0], htmx=htmx)),
            ("opinion", player.answer(ids.opinion, option=ids.opinion_options[1], htmx=htmx)),
        ]
        for kind, response in posts:
            pages[f"answer {kind}"] = page(response)
            assert response.status_code == (200 if htmx else 303), kind
            if not htmx:
                pages[f"answer {kind} -> redirect target"] = page(player.get(response.headers["Location"]))

    for url, htmx in public_urls(ids):
        pages[f"GET {url}{' (htmx)' if htmx else ''}"] = page(player.get(url, headers=HTMX if htmx else {}))

    with app.app_context():
        points = list(db.session.scalars(
            select(Answer.points).join(User, User.id == Answer.player_id).where(User.username == "hana")
            .order_by(Answer.round_id)
        ))
        db.session.remove()
    return World(ids, pages, points)


def differences(first: World, second: World) -> list[str]:
    """A unified diff for every page that is not the same in both worlds."""
    assert first.pages.keys() == second.pages.keys()
    found = []
    for key, one in first.pages.items():
        other = second.pages[key]
        if one != other:
            diff = difflib.unified_diff(one.body.splitlines(), other.body.splitlines(), "as set", "flipped", lineterm="", n=1)
            found.append(f"{key}: status {one.status}/{other.status}, location {one.location}/{other.location}\n"
                         + "\n".join(diff))
    return found


@pytest.fixture
def now() -> datetime:
    """One moment both worlds are built around, so every shown time is the same."""
    return utcnow().replace(microsecond=0)


def assert_nothing_told(world: World, viewer: str) -> None:
    """No explanation, verdict or tally anywhere, and a voter's own panel shows no percentage or count."""
    for key, served in world.pages.items():
        for explanation in EXPLANATIONS:
            assert explanation not in served.body, key
        for marker in ("verdict", "marked it false", 'id="poll-results"', "crowd-bar"):
            assert marker not in served.body, (key, marker)
    for round_id in (world.ids.facts, world.ids.quiz, world.ids.opinion):
        assert world.pages[f"GET /rounds/{round_id}/results.json"].status == 404
    if viewer.startswith("answered"):
        key = "answer opinion" if viewer == "answered-htmx" else "answer opinion -> redirect target"
        panel = world.pages[key].body
        panel = panel[panel.index('<section id="round-panel"') :]
        panel = panel[: panel.index("</section>")]
        assert "Your vote:" in panel and "Coffee" in panel
        assert "%" not in panel
        assert not re.search(r"\b[0-9]+ votes?\b", panel)
        assert "Tea" not in panel and "Water" not in panel


@pytest.mark.parametrize("viewer", VIEWERS)
def test_nothing_served_before_the_close_depends_on_the_secrets(app, now, viewer):
    as_set = build_world(app, flipped=False, viewer=viewer, now=now)
    flipped = build_world(app, flipped=True, viewer=viewer, now=now)

    assert as_set.ids == flipped.ids
    if viewer.startswith("answered"):
        # The answers really were scored differently: facts 2 vs 0, quiz 1 vs 0, opinion 0 either way.
        assert as_set.viewer_points == [2, 1, 0]
        assert flipped.viewer_points == [0, 0, 0]
    problems = differences(as_set, flipped)
    assert not problems, "\n\n".join(problems)
    assert_nothing_told(as_set, viewer)
    assert_nothing_told(flipped, viewer)


def test_the_same_comparison_tells_the_worlds_apart_once_the_rounds_close(app, now):
    as_set = build_world(app, flipped=False, viewer="visitor", now=now, closed=True)
    flipped = build_world(app, flipped=True, viewer="visitor", now=now, closed=True)
    changed = {problem.split(":")[0] for problem in differences(as_set, flipped)}
    for round_id in (as_set.ids.facts, as_set.ids.quiz, as_set.ids.opinion):
        assert f"GET /rounds/{round_id}/reveal" in changed
        assert f"GET /rounds/{round_id}/results.json" in changed
        assert f"GET /rounds/{round_id}/card.png" in changed
        assert f"GET /rounds/{round_id}/card.png?lang=ru" in changed
