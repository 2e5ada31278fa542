// Set-up: source systems, years, data connectors and inbound flows —
// list, create, edit, delete.

import { list, post, patch, del, quote } from "./api.js";
import { h, page, badge, announce, errorBox } from "./dom.js";
import { control, setOptions, clearErrors, showError } from "./forms.js";

const NAME = { name: "displayName", label: "Display name", required: true };
const day = (iso) => (iso ? iso.slice(0, 10) : "");
const bind = (set, id) => (id ? `${set}(${quote(id)})` : undefined);

const SETS = [
  {
    set: "sourceSystems", title: "Source systems", one: "source system",
    fields: [NAME, { name: "vendor", label: "Vendor" }],
    columns: [["Name", (e) => e.displayName], ["Vendor", (e) => e.vendor || "—"]],
    body: (v) => ({ displayName: v.displayName, vendor: v.vendor || null }),
    values: (e) => ({ displayName: e.displayName, vendor: e.vendor || "" }),
  },
  {
    set: "years", title: "School years", one: "school year",
    fields: [NAME,
      { name: "startDate", label: "Start date", type: "date", required: true },
      { name: "endDate", label: "End date", type: "date", required: true },
      { name: "year", label: "Year code", required: true, hint: "The calendar year in which the school year ends, such as 2026." }],
    columns: [["Name", (e) => e.displayName], ["Dates", (e) => `${e.startDate} to ${e.endDate}`], ["Year", (e) => e.year?.code]],
    body: (v) => ({ displayName: v.displayName, startDate: v.startDate, endDate: v.endDate, year: { code: v.year } }),
    values: (e) => ({ displayName: e.displayName, startDate: e.startDate, endDate: e.endDate, year: e.year?.code || "" }),
  },
  {
    set: "dataConnectors", title: "Data connectors", one: "data connector",
    type: "#microsoft.graph.industryData.azureDataLakeConnector", expand: "sourceSystem",
    fields: [NAME, { name: "sourceSystem", label: "Source system", required: true, options: "sourceSystems" }],
    columns: [["Name", (e) => e.displayName], ["Source system", (e) => e.sourceSystem?.displayName || "—"]],
    body: (v) => ({ displayName: v.displayName, "sourceSystem@odata.bind": bind("sourceSystems", v.sourceSystem) }),
    values: (e) => ({ displayName: e.displayName, sourceSystem: e.sourceSystem?.id || "" }),
  },
  {
    set: "inboundFlows", title: "Inbound flows", one: "inbound flow",
    type: "#microsoft.graph.industryData.inboundFileFlow", expand: "dataConnector,year",
    fields: [NAME,
      { name: "dataConnector", label: "Data connector", required: true, options: "dataConnectors" },
      { name: "year", label: "School year", required: true, options: "years" },
      { name: "effectiveDateTime", label: "Effective from", type: "date", required: true },
      { name: "expirationDateTime", label: "Expires on", type: "date", hint: "Optional: runs skip the flow from this day." }],
    columns: [["Name", (e) => e.displayName], ["Readiness", (e) => badge(e.readinessStatus)],
      ["Data connector", (e) => e.dataConnector?.displayName || "—"], ["Year", (e) => e.year?.displayName || "—"],
      ["Effective", (e) => day(e.effectiveDateTime)]],
    body: (v) => ({
      displayName: v.displayName, dataDomain: "educationRostering",
      effectiveDateTime: `${v.effectiveDateTime}T00:00:00Z`,
      expirationDateTime: v.expirationDateTime ? `${v.expirationDateTime}T00:00:00Z` : null,
      "dataConnector@odata.bind": bind("dataConnectors", v.dataConnector),
      "year@odata.bind": bind("years", v.year),
    }),
    values: (e) => ({
      displayName: e.displayName, dataConnector: e.dataConnector?.id || "", year: e.year?.id || "",
      effectiveDateTime: day(e.effectiveDateTime), expirationDateTime: day(e.expirationDateTime),
    }),
  },
];

