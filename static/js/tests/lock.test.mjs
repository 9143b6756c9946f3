// Unit tests of the cross-tab refresh lock without a browser: `node --test static/js/tests/`.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { leaseHeld, withRefreshLock } from "../lock.js";
import { MemoryStorage } from "./fakes.mjs";

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
