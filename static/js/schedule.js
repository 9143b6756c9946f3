// Background work on a cadence, with back-off when the server is unreachable, and one shared notion of
// "the connection is in trouble" for the retry notice.

import { Unreachable } from "./api.js";
import { backoffDelay } from "./logic.js";

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
 * Run `run` every `intervalMs`; when it throws Unreachable, retry with exponential back-off (1 s, 2 s, ... capped
 * at the interval, at least 5 s) and report to the connection; any other error goes to `onError`.
 */
export class Repeater {
  constructor({ name, run, intervalMs, connection, onError }) {
    Object.assign(this, { name, run, intervalMs, connection, onError });
    this.timer = null;
    this.failures = 0;
    this.running = false;
    this.stopped = false;
  }

  schedule(delayMs) {
    clearTimeout(this.timer);
    if (!this.stopped) this.timer = setTimeout(() => this.tick(), Math.max(0, delayMs));
  }

  start(delayMs = this.intervalMs) {
    this.stopped = false;
    this.schedule(delayMs);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  runNow() {
    if (!this.running) this.schedule(0);
  }

  async tick() {
    if (this.running || this.stopped) return;
    this.running = true;
    let next = this.intervalMs;
    try {
      await this.run();
      this.failures = 0;
      this.connection.ok(this.name);
    } catch (error) {
      if (error instanceof Unreachable) {
        next = backoffDelay(this.failures, { capMs: Math.max(5000, this.intervalMs), random: Math.random() });
        this.failures += 1;
        this.connection.failed(this.name, Date.now() + next, () => this.runNow());
      } else {
        this.failures = 0;
        this.connection.ok(this.name);
        this.onError(error);
      }
    } finally {
      this.running = false;
    }
    this.schedule(next);
  }
}
