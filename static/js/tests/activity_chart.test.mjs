// Unit tests of the dashboard's activity chart, on a minimal stand-in for the SVG DOM.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { activityChart, loadActivityChart } from "../activity_chart.js";

class FakeNode {
  constructor(ns, tag) {
    Object.assign(this, { ns, tag, attributes: {}, children: [], textContent: "", ownerDocument: fakeDoc });
  }
  setAttribute(name, value) {
    this.attributes[name] = value;
  }
  append(...nodes) {
    this.children.push(...nodes);
  }
  replaceChildren(...nodes) {
    this.children = nodes;
  }
  all(tag) {
    return this.children.flatMap((child) => [...(child.tag === tag ? [child] : []), ...child.all(tag)]);
  }
}

const fakeDoc = { createElementNS: (ns, tag) => new FakeNode(ns, tag) };

const days = [
  { date: "2026-01-03", count: 2 },
  { date: "2026-01-04", count: 0 },
  { date: "2026-01-05", count: 4 },
];

describe("activityChart", () => {
  test("one titled bar per day with activity, drawn to scale, in the SVG namespace", () => {
    const svg = activityChart(fakeDoc, days);
    assert.equal(svg.ns, "http://www.w3.org/2000/svg");
    assert.equal(svg.attributes.role, "img");
    const bars = svg.all("rect");
    assert.deepEqual(
      bars.map((bar) => bar.children[0].textContent),
      ["2026-01-03: 2 requests", "2026-01-05: 4 requests"],
    );
    assert.equal(Number(bars[1].attributes.height), 2 * Number(bars[0].attributes.height));
    assert.equal(svg.children[1].textContent, "6 tracked requests from 2026-01-03 to 2026-01-05; most in a day: 4");
    assert.ok(Object.values(svg.all("rect")[0].attributes).every((v) => !String(v).includes("style")));
  });

  test("no data: axes and no bars", () => {
    const svg = activityChart(fakeDoc, []);
    assert.equal(svg.all("rect").length, 0);
  });
});

describe("loadActivityChart", () => {
  test("asks for the user's own numbers (passive path) and draws them", async () => {
    const calls = [];
    const client = {
      call: async (method, path) => {
        calls.push([method, path]);
        return { from: "2026-01-03", to: "2026-01-05", per_day: days };
      },
    };
    const slot = new FakeNode("html", "div");
    const summary = new FakeNode("html", "p");
    await loadActivityChart({ client, slot, summary, statsPath: "/api/logs/stats", userId: 7 });
    assert.deepEqual(calls, [["GET", "/api/logs/stats?user_id=7"]]);
    assert.equal(slot.children[0].tag, "svg");
    assert.equal(summary.textContent, "6 tracked requests from 2026-01-03 to 2026-01-05.");
  });
});
