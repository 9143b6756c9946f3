// The dashboard page: wires the session client, the view, the countdown and the background checks together.
// Background checks use passive endpoints only, so an open tab never keeps a session alive by itself.

import { signOutAction, stayAction, workAction } from "./actions.js";
import { loadActivityChart } from "./activity_chart.js";
import { PATHS, SessionOver, Unreachable } from "./api.js";
import { Countdown } from "./countdown.js";
import { policyForm } from "./policy.js";
import { RECOVERABLE, recoverDialogOn } from "./recover.js";
import { DashboardView } from "./render.js";
import { Connection, Repeater } from "./schedule.js";
import { SessionClient } from "./session.js";
import { refreshAt } from "./token.js";
import { warningDialogOn } from "./warning.js";
import { reasonQuery } from "./words.js";

const TICK_MS = 250;
const ACTIVITY_EVENTS = ["pointerdown", "keydown", "wheel", "touchstart"];

function init(doc, win) {
  const $ = (id) => doc.getElementById(id);
  const page = { config: null, leaving: false, staying: false, signingOut: false, lastNudge: Date.now() };
  const client = new SessionClient();
  const view = new DashboardView(doc);
  // Only the server's word (SessionOver) ends anything; every other error is shown, and the session goes on.
  const onError = (error) => (error instanceof SessionOver ? client.end(error.reason) : view.showError(error));
  const connection = new Connection(() => view.renderConnection(connection));
  const repeaters = [];
  const every = (options) => {
    const repeater = new Repeater({ connection, onError, ...options });
    repeaters.push(repeater);
    return repeater;
  };

  // Every end of the session goes through here. An idle sign-out or the time limit first offers to go on, on this
  // very page (recover.js); any other end, or "Sign in as someone else", goes to the login page.
  function leave(reason) {
    if (page.leaving) return;
    page.leaving = true;
    for (const r of repeaters) r.stop();
    view.setPhase("ended");
    if (warning.open) warning.close();
    const user = client.state && client.state.user;
    if (RECOVERABLE.includes(reason) && user) recover.show({ user, reason, config: page.config });
    else toLogin(reason);
  }
  const toLogin = (reason) =>
    win.location.replace(`/login/${reasonQuery(reason === "invalid_start" ? null : reason, page.config)}`);
  client.addEventListener("ended", (event) => leave(event.detail.reason));
  client.addEventListener("replaced", () => win.location.reload());

  const recover = recoverDialogOn(doc, {
    client,
    onRecovered: () => {},
    // Giving up before the end (the time limit was near) signs this session out first.
    onGiveUp: (reason) => (reason === "expiring" ? signOut() : toLogin(reason)),
  });
  // A new session, the same page: the clocks and checks go on from the server's word about it.
  client.addEventListener("resumed", () => {
    recover.close();
    if (!page.leaving) return tokenCheck.runNow(); // went on before the end: the checks never stopped
    page.leaving = false; // the clocks wait for the new session's state (tokenCheck), then run again
    $("announcer").textContent = "You're signed in again."; // said, not shown: a banner would move the page
    tokenCheck.start(0);
    activityCheck.start();
    scheduleRefresh();
  });

  const warning = warningDialogOn(doc, { onStay: () => stay(), goOn: $("go-on") });
  // The time limit is near: go on now, with the password, in a new session (the server ends this one then).
  $("go-on").addEventListener("click", () => {
    warning.close();
    recover.show({ user: client.state.user, reason: "expiring", config: page.config });
  });
  const countdown = new Countdown({ client, warning, view, connection, onError });
  const shared = { page, client, connection, view, onError };
  const { stay, repeater: stayer } = stayAction({
    ...shared,
    warning,
    button: $("stay"),
    onStayed: () => activityCheck.runNow(),
  });
  const { signOut, repeater: signer } = signOutAction({ ...shared, button: $("sign-out") });
  repeaters.push(countdown.confirmer, stayer, signer);

  /** The user's sign-ins: a tracked request, so only on page load or when the user asks. */
  async function loadSessions() {
    const body = await client.call("GET", PATHS.sessions);
    view.renderSessions(body.results, client, revoke);
    await client.fetchState(); // that request was activity: the idle clock moved
  }

  async function revoke(id, button) {
    button.disabled = true;
    try {
      await client.call("DELETE", `${PATHS.sessions}/${encodeURIComponent(id)}`);
      view.flash("That session is signed out.");
      await loadSessions();
    } catch (error) {
      button.disabled = false;
      onError(error);
    }
  }

  async function loadActivity() {
    const query = new URLSearchParams({ category: "AUDIT", limit: "20" });
    // Staff may read everyone's rows: the dashboard shows the user's own, always.
    if (client.state && client.state.user) query.set("user_id", String(client.state.user.id));
    const body = await client.call("GET", `${PATHS.logs}?${query}`);
    view.renderActivity(body.results, client);
    await loadActivityChart({
      client,
      slot: $("activity-chart"),
      summary: $("activity-chart-summary"),
      statsPath: PATHS.stats,
      userId: client.state && client.state.user ? client.state.user.id : undefined,
    });
    $("activity-chart-card").hidden = false;
  }

  const tokenCheck = every({ name: "token", run: () => client.fetchState(), intervalMs: 30_000 });
  const activityCheck = every({
    name: "activity",
    run: async () => {
      await loadActivity();
      await client.fetchState();
    },
    intervalMs: 120_000,
  });
  const refresher = every({ name: "refresh", run: () => client.refresh({ why: "due" }), intervalMs: 60_000 });
  const refreshDue = () => refreshAt({ ...client.payload, skewMs: client.skewMs });

  /** Silent refresh: shortly before the access token's `exp`, whatever the polling cadence. */
  function scheduleRefresh() {
    if (page.leaving || !client.payload) return;
    const inMs = refreshDue() - Date.now();
    refresher.intervalMs = Math.max(1000, inMs); // the next run after a success is rescheduled anyway
    if (refresher.failures === 0) refresher.start(inMs);
  }
  client.addEventListener("token", scheduleRefresh);

  function tick() {
    if (page.leaving || !client.state || !page.config) return;
    const now = Date.now();
    view.renderClocks(client, now);
    if (connection.troubled) view.renderConnection(connection);
    countdown.update(now, { staying: page.staying });
  }

  client.addEventListener("state", (event) => {
    const { state } = event.detail;
    view.renderUser(state.user);
    countdown.onState(state, Date.now());
    tick();
  });

  const onWork = workAction({ ...shared, warning });
  for (const type of ACTIVITY_EVENTS) doc.addEventListener(type, onWork, { capture: true, passive: true });
  doc.addEventListener("visibilitychange", () => {
    // Background tabs run timers late: catch up as soon as the tab is seen again.
    if (doc.visibilityState === "visible" && !page.leaving) {
      tokenCheck.runNow();
      if (client.payload && refreshDue() <= Date.now()) refresher.runNow();
      tick();
    }
  });
  $("retry-now").addEventListener("click", () => connection.retryAll());
  // The browser knows before any request fails: say so at once, and check again as soon as it's back.
  win.addEventListener("offline", () => connection.failed("offline", null, () => {}));
  win.addEventListener("online", () => {
    connection.ok("offline");
    connection.retryAll();
    tokenCheck.runNow();
  });
  $("sign-out").addEventListener("click", signOut);
  $("stay").addEventListener("click", () => (warning.open ? warning.primary() : stay()));
  $("sessions-reload").addEventListener("click", () => loadSessions().catch(onError));
  // Every sign-in of this user ends, in every browser: the others hear it from the server on their next check.
  $("sign-out-all").addEventListener("click", () =>
    client.call("POST", PATHS.logoutAll).then(() => client.end("signed_out"), onError),
  );

  // The user's own threshold; after a change, the policy this session is held to now, and its clock.
  const policy = policyForm({ doc, client, onChanged: () => begin(null, { again: true }), onError });

  /** Signed in: show the page and start the clocks, with the policy this session is held to (its own config). */
  async function begin(siteConfig, { again = false } = {}) {
    const config = await client.call("GET", PATHS.config).catch((error) => {
      if (error instanceof Unreachable) return siteConfig || page.config; // passive; the polls will retry
      throw error;
    });
    page.config = config;
    countdown.warningMs = config.warning_seconds * 1000;
    tokenCheck.intervalMs = config.token_check_interval_seconds * 1000;
    activityCheck.intervalMs = config.activity_check_interval_seconds * 1000;
    view.renderPolicy(config);
    if (again) return client.fetchState();
    try {
      await policy.load();
      await loadSessions(); // also fetches the session state
      await loadActivity();
    } catch (error) {
      if (error instanceof Unreachable) tokenCheck.start(0);
      else onError(error);
    }
    if (page.leaving) return;
    $("loading").hidden = true;
    $("session-card").hidden = false;
    $("main").setAttribute("aria-busy", "false");
    tokenCheck.start();
    activityCheck.start();
    scheduleRefresh();
    win.setInterval(tick, TICK_MS);
    tick();
  }

  view.setPhase("loading");
  every({
    name: "start",
    run: () => client.start(),
    once: true,
    capMs: 15_000,
    random: () => 0,
    onRetry: () => view.setText("loading", "Can't reach the server, retrying…"),
    onSuccess: (config) => begin(config).catch(onError),
    // No live session at all (no cookie) is a plain sign-in, not an expiry to explain.
    onError: (error) =>
      error instanceof SessionOver ? leave(error.reason === "invalid" ? "invalid_start" : error.reason) : onError(error),
  }).start(0);
}

init(document, window);
