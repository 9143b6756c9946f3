// Unit tests of what an answer means: `node --test static/js/tests/`.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { classify, classifyRefresh } from "../classify.js";

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
