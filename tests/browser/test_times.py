"""Times as people read them: in UTC saying so without JavaScript, in the browser's own zone with it, and nothing
empty drawn where a script would write; and the zone picker, by region in the curator's language, their zone first."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from quizapp.extensions import db
from quizapp.models import utcnow
from tests.browser.support import LiveServer, NewContext, OpenAs, screenshot, unique

pytestmark = pytest.mark.browser


def round_closing_at(live_server: LiveServer, closes_at: datetime, *, status: str = "open") -> int:
    with live_server.factory() as make:
        round_ = make.facts_round(title=unique("Timed round "), status=status)
        round_.closes_at = closes_at
        if status == "scheduled":
            round_.opens_at = closes_at - timedelta(days=1)
        db.session.commit()
        return round_.id


def three_hours_from_now() -> datetime:
    # On the minute, so the page's day and time can be worked out here.
    return (utcnow() + timedelta(hours=3, minutes=5)).replace(second=0, microsecond=0)


def test_without_javascript_times_are_in_utc_saying_so_and_nothing_is_empty(live_server: LiveServer,
                                                                            new_context: NewContext) -> None:
    closes_at = three_hours_from_now()
    round_id = round_closing_at(live_server, closes_at)
    for language, width, closes in (("en-US", 1280, "Closes in 3 hours"), ("ru-RU", 360, "Закроется через 3 часа")):
        page = new_context(javascript=False, locale=language, viewport={"width": width, "height": 800}).new_page()
        page.goto(f"/rounds/{round_id}")
        line = page.locator("p.muted").filter(has_text=closes)
        expect(line).to_have_text(re.compile(rf"^{closes} \(.+ UTC\)$"))
        assert f"{closes_at:%H:%M}" in line.inner_text() or f"{closes_at:%-I:%M}" in line.inner_text()
        # The mark counter is written by JavaScript: without it, no empty pill.
        expect(page.locator(".mark-counter")).to_be_hidden()
        screenshot(page, f"times-nojs-round-{language}-{width}")

    scheduled = round_closing_at(live_server, utcnow() + timedelta(days=3), status="scheduled")
    page = new_context(javascript=False).new_page()
    page.goto(f"/rounds/{scheduled}")
    expect(page.get_by_text(re.compile(r"^This round opens in 2 days \(.+ UTC\)\.$"))).to_be_visible()
    # Nobody can answer yet, so there is no count: no empty pill for it either.
    expect(page.locator("#live-count")).to_be_hidden()


def test_with_javascript_times_are_in_the_browsers_zone_and_count_down(live_server: LiveServer,
                                                                       new_context: NewContext) -> None:
    closes_at = three_hours_from_now()
    round_id = round_closing_at(live_server, closes_at)
    berlin = closes_at.astimezone(ZoneInfo("Europe/Berlin"))
    for language, width, closes, at in (
        ("en-US", 1280, "Closes in", f"{berlin:%B} {berlin.day} at {berlin:%-I:%M %p}"),
        ("ru-RU", 360, "Закроется через", f"{berlin.day} {{month}} в {berlin:%H:%M}"),
    ):
        page = new_context(locale=language, timezone_id="Europe/Berlin", viewport={"width": width, "height": 800}).new_page()
        page.goto(f"/rounds/{round_id}")
        line = page.locator("p.muted").filter(has_text=closes)
        # A ticking countdown ("in 3 h 4 min") and the day and time in Berlin, where this browser is: no "UTC".
        expect(line.locator(".countdown")).to_have_text(re.compile(r"^(in|через) 3 (h|ч) \d+ (min|мин)$"))
        time_text = line.locator("time").inner_text().replace("\u202f", " ")
        if language == "en-US":
            assert time_text == at, time_text
        else:
            assert re.fullmatch(at.replace("{month}", "[а-я]+"), time_text), time_text
        assert "UTC" not in time_text
        expect(page.locator(".mark-counter")).to_be_visible()
        screenshot(page, f"times-js-round-{language}-{width}")


@pytest.mark.parametrize(("zone", "value", "label"), [
    ("Europe/Berlin", "Europe/Berlin", "Berlin (Germany)"),
    # Chromium calls this zone by its older name, Asia/Calcutta: the list has it under IANA's id.
    ("Asia/Kolkata", "Asia/Kolkata", "Kolkata (India)"),
])
def test_the_zone_picker_puts_the_browsers_zone_first_and_chooses_it(open_as: OpenAs, zone: str, value: str,
                                                                     label: str) -> None:
    page = open_as("curator", "/curator/rounds/new/poll", timezone_id=zone)
    picker = page.get_by_label("Time zone")
    expect(picker).to_have_value(value)
    expect(picker.locator("option").first).to_have_text(label)
    expect(picker.locator("optgroup").first).to_have_attribute("label", "Africa")


def test_a_zone_the_curator_chose_stays_chosen_through_a_row_action(open_as: OpenAs) -> None:
    page = open_as("curator", "/curator/rounds/new/poll", timezone_id="Europe/Berlin")
    picker = page.get_by_label("Time zone")
    picker.select_option("UTC")
    page.get_by_role("button", name="Add an option").click()
    expect(page.get_by_label("Option 3", exact=True)).to_be_visible()
    expect(picker).to_have_value("UTC")
    expect(picker.locator("option").first).to_have_text("Berlin (Germany)")


@pytest.mark.parametrize(("language", "width"), [("en-US", 1280), ("en-US", 360), ("ru-RU", 1280), ("ru-RU", 360)])
def test_the_zone_picker_reads_in_the_curators_language(open_as: OpenAs, language: str, width: int) -> None:
    for javascript in (True, False):
        page = open_as("curator", "/curator/rounds/new/poll", locale=language, javascript=javascript,
                       viewport={"width": width, "height": 800})
        picker = page.locator("select[name=tz]")
        # Without JavaScript nobody knows the curator's zone: UTC, first; with it, the browser's zone (Berlin here).
        expect(picker).to_have_value("Europe/Berlin" if javascript else "UTC")
        region = "Европа" if language == "ru-RU" else "Europe"
        expect(picker.locator(f'optgroup[label="{region}"] option[value="Europe/Paris"]')).to_have_text(
            "Париж (Франция)" if language == "ru-RU" else "Paris (France)")
        picker.scroll_into_view_if_needed()
        screenshot(page, f"zone-picker-{'js' if javascript else 'nojs'}-{language}-{width}")
