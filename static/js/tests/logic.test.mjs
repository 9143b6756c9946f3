// Unit tests of the UI's pure logic: `node --test static/js/tests/`.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  backoffDelay,
  classify,
  classifyRefresh,
  decodeJwtPayload,
  describeActivity,
  endsByTimeLimit,
  formatCountdown,
  formatDuration,
  formatRelative,
  parseReason,
  phaseAt,
  reasonMessage,
  refreshAt,
  secondsLeft,
  skewSample,
  summarizeAgent,
  toLocalMs,
  tokenFresh,
  updateSkew,
} from "../logic.js";

function jwt(payload) {
  const b64url = (obj) => Buffer.from(JSON.stringify(obj)).toString("base64url");
  return `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url(payload)}.signature`;
}

describe("decodeJwtPayload", () => {
  test("reads the claims of a token, base64url and UTF-8 included", () => {
    const payload = { exp: 1700000000, iat: 1699996400, sid: "abc", name: "Zoë ~~??>>" };
    assert.deepEqual(decodeJwtPayload(jwt(payload)), payload);
  });

  test("returns null for anything that is not a JWT", () => {
    for (const bad of [null, undefined, "", "a.b", "a.b.c.d", "x.%%%.y", `x.${btoa("[1,")}.y`]) {
      assert.equal(decodeJwtPayload(bad), null, String(bad));
    }
  });
});

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

  test("counts down second by second", () => {
    const deadline = 120_000;
    const shown = [0, 1000, 2000, 3000].map((t) => formatCountdown(secondsLeft(deadline, t)));
    assert.deepEqual(shown, ["2:00", "1:59", "1:58", "1:57"]);
  });

  test("formats minutes, seconds and hours", () => {
    assert.equal(formatCountdown(0), "0:00");
    assert.equal(formatCountdown(9), "0:09");
    assert.equal(formatCountdown(65), "1:05");
    assert.equal(formatCountdown(3723), "1:02:03");
    assert.equal(formatCountdown(-4), "0:00");
  });
});

