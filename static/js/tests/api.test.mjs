// Unit tests of the HTTP side: send() with an injected fetch and clock, and what each answer is turned into.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { PATHS, RequestFailed, SessionOver, Unreachable, interpret, interpretRefresh, send } from "../api.js";
import { FakeClock, fakeFetch } from "./fakes.mjs";

describe("send", () => {
  test("sends the token and JSON, and times the round trip", async () => {
    const clock = new FakeClock(5000);
    const { fetch, calls } = fakeFetch([[200, { ok: 1 }, { "Retry-After": "7" }]]);
    const slow = async (path, init) => {
      clock.time += 120; // the answer takes 120 ms
      return fetch(path, init);
    };
    const answer = await send("POST", PATHS.extend, { token: "abc", json: { a: 1 }, fetch: slow, timers: clock });
    assert.deepEqual(answer, { status: 200, body: { ok: 1 }, sentAt: 5000, receivedAt: 5120, retryAfter: 7 });
    assert.deepEqual(calls, [
      {
        method: "POST",
        path: "/api/auth/session/extend",
        headers: { Accept: "application/json", Authorization: "Bearer abc", "Content-Type": "application/json" },
        body: { a: 1 },
      },
    ]);
    assert.equal(clock.pending.size, 0); // the timeout was cleared
  });

  test("a 204 has no body, a body that is not JSON reads as null", async () => {
    const { fetch } = fakeFetch([[204], [502, undefined]]);
    const clock = new FakeClock(0);
    assert.equal((await send("POST", PATHS.logout, { fetch, timers: clock })).body, null);
    const bad = await send("GET", PATHS.session, { fetch, timers: clock });
    assert.deepEqual([bad.status, bad.body, bad.retryAfter], [502, null, null]);
  });

  test("no answer is status 0, never an exception", async () => {
    const { fetch } = fakeFetch([new TypeError("Failed to fetch")]);
    const answer = await send("GET", PATHS.session, { fetch, timers: new FakeClock(42) });
    assert.deepEqual(answer, { status: 0, body: null, sentAt: 42, receivedAt: 42, retryAfter: null });
  });

  test("a server that hangs is given up on after the timeout (5 s)", async () => {
    const clock = new FakeClock(0);
    let aborted = null;
    const hanging = (path, init) =>
      new Promise((resolve, reject) => {
        init.signal.addEventListener("abort", () => {
          aborted = clock.now();
          reject(new DOMException("aborted", "AbortError"));
        });
      });
    const pending = send("GET", PATHS.session, { fetch: hanging, timers: clock });
    await clock.advance(4999);
    assert.equal(aborted, null);
    await clock.advance(1);
    assert.equal(aborted, 5000);
    assert.deepEqual(await pending, { status: 0, body: null, sentAt: 0, receivedAt: 5000, retryAfter: null });
  });
});

describe("interpreting answers", () => {
  const answer = (status, body = null) => ({ status, body });

  test("success gives the body; a stale token asks for a refresh", () => {
    assert.deepEqual(interpret(answer(200, { x: 1 })), { ok: true, body: { x: 1 } });
    assert.deepEqual(interpret(answer(401, { code: "token_expired" })), { ok: false, refresh: true, code: "token_expired" });
    assert.deepEqual(interpret(answer(401, null)), { ok: false, refresh: true, code: "token_not_valid" });
  });

  test("the server's end codes end the session; trouble and refusals do not", () => {
    assert.throws(() => interpret(answer(401, { code: "token_inactive" })), (e) => e instanceof SessionOver && e.reason === "inactive");
    assert.throws(() => interpret(answer(503)), (e) => e instanceof Unreachable && e.status === 503);
    assert.throws(() => interpret(answer(0)), (e) => e instanceof Unreachable && e.message === "server unreachable");
    assert.throws(() => interpret(answer(403, { detail: "No." })), (e) => e instanceof RequestFailed && e.message === "No.");
    assert.throws(() => interpret(answer(404)), (e) => e instanceof RequestFailed && e.message === "request failed (404)");
  });

  test("a refresh either gives a token or says why not", () => {
    assert.deepEqual(interpretRefresh(answer(200, { access: "t" })), { access: "t" });
    assert.throws(() => interpretRefresh(answer(200, {})), (e) => e instanceof SessionOver && e.reason === "invalid");
    assert.throws(() => interpretRefresh(answer(401, { code: "token_inactive" })), (e) => e instanceof SessionOver && e.reason === "inactive");
    assert.throws(() => interpretRefresh(answer(429)), (e) => e instanceof Unreachable && e.status === 429);
    assert.throws(() => interpretRefresh(answer(403, { detail: "CSRF" })), (e) => e instanceof RequestFailed && e.status === 403);
  });
});
