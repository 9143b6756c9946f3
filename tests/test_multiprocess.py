"""Many processes, one truth: two real servers on one database (and one Redis) agree on every session.

Each backend gets two gunicorn processes (one worker each, so two separate memories) on one store, with an
inactivity threshold of 3 s. The timelines sleep for real, hence `live`.
"""

import time
import uuid

import pytest

from tests.live import (
    on_schedule,
    postgres_database,
    prepare_database,
    redis_available,
    redis_url,
    require,
    rerun_if_late,
    run_python,
    server_env,
    sqlite_url,
    start_server,
)

pytestmark = pytest.mark.live

THRESHOLD = 3.0  # seconds: INACTIVITY_THRESHOLD_MINUTES=0.05
USERNAME, PASSWORD = "alice", "alice-live-password"
REDIS_DB = 5
ADMIN, ADMIN_PASSWORD = "root", "root-live-password"


# Under pytest-xdist (--dist loadgroup) the tests of each backend run on one worker, which starts that pair once.
@pytest.fixture(
    scope="module",
    params=[
        pytest.param("postgres+redis", marks=pytest.mark.xdist_group("multiprocess-postgres")),
        pytest.param("sqlite", marks=pytest.mark.xdist_group("multiprocess-sqlite")),
    ],
)
def servers(request, tmp_path_factory):
    """Two server processes, A and B, sharing one store: PostgreSQL + Redis, or one SQLite file alone."""
    common = {
        "INACTIVITY_THRESHOLD_MINUTES": str(THRESHOLD / 60),
        "MAX_TOKEN_LIFETIME_MINUTES": "10",
        "INACTIVITY_MIN_MINUTES": "0.01",  # group policies of seconds, for the policy test
    }
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("mp") / "db.sqlite3"
        yield from _pair(server_env(DATABASE_URL=sqlite_url(path), **common))
        return
    require(redis_available(), "Redis is not reachable")
    prefix = f"ndf-mp-{uuid.uuid4().hex[:8]}"
    with postgres_database("ndf_mp") as database_url:
        env = server_env(DATABASE_URL=database_url, REDIS_URL=redis_url(REDIS_DB), CACHE_KEY_PREFIX=prefix, **common)
        try:
            yield from _pair(env)
        finally:
            import redis

            with redis.Redis.from_url(redis_url(REDIS_DB)) as client:
                for key in client.scan_iter(f"{prefix}:*"):
                    client.delete(key)


def _pair(env):
    users = {USERNAME: PASSWORD, "bob": "bob-live-password", ADMIN: ADMIN_PASSWORD, "carol": "carol-live-password"}
    prepare_database(env, users=users, superusers=(ADMIN,))
    run_python(_GROUP, env=env)
    a = start_server(env, migrate=False, wait=False)
    b = start_server(env, migrate=False, wait=False)
    with a, b:
        a.wait_ready()
        b.wait_ready()
        yield a, b


_GROUP = """
import django
django.setup()
from django.contrib.auth.models import Group, User
Group.objects.get_or_create(name="ops")[0].user_set.add(User.objects.get(username="carol"))
"""


def assert_rejected(reply, code: str, detail_start: str = "") -> None:
    assert reply.status == 401, (reply.status, reply.body)
    assert reply.code == code, reply.body
    assert reply.json()["detail"].startswith(detail_start), reply.body
    assert reply.headers.get("WWW-Authenticate", "").startswith("Bearer"), reply.headers


def me(server, token):
    return server.call("GET", "/api/auth/me", token=token)


def test_logout_on_one_process_is_seen_by_the_other_on_the_very_next_request(servers):
    a, b = servers
    session = b.login(USERNAME, PASSWORD)
    assert me(b, session["access"]).status == 200

    assert a.call("POST", "/api/auth/logout/", token=session["access"]).status == 204

    assert_rejected(me(b, session["access"]), "session_ended", "Session ended")
    assert_rejected(me(a, session["access"]), "session_ended", "Session ended")
    assert_rejected(b.call("POST", "/api/auth/token/refresh/", data={"refresh": session["refresh"]}), "session_ended")


def test_revocation_on_one_process_is_seen_by_the_other_on_the_very_next_request(servers):
    a, b = servers
    doomed = a.login(USERNAME, PASSWORD)
    other = b.login(USERNAME, PASSWORD)
    assert me(a, doomed["access"]).status == 200

    reply = b.call("DELETE", f"/api/auth/sessions/{doomed['session_id']}", token=other["access"])
    assert reply.status == 204, reply.body

    assert_rejected(me(a, doomed["access"]), "session_ended", "Session ended")
    assert_rejected(a.call("POST", "/api/auth/token/refresh/", data={"refresh": doomed["refresh"]}), "session_ended")
    assert me(a, other["access"]).status == 200  # revoking one session leaves the user's others alone
    # Another user's session is not yours to revoke, whichever process you ask.
    stranger = a.login("bob", "bob-live-password")
    assert b.call("DELETE", f"/api/auth/sessions/{other['session_id']}", token=stranger["access"]).status == 404
    assert me(a, other["access"]).status == 200


