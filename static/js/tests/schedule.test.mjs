// Unit tests of retry: back-off, the connection notice's state, and the Repeater on a fake clock.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { RequestFailed, Unreachable } from "../api.js";
import { Connection, Repeater, backoffDelay } from "../schedule.js";
import { FakeClock } from "./fakes.mjs";

describe("back-off", () => {
  test("doubles up to the cap", () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n)), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    assert.equal(backoffDelay(3, { capMs: 5000 }), 5000);
  });

  test("jitter only shortens, by at most a fifth", () => {
    assert.equal(backoffDelay(2, { random: 0.999 }), Math.round(4000 * (1 - 0.2 * 0.999)));
  });
});


describe("the connection", () => {
  test("is troubled while a task fails, and knows the soonest retry", () => {
    const changes = [];
    const connection = new Connection((c) => changes.push(c.troubled));
    const retried = [];
    connection.failed("a", 5000, () => retried.push("a"));
    connection.failed("b", 3000, () => retried.push("b"));
    connection.failed("c", null, () => retried.push("c"));
    assert.equal(connection.nextRetryAt, 3000);
    connection.retryAll();
    assert.deepEqual(retried, ["a", "b", "c"]);
    connection.ok("b");
    connection.ok("unknown"); // not failing: no change to report
    connection.ok("a");
    connection.ok("c");
    assert.deepEqual(changes, [true, true, true, true, true, false]);
    assert.equal(connection.nextRetryAt, null);
  });
});

/** A Repeater on a fake clock whose `run` follows a script: "ok", "down" (Unreachable) or an Error to throw. */
function scripted(script, options = {}) {
  const clock = new FakeClock(0);
  const log = [];
  const connection = new Connection((c) => log.push(c.troubled ? `troubled, retry at ${c.nextRetryAt}` : "fine"));
  const repeater = new Repeater({
    name: "poll",
    intervalMs: 10_000,
    run: async () => {
      const step = script.shift();
      log.push(`run at ${clock.now()}`);
      if (step === "down") throw new Unreachable(0);
      if (step instanceof Error) throw step;
      return step;
    },
    onSuccess: (result) => log.push(`success ${result}`),
    onRetry: (delay) => log.push(`retry in ${delay}`),
    onError: (error) => log.push(`error ${error.message}`),
    connection,
    timers: clock,
    random: () => 0,
    ...options,
  });
  return { clock, log, repeater, connection };
}

describe("the repeater", () => {
  test("runs every interval", async () => {
    const { clock, log, repeater } = scripted(["ok", "ok", "ok"]);
    repeater.start();
    await clock.advance(29_999);
    assert.deepEqual(log, ["run at 10000", "success ok", "run at 20000", "success ok"]);
    await clock.advance(1);
    assert.equal(log.at(-2), "run at 30000");
  });

  test("backs off while the server is unreachable, then goes back to the interval", async () => {
    const { clock, log, repeater, connection } = scripted(["down", "down", "down", "down", "ok", "ok"]);
    repeater.start(0);
    await clock.advance(0);
    assert.equal(connection.nextRetryAt, 1000);
    await clock.advance(25_000);
    assert.deepEqual(log, [
      "run at 0", "troubled, retry at 1000", "retry in 1000",
      "run at 1000", "troubled, retry at 3000", "retry in 2000",
      "run at 3000", "troubled, retry at 7000", "retry in 4000",
      "run at 7000", "troubled, retry at 15000", "retry in 8000",
      "run at 15000", "fine", "success ok",
      "run at 25000", "success ok",
    ]);
    assert.equal(repeater.failures, 0);
  });

  test("the back-off is capped at the interval, at least 5 s, or at capMs", async () => {
    const short = scripted(["down", "down", "down", "down"], { intervalMs: 1000 });
    short.repeater.start(0);
    await short.clock.advance(8000);
    assert.deepEqual(short.log.filter((l) => l.startsWith("retry")), ["retry in 1000", "retry in 2000", "retry in 4000", "retry in 5000"]);
    const capped = scripted(["down", "down", "down"], { capMs: 1500 });
    capped.repeater.start(0);
    await capped.clock.advance(4000);
    assert.deepEqual(capped.log.filter((l) => l.startsWith("retry")), ["retry in 1000", "retry in 1500", "retry in 1500"]);
  });

  test("jitter shortens the delay", async () => {
    const { clock, log, repeater } = scripted(["down"], { random: () => 0.5 });
    repeater.start(0);
    await clock.advance(0);
    assert.equal(log.at(-1), "retry in 900");
  });

  test("any other error goes to onError, and the cadence goes on", async () => {
    const { clock, log, repeater } = scripted([new RequestFailed(403, { detail: "no" }), "ok"]);
    repeater.start();
    await clock.advance(20_000);
    assert.deepEqual(log, ["run at 10000", "error no", "run at 20000", "success ok"]);
  });

  test("'retry now' on the connection runs a failing task at once", async () => {
    const { clock, log, repeater, connection } = scripted(["down", "ok"]);
    repeater.start(0);
    await clock.advance(500);
    connection.retryAll();
    await clock.advance(0);
    assert.deepEqual(log.slice(3), ["run at 500", "fine", "success ok"]);
  });

  test("stop cancels the next run; start resumes", async () => {
    const { clock, log, repeater } = scripted(["ok", "ok"]);
    repeater.start();
    repeater.stop();
    await clock.advance(60_000);
    assert.deepEqual(log, []);
    repeater.start(5);
    await clock.advance(5);
    assert.deepEqual(log, ["run at 60005", "success ok"]);
  });

  test("once: retries until it succeeds, then stops", async () => {
    const { clock, log, repeater } = scripted(["down", "done", "never"], { once: true });
    repeater.start(0);
    await clock.advance(60_000);
    assert.deepEqual(log, ["run at 0", "troubled, retry at 1000", "retry in 1000", "run at 1000", "fine", "success done"]);
    assert.equal(repeater.stopped, true);
  });

  test("once: an Unreachable that retryIf refuses ends the attempts through onError", async () => {
    const { clock, log, repeater } = scripted(["down", "down"], { once: true, retryIf: () => clock.now() < 1000 });
    repeater.start(0);
    await clock.advance(60_000);
    assert.deepEqual(log, [
      "run at 0", "troubled, retry at 1000", "retry in 1000",
      "run at 1000", "fine", "error server unreachable",
    ]);
  });
});
