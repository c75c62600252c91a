"""htmx actions apply no inline style, which the CSP refuses: the new_context fixture fails a test on any violation."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.support import OpenAs

pytestmark = pytest.mark.browser


def test_editor_actions_after_resizing_a_field_log_no_csp_violation(open_as: OpenAs) -> None:
    page = open_as("curator", "/curator/rounds/new/facts")
    # Dragging a textarea's corner gives it a style attribute, as here; htmx's settle step used to copy such
    # attributes onto the swapped-in editor with setAttribute, an inline style the CSP blocks.
    page.locator("textarea").first.evaluate("element => { element.style.height = '120px'; }")
    page.get_by_role("button", name="Add a statement").click()
    expect(page.get_by_label("Statement 4", exact=True)).to_be_visible()
    page.get_by_role("button", name="Shuffle the order").click()
    page.get_by_role("button", name="Move down").first.click()
    expect(page.get_by_label("Statement 4", exact=True)).to_be_visible()
