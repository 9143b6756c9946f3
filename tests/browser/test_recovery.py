"""Session recovery in a real browser: "Continue as" on the page the user is on, nothing on it lost."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD, USERNAME
from .test_ui import sign_in

pytestmark = pytest.mark.browser

MARK = """() => {
  document.getElementById("policy-minutes").recoveryMark = "same element";  // gone if the DOM were rebuilt
  window.recoveryMark = "same page";  // gone after any reload or navigation
  window.scrollTo(0, 120);
}"""
SEEN = """() => [window.recoveryMark, document.getElementById("policy-minutes").recoveryMark, window.scrollY,
  document.getElementById("policy-minutes").value]"""


def prepare(page, server):
    """Sign in on a short window (so the page scrolls), type into a field without saving, and mark the page."""
    page.set_viewport_size({"width": 800, "height": 420})
    sign_in(page, server)
    field = page.get_by_label("Sign me out after")
    expect(field).to_be_visible()
    field.fill("7")
    page.evaluate(MARK)
    assert page.evaluate(SEEN) == ["same page", "same element", 120, "7"]


def continue_as(page, *, timeout):
    dialog = page.get_by_role("dialog", name=f"Continue as {USERNAME}")
    expect(dialog).to_be_visible(timeout=timeout)
    dialog.get_by_label("Password").fill("not the password")
    dialog.get_by_role("button", name="Continue").click()
    expect(dialog.get_by_role("alert")).to_have_text("That password isn't right. Try again.")
    dialog.get_by_label("Password").fill(PASSWORD)
    dialog.get_by_role("button", name="Continue").click()
    expect(dialog).to_be_hidden()


def test_after_an_idle_sign_out_continue_as_keeps_the_page_and_what_was_typed(servers, new_context, shot):
    server = servers["idle"]
    page = new_context().new_page()
    prepare(page, server)
    sid = page.locator("#sessions li", has_text="This browser").get_attribute("data-session-id")
    dialog = page.get_by_role("dialog", name=f"Continue as {USERNAME}")
    expect(dialog).to_be_visible(timeout=30_000)
    expect(dialog).to_contain_text("You were signed out after 12 seconds of inactivity.")
    expect(dialog.get_by_label("Password")).to_be_focused()
    shot(page, "recover-after-idle")
    continue_as(page, timeout=1000)
    assert page.evaluate(SEEN) == ["same page", "same element", 120, "7"]
    expect(page).to_have_url(f"{server.url}/")
    # The page goes on with a new session, linked to the ended one, and its clock runs again.
    expect(page.locator("#idle-left")).to_have_text(re.compile(r"0:(0[6-9]|1[0-3])"))
    page.get_by_role("button", name="Reload list").click()
    current = page.locator("#sessions li", has_text="This browser")
    expect(current).not_to_have_attribute("data-session-id", sid)
    assert page.evaluate(SEEN)[3] == "7"


def test_at_the_time_limit_continue_as_keeps_the_page(servers, new_context, shot):
    server = servers["limit"]
    page = new_context().new_page()
    prepare(page, server)
    continue_as(page, timeout=30_000)
    assert page.evaluate(SEEN) == ["same page", "same element", 120, "7"]
    shot(page, "recovered-after-time-limit")
    expect(page).to_have_url(f"{server.url}/")
    expect(page.locator("#user")).to_contain_text(USERNAME)
    # A new session with its own time limit: its warning comes again, on the same page.
    expect(page.get_by_role("dialog")).to_contain_text("time limit", timeout=20_000)


def test_before_the_time_limit_the_warning_offers_to_go_on_with_the_password(servers, new_context):
    server = servers["limit"]  # a 24 s maximum, warned 14 s before
    page = new_context().new_page()
    prepare(page, server)
    sid = page.locator("#sessions li", has_text="This browser").get_attribute("data-session-id")
    warning = page.get_by_role("dialog", name="Your session is ending")
    expect(warning).to_be_visible(timeout=20_000)
    warning.get_by_role("button", name="Continue with my password").click()
    dialog = page.get_by_role("dialog", name=f"Continue as {USERNAME}")
    expect(dialog).to_contain_text("Your session is about to reach its time limit")
    dialog.get_by_label("Password").fill(PASSWORD)
    dialog.get_by_role("button", name="Continue").click()  # before the end: the server ends the old one then
    expect(dialog).to_be_hidden()
    assert page.evaluate(SEEN) == ["same page", "same element", 120, "7"]
    expect(page).to_have_url(f"{server.url}/")
    page.get_by_role("button", name="Reload list").click()
    expect(page.locator("#sessions li", has_text="This browser")).not_to_have_attribute("data-session-id", sid)
