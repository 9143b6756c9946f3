// Unit tests of tab-to-tab messages without a browser (the storage fallback): `node --test static/js/tests/`.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { createTabSync, storageSafe } from "../tabsync.js";
import { MemoryStorage } from "./fakes.mjs";

describe("tab messages over storage (no BroadcastChannel)", () => {
  test("never write an access token to storage", () => {
    assert.deepEqual(storageSafe({ type: "token", access: "secret.jwt.value", to: "x" }), { type: "token", to: "x" });
    const storage = new MemoryStorage();
    const win = { localStorage: storage, addEventListener() {} };
    const sync = createTabSync({ win });
    assert.equal(sync.usesChannel, false);
    sync.post({ type: "token", access: "secret.jwt.value" });
    const written = [...storage.map.values()].join("");
    assert.ok(written.includes('"type":"token"'));
    assert.ok(!written.includes("secret.jwt.value"));
  });

  test("messages from other tabs arrive through storage events", () => {
    let handler = null;
    const win = { localStorage: new MemoryStorage(), addEventListener: (name, fn) => name === "storage" && (handler = fn) };
    const sync = createTabSync({ win });
    const got = [];
    sync.subscribe((m) => got.push(m.type));
    handler({ key: "ndfstudio-session-message", newValue: JSON.stringify({ type: "ended", from: "other-tab" }) });
    handler({ key: "unrelated", newValue: "{}" });
    handler({ key: "ndfstudio-session-message", newValue: "not json" });
    assert.deepEqual(got, ["ended"]);
  });
});
