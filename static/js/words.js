// What the UI says: durations, countdowns, relative times, the login page's reasons, log rows and end reasons.

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

/** The reasons a login page can be told about (in its `?reason=` parameter). */
const REASONS = Object.freeze(["inactive", "expired", "ended", "signed_out", "invalid"]);

/** The login page's sentence for a reason, or null. `config` is /api/auth/config's answer (may be null). */
export function reasonMessage(reason, config) {
  const minutes = config ? Number(config.inactivity_threshold_minutes) : NaN;
  const hours = config ? Number(config.session_max_hours) : NaN;
  switch (reason) {
    case "inactive":
      return Number.isFinite(minutes)
        ? `You were signed out after ${formatDuration(minutes * 60)} of inactivity.`
        : "You were signed out after a period of inactivity.";
    case "expiring":
      return Number.isFinite(hours)
        ? `Your session is about to reach its time limit of ${formatDuration(hours * 3600)}.`
        : "Your session is about to reach its time limit.";
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

/**
 * The login page's query for a session that ended for `reason`: with `after` (seconds) when the session was held to
 * a threshold of its own (a group's or the user's), which the login page cannot know and the site's would misstate.
 */
export function reasonQuery(reason, config) {
  const query = new URLSearchParams();
  if (reason) query.set("reason", reason);
  if (reason === "inactive" && config && config.policy_source && config.policy_source !== "site") {
    query.set("after", String(Math.round(config.inactivity_threshold_minutes * 60)));
  }
  const text = query.toString();
  return text ? `?${text}` : "";
}

/** The threshold (minutes) the login page should name: `?after=` when the dashboard said, else the site's. */
export function reasonMinutes(search, config) {
  const after = Number(new URLSearchParams(search || "").get("after"));
  if (Number.isFinite(after) && after > 0) return after / 60;
  return config ? Number(config.inactivity_threshold_minutes) : NaN;
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
