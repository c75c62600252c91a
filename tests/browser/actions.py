"""What people do in the browser, in the words of the page: labels, button names, links."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def log_in(page: Page, username: str, password: str) -> None:
    """Log in through the /login form."""
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def join(page: Page, nickname: str) -> None:
    """Play now: follow the link in the header and pick a nickname."""
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Play now").click()
    page.get_by_label("Nickname").fill(nickname)
    page.get_by_role("button", name="Play", exact=True).click()
    expect(page.get_by_text(f"Welcome, {nickname}!")).to_be_visible()


def open_round(page: Page, title: str) -> int:
    """Follow the round's link from the home page; return its id."""
    page.goto("/")
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    match = re.search(r"/rounds/(\d+)", page.url)
    assert match, page.url
    return int(match.group(1))


def live_count(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("#live-count")


def fill_rows(page: Page, label: str, texts: list[str]) -> None:
    """Type each text into "Statement 1", "Statement 2", … (or "Option n")."""
    for number, text in enumerate(texts, start=1):
        page.get_by_label(f"{label} {number}", exact=True).fill(text)


def publish_in_one_hour(page: Page) -> None:
    page.get_by_label("in 1 hour").check()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published. Players can answer until the round closes.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/curator/\?published=\d+$"))
    expect(page.get_by_label("Players answer at this link:")).to_have_value(re.compile(r"/rounds/\d+\?lang=en$"))


def close_from_dashboard(page: Page, title: str) -> None:
    """Close the round with its "Close now" button, accepting the confirmation."""
    page.goto("/curator/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"Close now: {title}").click()
    expect(page.get_by_text("Closed. The reveal is public now.")).to_be_visible()
