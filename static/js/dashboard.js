// The dashboard: who is signed in, the session's clocks, recent activity, sign-ins, and the inactivity warning.
// Background checks use passive endpoints only, so an open tab never keeps a session alive by itself.

import { summarizeAgent } from "./agent.js";
import { PATHS, RequestFailed, SessionOver, Unreachable } from "./api.js";
import { endsByTimeLimit, phaseAt, secondsLeft } from "./clock.js";
import { Connection, Repeater, backoffDelay } from "./schedule.js";
import { SessionClient } from "./session.js";
import { refreshAt } from "./token.js";
import { WarningDialog } from "./warning.js";
import { describeActivity, endReasonWords, formatCountdown, formatDuration, formatRelative } from "./words.js";

const $ = (id) => document.getElementById(id);
const TICK_MS = 250;
const CONFIRM_GRACE_MS = 250; // ask the server a moment after the deadline, not a moment before
const MAX_CONFIRMS = 4;

const client = new SessionClient();
const repeaters = [];
let config = null;
let leaving = false;

// --- small view helpers ------------------------------------------------------------------------------------

function setText(id, text) {
  const el = $(id);
  if (el && el.textContent !== text) el.textContent = text;
}

function localTime(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

function localDateTime(ms) {
  const d = new Date(ms);
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay ? localTime(ms) : d.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

let flashTimer = null;
function flash(message, { sticky = false } = {}) {
  const box = $("flash");
  box.textContent = message;
  box.hidden = !message;
  clearTimeout(flashTimer);
  if (message && !sticky) flashTimer = setTimeout(() => flash(""), 6000);
}

function setPhase(phase) {
  if (document.body.dataset.phase !== phase) document.body.dataset.phase = phase;
}

// --- leaving: every end of the session goes through here -----------------------------------------------------

function leave(reason) {
  if (leaving) return;
  leaving = true;
  for (const r of repeaters) r.stop();
  setPhase("ended");
  if (warning.open) warning.close();
  const query = reason && reason !== "invalid_start" ? `?reason=${encodeURIComponent(reason)}` : "";
  window.location.replace(`/login/${query}`);
}

client.addEventListener("ended", (event) => leave(event.detail.reason));
client.addEventListener("replaced", () => window.location.reload());

/** Route an error of any background or user action: only SessionOver ends anything. */
function handleError(error) {
  if (error instanceof SessionOver) {
    client.end(error.reason);
  } else if (error instanceof RequestFailed) {
    flash(
      error.status === 403
        ? "You don't have permission to do that. You're still signed in."
        : `That didn't work: ${error.message}`,
    );
  } else if (error instanceof Unreachable) {
    flash("Can't reach the server. Please try again in a moment.");
  } else {
    console.error(error); // eslint-disable-line no-console
    flash("Something went wrong on this page. You're still signed in.");
  }
}

// --- the connection notice ---------------------------------------------------------------------------------

const connection = new Connection(() => renderConnection());

function renderConnection() {
  const box = $("connection");
  const was = !box.hidden;
  box.hidden = !connection.troubled;
  document.body.dataset.connection = connection.troubled ? "retrying" : "ok";
  if (connection.troubled) {
    const next = connection.nextRetryAt;
    const inSeconds = next ? secondsLeft(next, Date.now()) : null;
    setText(
      "connection-text",
      inSeconds ? `Can't reach the server, retrying in ${inSeconds} s…` : "Can't reach the server, retrying…",
    );
  } else if (was) {
    flash("Connected again. You're still signed in.");
  }
}

$("retry-now").addEventListener("click", () => connection.retryAll());
// The browser knows before any request fails: say so at once, and check again as soon as it's back.
window.addEventListener("offline", () => connection.failed("offline", null, () => {}));
window.addEventListener("online", () => {
  connection.ok("offline");
  connection.retryAll();
  tokenCheck.runNow();
});

// --- the warning dialog and the end of the countdown ---------------------------------------------------------

const warning = new WarningDialog({
  dialog: $("warning"),
  slot: $("warning-actions"),
  actions: $("session-actions"),
  countdown: $("warning-countdown"),
  title: $("warning-title"),
  text: $("warning-text"),
  status: $("warning-status"),
  stay: $("stay"),
  announcer: $("announcer"),
  onStay: () => stay(),
});

let confirming = false;
let confirmNotBefore = 0;
let confirms = 0;

/** The deadline passed: ask the server (passively) whether the session really ended, and leave if it did. */
async function confirmEnd() {
  confirming = true;
  const timeLimit = endsByTimeLimit(client.state);
  try {
    await client.fetchState(); // a 401 here throws SessionOver with the server's reason
    connection.ok("confirm");
    warning.setStatus("");
    // Still alive with a later deadline: kept alive elsewhere, or our clock ran a little fast. Else ask again.
    if (client.state.idleDeadline <= Date.now() && ++confirms >= MAX_CONFIRMS) {
      client.end(timeLimit ? "expired" : "inactive");
    }
    confirmNotBefore = Date.now() + 1000;
  } catch (error) {
    if (error instanceof Unreachable) {
      const delay = backoffDelay(confirms++, { capMs: 10_000 });
      confirmNotBefore = Date.now() + delay;
      connection.failed("confirm", confirmNotBefore, () => {
        confirmNotBefore = 0;
      });
      warning.setStatus("Can't reach the server to confirm your session, retrying…");
    } else {
      handleError(error);
    }
  } finally {
    confirming = false;
  }
}

// --- staying signed in and signing out ---------------------------------------------------------------------

let staying = false;

async function stay() {
  if (staying || leaving) return;
  staying = true;
  $("stay").disabled = true;
  let attempt = 0;
  try {
    for (;;) {
      try {
        await client.extend();
        connection.ok("extend");
        warning.setStatus("");
        warning.close();
        flash(`You're still signed in. Thanks!`);
        activityCheck.runNow();
        return;
      } catch (error) {
        if (!(error instanceof Unreachable)) throw error;
        // Keep trying while the session can still be saved; past the deadline the confirmation takes over.
        if (client.state && Date.now() >= client.state.idleDeadline) throw error;
        const delay = backoffDelay(attempt++, { capMs: 5000 });
        connection.failed("extend", Date.now() + delay, () => {});
        warning.setStatus("Can't reach the server, retrying…");
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  } catch (error) {
    handleError(error);
  } finally {
    staying = false;
    $("stay").disabled = false;
  }
}

let signingOut = false;

async function signOut() {
  if (signingOut || leaving) return;
  signingOut = true;
  $("sign-out").disabled = true;
  flash("Signing you out…", { sticky: true });
  let attempt = 0;
  for (;;) {
    try {
      await client.signOut();
      return;
    } catch (error) {
      if (!(error instanceof Unreachable)) {
        signingOut = false;
        $("sign-out").disabled = false;
        handleError(error);
        return;
      }
      const delay = backoffDelay(attempt++, { capMs: 10_000 });
      connection.failed("sign-out", Date.now() + delay, () => {});
      flash("Can't reach the server to sign you out, retrying…", { sticky: true });
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

$("sign-out").addEventListener("click", signOut);
$("stay").addEventListener("click", () => (warning.open ? warning.primary() : stay()));

// --- rendering -----------------------------------------------------------------------------------------------

function renderClocks(now) {
  const state = client.state;
  if (!state) return;
  const serverNow = client.serverNow(now);
  const last = Date.parse(state.last_activity);
  const lastEl = $("last-activity");
  if (lastEl.dateTime !== state.last_activity) lastEl.dateTime = state.last_activity;
  setText("last-activity", localTime(state.lastActivityLocal));
  setText("last-activity-ago", `(${formatRelative(last, serverNow)})`);
  const timeLimit = endsByTimeLimit(state);
  setText("idle-left", formatCountdown(secondsLeft(state.idleDeadline, now)));
  setText("idle-at", timeLimit ? `(at ${localTime(state.idleDeadline)}, the time limit)` : `(at ${localTime(state.idleDeadline)})`);
  setText("session-end", localDateTime(state.sessionEnd));
  setText("session-end-left", `(${formatRelative(state.sessionEnd, now)})`);
  const payload = client.payload;
  if (payload && typeof payload.exp === "number") {
    const expLocal = payload.exp * 1000 - client.skewMs;
    $("token-exp").dataset.exp = String(payload.exp);
    setText(
      "token-exp",
      expLocal > now
        ? `valid until ${localTime(expLocal)} (${formatCountdown(secondsLeft(expLocal, now))} left)`
        : "renewing…",
    );
  }
}

function renderUser(user) {
  setText("user", user.email ? `${user.username} (${user.email})` : user.username);
}

function renderPolicy() {
  setText(
    "policy",
    `You're signed out after ${formatDuration(config.inactivity_threshold_minutes * 60)} without activity, and ` +
      `a sign-in lasts at most ${formatDuration(config.session_max_hours * 3600)}. Keeping this page open ` +
      `doesn't count as activity: you'll be warned ${formatDuration(config.warning_seconds)} before, ` +
      "so you can choose to stay.",
  );
}

function renderActivity(rows) {
  const list = $("activity");
  list.replaceChildren(
    ...rows.map((row) => {
      const li = document.createElement("li");
      const when = document.createElement("time");
      when.className = "when";
      when.dateTime = row.timestamp;
      when.textContent = localTime(Date.parse(row.timestamp) - client.skewMs);
      when.title = formatRelative(Date.parse(row.timestamp), client.serverNow());
      const what = document.createElement("span");
      what.className = "what";
      what.textContent = describeActivity(row);
      li.append(when, what);
      return li;
    }),
  );
  $("activity-empty").hidden = rows.length > 0;
  $("activity-card").hidden = false;
}

function renderSessions(sessions) {
  const list = $("sessions");
  const alive = sessions.filter((s) => !s.ended_at);
  const ended = sessions.filter((s) => s.ended_at).slice(0, 5);
  list.replaceChildren(
    ...[...alive, ...ended].map((s) => {
      const li = document.createElement("li");
      li.dataset.sessionId = s.id;
      const when = document.createElement("span");
      when.className = "when";
      when.textContent = localDateTime(Date.parse(s.created_at) - client.skewMs);
      const what = document.createElement("span");
      what.className = s.ended_at ? "what ended" : "what";
      const where = [summarizeAgent(s.user_agent), s.ip].filter(Boolean).join(" · ");
      what.textContent = s.ended_at
        ? `${where}, ${endReasonWords(s.end_reason)}`
        : `${where}, last active ${formatRelative(Date.parse(s.last_activity), client.serverNow())}`;
      li.append(when, what);
      if (s.current) {
        const tag = document.createElement("span");
        tag.className = "tag current";
        tag.textContent = "This browser";
        li.append(tag);
      }
      if (!s.ended_at && !s.current) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "button small";
        // "End session", not "Sign out": the page's one "Sign out" button stays unambiguous.
        button.textContent = "End session";
        button.setAttribute("aria-label", `End session started ${when.textContent} (${where})`);
        button.addEventListener("click", () => revoke(s.id, button));
        li.append(button);
      }
      return li;
    }),
  );
  $("sessions-card").hidden = false;
}

// --- data ----------------------------------------------------------------------------------------------------

/** The user's sign-ins: a tracked request, so only on page load or when the user asks. */
async function loadSessions() {
  const body = await client.call("GET", PATHS.sessions);
  renderSessions(body.results);
  await client.fetchState(); // that request was activity: the idle clock moved
}

async function revoke(id, button) {
  button.disabled = true;
  try {
    await client.call("DELETE", `${PATHS.sessions}/${encodeURIComponent(id)}`);
    flash("That session is signed out.");
    await loadSessions();
  } catch (error) {
    button.disabled = false;
    handleError(error);
  }
}

$("sessions-reload").addEventListener("click", () => loadSessions().catch(handleError));

async function loadActivity() {
  const query = new URLSearchParams({ category: "AUDIT", limit: "20" });
  // Staff may read everyone's rows: the dashboard shows the user's own, always.
  if (client.state && client.state.user) query.set("user_id", String(client.state.user.id));
  const body = await client.call("GET", `${PATHS.logs}?${query}`);
  renderActivity(body.results);
}

// --- cadence -------------------------------------------------------------------------------------------------

const tokenCheck = new Repeater({
  name: "token",
  run: () => client.fetchState(),
  intervalMs: 30_000,
  connection,
  onError: handleError,
});
const activityCheck = new Repeater({
  name: "activity",
  run: async () => {
    await loadActivity();
    await client.fetchState();
  },
  intervalMs: 120_000,
  connection,
  onError: handleError,
});
const refresher = new Repeater({
  name: "refresh",
  run: () => client.refresh({ why: "due" }),
  intervalMs: 60_000,
  connection,
  onError: handleError,
});
repeaters.push(tokenCheck, activityCheck, refresher);

/** Silent refresh: shortly before the access token's `exp`, whatever the polling cadence. */
function scheduleRefresh() {
  if (leaving || !client.payload) return;
  const at = refreshAt({ ...client.payload, skewMs: client.skewMs });
  refresher.intervalMs = Math.max(1000, at - Date.now()); // the next run after a success is rescheduled anyway
  if (refresher.failures === 0) refresher.start(at - Date.now());
}
client.addEventListener("token", scheduleRefresh);

client.addEventListener("state", (event) => {
  const { state } = event.detail;
  renderUser(state.user);
  if (state.idleDeadline > Date.now()) confirms = 0; // alive again (extended, perhaps in another tab)
  tick();
});

function tick() {
  if (leaving || !client.state) return;
  const now = Date.now();
  renderClocks(now);
  if (connection.troubled) renderConnection();
  const state = client.state;
  const warningMs = config.warning_seconds * 1000;
  const phase = phaseAt({ now, idleDeadline: state.idleDeadline, warningMs });
  setPhase(phase);
  if (phase === "active") {
    if (warning.open && !staying) warning.close();
    return;
  }
  warning.show({
    seconds: secondsLeft(state.idleDeadline, now),
    timeLimit: endsByTimeLimit(state),
    deadline: state.idleDeadline,
  });
  if (phase === "due" && !confirming && now >= state.idleDeadline + CONFIRM_GRACE_MS && now >= confirmNotBefore) {
    warning.setStatus(warning.status.textContent || "Signing you out…");
    confirmEnd();
  }
}

// Deliberate interaction with the page (a key, a click, a scroll; not a passing mouse) is the user at work: it
// tells the server, at most a few times per threshold. Buttons do their own requests; the open warning asks for
// an explicit choice.
let lastNudge = Date.now();

function onUserActivity(event) {
  if (leaving || staying || !config || !client.state || warning.open) return;
  if (event.target instanceof Element && event.target.closest("button, a, dialog")) return;
  const now = Date.now();
  if (now - lastNudge < Math.max(1000, (config.inactivity_threshold_minutes * 60_000) / 4)) return;
  lastNudge = now;
  client.extend().catch((error) => {
    if (!(error instanceof Unreachable)) handleError(error); // the polls already report a lost connection
  });
}

for (const type of ["pointerdown", "keydown", "wheel", "touchstart"]) {
  document.addEventListener(type, onUserActivity, { capture: true, passive: true });
}

document.addEventListener("visibilitychange", () => {
  // Background tabs run timers late: catch up as soon as the tab is seen again.
  if (document.visibilityState === "visible" && !leaving) {
    tokenCheck.runNow();
    if (client.payload && refreshAt({ ...client.payload, skewMs: client.skewMs }) <= Date.now()) refresher.runNow();
    tick();
  }
});

// --- start ---------------------------------------------------------------------------------------------------

async function start() {
  setPhase("loading");
  for (let attempt = 0; ; attempt += 1) {
    try {
      config = await client.start();
      break;
    } catch (error) {
      if (error instanceof SessionOver) {
        // No live session at all (no cookie) is a plain sign-in, not an expiry to explain.
        leave(error.reason === "invalid" ? "invalid_start" : error.reason);
        return;
      }
      if (!(error instanceof Unreachable)) throw error;
      const delay = backoffDelay(attempt, { capMs: 15_000 });
      connection.failed("start", Date.now() + delay, () => {});
      setText("loading", "Can't reach the server, retrying…");
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  connection.ok("start");
  tokenCheck.intervalMs = config.token_check_interval_seconds * 1000;
  activityCheck.intervalMs = config.activity_check_interval_seconds * 1000;
  renderPolicy();
  try {
    await loadSessions(); // also fetches the session state
    await loadActivity();
  } catch (error) {
    if (error instanceof Unreachable) {
      tokenCheck.start(0);
    } else {
      handleError(error);
    }
  }
  if (leaving) return;
  $("loading").hidden = true;
  $("session-card").hidden = false;
  $("main").setAttribute("aria-busy", "false");
  tokenCheck.start();
  activityCheck.start();
  scheduleRefresh();
  setInterval(tick, TICK_MS);
  tick();
}

start().catch(handleError);