class Timeline:
    """Real time since the start of a scenario: `at(s)` sleeps until `s` seconds in."""

    def __init__(self):
        self.start = time.monotonic()

    def now(self) -> float:
        return time.monotonic() - self.start

    def at(self, seconds: float) -> float:
        delay = seconds - self.now()
        if delay > 0:
            time.sleep(delay)
        return self.now()


def test_activity_on_either_process_keeps_the_session_alive_and_idleness_is_seen_by_both(servers):
    rerun_if_late(lambda attempt: activity_is_shared(*servers))


def activity_is_shared(a, b):
    # `roaming` alternates between the processes; `homebody` only ever works on A.
    roaming = a.login(USERNAME, PASSWORD)
    homebody = a.login(USERNAME, PASSWORD)
    clock = Timeline()
    logged_in = clock.now()

    clock.at(2.0)
    assert me(a, roaming["access"]).status == 200
    assert me(a, homebody["access"]).status == 200
    active_on_a = clock.now()

    sent_to_b = clock.at(4.0)
    # Past the threshold since login: B accepts only because it sees the activity A served. (Each reply is checked
    # once its timing is known to be on schedule: a reply that came late would prove nothing.)
    on_schedule(sent_to_b - logged_in > THRESHOLD + 0.3, f"B was asked {sent_to_b - logged_in:.2f} s after login")
    replies = me(b, roaming["access"]), me(a, homebody["access"])
    done = clock.now()
    on_schedule(done - active_on_a < THRESHOLD - 0.3, f"B answered {done - active_on_a:.2f} s after A's activity")
    assert [reply.status for reply in replies] == [200, 200], [reply.body for reply in replies]

    sent = clock.at(6.0)
    # And back: A's own last sight of `roaming` is past the threshold; it accepts because of B's.
    on_schedule(sent - active_on_a > THRESHOLD + 0.3, f"A was asked {sent - active_on_a:.2f} s after its last")
    replies = me(a, roaming["access"]), me(a, homebody["access"])
    last_activity = clock.now()
    on_schedule(last_activity - sent_to_b < THRESHOLD - 0.3, f"A answered {last_activity - sent_to_b:.2f} s after B")
    assert [reply.status for reply in replies] == [200, 200], [reply.body for reply in replies]

    clock.at(last_activity + THRESHOLD + 1.2)
    # `roaming` goes idle on A, which saw its last activity; B sees the session ended on its very next request.
    assert_rejected(me(a, roaming["access"]), "token_inactive", "Token rejected due to user inactivity")
    assert_rejected(me(b, roaming["access"]), "token_inactive", "Token rejected due to user inactivity")
    # `homebody` goes idle on B, which never served it: B still knows when it was last active.
    assert_rejected(me(b, homebody["access"]), "token_inactive", "Token rejected due to user inactivity")
    assert_rejected(me(a, homebody["access"]), "token_inactive", "Token rejected due to user inactivity")
    # Ended for good: a refresh token cannot revive the session, on either process.
    for server, session in ((b, roaming), (a, homebody)):
        reply = server.call("POST", "/api/auth/token/refresh/", data={"refresh": session["refresh"]})
        assert_rejected(reply, "token_inactive")


class Browser:
    """A cookie-keeping HTTP client, as a browser on the admin is (no redirects followed, to see them)."""

    def __init__(self):
        import http.cookiejar
        import urllib.request

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, url, data=None):
        self.base = url.split("/admin/")[0]
        import urllib.error
        import urllib.parse
        import urllib.request

        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers={"Referer": url})  # noqa: S310
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.headers, exc.read().decode()

    def cookie(self, name):
        return next(c.value for c in self.jar if c.name == name)

    def group_id(self, name):
        """The id of group `name`, as the admin's group list links it."""
        import re

        status, _, page = self.request(f"{self.base}/admin/auth/group/?q={name}")
        assert status == 200, page[:500]
        return re.search(r'href="/admin/auth/group/(\d+)/change/', page).group(1)


def test_an_idle_admin_session_is_refused_by_the_other_process(servers):
    a, b = servers
    browser = Browser()
    browser.request(f"{a.url}/admin/login/")
    status, headers, _ = browser.request(
        f"{a.url}/admin/login/",
        {
            "username": ADMIN,
            "password": ADMIN_PASSWORD,
            "next": "/admin/",
            "csrfmiddlewaretoken": browser.cookie("csrftoken"),
        },
    )
    assert (status, headers["Location"]) == (302, "/admin/")
    assert browser.request(f"{b.url}/admin/")[0] == 200  # the other process knows the sign-in
    time.sleep(THRESHOLD / 2)
    assert browser.request(f"{a.url}/admin/")[0] == 200  # activity on A ...
    time.sleep(THRESHOLD / 2 + 0.5)
    assert browser.request(f"{b.url}/admin/")[0] == 200  # ... keeps it alive on B, past the first deadline
    time.sleep(THRESHOLD + 1)
    status, headers, _ = browser.request(f"{b.url}/admin/")  # idle: B, which never saw the last activity, refuses
    assert (status, headers["Location"]) == (302, "/admin/login/?next=%2Fadmin%2F&reason=inactive")
    assert browser.request(f"{a.url}/admin/")[0] == 302  # and the Django session is over on A too


