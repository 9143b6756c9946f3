// Unit tests of the browser's side of a session, with a fake fetch, clock and tab channel.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { PATHS, SessionOver, Unreachable } from "../api.js";
import { SessionClient } from "../session.js";
import { TAB_ID } from "../tabsync.js";
import { FakeClock, fakeFetch, jwt } from "./fakes.mjs";

const T = Date.UTC(2024, 0, 1, 12); // the fake clock's start
const iso = (ms) => new Date(ms).toISOString();

function fakeSync() {
  const listeners = new Set();
  return {
    usesChannel: true,
    posted: [],
    post(message) {
      this.posted.push(message);
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    deliver(message) {
      for (const fn of [...listeners]) fn(message);
    },
  };
}

/** A client on a fake clock whose server gives `answers` in turn; `events` records what it announces. */
function setUp(answers) {
  const clock = new FakeClock(T);
  const { fetch, calls } = fakeFetch(answers);
  const sync = fakeSync();
  const locked = [];
  const lock = (owner, fn) => (locked.push(owner), fn());
  const client = new SessionClient({ fetch, timers: clock, sync, lock });
  const events = [];
  for (const type of ["token", "state", "ended", "replaced"]) {
    client.addEventListener(type, (e) => events.push(type === "ended" ? `ended ${e.detail.reason}` : type));
  }
  return { clock, calls, sync, locked, client, events };
}

const tokenFor = (sid, expMs = T + 3600_000) => jwt({ exp: expMs / 1000, iat: T / 1000, sid });
const auth = (call) => call.headers.Authorization;

describe("starting", () => {
  test("without an answer from another tab within 300 ms, the refresh cookie gets a token", async () => {
    const access = tokenFor("s1");
    const { clock, calls, sync, locked, client, events } = setUp([[200, { warning_seconds: 6 }], [200, { access }]]);
    const started = client.start();
    await clock.advance(299);
    assert.deepEqual(calls.map((c) => c.path), [PATHS.config]);
    await clock.advance(1);
    assert.deepEqual(await started, { warning_seconds: 6 });
    assert.deepEqual(calls.map((c) => [c.method, c.path, c.body]), [["GET", PATHS.config, undefined], ["POST", PATHS.refresh, {}]]);
    assert.equal(calls[1].headers["X-CSRFToken"], "");
    assert.deepEqual(locked, [TAB_ID]);
    assert.equal(client.access, access);
    assert.deepEqual(sync.posted, [{ type: "hello" }, { type: "token", access }]);
    assert.deepEqual(events, ["token"]);
  });

  test("a signed-in tab's token is taken as is: no refresh", async () => {
    const access = tokenFor("s1");
    const { clock, calls, sync, client } = setUp([[200, {}]]);
    const started = client.start();
    await clock.advance(10);
    sync.deliver({ type: "token", access, to: TAB_ID, from: "other" });
    await started;
    await clock.advance(1000);
    assert.equal(calls.length, 1);
    assert.equal(client.access, access);
  });

  test("a server that cannot give its config is unreachable", async () => {
    const { client } = setUp([[503, null]]);
    await assert.rejects(client.start(), (e) => e instanceof Unreachable && e.status === 503);
  });
});

describe("calls", () => {
  test("a stale token earns one refresh and one retry", async () => {
    const { calls, client } = setUp([[401, { code: "token_not_valid" }], [200, { access: tokenFor("s1", T + 7200_000) }], [200, { results: [] }]]);
    client.setAccess(tokenFor("s1"));
    const old = client.access;
    assert.deepEqual(await client.call("GET", PATHS.sessions), { results: [] });
    assert.deepEqual(calls.map((c) => [c.method, c.path]), [["GET", PATHS.sessions], ["POST", PATHS.refresh], ["GET", PATHS.sessions]]);
    assert.deepEqual(calls.map(auth), [`Bearer ${old}`, undefined, `Bearer ${client.access}`]);
    assert.notEqual(client.access, old);
  });

  test("refused again after the refresh, the session is over with the server's reason", async () => {
    const { client } = setUp([[401, { code: "token_expired" }], [200, { access: tokenFor("s1") }], [401, { code: "token_expired" }]]);
    client.setAccess(tokenFor("s1"));
    await assert.rejects(client.call("GET", PATHS.sessions), (e) => e instanceof SessionOver && e.reason === "expired");
  });

  test("the state's deadlines are put on the local clock, corrected for the server's skew", async () => {
    const ahead = 10_000; // the server's clock runs 10 s ahead
    const body = {
      server_time: iso(T + ahead),
      last_activity: iso(T + ahead - 5000),
      idle_expires_at: iso(T + ahead + 60_000),
      expires_at: iso(T + ahead + 3600_000),
    };
    const { client, events } = setUp([[200, body]]);
    client.setAccess(tokenFor("s1"));
    const state = await client.fetchState();
    assert.equal(client.skewMs, ahead);
    assert.equal(client.serverNow(), T + ahead);
    assert.deepEqual([state.idleDeadline, state.sessionEnd, state.lastActivityLocal], [T + 60_000, T + 3600_000, T - 5000]);
    assert.deepEqual(events, ["token", "state"]);
  });
});

describe("refreshing", () => {
  test("a due refresh is skipped while the token is still fresh", async () => {
    const { calls, client } = setUp([]);
    client.setAccess(tokenFor("s1", T + 3600_000)); // due 60 s before exp
    assert.equal(await client.refresh({ why: "due" }), client.access);
    assert.equal(calls.length, 0);
  });

  test("a refused refresh at the session's time limit says expired, not invalid", async () => {
    const { client } = setUp([[401, { code: "token_not_valid" }], [401, { code: "token_not_valid" }]]);
    client.state = { sessionEnd: T + 60_000 };
    await assert.rejects(client.refresh({ why: "rejected" }), (e) => e instanceof SessionOver && e.reason === "invalid");
    client.state = { sessionEnd: T + 1000 }; // within a second of the end
    await assert.rejects(client.refresh({ why: "rejected" }), (e) => e instanceof SessionOver && e.reason === "expired");
  });

  test("a token of another session replaces this page", () => {
    const { client, events } = setUp([]);
    client.setAccess(tokenFor("s1"));
    client.setAccess(tokenFor("s2"));
    assert.deepEqual(events, ["token", "replaced", "token"]);
  });
});

describe("ending", () => {
  test("signing out with a stale token falls back to the cookie, and tells every tab", async () => {
    const { calls, sync, client, events } = setUp([[401, { code: "token_not_valid" }], [204]]);
    client.setAccess(tokenFor("s1"));
    const token = client.access;
    await client.signOut();
    assert.deepEqual(calls.map((c) => [c.path, auth(c), c.headers["X-CSRFToken"]]), [[PATHS.logout, `Bearer ${token}`, undefined], [PATHS.logout, undefined, ""]]);
    assert.deepEqual(events, ["token", "ended signed_out"]);
    assert.deepEqual(sync.posted.at(-1), { type: "ended", reason: "signed_out" });
    assert.equal(client.access, null);
  });

  test("a server that cannot be told is not a sign-out", async () => {
    const { client, events } = setUp([[503, null]]);
    client.setAccess(tokenFor("s1"));
    await assert.rejects(client.signOut(), (e) => e instanceof Unreachable && e.status === 503);
    assert.deepEqual(events, ["token"]);
    assert.equal(client.over, false);
  });

  test("another tab's end ends this one, without echoing it", () => {
    const { sync, client, events } = setUp([]);
    sync.deliver({ type: "ended", reason: "inactive", from: "other" });
    sync.deliver({ type: "ended", reason: "signed_out", from: "other" });
    assert.deepEqual(events, ["ended inactive"]);
    assert.deepEqual(sync.posted, []);
  });
});
