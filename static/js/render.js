// Rendering: the dashboard's text, lists and notices, from what the session client knows. No requests here.

import { summarizeAgent } from "./agent.js";
import { RequestFailed, Unreachable } from "./api.js";
import { endsByTimeLimit, secondsLeft } from "./clock.js";
import { realTimers } from "./timers.js";
import { describeActivity, endReasonWords, formatCountdown, formatDuration, formatRelative } from "./words.js";

const FLASH_MS = 6000;

function localTime(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

function localDateTime(ms) {
  const d = new Date(ms);
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay ? localTime(ms) : d.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

/** The dashboard's elements (by id in `doc`), and the flash message's timer. */
export class DashboardView {
  constructor(doc, { timers = realTimers } = {}) {
    this.doc = doc;
    this.timers = timers;
    this.flashTimer = null;
  }

  $(id) {
    return this.doc.getElementById(id);
  }

  setText(id, text) {
    const el = this.$(id);
    if (el && el.textContent !== text) el.textContent = text;
  }

  setPhase(phase) {
    if (this.doc.body.dataset.phase !== phase) this.doc.body.dataset.phase = phase;
  }

  flash(message, { sticky = false } = {}) {
    const box = this.$("flash");
    box.textContent = message;
    box.hidden = !message;
    this.timers.clearTimeout(this.flashTimer);
    if (message && !sticky) this.flashTimer = this.timers.setTimeout(() => this.flash(""), FLASH_MS);
  }

  /** Say what went wrong with an action; none of it ends the session (SessionOver is not for this view). */
  showError(error) {
    if (error instanceof RequestFailed) {
      this.flash(
        error.status === 403
          ? "You don't have permission to do that. You're still signed in."
          : `That didn't work: ${error.message}`,
      );
    } else if (error instanceof Unreachable) {
      this.flash("Can't reach the server. Please try again in a moment.");
    } else {
      console.error(error); // eslint-disable-line no-console
      this.flash("Something went wrong on this page. You're still signed in.");
    }
  }

  /** The retry notice; a notice that goes away says so. */
  renderConnection(connection) {
    const box = this.$("connection");
    const was = !box.hidden;
    box.hidden = !connection.troubled;
    this.doc.body.dataset.connection = connection.troubled ? "retrying" : "ok";
    if (connection.troubled) {
      const next = connection.nextRetryAt;
      const inSeconds = next ? secondsLeft(next, this.timers.now()) : null;
      this.setText(
        "connection-text",
        inSeconds ? `Can't reach the server, retrying in ${inSeconds} s…` : "Can't reach the server, retrying…",
      );
    } else if (was) {
      this.flash("Connected again. You're still signed in.");
    }
  }

  renderClocks(client, now) {
    const state = client.state;
    if (!state) return;
    const serverNow = client.serverNow(now);
    const last = Date.parse(state.last_activity);
    const lastEl = this.$("last-activity");
    if (lastEl.dateTime !== state.last_activity) lastEl.dateTime = state.last_activity;
    this.setText("last-activity", localTime(state.lastActivityLocal));
    this.setText("last-activity-ago", `(${formatRelative(last, serverNow)})`);
    const at = localTime(state.idleDeadline);
    this.setText("idle-left", formatCountdown(secondsLeft(state.idleDeadline, now)));
    this.setText("idle-at", endsByTimeLimit(state) ? `(at ${at}, the time limit)` : `(at ${at})`);
    this.setText("session-end", localDateTime(state.sessionEnd));
    this.setText("session-end-left", `(${formatRelative(state.sessionEnd, now)})`);
    const payload = client.payload;
    if (payload && typeof payload.exp === "number") {
      const expLocal = payload.exp * 1000 - client.skewMs;
      this.$("token-exp").dataset.exp = String(payload.exp);
      this.setText(
        "token-exp",
        expLocal > now
          ? `valid until ${localTime(expLocal)} (${formatCountdown(secondsLeft(expLocal, now))} left)`
          : "renewing…",
      );
    }
  }

  renderUser(user) {
    this.setText("user", user.email ? `${user.username} (${user.email})` : user.username);
  }

  renderPolicy(config) {
    this.setText(
      "policy",
      `You're signed out after ${formatDuration(config.inactivity_threshold_minutes * 60)} without activity, and ` +
        `a sign-in lasts at most ${formatDuration(config.session_max_hours * 3600)}. Keeping this page open ` +
        `doesn't count as activity: you'll be warned ${formatDuration(config.warning_seconds)} before, ` +
        "so you can choose to stay.",
    );
  }

  /** One item of a list: a time, then words. */
  row(whenTag, whenText, whatClass, whatText) {
    const li = this.doc.createElement("li");
    const when = this.doc.createElement(whenTag);
    when.className = "when";
    when.textContent = whenText;
    const what = this.doc.createElement("span");
    what.className = whatClass;
    what.textContent = whatText;
    li.append(when, what);
    return { li, when };
  }

  renderActivity(rows, client) {
    this.$("activity").replaceChildren(
      ...rows.map((row) => {
        const at = Date.parse(row.timestamp);
        const { li, when } = this.row("time", localTime(at - client.skewMs), "what", describeActivity(row));
        when.dateTime = row.timestamp;
        when.title = formatRelative(at, client.serverNow());
        return li;
      }),
    );
    this.$("activity-empty").hidden = rows.length > 0;
    this.$("activity-card").hidden = false;
  }

  /** The sign-ins, live ones first; `onRevoke(id, button)` ends another one. */
  renderSessions(sessions, client, onRevoke) {
    const alive = sessions.filter((s) => !s.ended_at);
    const ended = sessions.filter((s) => s.ended_at).slice(0, 5);
    this.$("sessions").replaceChildren(
      ...[...alive, ...ended].map((s) => {
        const started = localDateTime(Date.parse(s.created_at) - client.skewMs);
        const where = [summarizeAgent(s.user_agent), s.ip].filter(Boolean).join(" · ");
        const words = s.ended_at
          ? `${where}, ${endReasonWords(s.end_reason)}`
          : `${where}, last active ${formatRelative(Date.parse(s.last_activity), client.serverNow())}`;
        const { li } = this.row("span", started, s.ended_at ? "what ended" : "what", words);
        li.dataset.sessionId = s.id;
        if (s.current) {
          const tag = this.doc.createElement("span");
          tag.className = "tag current";
          tag.textContent = "This browser";
          li.append(tag);
        }
        if (!s.ended_at && !s.current) {
          const button = this.doc.createElement("button");
          button.type = "button";
          button.className = "button small";
          // "End session", not "Sign out": the page's one "Sign out" button stays unambiguous.
          button.textContent = "End session";
          button.setAttribute("aria-label", `End session started ${started} (${where})`);
          button.addEventListener("click", () => onRevoke(s.id, button));
          li.append(button);
        }
        return li;
      }),
    );
    this.$("sessions-card").hidden = false;
  }
}
