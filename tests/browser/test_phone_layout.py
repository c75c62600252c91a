"""Phones: at 360 px wide every page reads without sideways scrolling, in both languages; the header is one row."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from quizapp.auth.service import find_user
from tests.browser.support import PHONE, LiveServer, OpenAs, World, screenshot

pytestmark = pytest.mark.browser

PHONE_OPTIONS = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
LOCALES = {"en": "en-US", "ru": "ru-RU"}


@dataclass(frozen=True)
class PhoneRounds:
    """Rounds the world lacks: one not open yet, and a closed one in a series."""

    upcoming: int
    series_round: int
    series: int


@pytest.fixture(scope="module")
def phone_rounds(live_server: LiveServer, world: World) -> PhoneRounds:
    with live_server.factory() as make:
        host = find_user(world.host)
        assert host is not None
        upcoming = make.facts_round(curator=host, status="scheduled", title="Not open yet, a long title to wrap on a phone")
        closed = make.facts_round(curator=host, status="closed", title="Closed, in a series")
        for number in range(3):
            make.answer(closed, make.user(), marked=[s.id for s in closed.statements][number : number + 2])
        series = make.series(host, "The week of Host_Helena, with a long name", closed)
        return PhoneRounds(upcoming=upcoming.id, series_round=closed.id, series=series.id)


PAGES = [
    ("visitor", "home", "/"),
    ("player", "home-player", "/"),
    ("visitor", "round-open", "/rounds/{open_facts}"),
    ("player", "round-form", "/rounds/{open_facts}"),
    ("player", "confirmation", "/rounds/{answered_facts}"),
    ("player", "poll-tally", "/rounds/{voted_poll}"),
    ("visitor", "round-closed", "/rounds/{closed_facts}"),
    ("visitor", "round-upcoming", "/rounds/{upcoming}"),
    ("player", "reveal-facts", "/rounds/{closed_facts}/reveal"),
    ("visitor", "reveal-facts-visitor", "/rounds/{closed_facts}/reveal"),
    ("player", "reveal-poll", "/rounds/{closed_poll}/reveal"),
    ("visitor", "leaderboard-overall", "/leaderboard"),
    ("visitor", "series", "/series/{series}"),
    ("visitor", "leaderboard-round", "/rounds/{series_round}/leaderboard"),
    ("visitor", "join", "/join"),
    ("visitor", "login", "/login"),
    ("visitor", "register", "/register"),
    ("curator", "dashboard", "/curator/"),
    ("curator", "dashboard-share", "/curator/?share={open_facts}"),
    ("curator", "editor-open-round", "/curator/rounds/{open_facts}/edit"),
    ("curator", "editor-new-poll", "/curator/rounds/new/poll"),
    ("player", "settings", "/account/password"),
    ("curator", "import", "/curator/import"),
    ("curator", "channels", "/curator/channels/"),
]


@pytest.mark.parametrize("language", LOCALES)
@pytest.mark.parametrize(("role", "name", "path"), PAGES, ids=[name for _role, name, _path in PAGES])
def test_every_page_fits_a_phone_without_sideways_scrolling(
    open_as: OpenAs, world: World, phone_rounds: PhoneRounds, role: str, name: str, path: str, language: str
) -> None:
    ids = {**vars(world), **vars(phone_rounds)}
    page = open_as(role, path.format(**ids), locale=LOCALES[language], **PHONE_OPTIONS)
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", language)
    screenshot(page, f"phone-{name}-{language}")
    scroll, client = page.evaluate("() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
    assert scroll <= client, f"{page.url} in {language} is {scroll}px wide on a {client}px screen"


@pytest.mark.parametrize("role", ["visitor", "curator"])
def test_on_a_phone_the_header_is_one_row_and_its_links_are_in_a_menu(open_as: OpenAs, role: str) -> None:
    page = open_as(role, "/", **PHONE_OPTIONS)
    header = page.locator(".site-header")
    box = header.bounding_box()
    assert box is not None and box["height"] < 80, f"the header is {box} tall: more than one row"
    leaderboard = page.get_by_role("navigation", name="Main").get_by_role("link", name="Leaderboard")
    expect(leaderboard).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    expect(leaderboard).to_be_visible()
    leaderboard.click()
    expect(page.get_by_role("heading", level=1, name="Leaderboard")).to_be_visible()


def test_on_a_wide_screen_the_header_shows_its_links_without_a_menu(open_as: OpenAs) -> None:
    page = open_as("visitor", "/", viewport={"width": 1280, "height": 800})
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Leaderboard")).to_be_visible()
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()


@pytest.mark.parametrize("width", [1000, 1100, 1280])
@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_signed_in_guests_header_is_one_row_whatever_the_width(open_as: OpenAs, language: str, width: int) -> None:
    # A guest's header holds the most: "Keep my name", the nickname and "Log out". At 1000 px its links once
    # broke mid-word ("Leaderboar|d"); between phone and wide screen they fold into the menu instead.
    page = open_as("player", f"/?lang={language}", viewport={"width": width, "height": 800})
    box = page.locator(".site-header").bounding_box()
    assert box is not None and box["height"] < 80, f"the header is {box} tall at {width} px: more than one row"
    for link in page.locator(".site-nav > a, .site-nav > .muted").all():
        if link.is_visible():
            height = link.bounding_box()["height"]  # type: ignore[index]
            assert height < 50, f"{link.inner_text()!r} wraps at {width} px ({height} px tall)"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
