// Bar charts as inline SVG built with DOM APIs: a label and the value
// written beside each bar, so the numbers never depend on the bar's length
// or colour; each bar carries its value in data-value too.

import { h, s } from "./dom.js";

const ROW = 26, LABEL = 170, BAR = 260, VALUE = 60;

// barChart draws [[label, value], …] as horizontal bars.
export function barChart(id, title, data) {
  const max = Math.max(1, ...data.map(([, v]) => v));
  const height = Math.max(1, data.length) * ROW + 4;
  const svg = s("svg", {
    id, role: "img", "aria-labelledby": `${id}-title`, viewBox: `0 0 ${LABEL + BAR + VALUE} ${height}`,
    width: LABEL + BAR + VALUE, height, class: "chart",
  }, s("title", { id: `${id}-title` }, `${title}: ${data.map(([l, v]) => `${l} ${v}`).join(", ") || "none"}`));
  data.forEach(([label, value], i) => {
    const y = i * ROW + 2;
    const w = Math.max(value > 0 ? 2 : 0, Math.round((value / max) * BAR));
    svg.append(s("g", { class: "bar", "data-label": label, "data-value": value },
      s("text", { x: LABEL - 6, y: y + ROW / 2 + 4, "text-anchor": "end" }, label.length > 24 ? `${label.slice(0, 23)}…` : label),
      s("rect", { x: LABEL, y: y + 3, width: w, height: ROW - 8, rx: 2 }),
      s("text", { x: LABEL + w + 6, y: y + ROW / 2 + 4 }, String(value))));
  });
  if (!data.length) svg.append(s("text", { x: 4, y: ROW / 2 + 4 }, "No data."));
  return h("figure", { class: "chart-box" }, h("figcaption", {}, title), svg);
}