// section is one set's table and form.
function section(d, reload) {
  const controls = d.fields.map((f) => control(d.set, f));
  const formError = h("div", { class: "form-error" });
  const legend = h("legend", {}, `Add a ${d.one}`);
  const submit = h("button", { type: "submit", id: `${d.set}-submit` }, `Add ${d.one}`);
  const cancel = h("button", { type: "button", class: "secondary", hidden: true }, "Cancel editing");
  const tbody = h("tbody");
  const table = h("table", { id: `${d.set}-table` },
    h("caption", { class: "visually-hidden" }, d.title),
    h("thead", {}, h("tr", {}, ...d.columns.map(([c]) => h("th", { scope: "col" }, c)), h("th", { scope: "col" }, "Actions"))),
    tbody);
  let editing = null;

  const reset = () => {
    editing = null;
    for (const c of controls) c.input.value = "";
    legend.textContent = `Add a ${d.one}`;
    submit.textContent = `Add ${d.one}`;
    cancel.hidden = true;
    clearErrors(controls, formError);
  };
  cancel.addEventListener("click", reset);

  const form = h("form", { id: `${d.set}-form`, novalidate: true },
    h("fieldset", {}, legend, ...controls.map((c) => c.wrap), formError, h("div", { class: "buttons" }, submit, cancel)));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(controls, formError);
    const v = Object.fromEntries(controls.map((c) => [c.f.name, c.input.value.trim()]));
    const body = d.body(v);
    try {
      if (editing) {
        await patch(`${d.set}/${encodeURIComponent(editing.id)}`, body);
        announce(`Saved the ${d.one} ${v.displayName}.`);
      } else {
        await post(d.set, d.type ? { "@odata.type": d.type, ...body } : body);
        announce(`Added the ${d.one} ${v.displayName}.`);
      }
      reset();
      await reload();
    } catch (err) {
      const c = showError(controls, formError, err);
      (c ? c.input : formError).focus?.();
    }
  });

  const show = (entities, options) => {
    for (const c of controls) if (c.f.options) setOptions(c, options[c.f.options]);
    tbody.replaceChildren(...entities.map((e) => h("tr", {},
      ...d.columns.map(([, f]) => h("td", {}, f(e))),
      h("td", { class: "actions" },
        h("button", { type: "button", class: "secondary", "aria-label": `Edit ${e.displayName}`, onclick: () => {
          editing = e;
          const vals = d.values(e);
          for (const c of controls) c.input.value = vals[c.f.name] ?? "";
          legend.textContent = `Edit the ${d.one} ${e.displayName}`;
          submit.textContent = "Save changes";
          cancel.hidden = false;
          controls[0].input.focus();
        } }, "Edit"),
        h("button", { type: "button", class: "danger", "aria-label": `Delete ${e.displayName}`, onclick: async () => {
          if (!confirm(`Delete the ${d.one} ${e.displayName}?`)) return;
          try {
            await del(`${d.set}/${encodeURIComponent(e.id)}`);
            announce(`Deleted the ${d.one} ${e.displayName}.`);
            await reload();
          } catch (err) {
            formError.replaceChildren(errorBox(err.message));
          }
        } }, "Delete")))));
    if (!entities.length) tbody.append(h("tr", {}, h("td", { colspan: d.columns.length + 1 }, `No ${d.one} yet.`)));
  };

  const el = h("section", { "aria-labelledby": `${d.set}-title`, class: "card" },
    h("h2", { id: `${d.set}-title` }, d.title), table, form);
  return { el, show };
}

export async function render() {
  const sections = [];
  const reload = async () => {
    const all = await Promise.all(SETS.map((d) => list(d.expand ? `${d.set}?$expand=${d.expand}` : d.set)));
    const options = {};
    SETS.forEach((d, i) => { options[d.set] = all[i].map((e) => [e.id, e.displayName]); });
    sections.forEach((s, i) => s.show(all[i], options));
  };
  for (const d of SETS) sections.push(section(d, reload));
  page("Set-up",
    h("p", {}, "A roster comes in through an inbound flow, which reads the files of a data connector for a school year. Create a source system, a school year, a data connector and a flow, then upload the roster."),
    ...sections.map((s) => s.el));
  await reload();
}
