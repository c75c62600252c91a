"""Announcement tests: an app that may call 127.0.0.1, with short retry delays, and local receivers."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from quizapp.extensions import db
from quizapp.models import Channel, Series
from tests.announce.receivers import Receiver, serving
from tests.conftest import POSTGRES_URL, build_test_app, empty_schema

PUBLIC_URL = "https://quiz.example.org"
ANNOUNCING = {
    "WEBHOOK_ALLOW_PRIVATE": True,
    "PUBLIC_URL": PUBLIC_URL,
    "ANNOUNCE_RETRY_DELAYS": [1, 2, 4],
    "ANNOUNCE_TIMEOUT_SECONDS": 2,
    "ANNOUNCE_CLAIM_SECONDS": 3,
}


@pytest.fixture
def app(tmp_path) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    url = POSTGRES_URL or f"sqlite:///{tmp_path / 'test.sqlite'}"
    with empty_schema(build_test_app(url, CARD_CACHE_FOLDER=tmp_path / "cards", **ANNOUNCING)) as app:
        yield app


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serving(Receiver()) as running:
        yield running


def add_channel(series: Series | None, url: str, *, kind: str = "webhook", secret: str = "s3cret",
                chat_id: str = "", language: str = "en") -> Channel:
    """A channel written straight to the database."""
    channel = Channel(series_id=series.id if series else None, kind=kind, url=url, secret=secret, chat_id=chat_id,
                      language=language)
    db.session.add(channel)
    db.session.commit()
    return channel
