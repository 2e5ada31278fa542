// Operations: the tenant's long-running operations, newest first, with
// status and progress, refreshed while the page is open.

import { list, Poller } from "./api.js";
import { h, page, badge, when, errorBox } from "./dom.js";

// progressOf reads "N of M" from a statusDetail ("Checked 120 of 296
// users."), the progress the service gives in words.
function progressOf(detail) {
  const m = /(\d+) of (\d+)/.exec(detail || "");
  return m && Number(m[2]) > 0 ? [Number(m[1]), Number(m[2])] : null;
}

const VALIDATION = "#microsoft.graph.industryData.fileValidateOperation";

export async function render() {
  const tbody = h("tbody");
  const updated = h("p", { id: "operations-updated", class: "help" });
  const problem = h("div", { "aria-live": "polite" });
  page("Operations",
    h("p", {}, "Every asynchronous step — a run, a validation — is followed by an operation. This list refreshes itself every two seconds."),
    problem, updated,
    h("table", { id: "operations-table" }, h("caption", { class: "visually-hidden" }, "Operations, newest first"),
      h("thead", {}, h("tr", {}, ...["Created", "Kind", "Status", "Progress", "Detail", "Last action"].map((c) => h("th", { scope: "col" }, c)))),
      tbody));
  const poller = new Poller(async () => {
    const ops = await list("operations?$orderby=createdDateTime desc&$top=50", 50);
    tbody.replaceChildren(...ops.map((op) => {
      const p = progressOf(op.statusDetail);
      const validation = op["@odata.type"] === VALIDATION;
      return h("tr", { "data-operation": op.id },
        h("td", {}, when(op.createdDateTime)),
        h("td", {}, validation ? h("a", { href: `#/validation/${encodeURIComponent(op.id)}` }, "validation") : "operation"),
        h("td", {}, badge(op.status)),
        h("td", {}, p ? h("progress", { max: p[1], value: p[0], "aria-label": `${p[0]} of ${p[1]}` }) : op.status === "succeeded" ? "done" : "—"),
        h("td", {}, op.statusDetail || "—"),
        h("td", {}, when(op.lastActionDateTime)));
    }));
    if (!ops.length) tbody.append(h("tr", {}, h("td", { colspan: 6 }, "No operation yet.")));
    updated.textContent = `Updated ${new Date().toLocaleTimeString()}.`;
    problem.replaceChildren();
    return false;
  }, { interval: 2000, onError: (err) => problem.replaceChildren(errorBox(err.message)) });
  await poller.start();
  return () => poller.stop();
}
