"""Phones: at 360 px wide the pages fit the screen; only tables scroll, inside their own box."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.support import PHONE, OpenAs, World, screenshot

pytestmark = pytest.mark.browser

PAGES = [
    ("visitor", "round-page", "/rounds/{open_facts}"),
    ("player", "round-form", "/rounds/{open_facts}"),
    ("player", "confirmation", "/rounds/{answered_facts}"),
    ("player", "poll-tally", "/rounds/{voted_poll}"),
    ("player", "reveal-facts", "/rounds/{closed_facts}/reveal"),
    ("visitor", "reveal-poll", "/rounds/{closed_poll}/reveal"),
    ("visitor", "leaderboard", "/leaderboard"),
    ("visitor", "home", "/"),
    ("curator", "dashboard", "/curator/"),
    ("curator", "facts-editor", "/curator/rounds/{open_facts}/edit"),
]


@pytest.mark.parametrize(("role", "name", "path"), PAGES, ids=[name for _role, name, _path in PAGES])
def test_the_page_fits_a_phone_without_sideways_scrolling(open_as: OpenAs, world: World, role: str, name: str, path: str) -> None:
    page = open_as(role, path.format(**vars(world)), viewport=PHONE, is_mobile=True, has_touch=True)
    expect(page.locator("h1")).to_be_visible()
    screenshot(page, f"phone-{name}")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px screen"
