// A validation's results: its errors and warnings as a table (file, line,
// column, code, message) that can be filtered and sorted, with the counts
// per code.

import { get } from "./api.js";
import { h, page, badge, errorBox } from "./dom.js";

// rows turns a fileValidateOperation's problems into table rows.
function rows(op) {
  const out = [];
  for (const [severity, list] of [["error", op.errors || []], ["warning", op.warnings || []]]) {
    for (const p of list) {
      const [file = "", line = "", column = ""] = (p.target || "").split(":");
      out.push({ severity, file, line: Number(line) || 0, column: Number(column) || 0, code: p.code, message: p.message });
    }
  }
  return out;
}

const COLUMNS = [
  ["severity", "Severity"], ["file", "File"], ["line", "Line"], ["column", "Column"], ["code", "Code"], ["message", "Message"],
];

// results is the table of a finished validation.
export function results(op) {
  const all = rows(op);
  const counts = new Map();
  for (const r of all) counts.set(r.code, (counts.get(r.code) || 0) + 1);
  const codes = [...counts.keys()].sort();
  let sortKey = "file", ascending = true;

  const code = h("select", { id: "results-code" }, h("option", { value: "" }, "All codes"),
    ...codes.map((c) => h("option", { value: c }, `${c} (${counts.get(c)})`)));
  const severity = h("select", { id: "results-severity" }, h("option", { value: "" }, "All"),
    h("option", { value: "error" }, "Errors"), h("option", { value: "warning" }, "Warnings"));
  const text = h("input", { id: "results-text", type: "search", autocomplete: "off" });
  const shown = h("p", { id: "results-shown", "aria-live": "polite" });
  const tbody = h("tbody");
  const headers = COLUMNS.map(([key, label]) => {
    const th = h("th", { scope: "col", "aria-sort": "none" });
    th.append(h("button", { type: "button", class: "sort", onclick: () => {
      ascending = sortKey === key ? !ascending : true;
      sortKey = key;
      draw();
    } }, label));
    return [key, th];
  });

  function draw() {
    const needle = text.value.trim().toLowerCase();
    const list = all.filter((r) => (!code.value || r.code === code.value) && (!severity.value || r.severity === severity.value) &&
      (!needle || `${r.file} ${r.code} ${r.message}`.toLowerCase().includes(needle)));
    list.sort((a, b) => {
      const x = a[sortKey], y = b[sortKey];
      const c = typeof x === "number" ? x - y : String(x).localeCompare(String(y));
      return (ascending ? c : -c) || a.file.localeCompare(b.file) || a.line - b.line;
    });
    for (const [key, th] of headers) th.setAttribute("aria-sort", key === sortKey ? (ascending ? "ascending" : "descending") : "none");
    tbody.replaceChildren(...list.map((r) => h("tr", {},
      h("td", {}, badge(r.severity)), h("td", {}, r.file), h("td", { class: "num" }, r.line), h("td", { class: "num" }, r.column),
      h("td", {}, h("code", {}, r.code)), h("td", {}, r.message))));
    shown.textContent = `Showing ${list.length} of ${all.length} problems.`;
  }
  for (const c of [code, severity]) c.addEventListener("change", draw);
  text.addEventListener("input", draw);
  draw();

  const errors = all.filter((r) => r.severity === "error").length;
  return h("section", { id: "results", "aria-labelledby": "results-title", class: "card" },
    h("h2", { id: "results-title" }, "Validation results"),
    h("p", { id: "results-summary" }, badge(op.status), ` ${errors} errors, ${all.length - errors} warnings. `, op.statusDetail || ""),
    h("p", {}, "Files read: ", (op.validatedFiles || []).join(", ") || "none"),
    h("h3", {}, "Problems per code"),
    h("ul", { id: "results-counts", class: "counts" }, ...codes.map((c) => h("li", {}, h("code", {}, c), `: ${counts.get(c)}`))),
    h("div", { class: "filters" },
      h("div", { class: "field" }, h("label", { for: "results-code" }, "Code"), code),
      h("div", { class: "field" }, h("label", { for: "results-severity" }, "Severity"), severity),
      h("div", { class: "field" }, h("label", { for: "results-text" }, "Search"), text)),
    shown,
    h("table", { id: "results-table" }, h("caption", { class: "visually-hidden" }, "Problems found by the validation"),
      h("thead", {}, h("tr", {}, ...headers.map(([, th]) => th))), tbody));
}

// render shows the results of the validation operation the route names
// (#/validation/ID).
export async function render() {
  const id = decodeURIComponent(location.hash.split("/")[2] || "");
  try {
    const op = await get(`operations/${encodeURIComponent(id)}`);
    page("Validation", results(op));
  } catch (err) {
    page("Validation", errorBox(err.message));
  }
}
