// Forms for entities: a labelled control per property, and the API's
// validation errors shown next to the control of the property they name.

import { h } from "./dom.js";

// control makes a labelled input (or select, for a field with options)
// whose id is prefix-name, with a place for its error.
export function control(prefix, f) {
  const id = `${prefix}-${f.name}`;
  const err = h("p", { id: `${id}-error`, class: "field-error", "aria-live": "polite" });
  const hint = f.hint ? h("p", { id: `${id}-hint`, class: "help" }, f.hint) : null;
  const described = [hint && `${id}-hint`, `${id}-error`].filter(Boolean).join(" ");
  let input;
  if (f.options) {
    input = h("select", { id, name: f.name, required: f.required, "aria-describedby": described },
      h("option", { value: "" }, f.required ? "Choose…" : "None"));
  } else {
    input = h("input", { id, name: f.name, type: f.type || "text", required: f.required, "aria-describedby": described, autocomplete: "off" });
  }
  const wrap = h("div", { class: "field", "data-name": f.name },
    h("label", { for: id }, f.label, f.required ? h("span", { "aria-hidden": "true" }, " *") : null),
    input, hint, err);
  return { f, input, err, wrap };
}

// setOptions fills a select with [value, label] pairs, keeping its choice.
export function setOptions(c, pairs) {
  const keep = c.input.value;
  const first = c.input.options[0];
  c.input.replaceChildren(first, ...pairs.map(([v, l]) => h("option", { value: v }, l)));
  c.input.value = keep;
}

// clearErrors removes every field's error.
export function clearErrors(controls, formError) {
  for (const c of controls) {
    c.err.textContent = "";
    c.input.removeAttribute("aria-invalid");
  }
  formError.replaceChildren();
}

// targetName is the property an error's target names: "year/code" and
// "sourceSystem@odata.bind" name year and sourceSystem.
function targetName(target) {
  return (target || "").split(/[/@.[]/)[0];
}

// showError puts err beside the control its target (or its details'
// targets) names, and in formError when none is named; it answers the
// control that got it, to move the focus there.
export function showError(controls, formError, err) {
  const problems = [{ target: err.target, message: err.message }, ...(err.details || [])];
  let first = null;
  let placed = false;
  for (const p of problems) {
    const c = controls.find((x) => x.f.name === targetName(p.target) || (x.f.targets || []).includes(targetName(p.target)));
    if (!c) continue;
    c.err.textContent = p.message;
    c.input.setAttribute("aria-invalid", "true");
    first ??= c;
    placed = true;
  }
  if (!placed) formError.replaceChildren(h("p", { class: "error", role: "alert" }, h("span", { "aria-hidden": "true" }, "✗ "), err.message));
  return first;
}
