// The inactivity warning: a modal dialog that takes focus, counts down second by second, and is announced
// through an assertive live region. It borrows the page's own "Stay signed in" / "Sign out" buttons while open
// (so each exists once). Escape means "stay signed in", or "OK" when the session's time limit is what's coming.

import { formatCountdown, formatDuration } from "./words.js";

const MILESTONES = [60, 30, 10];

export class WarningDialog {
  /** `goOn` (optional): a button shown only in the time-limit variant, to go on with the password (recover.js). */
  constructor({ dialog, slot, actions, countdown, title, text, status, stay, announcer, onStay, goOn = null }) {
    Object.assign(this, { dialog, slot, actions, countdown, title, text, status, stay, announcer, onStay, goOn });
    this.home = { parent: actions.parentNode, next: actions.nextSibling };
    this.returnFocus = null;
    this.lastSeconds = null;
    this.timeLimit = false;
    this.variant = null;
    this.dismissedFor = null; // a time-limit warning the user acknowledged, by deadline
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault(); // stay open until the server agrees, but act on Escape
      this.primary();
    });
    dialog.addEventListener("close", () => this.restore());
  }

  get open() {
    return this.dialog.open;
  }

  /** The borrowed "Stay signed in" button, or Escape: stay, or acknowledge the coming time limit. */
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
    this.timeLimit = timeLimit;
    if (!this.open) {
      this.returnFocus = document.activeElement;
      this.setStatus("");
      this.slot.append(this.actions);
      this.dialog.showModal();
      this.stay.focus();
      this.lastSeconds = null;
      this.announce(
        timeLimit
          ? `Your session reaches its time limit in ${formatDuration(seconds)}. Your password will let you go on.`
          : `Are you still there? You'll be signed out for inactivity in ${formatDuration(seconds)}. ` +
              "Press Enter to remain signed in.",
      );
    } else if (seconds !== this.lastSeconds && MILESTONES.includes(seconds)) {
      this.announce(`${formatDuration(seconds)} left.`);
    }
    this.setVariant(timeLimit);
    if (seconds !== this.lastSeconds) {
      this.countdown.textContent = formatCountdown(seconds);
      this.countdown.setAttribute("aria-label", formatDuration(seconds));
      this.lastSeconds = seconds;
    }
  }

  setVariant(timeLimit) {
    const variant = timeLimit ? "time-limit" : "inactivity";
    if (this.variant === variant) return;
    this.variant = variant;
    this.dialog.dataset.variant = variant;
    if (this.goOn) this.goOn.hidden = !timeLimit;
    this.title.textContent = timeLimit ? "Your session is ending" : "Are you still there?";
    this.text.firstChild.textContent = timeLimit
      ? "Your session reaches its time limit in "
      : "You'll be signed out for inactivity in ";
    this.stay.textContent = timeLimit ? "OK" : "Stay signed in";
  }

  setStatus(message) {
    this.status.hidden = !message;
    this.status.textContent = message;
  }

  /** Give the buttons back to the page, as they were. */
  restore() {
    if (this.actions.parentNode !== this.home.parent) this.home.parent.insertBefore(this.actions, this.home.next);
    this.stay.textContent = "Stay signed in";
    if (this.goOn) this.goOn.hidden = true;
    this.variant = null;
  }

  close() {
    if (!this.open) return;
    this.dialog.close(); // fires "close": restore()
    this.restore();
    const target = this.returnFocus;
    this.returnFocus = null;
    if (target && document.contains(target) && typeof target.focus === "function") target.focus({ preventScroll: true });
  }
}

/** The dialog of a page that uses the usual ids (`warning`, `stay`, ...), each after `prefix` (the admin: "ndf-"). */
export function warningDialogOn(doc, { prefix = "", ...options }) {
  const $ = (id) => doc.getElementById(prefix + id);
  return new WarningDialog({
    dialog: $("warning"),
    slot: $("warning-actions"),
    actions: $("session-actions"),
    countdown: $("warning-countdown"),
    title: $("warning-title"),
    text: $("warning-text"),
    status: $("warning-status"),
    stay: $("stay"),
    announcer: $("announcer"),
    ...options,
  });
}
