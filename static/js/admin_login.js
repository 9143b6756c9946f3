// The admin's login page says why the admin was signed out, in the web UI's own words (words.js).

import { PATHS, send } from "./api.js";
import { parseReason, reasonMessage } from "./words.js";

const reason = parseReason(location.search);
const box = document.getElementById("ndf-reason");
if (reason && box) {
  const answer = await send("GET", PATHS.config);
  box.textContent = reasonMessage(reason, answer.status === 200 ? answer.body : null);
  box.hidden = false;
}
