// Unit tests of the UI's wording: `node --test static/js/tests/`.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { secondsLeft } from "../clock.js";
import {
  describeActivity,
  formatCountdown,
  formatDuration,
  formatRelative,
  parseReason,
  reasonMessage,
  reasonMinutes,
  reasonQuery,
} from "../words.js";

describe("countdown", () => {
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

  test("activity rows", () => {
    assert.equal(describeActivity({ method: "POST", path: "/api/auth/session/extend" }), "Kept the session active");
    assert.equal(describeActivity({ method: "GET", path: "/api/things/", message: "API request: GET /api/things/" }), "API request: GET /api/things/");
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

describe("the login page names the threshold the session was held to", () => {
  test("a session on the site's policy: the reason alone, the site's minutes", () => {
    assert.equal(reasonQuery("inactive", { policy_source: "site", inactivity_threshold_minutes: 20 }), "?reason=inactive");
    assert.equal(reasonMinutes("?reason=inactive", { inactivity_threshold_minutes: 20 }), 20);
  });

  test("a session of its own (group or user): its seconds travel along and win over the site's", () => {
    const query = reasonQuery("inactive", { policy_source: "group:ops", inactivity_threshold_minutes: 0.15 });
    assert.equal(query, "?reason=inactive&after=9");
    assert.equal(reasonMinutes(query, { inactivity_threshold_minutes: 20 }), 0.15);
    assert.equal(reasonMessage("inactive", { inactivity_threshold_minutes: reasonMinutes(query, null) }), "You were signed out after 9 seconds of inactivity.");
  });

  test("other reasons and nonsense", () => {
    assert.equal(reasonQuery("expired", { policy_source: "user", inactivity_threshold_minutes: 5 }), "?reason=expired");
    assert.equal(reasonQuery(null, null), "");
    assert.ok(Number.isNaN(reasonMinutes("?after=x", null)));
    assert.equal(reasonMinutes("?after=-5", { inactivity_threshold_minutes: 20 }), 20);
  });
});
