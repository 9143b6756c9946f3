// The HTTP side of the UI: one fetch wrapper that times every call (for clock skew), a timeout so a hung server
// reads as unreachable, and the error types the rest of the UI reasons with.

import { classify, classifyRefresh } from "./classify.js";
import { realTimers } from "./timers.js";

export const PATHS = Object.freeze({
  config: "/api/auth/config",
  policy: "/api/auth/policy",
  login: "/api/auth/token/",
  refresh: "/api/auth/token/refresh/",
  recover: "/api/auth/recover",
  logout: "/api/auth/logout/",
  logoutAll: "/api/auth/logout/all",
  session: "/api/auth/session",
  extend: "/api/auth/session/extend",
  sessions: "/api/auth/sessions",
  logs: "/api/logs/recent",
  stats: "/api/logs/stats",
});

const TIMEOUT_MS = 5000; // a server that hangs this long counts as unreachable (the retry notice shows)

/** The session is over; `reason` is one of the login page's reasons (words.js). */
export class SessionOver extends Error {
  constructor(reason) {
    super(`session over: ${reason}`);
    this.reason = reason;
  }
}

/** The server could not be reached, timed out, or answered 5xx/429: retry later, never a logout. */
export class Unreachable extends Error {
  constructor(status) {
    super(status ? `server answered ${status}` : "server unreachable");
    this.status = status;
  }
}

/** Any other refusal (403 included): shown to the user, never a logout. */
export class RequestFailed extends Error {
  constructor(status, body) {
    super((body && body.detail) || `request failed (${status})`);
    this.status = status;
    this.body = body;
  }
}

function csrfToken(doc = globalThis.document) {
  const match = doc ? doc.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/) : null; // no document: a unit test
  return match ? decodeURIComponent(match[1]) : "";
}

/**
 * Send one request; never throws. Returns {status (0: no answer), body, sentAt, receivedAt, retryAfter}.
 * `credentials: "same-origin"` lets the refresh cookie travel to /api/auth/ (SameSite=Strict keeps it first-party).
 * `fetch` and `timers` are the browser's unless a test hands in its own.
 */
export async function send(
  method,
  path,
  { token, json, csrf = false, timeoutMs = TIMEOUT_MS, fetch = globalThis.fetch, timers = realTimers } = {},
) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (json !== undefined) headers["Content-Type"] = "application/json";
  if (csrf) headers["X-CSRFToken"] = csrfToken();
  const controller = new AbortController();
  const timer = timers.setTimeout(() => controller.abort(), timeoutMs);
  const sentAt = timers.now();
  try {
    const response = await fetch(path, {
      method,
      headers,
      body: json === undefined ? undefined : JSON.stringify(json),
      credentials: "same-origin",
      cache: "no-store",
      signal: controller.signal,
    });
    let body = null;
    if (response.status !== 204) {
      try {
        body = await response.json();
      } catch {
        body = null;
      }
    }
    return {
      status: response.status,
      body,
      sentAt,
      receivedAt: timers.now(),
      retryAfter: Number(response.headers.get("Retry-After")) || null,
    };
  } catch {
    return { status: 0, body: null, sentAt, receivedAt: timers.now(), retryAfter: null };
  } finally {
    timers.clearTimeout(timer);
  }
}

/** Turn an answer into its body, or throw what it means (see classify.js). `kind: "refresh"` is returned. */
export function interpret(answer) {
  const verdict = classify(answer.status, answer.body);
  if (verdict.kind === "ok") return { ok: true, body: answer.body };
  if (verdict.kind === "end") throw new SessionOver(verdict.reason);
  if (verdict.kind === "refresh") return { ok: false, refresh: true, code: verdict.code };
  if (verdict.kind === "retry") throw new Unreachable(answer.status);
  throw new RequestFailed(answer.status, answer.body);
}

/** Same for the refresh endpoint, whose 401s all end the session (after one has been tried). */
export function interpretRefresh(answer) {
  if (answer.status === 200 && answer.body && answer.body.access) return answer.body;
  const verdict = classifyRefresh(answer.status, answer.body);
  if (verdict.kind === "retry") throw new Unreachable(answer.status);
  if (verdict.kind === "forbidden") throw new RequestFailed(answer.status, answer.body);
  throw new SessionOver(verdict.reason);
}
