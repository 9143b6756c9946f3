// The admin's inactivity warning: the web UI's own dialog and countdown (warning.js, clock.js, words.js), on the
// admin's session cookie instead of a token. It only polls the passive session endpoint, so an open admin tab
// keeps nobody signed in; "Stay signed in" resets the clock; at the deadline it goes to the admin's login page,
// which says why (admin_login.js).

import { PATHS, send } from "./api.js";
import { classify, classifyRefresh } from "./classify.js";
import { endsByTimeLimit, phaseAt, secondsLeft, skewSample, toLocalMs, updateSkew } from "./clock.js";
import { warningDialogOn } from "./warning.js";
import { reasonQuery } from "./words.js";

const TICK_MS = 250;
const $ = (id) => document.getElementById(id);

function leave(reason, config) {
  const next = encodeURIComponent(location.pathname + location.search);
  location.assign(`/admin/login/${reasonQuery(reason, config)}&next=${next}`);
}

function init() {
  // `config`: the session's own policy (the config endpoint answers with it on the cookie).
  const state = { idleDeadline: null, sessionEnd: null, skew: null, warningMs: 0, pollMs: 30_000, staying: false, config: null };

  /** One call on the cookie; the server's word that the session is over ends it here too. */
  async function call(method, path) {
    const answer = await send(method, path, { csrf: method !== "GET" });
    // A cookie has nothing to refresh: every 401 is final, as a failed refresh is for the web UI.
    if (answer.status === 401) leave(classifyRefresh(answer.status, answer.body).reason, state.config);
    if (classify(answer.status, answer.body).kind !== "ok") return null;
    state.skew = updateSkew(state.skew, skewSample({ serverTime: answer.body.server_time, ...answer }));
    return answer.body;
  }

  function adopt(session) {
    if (!session) return;
    const skewMs = state.skew ? state.skew.skew : 0;
    state.idleDeadline = toLocalMs(session.idle_expires_at, skewMs);
    state.sessionEnd = toLocalMs(session.expires_at, skewMs);
  }

  const warning = warningDialogOn(document, {
    prefix: "ndf-",
    onStay: async () => {
      state.staying = true;
      warning.setStatus("");
      adopt(await call("POST", PATHS.extend));
      state.staying = false;
      tick();
    },
  });
  $("ndf-stay").addEventListener("click", () => warning.primary());
  $("ndf-sign-out").addEventListener("click", async () => {
    await send("POST", PATHS.logout, { csrf: true });
    leave("signed_out", null);
  });

  async function poll() {
    adopt(await call("GET", PATHS.session));
  }

  function tick() {
    const now = Date.now();
    const phase = phaseAt({ now, idleDeadline: state.idleDeadline, warningMs: state.warningMs });
    if (phase === "active") {
      if (warning.open && !state.staying) warning.close();
      return;
    }
    warning.show({
      seconds: secondsLeft(state.idleDeadline, now),
      timeLimit: endsByTimeLimit(state),
      deadline: state.idleDeadline,
    });
    if (phase === "due" && !state.staying) poll(); // the server confirms: a 401 leaves, a later deadline goes on
  }

  (async () => {
    const config = await call("GET", PATHS.config);
    if (!config || !config.features.inactivity_based_expiration) return;
    state.config = config;
    state.warningMs = config.warning_seconds * 1000;
    state.pollMs = config.token_check_interval_seconds * 1000;
    await poll();
    setInterval(tick, TICK_MS);
    setInterval(poll, state.pollMs);
  })();
}

init();
