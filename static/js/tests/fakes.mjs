// Stand-ins for the browser that unit tests hand to the modules: storage, a clock with timers, and fetch.

export class MemoryStorage {
  constructor() {
    this.map = new Map();
  }
  getItem(key) {
    return this.map.has(key) ? this.map.get(key) : null;
  }
  setItem(key, value) {
    this.map.set(key, String(value));
  }
  removeItem(key) {
    this.map.delete(key);
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A clock whose time moves only when a test says so: hand it to a module as its `timers` (see timers.js). */
export class FakeClock {
  constructor(start = 1_000_000) {
    this.time = start;
    this.pending = new Map(); // id -> {at, fn}
    this.ids = 0;
    this.now = () => this.time;
    this.setTimeout = (fn, ms) => {
      this.ids += 1;
      this.pending.set(this.ids, { at: this.time + Math.max(0, ms || 0), fn });
      return this.ids;
    };
    this.clearTimeout = (id) => this.pending.delete(id);
  }

  /** Move time forward by `ms`, running every timer that comes due on the way (and the promises they start). */
  async advance(ms) {
    const end = this.time + ms;
    for (;;) {
      await settle();
      let due = null;
      for (const [id, timer] of this.pending) if (timer.at <= end && (!due || timer.at < due[1].at)) due = [id, timer];
      if (!due) break;
      this.pending.delete(due[0]);
      this.time = due[1].at;
      due[1].fn();
    }
    this.time = end;
    await settle();
  }
}

/**
 * A fetch that answers from a list, in order: `[status, body, headers]`, or an Error to throw (no answer). A body of
 * `undefined` is not JSON. Every request lands in `calls` as {method, path, headers, body (parsed)}.
 */
export function fakeFetch(answers) {
  const calls = [];
  const fetch = async (path, init) => {
    const body = init.body === undefined ? undefined : JSON.parse(init.body);
    calls.push({ method: init.method, path, headers: init.headers, body });
    const next = answers.shift();
    if (!next) throw new Error(`unexpected request: ${init.method} ${path}`);
    if (next instanceof Error) throw next;
    const [status, json, headers = {}] = next;
    return {
      status,
      json: async () => (json === undefined ? JSON.parse("not json") : json),
      headers: { get: (name) => headers[name] ?? null },
    };
  };
  return { fetch, calls };
}

/** An unsigned token with these claims (the UI never verifies signatures). */
export function jwt(payload) {
  const b64url = (obj) => Buffer.from(JSON.stringify(obj)).toString("base64url");
  return `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url(payload)}.signature`;
}
