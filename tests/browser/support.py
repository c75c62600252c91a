"""What the browser tests share besides fixtures: the server handle, the seeded world, names, screenshots."""
from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from playwright.sync_api import BrowserContext, ConsoleMessage, Page

from quizapp.auth.service import find_user
from quizapp.extensions import db
from quizapp.models import Round, utcnow
from quizapp.rules.lifecycle import as_utc
from tests.factories import Factory

ROOT = Path(__file__).resolve().parents[2]
VENDOR = Path(__file__).resolve().parent / "vendor"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
# axe-core 4.14.1 from npm (MPL-2.0, licence beside it), served by the test app only, from 'self'.
AXE_URL_PATH = "/__browser-tests__/axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}

NewContext = Callable[..., BrowserContext]
OpenAs = Callable[..., Page]

_unique = itertools.count(1)


def unique(prefix: str) -> str:
    """A name no other test of this session uses (the database is new each session)."""
    return f"{prefix}{next(_unique)}"


def screenshot(page: Page, name: str, *, height: int | None = None) -> Path:
    """Save the whole page (or its top `height` pixels) under test-artifacts/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    clip = {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": height} if height else None  # type: ignore[index]
    page.screenshot(path=str(path), full_page=True, clip=clip)  # type: ignore[arg-type]
    return path


@dataclass
class LiveServer:
    app: Flask
    url: str

    @contextmanager
    def factory(self) -> Iterator[Factory]:
        """Write test data straight to the database; keep the block short (SQLite holds its write lock inside)."""
        with self.app.app_context():
            yield Factory()

    def close_round(self, round_id: int) -> None:
        """Close a round as if its closing time had passed."""
        # Not Factory.close: SQLite hands back naive datetimes, which it compares with aware ones.
        with self.app.app_context():
            round_ = db.session.get(Round, round_id)
            round_.closes_at = utcnow() - timedelta(seconds=1)
            if round_.opens_at is None or as_utc(round_.opens_at) >= round_.closes_at:
                round_.opens_at = round_.closes_at - timedelta(hours=1)
            db.session.commit()

    def user_id(self, name: str) -> int:
        with self.app.app_context():
            user = find_user(name)
            assert user is not None, name
            return user.id


@dataclass
class Console:
    """What the pages of one context logged: CSP refusals and script errors fail the test."""

    problems: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: uncaught {error}"))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not _expected_error(message.text):
            self.problems.append(f"{message.location.get('url', '')}: {message.text}")


def _expected_error(text: str) -> bool:
    # Chromium logs every 4xx response as an error: the app answers invalid forms with 422 on purpose.
    return bool(re.match(r"Failed to load resource: the server responded with a status of 4\d\d", text))


@dataclass(frozen=True)
class World:
    """Rounds in every state, written by factories once per session, and who sees them."""

    host: str
    player: str
    open_facts: int
    answered_facts: int
    closed_facts: int
    closed_poll: int
    voted_poll: int
    # Cookies of the signed-in curator and of the guest player, to open contexts already signed in.
    states: dict[str, Any]


OPEN_STATEMENTS = [
    ("I once ate a whole pineapple in one sitting, standing in the rain at a bus stop in Porto.", False),
    ("My blog lives at https://example.org/notes/a-very-long-path-that-keeps-going-without-any-break-at-all", True),
    ("Я пробежал марафон за 3 часа 59 минут и 58 секунд.", False),
    ("I have never seen snow.", True),
    ("Ich habe einen Donaudampfschifffahrtsgesellschaftskapitänsausweis.", False),
]
CLOSED_STATEMENTS = [
    ("I was born on a ship.", True),
    ("I speak four languages.", False),
    ("I met the Dalai Lama.", True),
    ("I have two cats called Ctrl and Alt.", False),
    ("Я умею играть на балалайке.", False),
]
CLOSED_EXPLANATIONS = [
    "In a hospital in Tallinn, far from the sea.",
    "Estonian, Russian, English and enough French to order coffee.",
    "Only on television.",
    "And a third one called Delete.",
    "Три аккорда, но уверенно.",
]
