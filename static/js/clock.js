// Time: the server's clock against ours (skew), and where the session's deadlines put us now. All local ms.

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
