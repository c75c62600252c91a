"""Atom feeds of the site, a series and a host: openings and reveals, never drafts or rounds not yet open."""
from __future__ import annotations

import re
from functools import cache
from html import unescape
from pathlib import Path

import feedparser
from lxml import etree

from quizapp.extensions import db
from quizapp.models import Series


def autodiscovered(html: str) -> list[str]:
    return [unescape(href).removeprefix("http://localhost") for href in
            re.findall(r'<link rel="alternate" type="application/atom\+xml" title="[^"]*" href="([^"]+)"', html)]


def seeded(make):  # type: ignore[no-untyped-def]
    host = make.user("арсений", curator=True)
    series = Series(curator_id=host.id, title="Неделя Арсения")
    db.session.add(series)
    rounds = {
        "open": make.facts_round(curator=host, title="Открытый раунд"),
        "closed": make.facts_round(curator=host, title="Прошлый раунд", status="closed"),
        "draft": make.facts_round(curator=host, title="Черновик", status="draft"),
        "scheduled": make.facts_round(curator=host, title="Будущий раунд", status="scheduled"),
        "other": make.poll(["Да", "Нет"], title="Чужой опрос"),
    }
    for key in ("open", "closed", "draft", "scheduled"):
        rounds[key].series = series
    db.session.commit()
    return {key: round_.id for key, round_ in rounds.items()} | {"series": series.id}


def parse(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def test_the_home_page_feed_is_found_through_its_autodiscovery_link_and_lists_openings_and_reveals(app, make):
    ids = seeded(make)
    client = app.test_client()
    links = autodiscovered(client.get("/").get_data(as_text=True))
    assert links == ["/feed.atom?lang=en"]
    feed = parse(client.get(links[0]))
    titles = [entry.title for entry in feed.entries]
    assert "Open: Открытый раунд" in titles
    assert "Open: Прошлый раунд" in titles and "Revealed: Прошлый раунд" in titles
    assert not any("Черновик" in title or "Будущий" in title for title in titles)
    revealed = next(entry for entry in feed.entries if entry.title == "Revealed: Прошлый раунд")
    assert revealed.link.endswith(f"/rounds/{ids['closed']}/reveal?lang=en")
    enclosure = [link for link in revealed.links if link.rel == "enclosure"]
    assert enclosure and enclosure[0].type == "image/png"
    assert enclosure[0].href.endswith(f"/rounds/{ids['closed']}/card.png?lang=en")


def test_series_and_host_feeds_hold_their_own_rounds(app, make):
    ids = seeded(make)
    client = app.test_client()
    page = client.get(f"/rounds/{ids['open']}?lang=ru").get_data(as_text=True)
    links = autodiscovered(page)
    assert f"/series/{ids['series']}/feed.atom?lang=ru" in links
    host_feed = next(link for link in links if link.startswith("/hosts/"))
    series = parse(client.get(f"/series/{ids['series']}/feed.atom?lang=ru"))
    assert {entry.title for entry in series.entries} == {"Открыт: Открытый раунд", "Открыт: Прошлый раунд",
                                                       "Итоги: Прошлый раунд"}
    hosted = parse(client.get(host_feed))
    assert "Открыт: Открытый раунд" in {entry.title for entry in hosted.entries}
    assert not any("Чужой" in entry.title for entry in hosted.entries)
    assert client.get("/hosts/nobody/feed.atom").status_code == 404
    assert client.get("/series/999999/feed.atom").status_code == 404


def test_a_feed_answers_conditional_requests(app, make):
    seeded(make)
    client = app.test_client()
    first = client.get("/feed.atom")
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    assert client.get("/feed.atom", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get("/feed.atom", headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304


def test_a_kept_feed_follows_its_rounds_and_language(app, make):
    """The feed's XML is kept per set of entries: a round that opens or closes, or another language, is new XML."""
    seeded(make)
    client = app.test_client()
    before = parse(client.get("/feed.atom"))
    later = make.facts_round(title="A round opened since")
    after = parse(client.get("/feed.atom"))
    assert "Open: A round opened since" in {entry.title for entry in after.entries}
    assert len(after.entries) == len(before.entries) + 1
    make.close(db.session.get(type(later), later.id))
    closed = parse(client.get("/feed.atom"))
    assert "Revealed: A round opened since" in {entry.title for entry in closed.entries}
    russian = parse(client.get("/feed.atom?lang=ru"))
    assert "Итоги: A round opened since" in {entry.title for entry in russian.entries}


def test_an_entry_says_what_the_round_asks_and_who_hosts_it(app, make):
    host = make.user("mira", curator=True)
    make.facts_round([("a", False), ("b", True), ("c", False), ("d", True), ("e", False)], curator=host,
                     title="Five facts")
    make.poll(["Yes", "No", "Maybe"], title="Three options", curator=host)
    summaries = {entry.title: entry.summary for entry in parse(app.test_client().get("/feed.atom")).entries}
    assert summaries["Open: Five facts"] == "5 statements · 2 lies · hosted by mira"
    assert summaries["Open: Three options"] == "Poll · 3 options · hosted by mira"


def test_a_kept_feed_follows_the_clock_without_any_write(app, make, monkeypatch):
    """Nothing is written when a round's time comes: the feed must still move on (its reveal's entry appears)."""
    from datetime import timedelta

    import quizapp.sharing.views as views

    seeded(make)
    client = app.test_client()
    closing = make.facts_round(title="Closing soon")
    closing.closes_at = views.utcnow() + timedelta(minutes=5)
    db.session.commit()
    assert "Revealed: Closing soon" not in {entry.title for entry in parse(client.get("/feed.atom")).entries}
    later = views.utcnow() + timedelta(minutes=6)
    monkeypatch.setattr(views, "utcnow", lambda: later)
    assert "Revealed: Closing soon" in {entry.title for entry in parse(client.get("/feed.atom")).entries}


ATOM_SCHEMA = Path(__file__).parent / "schemas" / "atom.rng"


@cache
def atom_schema() -> etree.RelaxNG:
    """RFC 4287's own RELAX NG grammar (Appendix B), vendored beside this test."""
    return etree.RelaxNG(etree.parse(str(ATOM_SCHEMA)))


def test_every_feed_is_valid_against_rfc_4287s_relax_ng_schema(app, make):
    ids = seeded(make)
    client = app.test_client()
    for url in ("/feed.atom", f"/series/{ids['series']}/feed.atom", "/hosts/арсений/feed.atom", "/feed.atom?lang=ru"):
        document = etree.fromstring(client.get(url).data)
        assert len(document.findall("{http://www.w3.org/2005/Atom}entry")) > 0, url
        assert atom_schema().validate(document), f"{url}: {atom_schema().error_log}"


def test_the_schema_refuses_what_rfc_4287_refuses():
    # An entry without its id and updated, and a feed whose updated is not a date: the check can fail.
    broken = (b'<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x</id><title>t</title>'
              b'<updated>yesterday</updated><entry><title>t</title></entry></feed>')
    assert not atom_schema().validate(etree.fromstring(broken))
