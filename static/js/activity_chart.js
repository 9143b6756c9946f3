// The dashboard's "Your activity (last 30 days)": an SVG bar chart built with DOM calls from /api/logs/stats.
// No inline style and no markup strings: presentation attributes only, so the page's strict CSP allows it.

const SVG_NS = "http://www.w3.org/2000/svg";
const WIDTH = 600;
const HEIGHT = 160;
const LEFT = 36;
const BOTTOM = 20;
const TOP = 8;

function node(doc, tag, attributes = {}, text = null) {
  const el = doc.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, String(value));
  if (text !== null) el.textContent = text;
  return el;
}

/** An <svg> of `perDay` ([{date, count}], oldest first): one bar per day, each with a <title> to hover or read. */
export function activityChart(doc, perDay) {
  const total = perDay.reduce((sum, day) => sum + day.count, 0);
  const top = Math.max(1, ...perDay.map((day) => day.count));
  const plot = HEIGHT - TOP - BOTTOM;
  const step = (WIDTH - LEFT) / Math.max(1, perDay.length);
  const svg = node(doc, "svg", {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    width: "100%",
    role: "img",
    class: "activity-chart",
    "font-size": 11,
    "font-family": "sans-serif",
  });
  svg.append(node(doc, "title", {}, "Your tracked requests per day, last 30 days"));
  const first = perDay.length ? perDay[0].date : "";
  const last = perDay.length ? perDay[perDay.length - 1].date : "";
  svg.append(node(doc, "desc", {}, `${total} tracked requests from ${first} to ${last}; most in a day: ${top}`));
  svg.append(node(doc, "line", { x1: LEFT, y1: TOP + plot, x2: WIDTH, y2: TOP + plot, stroke: "#999" }));
  svg.append(node(doc, "text", { x: LEFT - 4, y: TOP + 8, "text-anchor": "end", fill: "currentColor" }, String(top)));
  svg.append(node(doc, "text", { x: LEFT - 4, y: TOP + plot, "text-anchor": "end", fill: "currentColor" }, "0"));
  perDay.forEach((day, i) => {
    if (!day.count) return;
    const height = (day.count * plot) / top;
    const bar = node(doc, "rect", {
      x: (LEFT + step * i + step * 0.1).toFixed(1),
      y: (TOP + plot - height).toFixed(1),
      width: (step * 0.8).toFixed(1),
      height: height.toFixed(1),
      fill: "#2563eb",
    });
    bar.append(node(doc, "title", {}, `${day.date}: ${day.count} request${day.count === 1 ? "" : "s"}`));
    svg.append(bar);
  });
  if (perDay.length) {
    svg.append(node(doc, "text", { x: LEFT, y: HEIGHT - 4, fill: "currentColor" }, first));
    svg.append(node(doc, "text", { x: WIDTH, y: HEIGHT - 4, "text-anchor": "end", fill: "currentColor" }, last));
  }
  return svg;
}

/** Fetch the user's own numbers (passive: reading them is not activity) and draw them into `slot`. */
export async function loadActivityChart({ client, slot, summary, statsPath, userId }) {
  const query = userId === undefined ? "" : `?user_id=${encodeURIComponent(String(userId))}`; // staff: still their own
  const stats = await client.call("GET", `${statsPath}${query}`);
  slot.replaceChildren(activityChart(slot.ownerDocument, stats.per_day));
  const total = stats.per_day.reduce((sum, day) => sum + day.count, 0);
  summary.textContent = `${total} tracked request${total === 1 ? "" : "s"} from ${stats.from} to ${stats.to}.`;
  return stats;
}
