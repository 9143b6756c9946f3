// One refresh at a time across tabs: reusing a rotated refresh token ends the session on the server, so two
// tabs must never refresh with the same cookie. Web Locks where available, else a localStorage lease.

const LOCK_NAME = "ndfstudio-refresh";
const LEASE_KEY = "ndfstudio-refresh-lease";
const LEASE_MS = 10_000; // a tab that dies holding the lease blocks the others this long at most

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a lease found in storage still holds (pure; exported for tests). */
export function leaseHeld(raw, { now, owner }) {
  if (!raw) return false;
  try {
    const lease = JSON.parse(raw);
    return lease.owner !== owner && now - lease.at < LEASE_MS;
  } catch {
    return false;
  }
}

async function withLease(owner, fn, { storage, now = () => Date.now() }) {
  for (;;) {
    if (!leaseHeld(storage.getItem(LEASE_KEY), { now: now(), owner })) {
      storage.setItem(LEASE_KEY, JSON.stringify({ owner, at: now() }));
      await sleep(30 + Math.random() * 40); // let a racing writer land, then see who won
      const current = storage.getItem(LEASE_KEY);
      if (current && JSON.parse(current).owner === owner) break;
    }
    await sleep(100 + Math.random() * 100);
  }
  try {
    return await fn();
  } finally {
    const current = storage.getItem(LEASE_KEY);
    if (current && JSON.parse(current).owner === owner) storage.removeItem(LEASE_KEY);
  }
}

/** Run `fn` while holding the cross-tab refresh lock; resolve to its result. */
export function withRefreshLock(owner, fn, { nav = globalThis.navigator, storage = globalThis.localStorage } = {}) {
  if (nav && nav.locks && typeof nav.locks.request === "function") {
    return nav.locks.request(LOCK_NAME, { mode: "exclusive" }, () => fn());
  }
  if (storage) return withLease(owner, fn, { storage });
  return fn(); // a lone tab without storage: nothing to coordinate with
}
