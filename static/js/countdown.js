// The countdown's state: where the session stands each tick (active, warning, due), the warning dialog, and, once
// the deadline has passed, asking the server (passively) whether the session really ended.

import { endsByTimeLimit, phaseAt, secondsLeft } from "./clock.js";
import { Repeater } from "./schedule.js";
import { realTimers } from "./timers.js";

const CONFIRM_GRACE_MS = 250; // ask the server a moment after the deadline, not a moment before
const CONFIRM_EVERY_MS = 1000;
const MAX_CONFIRMS = 4;

export class Countdown {
  /** `view` is a DashboardView, `warning` a WarningDialog; `onError` routes what the server's answers mean. */
  constructor({ client, warning, view, connection, onError, timers = realTimers }) {
    Object.assign(this, { client, warning, view });
    this.warningMs = 0;
    this.confirming = false;
    this.confirms = 0; // answers (or failures) since the deadline passed; enough of them and the page gives up
    this.confirmer = new Repeater({
      name: "confirm",
      run: () => this.confirm(),
      intervalMs: CONFIRM_EVERY_MS,
      capMs: 10_000,
      random: () => 0,
      onRetry: () => {
        this.confirms += 1;
        warning.setStatus("Can't reach the server to confirm your session, retrying…");
      },
      onError,
      connection,
      timers,
    });
  }

  /** A new state from the server (or another tab): a deadline in the future means alive again. */
  onState(state, now) {
    if (state.idleDeadline > now) {
      this.confirms = 0;
      this.confirming = false;
      this.confirmer.stop();
    }
  }

  /** Bring the phase and the warning up to `now`; `staying`: a "stay signed in" is under way, keep the dialog. */
  update(now, { staying }) {
    const state = this.client.state;
    const phase = phaseAt({ now, idleDeadline: state.idleDeadline, warningMs: this.warningMs });
    this.view.setPhase(phase);
    if (phase === "active") {
      if (this.warning.open && !staying) this.warning.close();
      return;
    }
    this.warning.show({
      seconds: secondsLeft(state.idleDeadline, now),
      timeLimit: endsByTimeLimit(state),
      deadline: state.idleDeadline,
    });
    if (phase === "due" && !this.confirming && now >= state.idleDeadline + CONFIRM_GRACE_MS) {
      this.confirming = true;
      this.confirmer.start(0);
    }
  }

  /** The deadline passed: ask the server whether the session really ended, and end it here if it did. */
  async confirm() {
    const { client, warning } = this;
    warning.setStatus(warning.status.textContent || "Signing you out…");
    const timeLimit = endsByTimeLimit(client.state);
    await client.fetchState(); // a 401 here throws SessionOver with the server's reason
    warning.setStatus("");
    // Still alive with a later deadline: kept alive elsewhere, or our clock ran a little fast. Else ask again.
    if (client.state.idleDeadline <= this.confirmer.timers.now() && ++this.confirms >= MAX_CONFIRMS) {
      client.end(timeLimit ? "expired" : "inactive");
    }
  }
}
