"""A user's own threshold and an activity type's window, as the web UI's countdown shows them (real time)."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from .test_ui import idle_seconds_left, sign_in

pytestmark = pytest.mark.browser


def test_the_countdown_follows_the_users_own_threshold_and_a_write_window(servers, new_context, shot):
    server = servers["policy"]  # 18 s by default; writes earn 30 s
    page = new_context().new_page()
    sign_in(page, server)
    expect(page.locator("#policy-note")).to_contain_text("18 seconds (the site's default)")
    assert idle_seconds_left(page) <= 19  # 18 s, plus the clock resolution a deadline adds

    page.get_by_label("Sign me out after").fill("0.15")  # 9 seconds
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#policy-note")).to_contain_text("9 seconds (your choice)")
    expect(page.locator("#policy")).to_contain_text("signed out after 9 seconds without activity")
    # Saving was a write: it earned 30 s, longer than the new 9 s threshold; the countdown shows the write's window.
    expect(page.locator("#idle-left")).to_have_text(re.compile(r"0:(2\d|30)"))
    shot(page, "policy-own-threshold")
    page.get_by_role("button", name="Reload list").click()  # a read earns only 9 s: it does not cut the write short
    time.sleep(1)
    assert idle_seconds_left(page) >= 20
    page.get_by_role("button", name="Sign in as someone else").click(timeout=40_000)  # recovery offered first
    expect(page).to_have_url(f"{server.url}/login/?reason=inactive&after=9")
    expect(page.locator("#reason")).to_have_text("You were signed out after 9 seconds of inactivity.")
