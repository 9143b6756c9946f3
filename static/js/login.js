// The sign-in page: says why the user is here, signs in, and joins a session another tab already has.

import { PATHS, send } from "./api.js";
import { createTabSync } from "./tabsync.js";
import { formatDuration, parseReason, reasonMessage, reasonMinutes } from "./words.js";

const $ = (id) => document.getElementById(id);

const form = $("login-form");
const error = $("login-error");
const submit = $("login-submit");
const sync = createTabSync();
let config = null;

function showReason(reason) {
  const minutes = reasonMinutes(window.location.search, config); // the session's own threshold, when it had one
  const text = reasonMessage(reason, Number.isFinite(minutes) ? { ...config, inactivity_threshold_minutes: minutes } : config);
  const box = $("reason");
  box.hidden = !text;
  box.textContent = text || "";
  box.dataset.reason = reason || "";
  box.classList.toggle("notice-warn", reason === "inactive" || reason === "expired");
}

function showError(text) {
  error.hidden = !text;
  error.textContent = text || "";
}

function showPolicy() {
  if (!config) return;
  $("policy").textContent =
    `For your security you're signed out after ${formatDuration(config.inactivity_threshold_minutes * 60)} ` +
    `without activity, and every sign-in lasts at most ${formatDuration(config.session_max_hours * 3600)}.`;
}

async function signIn(event) {
  event.preventDefault();
  showError("");
  const username = form.username.value.trim();
  const password = form.password.value;
  if (!username || !password) {
    showError("Enter your username and password.");
    (username ? form.password : form.username).focus();
    return;
  }
  submit.disabled = true;
  submit.textContent = "Signing in…";
  // refresh_cookie_only: the refresh token stays in its HttpOnly cookie, out of reach of any script on the page.
  const answer = await send("POST", PATHS.login, { json: { username, password, refresh_cookie_only: true } });
  if (answer.status === 200) {
    sync.post({ type: "signed_in" });
    window.location.replace("/");
    return;
  }
  submit.disabled = false;
  submit.textContent = "Sign in";
  if (answer.status === 401 || answer.status === 400) {
    showError("That username and password don't match. Check them and try again.");
    form.password.select();
  } else if (answer.status === 429) {
    const wait = answer.retryAfter ? ` in ${formatDuration(answer.retryAfter)}` : " in a minute";
    showError(`Too many attempts. Try again${wait}.`);
  } else {
    showError("Can't reach the server right now. Check your connection and try again.");
  }
  form.password.focus();
}

sync.subscribe((message) => {
  if (message.type === "signed_in") {
    window.location.replace("/"); // another tab signed in: this one joins
  } else if (message.type === "token" || message.type === "state") {
    $("elsewhere").hidden = false;
  } else if (message.type === "ended") {
    $("elsewhere").hidden = true;
  }
});

form.addEventListener("submit", signIn);
const reason = parseReason(window.location.search);
showReason(reason);
sync.post({ type: "hello" }); // a signed-in sibling tab answers: offer to go back to it

send("GET", PATHS.config).then((answer) => {
  if (answer.status !== 200) return;
  config = answer.body;
  showReason(reason);
  showPolicy();
});
