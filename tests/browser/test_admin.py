"""The admin and the browsable API in a real browser: the same idle rule, warning and sign-out as the web UI.

Slow on purpose: the thresholds are seconds of real time (see conftest.CONFIGS).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import ADMIN_PASSWORD, ADMIN_USERNAME, PASSWORD, USERNAME
from .test_ui import sign_in

pytestmark = pytest.mark.browser


def admin_sign_in(page, server):
    page.goto(f"{server.url}/admin/")
    page.get_by_label("Username").fill(ADMIN_USERNAME)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def test_the_admin_warns_stays_signed_in_and_signs_out_when_idle(servers, new_context, shot):
    server = servers["idle"]  # idle after 12 s, warned 6 s before
    page = new_context().new_page()
    admin_sign_in(page, server)
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible(timeout=15_000)
    expect(dialog).to_contain_text("Are you still there?")
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    expect(page.locator("#ndf-announcer")).to_contain_text("signed out for inactivity")
    shot(page, "admin-warning")
    stay.click()
    expect(dialog).to_be_hidden()
    # Stayed: the next warning comes a full threshold later, and idling through it ends on the login page.
    expect(dialog).to_be_visible(timeout=15_000)
    expect(page).to_have_url(re.compile(r"/admin/login/\?reason=inactive&next=%2Fadmin%2F$"), timeout=20_000)
    expect(page.locator("#ndf-reason")).to_have_text("You were signed out after 12 seconds of inactivity.")
    shot(page, "admin-signed-out-inactive")
    page.goto(f"{server.url}/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))  # the Django session is gone too


def test_the_browsable_api_signs_in_browses_and_refuses_an_idle_session(servers, new_context):
    server = servers["idle"]
    page = new_context().new_page()
    page.goto(f"{server.url}/api/auth/me")
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{server.url}/api/auth/me")
    expect(page.locator("body")).to_contain_text(f'"username": "{USERNAME}"')
    page.goto(f"{server.url}/api/logs/recent")
    expect(page.locator("body")).to_contain_text("API request: GET /api/auth/me")
    page.wait_for_timeout(13_000)  # idle past the 12 s threshold
    page.goto(f"{server.url}/api/auth/me")
    expect(page.locator("body")).to_contain_text('"code": "token_inactive"')


def test_ending_all_sessions_signs_out_every_browser(servers, new_context):
    server = servers["calm"]
    first, second = new_context().new_page(), new_context().new_page()
    sign_in(first, server)
    sign_in(second, server)
    first.get_by_role("button", name="End all my sessions").click()
    expect(first).to_have_url(f"{server.url}/login/?reason=signed_out")
    expect(second).to_have_url(f"{server.url}/login/?reason=ended", timeout=10_000)  # heard on its next check
    expect(second.locator("#reason")).to_contain_text("Your session was ended")


def test_the_analytics_page_draws_its_charts_under_a_strict_csp(servers, new_context, shot):
    server = servers["calm"]
    page = new_context().new_page()
    admin_sign_in(page, server)
    page.goto(f"{server.url}/admin/activity/activitylog/")
    page.get_by_role("link", name="Analytics").click()
    expect(page.get_by_role("heading", name="Activity analytics")).to_be_visible()
    charts = page.locator("svg.chart")
    expect(charts).to_have_count(8)
    for n in range(8):
        box = charts.nth(n).bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 40
    # Signing in made tracked requests: today's bar of the requests per day is drawn, and titled.
    expect(page.locator("#chart-requests_per_day svg rect title").first).to_contain_text(":")
    page.get_by_role("textbox", name="User:").fill(ADMIN_USERNAME)
    page.get_by_role("button", name="Show").click()
    expect(page.locator("p.help").first).to_contain_text("(UTC), 1 user.")
    expect(charts).to_have_count(8)
    with page.expect_download() as download:
        page.locator("#chart-requests_per_day").get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("activity-requests_per_day-")
    shot(page, "admin-analytics")
