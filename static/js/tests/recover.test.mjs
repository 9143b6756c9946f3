// Unit tests of session recovery: the "Continue as" dialog over a fake page, with a fake fetch and tab channel.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { PATHS } from "../api.js";
import { RECOVERABLE, RecoverDialog, recoverSession } from "../recover.js";
import { SessionClient } from "../session.js";
import { FakeClock, fakeFetch, jwt } from "./fakes.mjs";

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** An element as far as the dialog uses one. */
function element(extra = {}) {
  const listeners = {};
  return {
    hidden: false,
    textContent: "",
    value: "",
    disabled: false,
    focused: 0,
    addEventListener(type, fn) {
      (listeners[type] ||= []).push(fn);
    },
    fire(type) {
      const event = { type, defaultPrevented: false, preventDefault: () => (event.defaultPrevented = true) };
      for (const fn of listeners[type] || []) fn(event);
      return event;
    },
    focus() {
      this.focused += 1;
    },
    select() {},
    ...extra,
  };
}

function fakeSync() {
  return { usesChannel: true, posted: [], post(m) { this.posted.push(m); }, subscribe: () => () => {} }; // prettier-ignore
}

function setUp(answers) {
  const { fetch, calls } = fakeFetch(answers);
  const sync = fakeSync();
  const client = new SessionClient({ fetch, timers: new FakeClock(0), sync, lock: (owner, fn) => fn() });
  client.setAccess(jwt({ sid: "old", exp: 100 }));
  client.end("inactive");
  const dialog = element({
    open: false,
    showModal() { this.open = true; }, // prettier-ignore
    close() { this.open = false; }, // prettier-ignore
  });
  const parts = {
    dialog,
    form: element(),
    title: element(),
    text: element(),
    username: element(),
    password: element(),
    error: element({ hidden: true }),
    submit: element(),
    other: element(),
  };
  const log = [];
  const recover = new RecoverDialog({
    ...parts,
    client,
    onRecovered: () => log.push("recovered"),
    onGiveUp: (reason) => log.push(`give up ${reason}`),
  });
  const events = [];
  client.addEventListener("resumed", () => events.push("resumed"));
  return { calls, sync, client, parts, recover, log, events };
}

const user = { username: "ada" };
const config = { inactivity_threshold_minutes: 0.2 };

async function submit(parts, password) {
  parts.password.value = password;
  const event = parts.form.fire("submit");
  await settle();
  await settle();
  return event;
}

describe("the Continue as dialog", () => {
  test("offers only to idle sign-outs and the time limit", () => {
    assert.deepEqual([...RECOVERABLE], ["inactive", "expired"]);
  });

  test("asks for the password of the user the page showed", () => {
    const { parts, recover } = setUp([]);
    recover.show({ user, reason: "inactive", config });
    assert.equal(parts.dialog.open, true);
    assert.equal(parts.title.textContent, "Continue as ada");
    assert.equal(parts.text.textContent, "You were signed out after 12 seconds of inactivity. Enter your password to carry on where you were.");
    assert.equal(parts.username.value, "ada");
    assert.equal(parts.password.focused, 1);
  });

  test("the time limit coming while the password is typed keeps what was typed, and says why now", () => {
    const { parts, recover } = setUp([]);
    recover.show({ user, reason: "expiring", config: { session_max_hours: 1 } });
    assert.equal(parts.text.textContent, "Your session is about to reach its time limit of 1 hour. Enter your password to carry on where you were.");
    parts.password.value = "half-typ";
    recover.show({ user, reason: "expired", config: { session_max_hours: 1 } });
    assert.equal(parts.password.value, "half-typ");
    assert.equal(recover.reason, "expired");
    assert.match(parts.text.textContent, /^Your session reached its time limit of 1 hour\./);
  });

  test("the right password: the client goes on with the new session, and every tab hears it", async () => {
    const access = jwt({ sid: "new", exp: 200 });
    const { calls, sync, client, parts, recover, log, events } = setUp([[200, { access, session_id: "new" }]]);
    recover.show({ user, reason: "inactive", config });
    const event = await submit(parts, "pw");
    assert.equal(event.defaultPrevented, true); // no navigation
    assert.equal(calls.length, 1);
    assert.equal(calls[0].method, "POST");
    assert.equal(calls[0].path, PATHS.recover);
    assert.deepEqual(calls[0].body, { password: "pw", refresh_cookie_only: true });
    assert.ok("X-CSRFToken" in calls[0].headers);
    assert.equal(client.over, false);
    assert.equal(client.access, access);
    assert.equal(client.payload.sid, "new");
    assert.equal(client.state, null); // the old session's deadlines are gone until the new state comes
    assert.deepEqual(sync.posted.at(-1), { type: "recovered", access });
    assert.deepEqual(events, ["resumed"]);
    assert.deepEqual(log, ["recovered"]);
    assert.equal(parts.dialog.open, false);
    assert.equal(parts.password.value, "");
  });

  test("a wrong password says so and asks again", async () => {
    const { client, parts, recover, log } = setUp([[401, { detail: "No", code: "no_active_account" }]]);
    recover.show({ user, reason: "expired", config });
    await submit(parts, "wrong");
    assert.equal(parts.dialog.open, true);
    assert.equal(parts.error.hidden, false);
    assert.equal(parts.error.textContent, "That password isn't right. Try again.");
    assert.equal(parts.submit.disabled, false);
    assert.equal(client.over, true);
    assert.deepEqual(log, []);
  });

  test("a session that cannot be recovered goes to the login page with its reason", async () => {
    const { parts, recover, log } = setUp([[401, { detail: "No", code: "session_ended" }]]);
    recover.show({ user, reason: "inactive", config });
    await submit(parts, "pw");
    assert.deepEqual(log, ["give up inactive"]);
  });

  test("throttled or unreachable: a message, the dialog stays", async () => {
    const { parts, recover, log } = setUp([[429, { code: "throttled" }, { "Retry-After": "30" }], new Error("down")]);
    recover.show({ user, reason: "inactive", config });
    await submit(parts, "pw");
    assert.equal(parts.error.textContent, "Too many attempts. Try again in 30 seconds.");
    await submit(parts, "pw");
    assert.equal(parts.error.textContent, "Can't reach the server. Try again.");
    assert.deepEqual(log, []);
    assert.equal(parts.dialog.open, true);
  });

  test("Sign in as someone else goes to the login page; Escape does not close the dialog", () => {
    const { parts, recover, log } = setUp([]);
    recover.show({ user, reason: "expired", config });
    assert.equal(parts.dialog.fire("cancel").defaultPrevented, true);
    parts.other.fire("click");
    assert.deepEqual(log, ["give up expired"]);
  });
});

describe("recoverSession", () => {
  test("a 403 (CSRF) is shown, never final", async () => {
    const { client } = setUp([[403, { detail: "CSRF failed", code: "permission_denied" }]]);
    assert.deepEqual(await recoverSession(client, "pw"), { ok: false, final: false, message: "CSRF failed" });
  });
});

describe("a sibling tab's recovery", () => {
  test("an ended tab goes on with the recovered token, not as a replaced page", () => {
    const { client } = setUp([]);
    const seen = [];
    for (const type of ["resumed", "replaced"]) client.addEventListener(type, () => seen.push(type));
    const access = jwt({ sid: "new", exp: 200 });
    client.onMessage({ type: "recovered", access });
    assert.equal(client.over, false);
    assert.equal(client.access, access);
    assert.deepEqual(seen, ["resumed"]);
  });
});
