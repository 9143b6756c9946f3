// Session recovery on the page the user is on: after an idle sign-out or the session's time limit, a modal dialog
// asks only for the password and the page goes on with a new session. Nothing on the page is reloaded, replaced
// or cleared: the dialog sits over it, and the browser's refresh cookie (the ended session's last refresh token)
// says which session to recover.

import { PATHS } from "./api.js";
import { formatDuration, reasonMessage } from "./words.js";

/** The ends a session can be recovered from (the server agrees: accounts/recovery.py). */
export const RECOVERABLE = Object.freeze(["inactive", "expired"]);

/**
 * Ask the server to recover the session with `password`. Returns {ok: true, access}, or {ok: false, message,
 * final}: `final` means this session cannot be recovered (the login page is the way on).
 */
export async function recoverSession(client, password) {
  const answer = await client.send("POST", PATHS.recover, { json: { password, refresh_cookie_only: true }, csrf: true });
  client.observe(answer);
  const code = answer.body && answer.body.code;
  if (answer.status === 200 && answer.body && answer.body.access) return { ok: true, access: answer.body.access };
  if (answer.status === 401 && code === "no_active_account") {
    return { ok: false, final: false, message: "That password isn't right. Try again." };
  }
  if (answer.status === 401) return { ok: false, final: true, message: "This session can no longer be continued." };
  if (answer.status === 429) {
    const wait = answer.retryAfter ? ` in ${formatDuration(answer.retryAfter)}` : " later";
    return { ok: false, final: false, message: `Too many attempts. Try again${wait}.` };
  }
  if (answer.status === 0 || answer.status >= 500) {
    return { ok: false, final: false, message: "Can't reach the server. Try again." };
  }
  return { ok: false, final: false, message: (answer.body && answer.body.detail) || `Refused (${answer.status}).` };
}

/** The "Continue as {username}" dialog. `onRecovered()` after the client took the new session; `onGiveUp(reason)`
 * for "Sign in as someone else", or when the session cannot be recovered. */
export class RecoverDialog {
  constructor({ dialog, form, title, text, username, password, error, submit, other, client, onRecovered, onGiveUp }) {
    Object.assign(this, { dialog, form, title, text, username, password, error, submit, other, client });
    Object.assign(this, { onRecovered, onGiveUp });
    this.reason = null;
    this.busy = false;
    form.addEventListener("submit", (event) => {
      event.preventDefault(); // never a navigation: the page stays as it is
      this.attempt();
    });
    other.addEventListener("click", () => this.giveUp());
    dialog.addEventListener("cancel", (event) => event.preventDefault()); // Escape leaves nobody signed in
  }

  get open() {
    return this.dialog.open;
  }

  /** Offer to go on as `user` after the session ended by `reason` ("inactive" or "expired"). */
  show({ user, reason, config }) {
    this.reason = reason;
    this.title.textContent = `Continue as ${user.username}`;
    this.text.textContent = `${reasonMessage(reason, config) || "Your session ended."} Enter your password to carry on where you were.`;
    this.username.value = user.username; // for password managers; never sent
    // Only a dialog that opens now starts empty: when the time limit comes while the password is being typed
    // (opened from the warning), what was typed stays.
    if (!this.open) {
      this.password.value = "";
      this.setError("");
      // Where the user was: the browser's own focus return on close would scroll it into view.
      this.returnFocus = globalThis.document?.activeElement ?? null;
      this.scroll = [globalThis.scrollX, globalThis.scrollY];
      this.dialog.showModal();
    }
    this.password.focus();
  }

  setError(message) {
    this.error.hidden = !message;
    this.error.textContent = message;
  }

  async attempt() {
    if (this.busy) return;
    this.busy = true;
    this.submit.disabled = true;
    try {
      const result = await recoverSession(this.client, this.password.value);
      if (result.ok) {
        this.password.value = "";
        this.hide();
        this.client.resume(result.access, { broadcast: true });
        this.onRecovered();
      } else if (result.final) {
        this.giveUp();
      } else {
        this.setError(result.message);
        this.password.select();
      }
    } finally {
      this.busy = false;
      this.submit.disabled = false;
    }
  }

  /** Close, and leave the page exactly as it was: focus where it was, scrolled where it was. */
  hide() {
    if (this.open) this.dialog.close();
    const [target, scroll] = [this.returnFocus, this.scroll];
    this.returnFocus = this.scroll = null;
    if (target && typeof target.focus === "function") target.focus({ preventScroll: true });
    if (scroll && typeof globalThis.scrollTo === "function") globalThis.scrollTo(...scroll);
  }

  giveUp() {
    this.password.value = "";
    this.onGiveUp(this.reason);
  }

  /** Another tab recovered the session: nothing left to ask here. */
  close() {
    this.password.value = "";
    if (this.open) this.hide();
  }
}

/** The dialog of the dashboard, by its ids (`recover`, `recover-form`, ...). */
export function recoverDialogOn(doc, options) {
  const $ = (id) => doc.getElementById(id);
  return new RecoverDialog({
    dialog: $("recover"),
    form: $("recover-form"),
    title: $("recover-title"),
    text: $("recover-text"),
    username: $("recover-username"),
    password: $("recover-password"),
    error: $("recover-error"),
    submit: $("recover-continue"),
    other: $("recover-other"),
    ...options,
  });
}
