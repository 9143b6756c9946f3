// Unit tests of the user's actions on a fake clock: stay signed in, sign out, and work on the page.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { RequestFailed, Unreachable } from "../api.js";
import { signOutAction, stayAction, workAction } from "../actions.js";
import { Connection } from "../schedule.js";
import { FakeClock } from "./fakes.mjs";

/** The page's parts, faked; the server answers `extend` and `signOut` from `answers` ("ok", "down" or an Error). */
function setUp(answers) {
  const clock = new FakeClock(0);
  const log = [];
  const answer = async (what) => {
    log.push(`${what} at ${clock.now()}`);
    const next = answers.shift();
    if (next === "down") throw new Unreachable(0);
    if (next instanceof Error) throw next;
  };
  const parts = {
    page: { leaving: false, staying: false, signingOut: false, config: { inactivity_threshold_minutes: 1 }, lastNudge: 0 },
    client: { state: { idleDeadline: 10_000 }, extend: () => answer("extend"), signOut: () => answer("sign out") },
    connection: new Connection(() => {}),
    warning: { open: false, status: "", setStatus: (text) => (parts.warning.status = text), close: () => log.push("close") },
    view: { flash: (text) => log.push(`flash ${text}`) },
    button: { disabled: false },
    onError: (error) => log.push(`error ${error.message}`),
    onStayed: () => log.push("stayed"),
    timers: clock,
  };
  return { clock, log, parts };
}

describe("stay signed in", () => {
  test("retries with back-off (capped at 5 s) until the server hears it", async () => {
    const { clock, log, parts } = setUp(["down", "down", "down", "ok"]);
    parts.client.state.idleDeadline = 60_000;
    const { stay } = stayAction(parts);
    stay();
    stay(); // a second click while under way does nothing
    assert.equal(parts.button.disabled, true);
    await clock.advance(1);
    assert.equal(parts.warning.status, "Can't reach the server, retrying…");
    await clock.advance(20_000);
    assert.deepEqual(log, ["extend at 0", "extend at 1000", "extend at 3000", "extend at 7000", "close", "flash You're still signed in. Thanks!", "stayed"]);
    assert.deepEqual([parts.page.staying, parts.button.disabled, parts.warning.status], [false, false, ""]);
  });

  test("past the deadline it stops trying and says so", async () => {
    const { clock, log, parts } = setUp(["down", "down", "down"]);
    parts.client.state.idleDeadline = 2500;
    stayAction(parts).stay();
    await clock.advance(20_000);
    assert.deepEqual(log, ["extend at 0", "extend at 1000", "extend at 3000", "error server unreachable"]);
    assert.equal(parts.page.staying, false);
  });
});

describe("sign out", () => {
  test("retries with back-off (capped at 10 s), saying so", async () => {
    const { clock, log, parts } = setUp(["down", "down", "down", "down", "down", "ok"]);
    signOutAction(parts).signOut();
    await clock.advance(60_000);
    const asked = log.filter((line) => line.startsWith("sign out"));
    assert.deepEqual(asked, ["sign out at 0", "sign out at 1000", "sign out at 3000", "sign out at 7000", "sign out at 15000", "sign out at 25000"]);
    assert.equal(log[0], "flash Signing you out…");
    assert.equal(log[2], "flash Can't reach the server to sign you out, retrying…");
    assert.equal(parts.page.signingOut, true); // the page is leaving: nothing to reset
  });

  test("a refusal gives the button back", async () => {
    const { clock, log, parts } = setUp([new RequestFailed(403, { detail: "CSRF failed" })]);
    signOutAction(parts).signOut();
    await clock.advance(1000);
    assert.deepEqual(log, ["flash Signing you out…", "sign out at 0", "error CSRF failed"]);
    assert.deepEqual([parts.page.signingOut, parts.button.disabled], [false, false]);
  });
});

describe("work on the page", () => {
  test("extends at most once per quarter threshold, and never from a button or the open warning", async () => {
    const { clock, log, parts } = setUp(["ok", "ok"]);
    const onWork = workAction(parts);
    const event = { target: null };
    await clock.advance(15_000);
    onWork(event);
    await clock.advance(14_999);
    onWork(event); // 1 min threshold: a quarter is 15 s
    parts.warning.open = true;
    await clock.advance(1);
    onWork(event);
    parts.warning.open = false;
    onWork({ target: { closest: (selector) => (selector === "button, a, dialog" ? {} : null) } }); // inside a button
    onWork({ target: { closest: () => null } });
    await clock.advance(0);
    assert.deepEqual(log, ["extend at 15000", "extend at 30000"]);
  });
});
