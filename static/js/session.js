// The browser's side of a login session: the access token (memory only), the skew-corrected clocks, silent
// refresh under a cross-tab lock, and the tab-to-tab messages that make several tabs act as one.

import { PATHS, RequestFailed, SessionOver, Unreachable, interpret, interpretRefresh, send } from "./api.js";
import { withRefreshLock } from "./lock.js";
import { skewSample, toLocalMs, updateSkew } from "./clock.js";
import { TAB_ID, createTabSync } from "./tabsync.js";
import { realTimers } from "./timers.js";
import { decodeJwtPayload, refreshAt } from "./token.js";

const HELLO_WAIT_MS = 300;

/** One tab's session. `fetch`, `timers`, `sync` (tabsync.js) and `lock` (lock.js) are the browser's unless a test
 * hands in its own. */
export class SessionClient extends EventTarget {
  constructor({ fetch, timers = realTimers, sync = createTabSync(), lock = withRefreshLock } = {}) {
    super();
    Object.assign(this, { fetch, timers, lock });
    this.access = null;
    this.payload = null;
    this.skew = null; // {skew, rtt, at}
    this.state = null; // the last /api/auth/session answer, plus local-clock deadlines
    this.over = false;
    this.sync = sync;
    this.sync.subscribe((message) => this.onMessage(message));
  }

  get skewMs() {
    return this.skew ? this.skew.skew : 0;
  }

  /** Local "now" on the server's clock. */
  serverNow(now = this.timers.now()) {
    return now + this.skewMs;
  }

  send(method, path, options = {}) {
    return send(method, path, { ...options, fetch: this.fetch, timers: this.timers });
  }

