// The inactivity warning: a modal dialog that takes focus, counts down second by second, and is announced
// through an assertive live region. Escape means "stay signed in" (or "OK" when the time limit is coming).

import { formatCountdown, formatDuration } from "./logic.js";

const MILESTONES = [60, 30, 10];

export class WarningDialog {
  constructor({ dialog, countdown, title, text, status, stay, signOut, announcer, onStay, onSignOut }) {
    Object.assign(this, { dialog, countdown, title, text, status, stay, signOut, announcer, onStay, onSignOut });
    this.returnFocus = null;
    this.lastSeconds = null;
    this.timeLimit = false;
    this.dismissedFor = null; // a time-limit warning the user acknowledged, by deadline
    stay.addEventListener("click", () => this.primary());
    signOut.addEventListener("click", () => this.onSignOut());
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault(); // stay open until the server agrees, but act on Escape
      this.primary();
    });
  }

  get open() {
    return this.dialog.open;
  }

  primary() {
    if (this.timeLimit) {
      this.dismissedFor = this.deadline;
      this.close();
    } else {
      this.onStay();
    }
  }

  announce(message) {
    // Clearing first makes screen readers repeat an identical sentence.
    this.announcer.textContent = "";
    setTimeout(() => {
      this.announcer.textContent = message;
    }, 50);
  }

  /** Show (if not yet shown) and update the countdown. `timeLimit`: the end comes from the session's maximum age. */
  show({ seconds, timeLimit, deadline }) {
    this.deadline = deadline;
    if (timeLimit && this.dismissedFor !== null && Math.abs(this.dismissedFor - deadline) < 2000) return;
    this.setVariant(timeLimit);
    if (!this.open) {
      this.returnFocus = document.activeElement;
      this.setStatus("");
      this.setBusy(false);
      this.dialog.showModal();
      this.stay.focus();
      this.lastSeconds = null;
      this.announce(
        timeLimit
          ? `Your session reaches its time limit in ${formatDuration(seconds)}. You'll need to sign in again.`
          : `Are you still there? You'll be signed out for inactivity in ${formatDuration(seconds)}. ` +
              "Press Enter to stay signed in.",
      );
    } else if (seconds !== this.lastSeconds && MILESTONES.includes(seconds)) {
      this.announce(`${formatDuration(seconds)} left.`);
    }
    if (seconds !== this.lastSeconds) {
      this.countdown.textContent = formatCountdown(seconds);
      this.countdown.setAttribute("aria-label", formatDuration(seconds));
      this.lastSeconds = seconds;
    }
  }

  setVariant(timeLimit) {
    if (this.timeLimit === timeLimit && this.title.dataset.variant) return;
    this.timeLimit = timeLimit;
    this.title.dataset.variant = timeLimit ? "time-limit" : "inactivity";
    this.dialog.dataset.variant = this.title.dataset.variant;
    this.title.textContent = timeLimit ? "Your session is ending" : "Are you still there?";
    this.text.firstChild.textContent = timeLimit
      ? "Your session reaches its time limit in "
      : "You'll be signed out for inactivity in ";
    this.stay.textContent = timeLimit ? "OK" : "Stay signed in";
    this.signOut.textContent = timeLimit ? "Sign out now" : "Sign out";
  }

  setStatus(message) {
    this.status.hidden = !message;
    this.status.textContent = message;
  }

  setBusy(busy) {
    this.stay.disabled = busy;
  }

  close() {
    if (!this.open) return;
    this.dialog.close();
    const target = this.returnFocus;
    this.returnFocus = null;
    if (target && document.contains(target) && typeof target.focus === "function") target.focus();
  }
}
