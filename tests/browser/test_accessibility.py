"""Accessibility: the game works with the keyboard alone, and axe finds no serious problem on the main pages."""
from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.actions import fill_rows
from tests.browser.support import AXE_URL_PATH, LiveServer, OpenAs, World, screenshot

pytestmark = pytest.mark.browser

# Rules that say a control, button or link has no accessible name: failed at any impact.
NAME_RULES = {
    "label", "button-name", "select-name", "input-button-name", "aria-input-field-name",
    "aria-toggle-field-name", "link-name", "aria-command-name",
}
BLOCKING = {"serious", "critical"}

PAGES = [
    ("visitor", "home", "/"),
    ("visitor", "round page", "/rounds/{open_facts}"),
    ("visitor", "facts reveal", "/rounds/{closed_facts}/reveal"),
    ("visitor", "poll reveal", "/rounds/{closed_poll}/reveal"),
    ("visitor", "leaderboard", "/leaderboard"),
    ("visitor", "join", "/join"),
    ("visitor", "login", "/login"),
    ("visitor", "register", "/register"),
    ("player", "home", "/"),
    ("player", "round form", "/rounds/{open_facts}"),
    ("player", "confirmation", "/rounds/{answered_facts}"),
    ("player", "poll voted, live tally", "/rounds/{voted_poll}"),
    ("player", "facts reveal", "/rounds/{closed_facts}/reveal"),
    ("player", "poll reveal", "/rounds/{closed_poll}/reveal"),
    ("player", "leaderboard", "/leaderboard"),
    ("player", "set a password", "/account/password"),
    ("curator", "home", "/"),
    ("curator", "dashboard", "/curator/"),
    ("curator", "facts editor", "/curator/rounds/new/facts"),
    ("curator", "poll editor", "/curator/rounds/new/poll"),
    ("curator", "open round editor", "/curator/rounds/{open_facts}/edit"),
    ("curator", "closed round editor", "/curator/rounds/{closed_facts}/edit"),
    ("curator", "round page", "/rounds/{open_facts}"),
    ("curator", "facts reveal", "/rounds/{closed_facts}/reveal"),
    ("curator", "curators", "/curator/people"),
    ("curator", "channels", "/curator/channels/"),
]


def axe_problems(page: Page) -> list[dict[str, Any]]:
    """Run axe-core in the page (served from the app's own origin, so the CSP allows it); return what must be fixed."""
    page.add_script_tag(url=AXE_URL_PATH)
    violations = page.evaluate(
        """async () => {
            // The reveal stamps its verdicts in one by one: measure colours once they have settled, not mid-fade.
            await Promise.all(document.getAnimations().map((animation) => animation.finished.catch(() => null)));
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map((node) => node.target.join(" ")),
            }));
        }"""
    )
    return [v for v in violations if v["impact"] in BLOCKING or v["id"] in NAME_RULES]


def assert_accessible(page: Page) -> None:
    problems = axe_problems(page)
    assert not problems, f"axe on {page.url}:\n" + "\n".join(
        f"  {p['impact']} {p['id']}: {p['help']} at {p['nodes']}" for p in problems
    )


@pytest.mark.parametrize(("role", "name", "path"), PAGES, ids=[f"{role}-{name}".replace(" ", "-").replace(",", "") for role, name, _path in PAGES])
def test_axe_finds_no_serious_problem(open_as: OpenAs, world: World, role: str, name: str, path: str) -> None:
    page = open_as(role, path.format(**vars(world)))
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)


DARK_PAGES = [
    ("player", "round form", "/rounds/{open_facts}"),
    ("player", "facts reveal", "/rounds/{closed_facts}/reveal"),
    ("curator", "dashboard", "/curator/"),
    ("curator", "facts editor", "/curator/rounds/new/facts"),
]


@pytest.mark.parametrize(("role", "name", "path"), DARK_PAGES, ids=[f"{role}-{name}".replace(" ", "-") for role, name, _path in DARK_PAGES])
def test_axe_finds_no_serious_problem_in_dark_mode(open_as: OpenAs, world: World, role: str, name: str, path: str) -> None:
    page = open_as(role, path.format(**vars(world)), color_scheme="dark")
    assert_accessible(page)


def test_editor_errors_are_named_and_accessible(open_as: OpenAs) -> None:
    page = open_as("curator", "/curator/rounds/new/facts")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("alert")).to_contain_text("A facts round has 2 to 30 statements.")
    expect(page.get_by_label("Title")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)


def tab_to(page: Page, target: Locator, limit: int = 80) -> None:
    """Press Tab until the target has the focus."""
    expect(target).to_be_visible()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{limit} presses of Tab never reached {target}")


def test_a_player_plays_with_the_keyboard_alone(live_server: LiveServer, open_as: OpenAs) -> None:
    with live_server.factory() as make:
        make.facts_round([("I can whistle with two fingers.", False), ("I have been to the North Pole.", True),
                          ("I read one book a week.", False)], title="Keyboard facts")
    page = open_as("visitor", "/join")
    tab_to(page, page.get_by_label("Nickname"))
    page.keyboard.type("Kira_Keys")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Welcome, Kira_Keys!")).to_be_visible()

    tab_to(page, page.get_by_role("link", name="Keyboard facts"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Keyboard facts")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()

    tab_to(page, page.get_by_label("I have been to the North Pole."))
    page.keyboard.press("Space")
    expect(page.get_by_label("I have been to the North Pole.")).to_be_checked()
    expect(page.locator(".mark-counter")).to_have_text("1 of 1 marked")
    tab_to(page, page.get_by_role("button", name="Send my answer"))
    page.keyboard.press("Enter")

    confirmation = page.locator(".confirmation")
    expect(confirmation).to_contain_text("You answered. Thank you!")
    expect(confirmation).to_be_focused()
    expect(confirmation.locator("li")).to_have_text(["I have been to the North Pole."])
    assert_accessible(page)


def test_a_curator_writes_a_round_with_the_keyboard(open_as: OpenAs) -> None:
    page = open_as("curator", "/curator/rounds/new/poll")
    tab_to(page, page.get_by_label("Question"))
    page.keyboard.type("Keyboard or mouse?")
    tab_to(page, page.get_by_label("Option 1", exact=True))
    page.keyboard.type("Keyboard")
    tab_to(page, page.get_by_label("Option 2", exact=True))
    page.keyboard.type("Mouse")
    tab_to(page, page.get_by_role("button", name="Add an option"))
    page.keyboard.press("Enter")
    # The new row takes the focus, so typing goes on where it should.
    expect(page.get_by_label("Option 3", exact=True)).to_be_focused()
    page.keyboard.type("Touchpad")
    expect(page.get_by_label("Option 1", exact=True)).to_have_value("Keyboard")
    assert_accessible(page)
    fill_rows(page, "Option", ["Keyboard", "Mouse", "Touchpad"])
    screenshot(page, "keyboard-poll-editor")
