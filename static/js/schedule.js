// Retry: background work on a cadence, with back-off when the server is unreachable, and one shared notion of
// "the connection is in trouble" for the retry notice.

import { Unreachable } from "./api.js";
import { realTimers } from "./timers.js";

/** Exponential back-off with a cap: 1 s, 2 s, 4 s, ... (attempt counts from 0); `random` in [0, 1) adds jitter. */
export function backoffDelay(attempt, { baseMs = 1000, capMs = 30_000, random = 0 } = {}) {
  const raw = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(raw * (1 - 0.2 * random));
}

/** Which tasks are failing and when each retries next; notifies `onChange` when that changes. */
export class Connection {
  constructor(onChange) {
    this.failing = new Map(); // name -> {retryAt, retry}
    this.onChange = onChange;
  }

  failed(name, retryAt, retry) {
    this.failing.set(name, { retryAt, retry });
    this.onChange(this);
  }

  ok(name) {
    if (this.failing.delete(name)) this.onChange(this);
  }

  get troubled() {
    return this.failing.size > 0;
  }

  /** When the soonest retry happens (local ms), or null. */
  get nextRetryAt() {
    let next = null;
    for (const { retryAt } of this.failing.values()) {
      if (retryAt != null) next = next === null ? retryAt : Math.min(next, retryAt);
    }
    return next;
  }

  retryAll() {
    for (const { retry } of [...this.failing.values()]) retry();
  }
}

/**
 * Run `run` every `intervalMs`, or with `once` until it succeeds. When it throws Unreachable (and `retryIf` agrees),
 * retry with exponential back-off (1 s, 2 s, ... capped at `capMs`, by default the interval and at least 5 s),
 * report to the connection and call `onRetry(delayMs)`; any other error goes to `onError`. `random` is the jitter
 * (`() => 0` for none); `timers` the clock (see timers.js).
 */
export class Repeater {
  constructor({
    name,
    run,
    intervalMs = 0,
    capMs = null,
    once = false,
    retryIf = () => true,
    onSuccess = () => {},
    onRetry = () => {},
    onError,
    connection,
    timers = realTimers,
    random = Math.random,
  }) {
    Object.assign(this, { name, run, intervalMs, capMs, once, retryIf, onSuccess, onRetry, onError, connection });
    Object.assign(this, { timers, random });
    this.timer = null;
    this.failures = 0;
    this.running = false;
    this.stopped = false;
  }

  schedule(delayMs) {
    this.timers.clearTimeout(this.timer);
    this.timer = this.stopped ? null : this.timers.setTimeout(() => this.tick(), Math.max(0, delayMs));
  }

  start(delayMs = this.intervalMs) {
    this.stopped = false;
    this.schedule(delayMs);
  }

  stop() {
    this.stopped = true;
    this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  runNow() {
    if (!this.running) this.schedule(0);
  }

  async tick() {
    this.timer = null;
    if (this.running || this.stopped) return;
    this.running = true;
    let next = this.intervalMs;
    try {
      const result = await this.run();
      this.succeeded();
      this.onSuccess(result);
    } catch (error) {
      if (error instanceof Unreachable && this.retryIf(error)) {
        next = backoffDelay(this.failures, { capMs: this.capMs ?? Math.max(5000, this.intervalMs), random: this.random() });
        this.failures += 1;
        this.connection.failed(this.name, this.timers.now() + next, () => this.runNow());
        this.onRetry(next);
      } else {
        this.succeeded(); // the server answered: the connection is fine, whatever the answer was
        this.onError(error);
      }
    } finally {
      this.running = false;
    }
    this.schedule(next);
  }

  succeeded() {
    this.failures = 0;
    this.connection.ok(this.name);
    if (this.once) this.stop();
  }
}
