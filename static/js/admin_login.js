// The admin's login page says why the admin was signed out, in the web UI's own words (words.js).

import { PATHS, send } from "./api.js";
import { parseReason, reasonMessage, reasonMinutes } from "./words.js";

const reason = parseReason(location.search);
const box = document.getElementById("ndf-reason");
if (reason && box) {
  const answer = await send("GET", PATHS.config);
  const config = answer.status === 200 ? answer.body : null;
  const minutes = reasonMinutes(location.search, config); // the session's own threshold, when it had one
  box.textContent = reasonMessage(reason, Number.isFinite(minutes) ? { ...config, inactivity_threshold_minutes: minutes } : config);
  box.hidden = false;
}
