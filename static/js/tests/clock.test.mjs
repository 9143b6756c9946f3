// Unit tests of clock skew and deadlines: `node --test static/js/tests/`.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { endsByTimeLimit, phaseAt, secondsLeft, skewSample, toLocalMs, updateSkew } from "../clock.js";

describe("clock skew", () => {
  test("a sample measures the server against the middle of the round trip", () => {
    const sample = skewSample({ serverTime: "2024-01-01T00:00:10.000Z", sentAt: Date.UTC(2024, 0, 1), receivedAt: Date.UTC(2024, 0, 1) + 200 });
    assert.equal(sample.skew, 10_000 - 100);
    assert.equal(sample.rtt, 200);
  });

  test("a sample without a usable server time is no sample", () => {
    assert.equal(skewSample({ serverTime: "not a date", sentAt: 0, receivedAt: 1 }), null);
    assert.equal(skewSample({ serverTime: "2024-01-01T00:00:00Z", sentAt: 5, receivedAt: 1 }), null);
  });

  test("the estimate keeps the most precise sample, until it grows old", () => {
    const precise = { skew: 100, rtt: 10, at: 1_000 };
    const sloppy = { skew: 900, rtt: 800, at: 2_000 };
    assert.equal(updateSkew(null, precise), precise);
    assert.equal(updateSkew(precise, null), precise);
    assert.equal(updateSkew(precise, sloppy), precise);
    assert.equal(updateSkew(sloppy, precise), precise);
    const later = { ...sloppy, at: 1_000 + 11 * 60 * 1000 };
    assert.equal(updateSkew(precise, later), later);
  });

  test("server moments convert to the local clock", () => {
    // The server runs 5 s ahead: its 12:00:05 is our 12:00:00.
    assert.equal(toLocalMs("2024-01-01T12:00:05Z", 5000), Date.UTC(2024, 0, 1, 12));
    assert.equal(toLocalMs(10_000, -2000), 12_000);
    assert.equal(toLocalMs("garbage", 0), null);
  });
});

describe("countdown", () => {
  test("whole seconds left, rounding up, never negative", () => {
    assert.equal(secondsLeft(10_000, 0), 10);
    assert.equal(secondsLeft(10_000, 9_800), 1);
    assert.equal(secondsLeft(10_000, 10_000), 0);
    assert.equal(secondsLeft(10_000, 50_000), 0);
    assert.equal(secondsLeft(null, 0), null);
  });
});

describe("phases", () => {
  const warningMs = 60_000;
  const idleDeadline = 1_000_000;

  test("active, then warning inside the window, then due at the deadline", () => {
    assert.equal(phaseAt({ now: idleDeadline - 61_000, idleDeadline, warningMs }), "active");
    assert.equal(phaseAt({ now: idleDeadline - 60_000, idleDeadline, warningMs }), "warning");
    assert.equal(phaseAt({ now: idleDeadline - 1, idleDeadline, warningMs }), "warning");
    assert.equal(phaseAt({ now: idleDeadline, idleDeadline, warningMs }), "due");
  });

  test("extending moves the deadline and ends the warning", () => {
    const now = idleDeadline - 10_000;
    assert.equal(phaseAt({ now, idleDeadline, warningMs }), "warning");
    assert.equal(phaseAt({ now, idleDeadline: now + 20 * 60_000, warningMs }), "active");
  });

  test("no known deadline is no warning", () => {
    assert.equal(phaseAt({ now: 5, idleDeadline: null, warningMs }), "active");
  });

  test("an idle deadline clamped to the session's end is the time limit", () => {
    assert.equal(endsByTimeLimit({ idleDeadline: 5000, sessionEnd: 5000 }), true);
    assert.equal(endsByTimeLimit({ idleDeadline: 5000, sessionEnd: 60_000 }), false);
    assert.equal(endsByTimeLimit({ idleDeadline: null, sessionEnd: 5000 }), false);
  });
});
