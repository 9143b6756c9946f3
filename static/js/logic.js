// Pure logic of the session UI: clocks, countdowns, phases, back-off, messages. No DOM, no network, so that
// Node's test runner can import it as is (`node --test static/js/tests/`).

/** The server codes that end a session in the UI, and the reason each one stands for. */
export const END_CODES = Object.freeze({
  token_inactive: "inactive",
  token_expired: "expired",
  session_ended: "ended",
});

/** The reasons a login page can be told about (in its `?reason=` parameter). */
export const REASONS = Object.freeze(["inactive", "expired", "ended", "signed_out", "invalid"]);

/** Decode a JWT's payload (no verification: the server verifies; the UI only reads `exp`, `iat`, `sid`). */
export function decodeJwtPayload(token) {
  if (typeof token !== "string") return null;
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    let b64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    b64 += "=".repeat((4 - (b64.length % 4)) % 4);
    const binary = atob(b64);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const payload = JSON.parse(new TextDecoder().decode(bytes));
    return payload && typeof payload === "object" ? payload : null;
  } catch {
    return null;
  }
}

/**
 * One clock-skew sample: how far the server's clock runs ahead of ours (ms), taken at the middle of the
 * round trip. `sentAt`/`receivedAt` are local epoch ms, `serverTime` an ISO 8601 string.
 */
export function skewSample({ serverTime, sentAt, receivedAt }) {
  const server = Date.parse(serverTime);
  if (Number.isNaN(server) || !(receivedAt >= sentAt)) return null;
  return { skew: server - (sentAt + receivedAt) / 2, rtt: receivedAt - sentAt, at: receivedAt };
}

/**
 * Fold a new sample into the estimate: the sample with the shortest round trip is the most precise, but an
 * estimate older than `maxAgeMs` gives way (clocks drift, laptops sleep).
 */
export function updateSkew(current, sample, { maxAgeMs = 10 * 60 * 1000 } = {}) {
  if (!sample) return current;
  if (!current) return sample;
  if (sample.rtt <= current.rtt || sample.at - current.at > maxAgeMs) return sample;
  return current;
}

/** Convert a server moment (ISO string or epoch ms) to the local clock, given the skew estimate (ms). */
export function toLocalMs(serverMoment, skewMs = 0) {
  const ms = typeof serverMoment === "number" ? serverMoment : Date.parse(serverMoment);
  return Number.isNaN(ms) ? null : ms - skewMs;
}

/** Whole seconds left until `deadline` (local ms), never negative; 0.2 s left still shows as 1 s. */
export function secondsLeft(deadline, now) {
  if (deadline == null) return null;
  return Math.max(0, Math.ceil((deadline - now) / 1000));
}

