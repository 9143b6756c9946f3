// Unit tests of the dashboard's rendering, on a minimal stand-in for the document and a fake clock.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { RequestFailed, Unreachable } from "../api.js";
import { DashboardView } from "../render.js";
import { Connection } from "../schedule.js";
import { FakeClock } from "./fakes.mjs";

/** Just enough of an element for render.js: text, attributes, children, listeners. */
class FakeElement {
  constructor(tag) {
    Object.assign(this, { tag, textContent: "", hidden: false, dataset: {}, attributes: {}, children: [], listeners: {} });
  }
  append(...nodes) {
    this.children.push(...nodes);
  }
  replaceChildren(...nodes) {
    this.children = nodes;
  }
  setAttribute(name, value) {
    this.attributes[name] = value;
  }
  addEventListener(type, fn) {
    this.listeners[type] = fn;
  }
}

function setUp() {
  const elements = new Map();
  const doc = {
    body: new FakeElement("body"),
    getElementById: (id) => elements.get(id) ?? elements.set(id, new FakeElement("div")).get(id),
    createElement: (tag) => new FakeElement(tag),
  };
  const clock = new FakeClock(0);
  return { doc, clock, view: new DashboardView(doc, { timers: clock }), el: (id) => doc.getElementById(id) };
}

const T = Date.UTC(2024, 0, 1, 12);
const client = {
  skewMs: 0,
  serverNow: (now = T) => now,
  payload: { exp: (T + 90_000) / 1000 },
  state: {
    last_activity: new Date(T - 42_000).toISOString(),
    lastActivityLocal: T - 42_000,
    idleDeadline: T + 65_000,
    sessionEnd: T + 65_000,
  },
};

describe("the dashboard's view", () => {
  test("the clocks: last activity, the idle countdown (here the time limit) and the token", () => {
    const { view, el } = setUp();
    view.renderClocks(client, T);
    assert.equal(el("last-activity").dateTime, client.state.last_activity);
    assert.equal(el("last-activity-ago").textContent, "(42 seconds ago)");
    assert.equal(el("idle-left").textContent, "1:05");
    assert.match(el("idle-at").textContent, /^\(at \d{1,2}:\d{2}:\d{2}[^,]*, the time limit\)$/);
    assert.equal(el("session-end-left").textContent, "(in 1 minute)");
    assert.match(el("token-exp").textContent, /^valid until \d{1,2}:\d{2}:\d{2}[^(]* \(1:30 left\)$/);
    assert.equal(el("token-exp").dataset.exp, String((T + 90_000) / 1000));
    view.renderClocks(client, T + 90_000);
    assert.equal(el("token-exp").textContent, "renewing…");
  });

  test("the sign-ins: live ones first with a button to end them, this browser tagged, ended ones last", () => {
    const { view, el } = setUp();
    const row = (id, extra) => ({ id, created_at: new Date(T).toISOString(), last_activity: new Date(T).toISOString(), user_agent: "curl/8.0", ip: "10.0.0.1", ...extra });
    const revoked = [];
    view.renderSessions([row("a", { ended_at: "x", end_reason: "inactive" }), row("b", { current: true }), row("c")], client, (id) => revoked.push(id));
    const items = el("sessions").children;
    assert.deepEqual(items.map((li) => li.dataset.sessionId), ["b", "c", "a"]);
    assert.deepEqual(items.map((li) => li.children[1].textContent), [
      "curl · 10.0.0.1, last active just now",
      "curl · 10.0.0.1, last active just now",
      "curl · 10.0.0.1, ended after inactivity",
    ]);
    assert.equal(items[0].children[2].textContent, "This browser");
    const button = items[1].children[2];
    assert.equal(button.textContent, "End session");
    button.listeners.click();
    assert.deepEqual(revoked, ["c"]);
    assert.equal(items[2].children.length, 2);
    assert.equal(el("sessions-card").hidden, false);
  });

  test("the retry notice counts down to the next retry, and says when the connection is back", () => {
    const { view, el, clock } = setUp();
    const connection = new Connection(() => view.renderConnection(connection));
    connection.failed("token", 4200, () => {});
    assert.equal(el("connection").hidden, false);
    assert.equal(el("connection-text").textContent, "Can't reach the server, retrying in 5 s…");
    clock.time = 4000;
    view.renderConnection(connection);
    assert.equal(el("connection-text").textContent, "Can't reach the server, retrying in 1 s…");
    connection.ok("token");
    assert.equal(el("connection").hidden, true);
    assert.equal(el("flash").textContent, "Connected again. You're still signed in.");
  });

  test("a flash goes after 6 s unless it is sticky", async () => {
    const { view, el, clock } = setUp();
    view.flash("Hello");
    await clock.advance(5999);
    assert.equal(el("flash").hidden, false);
    await clock.advance(1);
    assert.deepEqual([el("flash").hidden, el("flash").textContent], [true, ""]);
    view.flash("Signing you out…", { sticky: true });
    await clock.advance(60_000);
    assert.equal(el("flash").textContent, "Signing you out…");
  });

  test("errors are said, never as a sign-out", () => {
    const { view, el } = setUp();
    view.showError(new RequestFailed(403, { detail: "no" }));
    assert.equal(el("flash").textContent, "You don't have permission to do that. You're still signed in.");
    view.showError(new RequestFailed(400, { detail: "Bad limit." }));
    assert.equal(el("flash").textContent, "That didn't work: Bad limit.");
    view.showError(new Unreachable(0));
    assert.equal(el("flash").textContent, "Can't reach the server. Please try again in a moment.");
  });
});