describe("words", () => {
  test("durations", () => {
    assert.equal(formatDuration(6), "6 seconds");
    assert.equal(formatDuration(1), "1 second");
    assert.equal(formatDuration(60), "1 minute");
    assert.equal(formatDuration(20 * 60), "20 minutes");
    assert.equal(formatDuration(90), "1 minute 30 seconds");
    assert.equal(formatDuration(3600), "1 hour");
    assert.equal(formatDuration(12 * 3600), "12 hours");
    assert.equal(formatDuration(5400), "1 hour 30 minutes");
  });

  test("relative times", () => {
    const now = 1_000_000_000;
    assert.equal(formatRelative(now - 2000, now), "just now");
    assert.equal(formatRelative(now - 42_000, now), "42 seconds ago");
    assert.equal(formatRelative(now - 3 * 60_000 - 10_000, now), "3 minutes ago");
    assert.equal(formatRelative(now - 60_000, now), "1 minute ago");
    assert.equal(formatRelative(now - 2 * 3600_000, now), "2 hours ago");
    assert.equal(formatRelative(now - 3 * 86400_000, now), "3 days ago");
    assert.equal(formatRelative(now + 5 * 60_000, now), "in 5 minutes");
  });

  test("activity rows and user agents", () => {
    assert.equal(describeActivity({ method: "POST", path: "/api/auth/session/extend" }), "Kept the session active");
    assert.equal(describeActivity({ method: "GET", path: "/api/things/", message: "API request: GET /api/things/" }), "API request: GET /api/things/");
    const chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
    assert.equal(summarizeAgent(chrome), "Chrome on Linux");
    assert.equal(summarizeAgent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) AppleWebKit Version/17.0 Safari/604.1"), "Safari on iOS");
    assert.equal(summarizeAgent("curl/8.0"), "curl");
    assert.equal(summarizeAgent(""), "Unknown device");
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

describe("refresh timing", () => {
  test("refreshes a fifth of the lifetime before exp, within 1 s and 60 s of margin", () => {
    assert.equal(refreshAt({ exp: 3600, iat: 0 }), 3600_000 - 60_000); // 1 h token: 60 s early
    assert.equal(refreshAt({ exp: 100, iat: 0 }), 100_000 - 20_000); // 100 s token: 20 s early
    assert.equal(refreshAt({ exp: 6, iat: 0 }), 6000 - 1200); // 6 s token: 1.2 s early
    assert.equal(refreshAt({ exp: 2, iat: 0 }), 2000 - 1000);
  });

  test("is corrected for skew", () => {
    // The server runs 10 s ahead: its exp comes 10 s earlier on our clock.
    assert.equal(refreshAt({ exp: 3600, iat: 0, skewMs: 10_000 }), 3600_000 - 60_000 - 10_000);
  });

  test("a token without exp is never scheduled", () => {
    assert.equal(refreshAt({}), null);
  });

  test("freshness", () => {
    assert.equal(tokenFresh({ exp: 100 }, { now: 90_000 }), true);
    assert.equal(tokenFresh({ exp: 100 }, { now: 90_000, marginMs: 15_000 }), false);
    assert.equal(tokenFresh({ exp: 100 }, { now: 90_000, skewMs: 20_000 }), false);
    assert.equal(tokenFresh(null, { now: 0 }), false);
  });
});

describe("back-off", () => {
  test("doubles up to the cap", () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n)), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    assert.equal(backoffDelay(3, { capMs: 5000 }), 5000);
  });

  test("jitter only shortens, by at most a fifth", () => {
    assert.equal(backoffDelay(2, { random: 0.999 }), Math.round(4000 * (1 - 0.2 * 0.999)));
  });
});

describe("classifying answers: errors are not logouts", () => {
  test("the three server codes end the session, each with its reason", () => {
    assert.deepEqual(classify(401, { code: "token_inactive" }), { kind: "end", reason: "inactive" });
    assert.deepEqual(classify(401, { code: "session_ended" }), { kind: "end", reason: "ended" });
    // An expired access token first earns a refresh: only the refresh's verdict ends anything.
    assert.deepEqual(classify(401, { code: "token_expired" }), { kind: "refresh", code: "token_expired" });
    assert.deepEqual(classifyRefresh(401, { code: "token_expired" }), { kind: "end", reason: "expired" });
    assert.deepEqual(classifyRefresh(401, { code: "token_inactive" }), { kind: "end", reason: "inactive" });
    assert.deepEqual(classifyRefresh(401, { code: "session_ended" }), { kind: "end", reason: "ended" });
  });

  test("network failures, timeouts and 5xx are retried", () => {
    for (const status of [0, 408, 429, 500, 502, 503, 504]) {
      assert.equal(classify(status, null).kind, "retry", status);
      assert.equal(classifyRefresh(status, null).kind, "retry", status);
    }
  });

  test("a 403 never signs anyone out", () => {
    assert.equal(classify(403, { code: "permission_denied" }).kind, "forbidden");
    assert.equal(classifyRefresh(403, { detail: "CSRF failed" }).kind, "forbidden");
  });

  test("success and other client errors", () => {
    assert.equal(classify(200, {}).kind, "ok");
    assert.equal(classify(204, null).kind, "ok");
    assert.equal(classify(400, { code: "invalid_parameter" }).kind, "error");
    assert.equal(classify(404, null).kind, "error");
  });
});

describe("the login page's reasons", () => {
  const config = { inactivity_threshold_minutes: 20, session_max_hours: 12 };

  test("each reason has its own sentence", () => {
    assert.equal(reasonMessage("inactive", config), "You were signed out after 20 minutes of inactivity.");
    assert.equal(reasonMessage("inactive", { inactivity_threshold_minutes: 0.1 }), "You were signed out after 6 seconds of inactivity.");
    assert.match(reasonMessage("expired", config), /^Your session reached its time limit of 12 hours\./);
    assert.equal(reasonMessage("signed_out", config), "You signed out.");
    assert.match(reasonMessage("ended", config), /ended/);
    const all = ["inactive", "expired", "ended", "signed_out", "invalid"].map((r) => reasonMessage(r, config));
    assert.equal(new Set(all).size, all.length);
  });

  test("without the config the sentences still stand", () => {
    assert.equal(reasonMessage("inactive", null), "You were signed out after a period of inactivity.");
    assert.equal(reasonMessage("expired", null), "Your session reached its time limit. Sign in again to continue.");
  });

  test("only known reasons are read from the address", () => {
    assert.equal(parseReason("?reason=inactive"), "inactive");
    assert.equal(parseReason("?reason=<script>"), null);
    assert.equal(parseReason(""), null);
    assert.equal(reasonMessage(null, config), null);
  });
});
