// The console's entry: sign-in, then one page per hash route (#/setup,
// #/upload, …), each a module whose render returns how to stop it.

import * as auth from "./auth.js";
import { verify, onUnauthorized } from "./api.js";
import { h, page, errorBox, announce } from "./dom.js";
import * as setup from "./setup.js";
import * as upload from "./upload.js";
import * as validation from "./validation.js";
import * as runs from "./runs.js";
import * as report from "./report.js";
import * as operations from "./operations.js";

const pages = { setup, upload, validation, runs, report, operations };
let stop = null;

function leave() {
  if (stop) stop();
  stop = null;
}

function signIn(message) {
  leave();
  document.getElementById("nav").hidden = true;
  document.getElementById("session").hidden = true;
  const p = auth.provider();
  const input = h("textarea", { id: "token", name: "token", rows: 4, required: true, spellcheck: "false", autocomplete: "off", "aria-describedby": "token-help" });
  const problem = h("div", { id: "sign-in-problem" });
  const form = h("form", { class: "card", "aria-labelledby": "paste-title" },
    h("h2", { id: "paste-title" }, "Sign in with a token"),
    h("label", { for: "token" }, "Access token"),
    input,
    h("p", { id: "token-help", class: "help" },
      "For local use, mint a token with the server's data directory: ",
      h("code", {}, "industrydata token --data-dir ./data --tenant <tenant-id>"),
      ". Add --roles or --scopes to limit what it may do; it lasts an hour (--expires)."),
    h("button", { type: "submit" }, "Sign in"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    problem.replaceChildren();
    const refused = await verify(input.value.trim()).catch((err) => err.message);
    if (refused) {
      problem.replaceChildren(errorBox(`The token was not accepted: ${refused}`));
      input.focus();
      return;
    }
    auth.setToken(input.value);
    if (location.hash && location.hash !== "#/") await route();
    else location.hash = "#/setup";
  });
  const parts = [];
  if (message) parts.push(errorBox(message));
  if (p) {
    parts.push(h("section", { class: "card", "aria-labelledby": "idp-title" },
      h("h2", { id: "idp-title" }, "Sign in with your organization"),
      h("button", { type: "button", id: "sign-in-oidc", onclick: () => auth.beginSignIn(p).catch((err) => problem.replaceChildren(errorBox(err.message))) },
        "Sign in with the identity provider")));
  }
  page("Sign in", ...parts, problem, form);
}

async function route() {
  leave();
  if (!auth.token()) return signIn();
  const name = (location.hash.match(/^#\/(\w+)/) || [])[1] || "setup";
  const mod = pages[name];
  if (!mod) {
    page("Not found", errorBox(`There is no page "${name}".`), h("p", {}, h("a", { href: "#/setup" }, "Go to set-up")));
    return;
  }
  document.getElementById("nav").hidden = false;
  document.getElementById("session").hidden = false;
  const c = auth.claims();
  document.getElementById("who").textContent = c?.tid ? `Tenant ${c.tid}` : "Signed in";
  for (const a of document.querySelectorAll("#nav a")) {
    if (a.getAttribute("href") === `#/${name}`) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  try {
    stop = (await mod.render()) || null;
  } catch (err) {
    if (auth.token()) page("Something went wrong", errorBox(err.message));
  }
}

onUnauthorized((message) => {
  auth.signOut();
  signIn(message);
});

document.getElementById("sign-out").addEventListener("click", () => {
  auth.signOut();
  history.replaceState(null, "", "/");
  signIn();
  announce("Signed out.");
});

window.addEventListener("hashchange", route);

(async () => {
  try {
    // Back from the identity provider: the hash change routes.
    if (await auth.finishSignIn(auth.provider())) {
      location.hash = "#/setup";
      return;
    }
  } catch (err) {
    return signIn(err.message);
  }
  await route();
})();