  observe(answer) {
    const serverTime = answer.body && answer.body.server_time;
    if (serverTime) this.skew = updateSkew(this.skew, skewSample({ serverTime, ...answer }));
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  setAccess(access, { broadcast = false } = {}) {
    const payload = decodeJwtPayload(access);
    if (!payload) return;
    if (this.payload && payload.sid && this.payload.sid && payload.sid !== this.payload.sid) {
      // Another tab signed in anew: this page's state belongs to the old session.
      this.emit("replaced", {});
    }
    this.access = access;
    this.payload = payload;
    if (broadcast) this.sync.post({ type: "token", access });
    this.emit("token", { payload });
  }

  applyState(body, { broadcast = false } = {}) {
    this.state = {
      ...body,
      idleDeadline: toLocalMs(body.idle_expires_at, this.skewMs),
      sessionEnd: toLocalMs(body.expires_at, this.skewMs),
      lastActivityLocal: toLocalMs(body.last_activity, this.skewMs),
    };
    if (broadcast) this.sync.post({ type: "state", state: body });
    this.emit("state", { state: this.state });
  }

  /** Get a token for this tab: from a sibling tab if one is signed in, else by refreshing with the cookie. */
  async start() {
    const config = await this.send("GET", PATHS.config);
    this.observe(config);
    if (config.status === 200) this.config = config.body;
    else throw new Unreachable(config.status);
    const got = new Promise((resolve) => {
      const off = this.sync.subscribe((m) => {
        if (m.type === "token" && m.to === TAB_ID) {
          off();
          resolve(true);
        }
      });
      this.timers.setTimeout(() => {
        off();
        resolve(false);
      }, HELLO_WAIT_MS);
    });
    this.sync.post({ type: "hello" });
    if (!this.sync.usesChannel || !(await got)) await this.refresh();
    return this.config;
  }

  /**
   * Refresh the access token under the cross-tab lock. `due`: the token is about to expire (skipped if a sibling
   * already renewed it); `rejected`: the server refused the token we hold (skipped only if a sibling's token
   * arrived meanwhile).
   */
  async refresh({ why = "due" } = {}) {
    const before = this.access;
    return this.lock(TAB_ID, async () => {
      if (this.over) throw new SessionOver("ended");
      const sibling = this.access !== before && this.access !== null;
      if (sibling) return this.access;
      if (why === "due" && this.access && refreshAt({ ...this.payload, skewMs: this.skewMs }) > this.timers.now()) {
        return this.access;
      }
      const answer = await this.send("POST", PATHS.refresh, { json: {}, csrf: true });
      this.observe(answer);
      let body;
      try {
        body = interpretRefresh(answer);
      } catch (error) {
        // The refresh cookie lives exactly as long as the session: past the time limit the browser has dropped
        // it, and the server can only say "no token". The session's end, known from the server, says why.
        if (error instanceof SessionOver && error.reason === "invalid" && this.pastTimeLimit()) {
          throw new SessionOver("expired");
        }
        throw error;
      }
      this.setAccess(body.access, { broadcast: true });
      return this.access;
    });
  }

  /**
   * An authenticated call. A 401 that only says "this access token is stale" gets one refresh and one retry;
   * the session is declared over only on the server's word (SessionOver), never on an error.
   */
  async call(method, path, { json } = {}) {
    if (this.over) throw new SessionOver("ended");
    if (!this.access) await this.refresh();
    for (let attempt = 0; ; attempt += 1) {
      const answer = await this.send(method, path, { token: this.access, json });
      this.observe(answer);
      const result = interpret(answer);
      if (result.ok) return result.body;
      if (attempt > 0) throw new SessionOver(result.code === "token_expired" ? "expired" : "invalid");
      await this.refresh({ why: "rejected" });
    }
  }

  pastTimeLimit(now = this.timers.now()) {
    return !!this.state && this.state.sessionEnd != null && now >= this.state.sessionEnd - 1000;
  }

  async fetchState() {
    const body = await this.call("GET", PATHS.session);
    this.applyState(body);
    return this.state;
  }

  /** "Stay signed in": a tracked request that resets the inactivity clock, shown in every tab. */
  async extend() {
    const body = await this.call("POST", PATHS.extend);
    this.applyState(body, { broadcast: true });
    return this.state;
  }

  /** Sign out on the server, then everywhere. Throws Unreachable if the server cannot be told. */
  async signOut() {
    let answer = this.access ? await this.send("POST", PATHS.logout, { token: this.access }) : null;
    // A stale access token: sign out with the refresh cookie instead, which also ends the session.
    if (!answer || answer.status === 401) answer = await this.send("POST", PATHS.logout, { csrf: true });
    if (answer.status === 0 || answer.status >= 500) throw new Unreachable(answer.status);
    if (answer.status === 403) throw new RequestFailed(403, answer.body);
    // 204, or 401 from the cookie too: the session had already ended, nothing is left to do.
    this.end("signed_out");
  }

  /** The session is over in the UI: forget the token, tell the other tabs, and announce it. */
  end(reason, { broadcast = true } = {}) {
    if (this.over) return;
    this.over = true;
    this.access = null;
    this.payload = null;
    if (broadcast) this.sync.post({ type: "ended", reason });
    this.emit("ended", { reason });
  }

  /** A recovered session (recover.js): this tab goes on with its token, as if it had never ended. */
  resume(access, { broadcast = false } = {}) {
    this.over = false;
    this.state = null; // the ended session's clocks no longer apply; the new one's come with the next state
    this.payload = null; // a new session id on the same page: not a "replaced" page
    this.setAccess(access);
    if (broadcast) this.sync.post({ type: "recovered", access });
    this.emit("resumed", {});
  }

  onMessage(message) {
    if (message.type === "recovered" && message.access) {
      this.resume(message.access); // a sibling tab recovered the session this one also lost
      return;
    }
    if (this.over) return;
    switch (message.type) {
      case "hello":
        if (this.access) this.sync.post({ type: "token", access: this.access, to: message.from });
        if (this.state) this.sync.post({ type: "state", state: this.stateBody(), to: message.from });
        break;
      case "token":
        if (message.access && (!message.to || message.to === TAB_ID)) this.setAccess(message.access);
        break;
      case "state":
        if (message.state && (!message.to || message.to === TAB_ID)) this.applyState(message.state);
        break;
      case "ended":
        this.end(message.reason || "ended", { broadcast: false });
        break;
      default:
        break;
    }
  }

  stateBody() {
    const { idleDeadline, sessionEnd, lastActivityLocal, ...body } = this.state; // eslint-disable-line no-unused-vars
    return body;
  }
}
