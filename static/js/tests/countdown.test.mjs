// Unit tests of the countdown's state on a fake clock: phases, the warning, and confirming the end with the server.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { Unreachable } from "../api.js";
import { Countdown } from "../countdown.js";
import { Connection } from "../schedule.js";
import { FakeClock } from "./fakes.mjs";

const DEADLINE = 100_000;

/** A countdown whose server answers each state request from `answers`: a deadline (ms), or "down". */
function setUp(answers = []) {
  const clock = new FakeClock(0);
  const log = [];
  const client = {
    state: { idleDeadline: DEADLINE, sessionEnd: DEADLINE + 3600_000 },
    async fetchState() {
      log.push(`ask at ${clock.now()}`);
      const next = answers.shift();
      if (next === "down") throw new Unreachable(0);
      this.state = { ...this.state, idleDeadline: next };
      countdown.onState(this.state, clock.now());
      return this.state;
    },
    end: (reason) => {
      log.push(`end ${reason}`);
      countdown.confirmer.stop(); // as the page does when it leaves
    },
  };
  const warning = {
    open: false,
    status: { textContent: "" },
    show: ({ seconds, timeLimit }) => {
      warning.open = true;
      log.push(`warn ${seconds} s${timeLimit ? ", time limit" : ""}`);
    },
    close: () => {
      warning.open = false;
      log.push("close");
    },
    setStatus: (text) => (warning.status.textContent = text),
  };
  const phases = [];
  const view = { setPhase: (phase) => phases.push(phase) };
  const countdown = new Countdown({ client, warning, view, connection: new Connection(() => {}), onError: (e) => log.push(`error ${e.message}`), timers: clock });
  countdown.warningMs = 10_000;
  return { clock, log, client, warning, phases, countdown };
}

describe("the countdown", () => {
  test("active, then the warning with the seconds left, then closed again when the deadline moves", () => {
    const { log, client, phases, countdown } = setUp();
    countdown.update(DEADLINE - 10_001, { staying: false });
    countdown.update(DEADLINE - 10_000, { staying: false });
    countdown.update(DEADLINE - 2500, { staying: false });
    client.state = { ...client.state, idleDeadline: DEADLINE + 60_000 };
    countdown.update(DEADLINE - 2000, { staying: true }); // a "stay" under way keeps the dialog
    countdown.update(DEADLINE - 1750, { staying: false });
    assert.deepEqual(phases, ["active", "warning", "warning", "active", "active"]);
    assert.deepEqual(log, ["warn 10 s", "warn 3 s", "close"]);
  });

  test("the time limit is its own warning", () => {
    const { log, client, countdown } = setUp();
    client.state = { idleDeadline: DEADLINE, sessionEnd: DEADLINE };
    countdown.update(DEADLINE - 5000, { staying: false });
    assert.deepEqual(log, ["warn 5 s, time limit"]);
  });

  test("past the deadline, it asks the server once a second and gives up after four answers", async () => {
    const { clock, log, warning, countdown } = setUp([DEADLINE, DEADLINE, DEADLINE, DEADLINE, DEADLINE]);
    await clock.advance(DEADLINE + 249);
    countdown.update(clock.now(), { staying: false });
    await clock.advance(0);
    assert.deepEqual(log, ["warn 0 s"]); // not before the grace of 250 ms
    countdown.update(clock.now() + 1, { staying: false });
    await clock.advance(5000);
    assert.deepEqual(log.slice(2), ["ask at 100249", "ask at 101249", "ask at 102249", "ask at 103249", "end inactive"]);
    assert.equal(warning.status.textContent, "");
  });

  test("a later deadline from the server stops the asking", async () => {
    const { clock, log, countdown } = setUp([DEADLINE + 60_000]);
    await clock.advance(DEADLINE + 300);
    countdown.update(clock.now(), { staying: false });
    await clock.advance(10_000);
    assert.deepEqual(log.slice(1), ["ask at 100300"]);
    assert.equal(countdown.confirms, 0);
  });

  test("an unreachable server is asked again with back-off, and the failures count towards giving up", async () => {
    const { clock, log, warning, countdown } = setUp(["down", "down", DEADLINE, DEADLINE]);
    await clock.advance(DEADLINE + 300);
    countdown.update(clock.now(), { staying: false });
    await clock.advance(1);
    assert.equal(warning.status.textContent, "Can't reach the server to confirm your session, retrying…");
    await clock.advance(10_000);
    assert.deepEqual(log.slice(1), ["ask at 100300", "ask at 101300", "ask at 103300", "ask at 104300", "end inactive"]);
  });
});