/** "4:05", "0:09", "1:02:03". */
export function formatCountdown(totalSeconds) {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** A duration in words, as people say it: "20 minutes", "1 hour 30 minutes", "6 seconds". */
export function formatDuration(totalSeconds) {
  const s = Math.max(0, Math.round(totalSeconds));
  if (s < 60) return plural(s, "second");
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return m > 0 ? `${plural(h, "hour")} ${plural(m, "minute")}` : plural(h, "hour");
  return rest > 0 && m < 5 ? `${plural(m, "minute")} ${plural(rest, "second")}` : plural(m, "minute");
}

/** "just now", "42 seconds ago", "3 minutes ago", "2 hours ago", "in 5 minutes". */
export function formatRelative(thenMs, nowMs) {
  const diff = Math.round((nowMs - thenMs) / 1000);
  const future = diff < 0;
  const s = Math.abs(diff);
  if (s < 5) return "just now";
  let words;
  if (s < 60) words = plural(s, "second");
  else if (s < 3600) words = plural(Math.floor(s / 60), "minute");
  else if (s < 86400) words = plural(Math.floor(s / 3600), "hour");
  else words = plural(Math.floor(s / 86400), "day");
  return future ? `in ${words}` : `${words} ago`;
}

/**
 * Where the session stands at `now` (all local ms): "active", "warning" (inside the warning window before the
 * idle sign-out), or "due" (the deadline passed: time to confirm with the server and sign out).
 */
export function phaseAt({ now, idleDeadline, warningMs }) {
  if (idleDeadline == null) return "active";
  if (now >= idleDeadline) return "due";
  if (idleDeadline - now <= warningMs) return "warning";
  return "active";
}

/** Whether the coming sign-out is the session's time limit rather than inactivity (extending cannot help). */
export function endsByTimeLimit({ idleDeadline, sessionEnd, toleranceMs = 1500 }) {
  return idleDeadline != null && sessionEnd != null && idleDeadline >= sessionEnd - toleranceMs;
}

/**
 * When to refresh an access token (local ms): shortly before its `exp`, leaving a margin of a fifth of its
 * lifetime (at least 1 s, at most 60 s) for slow networks and throttled background timers.
 */
export function refreshAt({ exp, iat, skewMs = 0 }) {
  if (typeof exp !== "number") return null;
  const lifetimeMs = typeof iat === "number" && exp > iat ? (exp - iat) * 1000 : 5 * 60 * 1000;
  const margin = Math.min(60_000, Math.max(1_000, lifetimeMs / 5));
  return exp * 1000 - skewMs - margin;
}

/** Whether a token is still good for at least `marginMs` more (so another tab's fresh token can be reused). */
export function tokenFresh(payload, { now, skewMs = 0, marginMs = 0 }) {
  return !!payload && typeof payload.exp === "number" && payload.exp * 1000 - skewMs - now > marginMs;
}

/** Exponential back-off with a cap: 1 s, 2 s, 4 s, ... (attempt counts from 0); `random` in [0, 1) adds jitter. */
export function backoffDelay(attempt, { baseMs = 1000, capMs = 30_000, random = 0 } = {}) {
  const raw = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(raw * (1 - 0.2 * random));
}

/**
 * What a response means to the UI: "ok", "end" (with `reason`: the session is over), "refresh" (the access
 * token expired or is unusable: try a refresh before concluding anything), "retry" (network or server
 * trouble: not a logout), "forbidden" (403: never a logout), or "error" (any other client error).
 */
export function classify(status, body) {
  if (status === 0) return { kind: "retry" };
  if (status >= 200 && status < 300) return { kind: "ok" };
  const code = body && typeof body === "object" ? body.code : undefined;
  if (status === 401) {
    if (code === "token_inactive" || code === "session_ended") return { kind: "end", reason: END_CODES[code] };
    return { kind: "refresh", code: code || "token_not_valid" };
  }
  if (status === 403) return { kind: "forbidden" };
  if (status === 408 || status === 429 || status >= 500) return { kind: "retry" };
  return { kind: "error" };
}

/** What a failed refresh means: the session is over (with its reason), or the failure is transient. */
export function classifyRefresh(status, body) {
  if (status === 0 || status === 408 || status === 429 || status >= 500) return { kind: "retry" };
  if (status === 403) return { kind: "forbidden" };
  const code = body && typeof body === "object" ? body.code : undefined;
  if (status === 401) return { kind: "end", reason: END_CODES[code] || "invalid" };
  return { kind: "end", reason: "invalid" };
}

/** The login page's sentence for a reason, or null. `config` is /api/auth/config's answer (may be null). */
export function reasonMessage(reason, config) {
  const minutes = config ? Number(config.inactivity_threshold_minutes) : NaN;
  const hours = config ? Number(config.session_max_hours) : NaN;
  switch (reason) {
    case "inactive":
      return Number.isFinite(minutes)
        ? `You were signed out after ${formatDuration(minutes * 60)} of inactivity.`
        : "You were signed out after a period of inactivity.";
    case "expired":
      return Number.isFinite(hours)
        ? `Your session reached its time limit of ${formatDuration(hours * 3600)}. Sign in again to continue.`
        : "Your session reached its time limit. Sign in again to continue.";
    case "ended":
      return "Your session was ended: it was signed out elsewhere or revoked.";
    case "signed_out":
      return "You signed out.";
    case "invalid":
      return "Your sign-in is no longer valid. Please sign in again.";
    default:
      return null;
  }
}

/** Parse the login page's `?reason=`; unknown values mean no reason. */
export function parseReason(search) {
  const value = new URLSearchParams(search || "").get("reason");
  return REASONS.includes(value) ? value : null;
}

const ACTIVITY_WORDS = [
  ["POST", /^\/api\/auth\/session\/extend\/?$/, "Kept the session active"],
  ["GET", /^\/api\/auth\/sessions\/?$/, "Viewed your sign-ins"],
  ["DELETE", /^\/api\/auth\/sessions\/[^/]+\/?$/, "Signed out a session"],
  ["GET", /^\/api\/auth\/me\/?$/, "Opened your profile"],
  ["POST", /^\/api\/auth\/logout\/?$/, "Signed out"],
];

/** A log row in words for the dashboard ("Kept the session active"), falling back to its message. */
export function describeActivity(row) {
  for (const [method, pattern, words] of ACTIVITY_WORDS) {
    if (row.method === method && pattern.test(row.path || "")) return words;
  }
  return row.message || `${row.method || ""} ${row.path || ""}`.trim();
}

/** "Chrome on Linux" from a user agent string, or a shortened agent when nothing is recognised. */
export function summarizeAgent(ua) {
  if (!ua) return "Unknown device";
  const browser =
    [
      [/Edg\//, "Edge"],
      [/OPR\//, "Opera"],
      [/HeadlessChrome\//, "Headless Chrome"],
      [/Chrom(e|ium)\//, "Chrome"],
      [/Firefox\//, "Firefox"],
      [/Safari\//, "Safari"],
      [/^curl\//, "curl"],
      [/python-requests|python-httpx|aiohttp/i, "a Python client"],
    ].find(([re]) => re.test(ua))?.[1] || null;
  const os =
    [
      [/Android/, "Android"],
      [/iPhone|iPad/, "iOS"],
      [/Windows/, "Windows"],
      [/Mac OS X|Macintosh/, "macOS"],
      [/Linux|X11/, "Linux"],
    ].find(([re]) => re.test(ua))?.[1] || null;
  if (browser && os) return `${browser} on ${os}`;
  return browser || os || (ua.length > 40 ? `${ua.slice(0, 40)}…` : ua);
}

/** Why a login session ended, in words. */
export function endReasonWords(reason) {
  return (
    {
      logout: "signed out",
      revoked: "signed out remotely",
      inactive: "ended after inactivity",
      expired: "reached its time limit",
      reuse: "ended for safety (token reuse)",
    }[reason] || "ended"
  );
}