def test_a_shortened_group_policy_ends_an_idle_session_on_the_other_process(servers):
    rerun_if_late(lambda attempt: group_policy_is_shared(*servers, attempt))


def group_policy_is_shared(a, b, attempt):
    admin = Browser()
    admin.request(f"{b.url}/admin/login/")
    token = admin.cookie("csrftoken")
    admin.request(
        f"{b.url}/admin/login/",
        {"username": ADMIN, "password": ADMIN_PASSWORD, "next": "/admin/", "csrfmiddlewaretoken": token},
    )
    session = a.login("carol", "carol-live-password")  # held to the site's 3 s
    clock = Timeline()
    clock.at(0.5)
    assert me(a, session["access"]).status == 200  # A records carol's last activity
    active = clock.now()
    # Staff, on B, hold the group "ops" (carol's) to 1.2 s: shorter than the session's 3 s, so it applies at once.
    form = {
        "group": admin.group_id("ops"),
        "inactivity_threshold_minutes": str(1.2 / 60),
        "csrfmiddlewaretoken": admin.cookie("csrftoken"),
    }
    if attempt:  # a rerun: the policy is already there
        status, _, _ = admin.request(f"{b.url}/admin/accounts/grouppolicy/{form['group']}/change/", form)
    else:
        status, _, _ = admin.request(f"{b.url}/admin/accounts/grouppolicy/add/", form)
    assert status == 302
    sent = clock.at(2.2)
    on_schedule(sent - active < THRESHOLD - 0.3, f"A was asked {sent - active:.2f} s after carol's last activity")
    on_schedule(sent - active > 1.2 + 0.3, f"A was asked only {sent - active:.2f} s after carol's last activity")
    # Within the site's 3 s, past the group's 1.2 s: A, which never saw the policy change, refuses.
    assert_rejected(me(a, session["access"]), "token_inactive")


# --- under load: A answers from its session snapshot (accounts/session_cache.py) until B changes something -------


class Hammer:
    """A thread sending `GET /api/auth/me` with one token to one server, back to back, noting when each was sent
    and when its answer came."""

    def __init__(self, server, token):
        import threading

        self.server, self.token, self.replies = server, token, []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stopping.is_set():
            sent = time.monotonic()
            status = me(self.server, self.token).status
            self.replies.append((sent, status, time.monotonic()))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopping.set()
        self.thread.join(timeout=15)

    def statuses_sent_after(self, moment: float) -> set[int]:
        return {status for sent, status, _ in self.replies if sent > moment}


_USER = """
import sys, django
django.setup()
from django.contrib.auth.models import User
User.objects.create_user(sys.argv[1], password="first-password")
"""

_CHANGE = """
import sys, django
django.setup()
from django.contrib.auth.models import User
user = User.objects.get(username=sys.argv[1])
if sys.argv[2] == "password":
    user.set_password("second-password")
else:
    user.is_active = False
user.save()
"""


@pytest.mark.parametrize("change", ["revoke", "logout_all", "password", "deactivate"])
def test_under_load_a_change_made_elsewhere_is_refused_on_the_very_next_request(servers, change):
    a, b = servers
    username = f"load-{change}-{uuid.uuid4().hex[:6]}"
    run_python(_USER, username, env=b.env)
    hammered, other = a.login(username, "first-password"), b.login(username, "first-password")
    with Hammer(a, hammered["access"]) as hammer:
        # A answers from its snapshot by now (accounts/session_cache.py; that it then makes no query is shown in
        # process by accounts/tests/test_session_cache.py: from outside, PostgreSQL's statistics lag by seconds).
        time.sleep(0.5)
        started = time.monotonic()
        if change == "revoke":
            assert b.call("DELETE", f"/api/auth/sessions/{hammered['session_id']}", token=other["access"]).status == 204
        elif change == "logout_all":
            assert b.call("POST", "/api/auth/logout/all", token=other["access"]).json() == {"ended": 2}
        else:
            run_python(_CHANGE, username, change, env=b.env)  # a process of its own: `manage.py shell`, say
        changed = time.monotonic()
        reply = me(a, hammered["access"])
        time.sleep(0.3)
    assert_rejected(reply, "session_ended", "Session ended")
    # Answered before the change began (one sent just before it may be answered after it, and rightly refused).
    before = [status for _, status, answered in hammer.replies if answered < started]
    assert len(before) >= 5 and set(before) == {200}, hammer.replies[:20]
    assert hammer.statuses_sent_after(changed) == {401}
