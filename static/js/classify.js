// What an HTTP answer means to the UI. Errors are not logouts: only the server's own codes end a session.

/** The server codes that end a session in the UI, and the reason each one stands for. */
const END_CODES = Object.freeze({
  token_inactive: "inactive",
  token_expired: "expired",
  session_ended: "ended",
});

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
