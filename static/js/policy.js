// The user's own inactivity threshold: a small form on the dashboard (PUT /api/auth/policy), within the range the
// server gives (the site's, never above their strictest group's). A shorter choice applies to this session at once.

import { PATHS, RequestFailed } from "./api.js";
import { formatDuration } from "./words.js";

/** Wire the form; `onChanged()` reloads the page's policy and clock after a change. Returns `load()`. */
export function policyForm({ doc, client, onChanged, onError }) {
  const $ = (id) => doc.getElementById(id);
  const form = $("policy-form");
  const input = $("policy-minutes");
  const note = $("policy-note");

  function show(policy) {
    input.min = String(policy.min);
    input.max = String(policy.max);
    input.value = String(policy.inactivity_threshold_minutes);
    const from = policy.source === "user" ? "your choice" : policy.source === "site" ? "the site's default" : "your group's policy";
    note.textContent = `Now ${formatDuration(policy.inactivity_threshold_minutes * 60)} (${from}); you may choose ${policy.min} to ${policy.max} minutes.`;
    form.hidden = false;
  }

  async function load() {
    show(await client.call("GET", PATHS.policy)); // passive: reading it is not activity
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const minutes = Number(input.value);
    client
      .call("PUT", PATHS.policy, { json: { inactivity_threshold_minutes: minutes } })
      .then((policy) => {
        show(policy);
        return onChanged();
      })
      .catch((error) => {
        if (error instanceof RequestFailed && error.status === 400) note.textContent = error.message;
        else onError(error);
      });
  });
  return { load };
}
