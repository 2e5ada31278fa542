// Upload: choose a data connector, choose or drop the roster's CSV files,
// upload them to the connector's upload session in blocks (a progress bar
// each, resumable), then validate and watch the validation.

import { list, post, get, pathOf, Poller } from "./api.js";
import { h, page, badge, announce, errorBox } from "./dom.js";
import { FileUpload } from "./blocks.js";
import { results } from "./validation.js";

export async function render() {
  const connectors = await list("dataConnectors");
  const connector = h("select", { id: "upload-connector", required: true },
    ...connectors.map((c) => h("option", { value: c.id }, c.displayName)));
  const files = h("input", { id: "upload-files", type: "file", multiple: true, accept: ".csv,text/csv", "aria-describedby": "upload-files-help" });
  const reset = h("input", { id: "upload-reset", type: "checkbox" });
  const drop = h("div", { class: "drop", id: "upload-drop" }, "Or drop the CSV files here.");
  const tbody = h("tbody");
  const table = h("table", { id: "upload-table", hidden: true },
    h("caption", { class: "visually-hidden" }, "Files to upload"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "File"), h("th", { scope: "col" }, "Size"), h("th", { scope: "col" }, "Progress"), h("th", { scope: "col" }, "Status"))),
    tbody);
  const start = h("button", { type: "submit", id: "upload-start", disabled: true }, "Upload and validate");
  const problem = h("div", { id: "upload-problem" });
  const state = h("p", { id: "validation-state", "aria-live": "polite" });
  const out = h("div", { id: "validation-out" });
  let uploads = [];
  let poller = null;

  const choose = (list) => {
    uploads = [...list].filter((f) => f.name.endsWith(".csv")).map((f) => {
      const bar = h("progress", { max: 1, value: 0, "aria-label": `Upload of ${f.name}` });
      const status = h("td", {}, "waiting");
      tbody.append(h("tr", {}, h("td", {}, f.name), h("td", { class: "num" }, `${f.size} bytes`), h("td", {}, bar), status));
      const u = new FileUpload(f, (done, total) => { bar.max = total; bar.value = done; });
      u.status = status;
      return u;
    });
    tbody.replaceChildren(...uploads.map((u) => u.status.parentElement));
    table.hidden = uploads.length === 0;
    start.disabled = uploads.length === 0;
    start.textContent = "Upload and validate";
    announce(`${uploads.length} files chosen.`);
  };
  files.addEventListener("change", () => choose(files.files));
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); choose(e.dataTransfer.files); });

  const validate = async (id) => {
    const { location: opURL } = await post(`dataConnectors/${encodeURIComponent(id)}/validate`);
    poller = new Poller(async () => {
      const op = await get(pathOf(opURL));
      state.replaceChildren("Validation: ", badge(op.status), " ", op.statusDetail || "");
      if (op.status !== "succeeded" && op.status !== "failed") return false;
      out.replaceChildren(results(op));
      announce(`Validation ${op.status}: ${op.statusDetail || ""}`);
      return true;
    }, { onError: (err) => problem.replaceChildren(errorBox(`${err.message} Trying again.`)) });
    await poller.start();
  };

  const form = h("form", { id: "upload-form", class: "card" },
    h("div", { class: "field" }, h("label", { for: "upload-connector" }, "Data connector"), connector),
    h("div", { class: "field" }, h("label", { for: "upload-files" }, "Roster CSV files"), files,
      h("p", { id: "upload-files-help", class: "help" }, "OneRoster v1.1 files: orgs.csv, users.csv, and the others your system exports.")),
    drop,
    h("div", { class: "field check" }, reset, h("label", { for: "upload-reset" }, "Start a new upload session (discards the files uploaded to this connector before)")),
    table, problem, h("div", { class: "buttons" }, start));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    problem.replaceChildren();
    out.replaceChildren();
    start.disabled = true;
    try {
      const id = connector.value;
      const { body: session } = await post(`dataConnectors/${encodeURIComponent(id)}/getUploadSession`, { resetSession: reset.checked });
      const path = pathOf(session.sessionUrl);
      for (const u of uploads) {
        if (u.committed) continue;
        u.status.replaceChildren(badge("uploading"));
        try {
          await u.run(path);
        } catch (err) {
          u.status.replaceChildren(badge("failed"), ` ${err.message}; ${u.done.size} of ${u.count} blocks kept`);
          throw err;
        }
        u.status.replaceChildren(badge("uploaded"));
      }
      reset.checked = false;
      announce("Files uploaded; validating.");
      await validate(id);
    } catch (err) {
      problem.replaceChildren(errorBox(`${err.message}. Choose “Resume” to send what is missing.`));
      start.textContent = "Resume";
    } finally {
      start.disabled = false;
    }
  });

  page("Upload a roster",
    connectors.length ? form : errorBox("There is no data connector yet: create one on the set-up page first."),
    state, out);
  return () => poller?.stop();
}
