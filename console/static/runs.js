// Runs: start one and watch it live (status, the activity in progress, the
// operation's statusDetail); the runs before, with their activities and
// statistics.

import { get, list, post, pathOf, Poller } from "./api.js";
import { h, page, badge, when, announce, errorBox } from "./dom.js";

const FINISHED = (s) => s && s !== "running";
const COUNTS = [["people", "People"], ["organizations", "Organizations"], ["groups", "Groups"], ["memberships", "Memberships"]];

function count(c) {
  return c ? `${c.active} active of ${c.total}` : "—";
}

// statistics is a run's getStatistics() as a table, one row per activity.
function statistics(stats) {
  return h("table", { class: "stats" },
    h("caption", {}, "Statistics"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Activity"), h("th", { scope: "col" }, "Status"),
      ...COUNTS.map(([, l]) => h("th", { scope: "col" }, l)), h("th", { scope: "col" }, "Errors"), h("th", { scope: "col" }, "Warnings"))),
    h("tbody", {}, ...(stats.activityStatistics || []).map((a) => h("tr", {},
      h("th", { scope: "row" }, a.displayName), h("td", {}, badge(a.status)),
      ...COUNTS.map(([k]) => h("td", { class: "num" }, count(a[k]))),
      h("td", { class: "num" }, a.errors ?? "—"), h("td", { class: "num" }, a.warnings ?? "—")))));
}

function activities(acts) {
  return h("ul", { class: "activities" }, ...acts.map((a) => h("li", {}, a.displayName, " ", badge(a.status),
    a.blockingError ? ` ${a.blockingError.code}: ${a.blockingError.message}` : "")));
}

// details fills a past run's disclosure when it is opened.
async function details(run, box) {
  const id = encodeURIComponent(run.id);
  const [acts, stats] = await Promise.all([list(`runs/${id}/activities`), get(`runs/${id}/getStatistics()`)]);
  box.replaceChildren(
    h("h3", {}, "Activities"), acts.length ? activities(acts) : h("p", {}, "No inbound flow in this run."),
    statistics(stats),
    run.blockingError ? errorBox(`${run.blockingError.code}: ${run.blockingError.message}`) : "",
    FINISHED(run.status) && run.status !== "failed" ? h("p", {}, h("a", { href: `#/report/${id}` }, "Open this run's user report")) : "");
}

export async function render() {
  const live = h("section", { id: "live", class: "card", "aria-labelledby": "live-title" },
    h("h2", { id: "live-title" }, "Current run"));
  const liveBody = h("div", { id: "live-body", "aria-live": "polite" }, "No run is being watched.");
  const problem = h("div");
  const start = h("button", { type: "button", id: "run-start" }, "Start a run");
  const past = h("div", { id: "past" });
  live.append(liveBody, problem, start);
  let poller = null;

  const showPast = async () => {
    const runs = await list("runs?$top=20", 20);
    past.replaceChildren(...runs.map((r) => {
      const box = h("div", {}, "Loading…");
      const d = h("details", { "data-run": r.id },
        h("summary", {}, badge(r.status), ` ${r.displayName} — started ${when(r.startDateTime)}`, r.endDateTime ? `, ended ${when(r.endDateTime)}` : ""),
        box);
      d.addEventListener("toggle", () => { if (d.open) details(r, box).catch((err) => box.replaceChildren(errorBox(err.message))); });
      return d;
    }));
    if (!runs.length) past.append(h("p", {}, "No run yet."));
  };

  const watch = (runId, opPath) => {
    poller?.stop();
    poller = new Poller(async () => {
      const id = encodeURIComponent(runId);
      const [run, acts, op] = await Promise.all([get(`runs/${id}`), list(`runs/${id}/activities`), opPath ? get(opPath) : null]);
      const current = acts.find((a) => a.status === "inProgress");
      liveBody.replaceChildren(
        h("p", { id: "live-status" }, "Run ", h("code", {}, run.id), ": ", badge(run.status)),
        h("p", { id: "live-activity" }, current ? `In progress: ${current.displayName}` : FINISHED(run.status) ? "Every activity has finished." : "Waiting for a worker."),
        h("p", { id: "live-detail" }, op?.statusDetail || "—"),
        activities(acts));
      // The run's end and its operation's are one write: the run is enough.
      if (!FINISHED(run.status)) return false;
      const stats = await get(`runs/${id}/getStatistics()`);
      liveBody.append(statistics(stats));
      if (run.status !== "failed") liveBody.append(h("p", {}, h("a", { href: `#/report/${id}`, id: "live-report" }, "Open the user report")));
      announce(`The run finished: ${run.status}.`);
      problem.replaceChildren();
      await showPast();
      return true;
    }, { onError: (err) => problem.replaceChildren(errorBox(`${err.message} Trying again.`)) });
    return poller.start();
  };

  start.addEventListener("click", async () => {
    problem.replaceChildren();
    try {
      const { body: run, location: op } = await post("runs/start");
      announce("Run started.");
      await showPast();
      await watch(run.id, pathOf(op));
    } catch (err) {
      problem.replaceChildren(errorBox(err.message));
    }
  });

  page("Runs", live, h("section", { class: "card", "aria-labelledby": "past-title" }, h("h2", { id: "past-title" }, "Runs"), past));
  await showPast();
  const running = (await list("runs?$top=1", 1)).find((r) => r.status === "running");
  if (running) await watch(running.id, null);
  return () => poller?.stop();
}
