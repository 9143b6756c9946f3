"""The web UI in a real browser against live servers: sign-in, the idle warning, expiries, tabs, outages, refresh.

Slow on purpose: the thresholds are seconds of real time (see conftest.CONFIGS).
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD, USERNAME

pytestmark = pytest.mark.browser


def sign_in(page, server, *, username=USERNAME, password=PASSWORD):
    page.goto(f"{server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#session-card")).to_be_visible()
    expect(page.locator("#user")).to_contain_text(username)


def open_second_tab(context, server):
    """Open the dashboard in another tab of the same browser, already signed in through the first."""
    other = context.new_page()
    other.goto(f"{server.url}/")
    expect(other.locator("#session-card")).to_be_visible()
    return other


def idle_seconds_left(page) -> int:
    minutes, seconds = page.locator("#idle-left").inner_text().split(":")
    return int(minutes) * 60 + int(seconds)


def test_sign_in_shows_the_dashboard_and_last_activity(servers, new_context, shot):
    server = servers["idle"]
    page = new_context().new_page()
    page.goto(f"{server.url}/")
    expect(page).to_have_url(f"{server.url}/login/")  # no session: a plain sign-in, no expiry message
    expect(page.locator("#reason")).to_be_hidden()
    expect(page.locator("#policy")).to_contain_text("12 seconds without activity")
    shot(page, "login")

    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("don't match")
    shot(page, "login-error")

    sign_in(page, server)
    expect(page).to_have_url(f"{server.url}/")
    expect(page.locator("#last-activity")).to_have_text(re.compile(r"\d{1,2}:\d{2}:\d{2}"))
    expect(page.locator("#last-activity-ago")).to_have_text(re.compile(r"just now|seconds? ago"))
    expect(page.locator("#idle-left")).to_have_text(re.compile(r"0:(1[0-2]|0\d)"))
    expect(page.locator("#token-exp")).to_contain_text("valid until")
    # Loading the page listed the sign-ins (a tracked request): it shows up as the user's own activity.
    expect(page.locator("#activity")).to_contain_text("Viewed your sign-ins")
    expect(page.locator("#sessions li.current, #sessions li").first).to_contain_text("This browser")
    shot(page, "dashboard")


def test_no_script_on_the_page_ever_sees_the_refresh_token(servers, new_context):
    # The refresh token lives in the HttpOnly cookie only: neither sign-in nor silent refresh puts it in a body.
    server = servers["calm"]
    page = new_context().new_page()
    bodies = []
    page.on(
        "response",
        lambda response: bodies.append(response.json()) if "/api/auth/token" in response.url else None,
    )
    sign_in(page, server)
    page.wait_for_timeout(8_000)  # the access tokens live 6 s: at least one silent refresh
    assert len(bodies) >= 2, bodies
    assert all("access" in body and "refresh" not in body for body in bodies), [set(b) for b in bodies]
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["ndf_refresh"]["httpOnly"] is True


def test_warning_counts_down_and_stay_signed_in_keeps_the_session_in_every_tab(servers, new_context, shot):
    server = servers["idle"]
    context = new_context()
    page = context.new_page()
    sign_in(page, server)
    other = open_second_tab(context, server)

    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible(timeout=15_000)  # 6 s before the 12 s idle sign-out
    expect(dialog).to_contain_text("Are you still there?")
    stay = page.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    # The dialog borrows the page's buttons: each name exists once, for role and text locators alike.
    expect(stay).to_have_count(1)
    expect(page.get_by_text("Stay signed in")).to_have_count(1)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(1)
    expect(page.locator("#announcer")).to_contain_text("signed out for inactivity")
    expect(other.get_by_role("dialog")).to_be_visible()
    first = page.locator("#warning-countdown").inner_text()
    time.sleep(1.1)
    second = page.locator("#warning-countdown").inner_text()
    assert first.startswith("0:0") and second < first, (first, second)
    shot(page, "warning")

    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    expect(other.get_by_role("dialog")).to_be_hidden()  # extending in one tab is seen in all
    assert idle_seconds_left(page) >= 10
    assert idle_seconds_left(other) >= 10
    expect(page.locator("#flash")).to_contain_text("still signed in")
    shot(page, "stayed-signed-in")

    # Past the old deadline, still signed in; when the warning comes back, Escape also means "stay".
    expect(dialog).to_be_visible(timeout=15_000)
    assert page.url == f"{server.url}/"
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert idle_seconds_left(page) >= 10


def test_working_on_the_page_counts_as_activity_but_an_open_tab_does_not(servers, new_context):
    server = servers["idle"]
    context = new_context()
    tracked = []
    context.on(
        "request",
        lambda r: tracked.append(r.url) if "/session/extend" in r.url or r.url.endswith("/sessions") else None,
    )
    page = context.new_page()
    sign_in(page, server)
    time.sleep(4)
    assert len(tracked) == 1, tracked  # only the page load listed the sign-ins: polling is passive
    assert idle_seconds_left(page) <= 9
    page.locator("#activity-card").click()  # the user clicks into the page: that is work
    expect(page.locator("#idle-left")).to_have_text(re.compile(r"0:1[0-2]"))
    assert sum("/session/extend" in url for url in tracked) == 1


def test_idle_to_the_end_lands_on_the_inactivity_message(servers, new_context, shot):
    server = servers["idle"]
    page = new_context().new_page()
    sign_in(page, server)
    # Recovery is offered first, on the page (test_recovery.py); declining it is the way to the login page.
    page.get_by_role("button", name="Sign in as someone else").click(timeout=20_000)
    expect(page).to_have_url(f"{server.url}/login/?reason=inactive")
    expect(page.locator("#reason")).to_have_text("You were signed out after 12 seconds of inactivity.")
    shot(page, "signed-out-inactive")
    # The server agrees: the session is over, a reload of the dashboard does not bring it back.
    page.goto(f"{server.url}/")
    expect(page).to_have_url(re.compile(r"/login/\?reason=inactive$"))


def test_time_limit_has_its_own_warning_and_message(servers, new_context, shot):
    server = servers["limit"]
    page = new_context().new_page()
    sign_in(page, server)
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible(timeout=20_000)
    expect(dialog).to_contain_text("Your session is ending")
    expect(dialog).to_contain_text("time limit")
    shot(page, "warning-time-limit")
    page.get_by_role("button", name="Sign in as someone else").click(timeout=25_000)  # recovery offered first
    expect(page).to_have_url(f"{server.url}/login/?reason=expired")
    expect(page.locator("#reason")).to_contain_text("Your session reached its time limit")
    expect(page.locator("#reason")).not_to_contain_text("inactivity")
    shot(page, "signed-out-time-limit")


def test_sign_out_in_one_tab_signs_out_the_other(servers, new_context, shot):
    server = servers["calm"]
    context = new_context()
    page = context.new_page()
    sign_in(page, server)
    other = open_second_tab(context, server)

    expect(page.get_by_role("button", name="Sign out")).to_have_count(1)
    login = context.new_page()
    login.goto(f"{server.url}/login/")
    expect(login.locator("#elsewhere")).to_be_visible()  # a sibling tab is signed in: offer to go back to it
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{server.url}/login/?reason=signed_out")
    expect(other).to_have_url(f"{server.url}/login/?reason=signed_out")
    expect(other.locator("#reason")).to_have_text("You signed out.")
    shot(other, "signed-out-other-tab")
    other.goto(f"{server.url}/")  # the refresh cookie is gone: no way back in without a password
    expect(other).to_have_url(f"{server.url}/login/")


def test_reload_keeps_the_session(servers, new_context):
    server = servers["calm"]
    page = new_context().new_page()
    sign_in(page, server)
    session_row = page.locator("#sessions li", has_text="This browser")
    sid = session_row.get_attribute("data-session-id")
    page.reload()
    expect(page.locator("#session-card")).to_be_visible()
    expect(page).to_have_url(f"{server.url}/")
    assert page.locator("#sessions li", has_text="This browser").get_attribute("data-session-id") == sid


def test_server_outage_shows_the_retry_notice_and_never_signs_out(servers, new_context, shot):
    server = servers["calm"]
    page = new_context().new_page()
    sign_in(page, server)

    page.route("**/api/**", lambda route: route.abort("connectionrefused"))
    notice = page.locator("#connection")
    expect(notice).to_be_visible(timeout=5_000)
    expect(notice).to_contain_text("Can't reach the server, retrying")
    shot(page, "retrying")
    time.sleep(4)  # long enough for the 6 s access token to come due while the server is away
    page.unroute("**/api/**")

    # A server that answers 503 is no better, and no worse: still retrying, still signed in.
    page.route("**/api/auth/session*", lambda route: route.fulfill(status=503, json={"detail": "down"}))
    expect(notice).to_be_visible()
    time.sleep(2)
    page.unroute("**/api/auth/session*")

    expect(notice).to_be_hidden(timeout=12_000)
    expect(page.locator("#flash")).to_contain_text("Connected again")
    assert page.url == f"{server.url}/"
    page.locator("#stay").click()
    expect(page.locator("#flash")).to_contain_text("still signed in")
    expect(page.locator("#token-exp")).to_contain_text("valid until")


def test_a_server_that_hangs_shows_the_retry_notice_and_never_signs_out(servers, new_context, shot):
    server = servers["calm"]
    page = new_context().new_page()
    sign_in(page, server)
    server.freeze()
    try:
        notice = page.locator("#connection")
        expect(notice).to_be_visible(timeout=10_000)  # requests time out after 5 s
        expect(notice).to_contain_text("Can't reach the server, retrying")
        shot(page, "retrying-server-frozen")
        assert page.url == f"{server.url}/"
    finally:
        server.thaw()
    expect(notice).to_be_hidden(timeout=12_000)
    assert page.url == f"{server.url}/"
    page.locator("#stay").click()
    expect(page.locator("#flash")).to_contain_text("still signed in")


def test_a_forbidden_answer_never_signs_anyone_out(servers, new_context):
    server = servers["calm"]
    page = new_context().new_page()
    sign_in(page, server)
    page.route("**/api/logs/recent*", lambda route: route.fulfill(status=403, json={"detail": "no", "code": "x"}))
    expect(page.locator("#flash")).to_contain_text("permission", timeout=5_000)
    time.sleep(1)
    page.unroute("**/api/logs/recent*")
    assert page.url == f"{server.url}/"
    expect(page.locator("#session-card")).to_be_visible()


def test_silent_refresh_keeps_an_active_session_past_the_token_lifetime(servers, new_context):
    server = servers["calm"]  # access tokens live 6 s
    context = new_context()
    refreshes = []
    context.on(
        "response",
        lambda response: refreshes.append(response.status) if "/api/auth/token/refresh" in response.url else None,
    )
    page = context.new_page()
    sign_in(page, server)
    other = open_second_tab(context, server)
    refreshes.clear()

    seen = {page.locator("#token-exp").get_attribute("data-exp")}
    started = time.monotonic()
    while time.monotonic() - started < 16:
        time.sleep(2)
        page.locator("#stay").click()  # the user keeps working
        seen.add(page.locator("#token-exp").get_attribute("data-exp"))
    assert len(seen) >= 3, seen  # the token was renewed at least twice
    assert page.url == f"{server.url}/" and other.url == f"{server.url}/"
    expect(page.get_by_label("Password").locator("visible=true")).to_have_count(0)  # the recovery dialog's is hidden
    # Both tabs share every renewed token: one refresh per renewal, never two tabs with the same cookie.
    assert refreshes and set(refreshes) == {200}, refreshes
    assert len(refreshes) <= len(seen) + 1, (refreshes, seen)
    # Read both tabs together until they agree: a renewal may land between reading one tab and the other.
    deadline = time.monotonic() + 5
    while (exps := tab_exps(page, other))[0] != exps[1]:
        assert time.monotonic() < deadline, f"the tabs hold different tokens: {exps}"
        time.sleep(0.1)


def tab_exps(*pages) -> list[str | None]:
    return [page.locator("#token-exp").get_attribute("data-exp") for page in pages]


def test_phone_width_dark_mode(servers, new_context, shot):
    server = servers["calm"]
    context = new_context(viewport={"width": 375, "height": 740}, color_scheme="dark", reduced_motion="reduce")
    page = context.new_page()
    sign_in(page, server)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    shot(page, "dashboard-phone-dark")


def test_the_dashboard_charts_the_users_own_activity_per_day(servers, new_context, shot):
    server = servers["calm"]
    page = new_context().new_page()
    sign_in(page, server)
    card = page.locator("#activity-chart-card")
    expect(card).to_be_visible()
    expect(card.get_by_role("heading", name="Your activity (last 30 days)")).to_be_visible()
    chart = card.locator("svg.activity-chart")
    expect(chart).to_be_visible()
    # Signing in listed the user's sessions (a tracked request): today has a bar, titled with its count.
    expect(chart.locator("rect title").last).to_contain_text(re.compile(r"^\d{4}-\d{2}-\d{2}: \d+ requests?$"))
    expect(page.locator("#activity-chart-summary")).to_contain_text(re.compile(r"^\d+ tracked requests? from "))
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300
    shot(page, "dashboard-activity-chart")
