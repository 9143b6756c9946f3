// What the user's actions do: stay signed in and sign out (each retried with back-off while the server is
// unreachable, its "under way" flag on the page's state object), and work on the page, which counts as activity.

import { Unreachable } from "./api.js";
import { Repeater } from "./schedule.js";
import { realTimers } from "./timers.js";

const NO_JITTER = () => 0; // one user's one request: nothing to spread out

/**
 * "Stay signed in": a tracked request that resets the idle clock. Retried while the session can still be saved;
 * past the deadline the countdown's confirmation takes over. `onStayed` runs after a success.
 */
export function stayAction({ page, client, connection, warning, view, button, onError, onStayed, timers = realTimers }) {
  const done = () => {
    page.staying = false;
    button.disabled = false;
  };
  const repeater = new Repeater({
    name: "extend",
    run: () => client.extend(),
    once: true,
    capMs: 5000,
    random: NO_JITTER,
    retryIf: () => !(client.state && timers.now() >= client.state.idleDeadline),
    onRetry: () => warning.setStatus("Can't reach the server, retrying…"),
    onSuccess: () => {
      warning.setStatus("");
      warning.close();
      view.flash(`You're still signed in. Thanks!`);
      onStayed();
      done();
    },
    onError: (error) => {
      onError(error);
      done();
    },
    connection,
    timers,
  });
  const stay = () => {
    if (page.staying || page.leaving) return;
    page.staying = true;
    button.disabled = true;
    repeater.start(0);
  };
  return { stay, repeater };
}

/** "Sign out": on the server, then in every tab (the client's "ended" event). Retried until the server hears it. */
export function signOutAction({ page, client, connection, view, button, onError, timers = realTimers }) {
  const repeater = new Repeater({
    name: "sign-out",
    run: () => client.signOut(),
    once: true,
    capMs: 10_000,
    random: NO_JITTER,
    onRetry: () => view.flash("Can't reach the server to sign you out, retrying…", { sticky: true }),
    onError: (error) => {
      page.signingOut = false;
      button.disabled = false;
      onError(error);
    },
    connection,
    timers,
  });
  const signOut = () => {
    if (page.signingOut || page.leaving) return;
    page.signingOut = true;
    button.disabled = true;
    view.flash("Signing you out…", { sticky: true });
    repeater.start(0);
  };
  return { signOut, repeater };
}

/**
 * Deliberate interaction with the page (a key, a click, a scroll; not a passing mouse) is the user at work: it
 * tells the server, at most a few times per threshold. Buttons do their own requests; the open warning asks for
 * an explicit choice. Returns the event listener.
 */
export function workAction({ page, client, warning, onError, timers = realTimers }) {
  return (event) => {
    if (page.leaving || page.staying || !page.config || !client.state || warning.open) return;
    if (typeof event.target?.closest === "function" && event.target.closest("button, a, dialog")) return; // an Element
    const now = timers.now();
    if (now - page.lastNudge < Math.max(1000, (page.config.inactivity_threshold_minutes * 60_000) / 4)) return;
    page.lastNudge = now;
    client.extend().catch((error) => {
      if (!(error instanceof Unreachable)) onError(error); // the polls already report a lost connection
    });
  };
}
