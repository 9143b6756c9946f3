// The access token as the UI sees it: its claims (read, never verified: the server verifies) and when to renew it.

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
 * When to refresh an access token (local ms): shortly before its `exp`, leaving a margin of a fifth of its
 * lifetime (at least 1 s, at most 60 s) for slow networks and throttled background timers.
 */
export function refreshAt({ exp, iat, skewMs = 0 }) {
  if (typeof exp !== "number") return null;
  const lifetimeMs = typeof iat === "number" && exp > iat ? (exp - iat) * 1000 : 5 * 60 * 1000;
  const margin = Math.min(60_000, Math.max(1_000, lifetimeMs / 5));
  return exp * 1000 - skewMs - margin;
}
