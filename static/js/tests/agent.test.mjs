// Unit tests of user agent summaries: `node --test static/js/tests/`.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { summarizeAgent } from "../agent.js";

describe("user agents", () => {
  test("user agents", () => {
    const chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
    assert.equal(summarizeAgent(chrome), "Chrome on Linux");
    assert.equal(summarizeAgent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) AppleWebKit Version/17.0 Safari/604.1"), "Safari on iOS");
    assert.equal(summarizeAgent("curl/8.0"), "curl");
    assert.equal(summarizeAgent(""), "Unknown device");
  });
});
