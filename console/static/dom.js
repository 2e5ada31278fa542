// Building the page with DOM APIs only: no HTML strings, so nothing the
// API returns can become markup, and no inline style the CSP would refuse.

const SVG = "http://www.w3.org/2000/svg";

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// h makes an HTML element: h("p", {class: "x"}, "text", child…).
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

// s makes an SVG element.
export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG, tag), attrs, children);
}

// announce tells a screen reader what just happened.
export function announce(message) {
  const region = document.getElementById("announce");
  region.textContent = "";
  // A change after the clearing is what makes a repeated message heard.
  requestAnimationFrame(() => { region.textContent = message; });
}

const GOOD = new Set(["succeeded", "completed", "ready", "uploaded"]);
const WARN = new Set(["completedWithWarnings", "skipped", "notReady", "warning"]);
const BAD = new Set(["failed", "completedWithErrors", "error", "expired"]);

// badge shows a status as a word and a symbol, so that colour is never the
// only signal.
export function badge(status) {
  let kind = "neutral", symbol = "•";
  if (GOOD.has(status)) { kind = "good"; symbol = "✓"; }
  else if (WARN.has(status)) { kind = "warn"; symbol = "!"; }
  else if (BAD.has(status)) { kind = "bad"; symbol = "✗"; }
  else if (status === "running" || status === "inProgress" || status === "uploading") { kind = "busy"; symbol = "⟳"; }
  return h("span", { class: `badge ${kind}` }, h("span", { "aria-hidden": "true" }, symbol + " "), status || "—");
}

// when writes a date-time for people, in their locale.
export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "—";
}

// heading replaces the main region's content with a page and moves the
// focus to its title, as a page load would.
export function page(title, ...children) {
  const main = document.getElementById("main");
  const h1 = h("h1", { tabindex: "-1" }, title);
  main.replaceChildren(h1, ...children);
  document.title = `${title} — industrydata console`;
  h1.focus();
  return main;
}

// errorBox is a visible, announced error message.
export function errorBox(message) {
  return h("p", { class: "error", role: "alert" }, h("span", { "aria-hidden": "true" }, "✗ "), message);
}

// download saves bytes as a file without leaving the page.
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}
