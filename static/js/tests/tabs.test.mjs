// Cross-tab coordination without a browser: the storage fallbacks of tabsync.js and lock.js.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { leaseHeld, withRefreshLock } from "../lock.js";
import { createTabSync, storageSafe } from "../tabsync.js";

class MemoryStorage {
  constructor() {
    this.map = new Map();
  }
  getItem(key) {
    return this.map.has(key) ? this.map.get(key) : null;
  }
  setItem(key, value) {
    this.map.set(key, String(value));
  }
  removeItem(key) {
    this.map.delete(key);
  }
}

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

describe("the refresh lock", () => {
  test("a fresh lease of another tab holds; a stale one or our own does not", () => {
    const raw = JSON.stringify({ owner: "a", at: 1000 });
    assert.equal(leaseHeld(raw, { now: 2000, owner: "b" }), true);
    assert.equal(leaseHeld(raw, { now: 20_000, owner: "b" }), false);
    assert.equal(leaseHeld(raw, { now: 2000, owner: "a" }), false);
    assert.equal(leaseHeld(null, { now: 0, owner: "a" }), false);
    assert.equal(leaseHeld("garbage", { now: 0, owner: "a" }), false);
  });

  test("Web Locks are used when present", async () => {
    const names = [];
    const nav = { locks: { request: async (name, options, fn) => (names.push([name, options.mode]), fn()) } };
    assert.equal(await withRefreshLock("tab", async () => 42, { nav }), 42);
    assert.deepEqual(names, [["ndfstudio-refresh", "exclusive"]]);
  });

  test("without Web Locks, two tabs sharing a storage never refresh at the same time", async () => {
    const storage = new MemoryStorage();
    let inside = 0;
    let overlap = false;
    const order = [];
    const refresh = (tab) => async () => {
      inside += 1;
      overlap ||= inside > 1;
      order.push(tab);
      await new Promise((r) => setTimeout(r, 50));
      inside -= 1;
      return tab;
    };
    const results = await Promise.all([
      withRefreshLock("a", refresh("a"), { nav: {}, storage }),
      withRefreshLock("b", refresh("b"), { nav: {}, storage }),
    ]);
    assert.deepEqual(results, ["a", "b"]);
    assert.equal(overlap, false);
    assert.equal(order.length, 2);
    assert.equal(storage.getItem("ndfstudio-refresh-lease"), null); // released
  });
});
