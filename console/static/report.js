// The user report of a run: the summary as charts, the entries as a paged
// table filtered by role, org and issue (on the server), and the CSV file.

import { get, list, request, quote, ApiError } from "./api.js";
import { h, page, badge, when, announce, errorBox, download } from "./dom.js";
import { barChart } from "./charts.js";

const ISSUES = ["missingUsername", "duplicateUsername", "missingEmail", "invalidEmail", "unknownOrg", "noOrg", "unknownRole"];
const PAGE = 25;

// filterOf is the $filter of the chosen role, org and issue.
function filterOf(role, org, issue) {
  const parts = [];
  if (role) parts.push(`role eq ${quote(role)}`);
  if (org) parts.push(`orgSourcedIds/any(o: o eq ${quote(org)})`);
  if (issue) parts.push(`issues/any(i: i eq ${quote(issue)})`);
  return parts.join(" and ");
}

async function countOf(base, filter) {
  const res = await request("GET", `${base}/entries/$count?$filter=${encodeURIComponent(filter)}`);
  return Number(await res.text());
}

function select(id, label, options) {
  const el = h("select", { id }, h("option", { value: "" }, "All"), ...options.map(([v, l]) => h("option", { value: v }, l)));
  return [el, h("div", { class: "field" }, h("label", { for: id }, label), el)];
}

export async function render() {
  const processes = await list("processes");
  const proc = processes.find((p) => p["@odata.type"]?.endsWith("userReportRefreshProcess"));
  if (!proc) return void page("User report", errorBox("This tenant has no user report process."));
  const pid = encodeURIComponent(proc.id);
  const runs = (await list(`processes/${pid}/runs?$top=20`, 20)).filter((r) => r.status !== "running" && r.status !== "failed");
  const wanted = decodeURIComponent(location.hash.split("/")[2] || "");
  const run = runs.find((r) => r.id === wanted) || runs[0];
  if (!run) return void page("User report", h("p", {}, "No run has produced a report yet. ", h("a", { href: "#/runs" }, "Start a run.")));

  const base = `processes/${pid}/runs/${encodeURIComponent(run.id)}/userReport`;
  let report;
  try {
    report = await get(base);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return void page("User report", errorBox(err.message));
    throw err;
  }
  const sum = report.summary;
  const issueCounts = await Promise.all(ISSUES.map(async (c) => [c, await countOf(base, `issues/any(i: i eq ${quote(c)})`)]));

  const runPick = h("select", { id: "report-run" }, ...runs.map((r) => h("option", { value: r.id, selected: r.id === run.id }, `${when(r.startDateTime)} — ${r.status}`)));
  runPick.addEventListener("change", () => { location.hash = `#/report/${encodeURIComponent(runPick.value)}`; });

  const [role, roleField] = select("report-role", "Role", sum.usersByRole.map((r) => [r.role, r.role]));
  const [org, orgField] = select("report-org", "Org", sum.usersByOrg.map((o) => [o.orgSourcedId, `${o.orgName} (${o.orgSourcedId})`]));
  const [issue, issueField] = select("report-issue", "Issue", ISSUES.map((c) => [c, c]));
  const tbody = h("tbody");
  const shown = h("p", { id: "entries-shown", "aria-live": "polite" });
  const prev = h("button", { type: "button", class: "secondary", id: "entries-prev" }, "Previous page");
  const next = h("button", { type: "button", class: "secondary", id: "entries-next" }, "Next page");
  const csv = h("button", { type: "button", id: "report-csv" }, "Download CSV");
  const problem = h("div");
  let skip = 0;

  const load = async () => {
    const filter = filterOf(role.value, org.value, issue.value);
    const q = new URLSearchParams({ $top: PAGE, $skip: skip, $count: "true" });
    if (filter) q.set("$filter", filter);
    const res = await get(`${base}/entries?${q}`);
    const total = res["@odata.count"];
    tbody.replaceChildren(...res.value.map((e) => h("tr", {},
      h("td", {}, e.sourcedId), h("td", {}, e.username), h("td", {}, e.role), h("td", {}, e.orgSourcedIds.join(", ")),
      h("td", {}, e.isActive ? "active" : "inactive"),
      h("td", {}, e.issues.length ? e.issues.map((i) => h("code", {}, i)).reduce((a, b) => [a, ", ", b]) : "none"))));
    const last = Math.min(skip + res.value.length, total);
    shown.textContent = total ? `Showing ${skip + 1}–${last} of ${total} people.` : "No one matches.";
    prev.disabled = skip === 0;
    next.disabled = last >= total;
  };
  const show = () => load().catch((err) => problem.replaceChildren(errorBox(err.message)));
  for (const c of [role, org, issue]) c.addEventListener("change", () => { skip = 0; show(); });
  prev.addEventListener("click", () => { skip = Math.max(0, skip - PAGE); show(); });
  next.addEventListener("click", () => { skip += PAGE; show(); });
  csv.addEventListener("click", async () => {
    problem.replaceChildren();
    try {
      const filter = filterOf(role.value, org.value, issue.value);
      const res = await request("GET", `${base}/entries${filter ? `?$filter=${encodeURIComponent(filter)}` : ""}`, { accept: "text/csv" });
      download(await res.blob(), `userReport-${run.id}.csv`);
      announce("The CSV file is downloaded.");
    } catch (err) {
      problem.replaceChildren(errorBox(err.message));
    }
  });

  page("User report",
    h("div", { class: "field" }, h("label", { for: "report-run" }, "Run"), runPick),
    h("section", { class: "card", "aria-labelledby": "summary-title" },
      h("h2", { id: "summary-title" }, "Summary"),
      h("p", {}, "Run ", badge(run.status), ` report of ${when(report.createdDateTime)}.`),
      h("dl", { class: "totals", id: "report-totals" },
        h("dt", {}, "People"), h("dd", {}, sum.totalUsers), h("dt", {}, "Active"), h("dd", {}, sum.activeUsers),
        h("dt", {}, "Inactive"), h("dd", {}, sum.inactiveUsers), h("dt", {}, "With issues"), h("dd", {}, sum.usersWithIssues)),
      h("div", { class: "charts" },
        barChart("chart-roles", "People by role", sum.usersByRole.map((r) => [r.role, r.count])),
        barChart("chart-active", "Active and inactive", [["active", sum.activeUsers], ["inactive", sum.inactiveUsers]]),
        barChart("chart-orgs", "People by org", sum.usersByOrg.map((o) => [o.orgName || o.orgSourcedId, o.count])),
        barChart("chart-issues", "Issues by code", issueCounts))),
    h("section", { class: "card", "aria-labelledby": "entries-title" },
      h("h2", { id: "entries-title" }, "People"),
      h("div", { class: "filters" }, roleField, orgField, issueField),
      h("div", { class: "buttons" }, csv), problem, shown,
      h("table", { id: "entries-table" }, h("caption", { class: "visually-hidden" }, "People of the report"),
        h("thead", {}, h("tr", {}, ...["Sourced id", "Username", "Role", "Orgs", "Active", "Issues"].map((c) => h("th", { scope: "col" }, c)))),
        tbody),
      h("div", { class: "buttons" }, prev, next)));
  await load();
}
