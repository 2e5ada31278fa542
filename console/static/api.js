// The API as the console calls it: same-origin fetches under
// /beta/industryData with the signed-in user's bearer token.

import { token } from "./auth.js";

export const BASE = "/beta/industryData";

// ApiError is a Graph error envelope (or an HTTP failure without one).
export class ApiError extends Error {
  constructor(status, err) {
    super(err.message || `The service answered ${status}.`);
    this.status = status;
    this.code = err.code || "";
    this.target = err.target || "";
    this.details = err.details || [];
  }
}

let unauthorized = () => {};

// onUnauthorized sets what happens on a 401: the token expired or was
// refused, and the user must sign in again.
export function onUnauthorized(f) { unauthorized = f; }

// pathOf keeps the path and query of an absolute URL the service wrote
// (Location, @odata.nextLink): the console always calls its own origin.
export function pathOf(u) {
  const url = new URL(u, location.href);
  return url.pathname + url.search;
}

// request sends one call; path is under BASE unless it starts with "/".
export async function request(method, path, { body, etag, accept, prefer } = {}) {
  const headers = { Authorization: `Bearer ${token()}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (etag) headers["If-Match"] = etag;
  if (accept) headers.Accept = accept;
  if (prefer) headers.Prefer = prefer;
  const url = path.startsWith("/") ? path : `${BASE}/${path}`;
  const res = await fetch(url, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "omit", cache: "no-store",
  });
  if (res.status === 401) {
    unauthorized("Your sign-in has expired or was refused. Please sign in again.");
  }
  if (!res.ok) {
    let err = {};
    try { err = (await res.json()).error || {}; } catch { /* not JSON */ }
    throw new ApiError(res.status, err);
  }
  return res;
}

// verify asks the service whether it accepts t, without signing anyone
// out: it answers null, or why not.
export async function verify(t) {
  const res = await fetch(BASE, { headers: { Authorization: `Bearer ${t}` }, credentials: "omit", cache: "no-store" });
  if (res.ok) return null;
  let err = {};
  try { err = (await res.json()).error || {}; } catch { /* not JSON */ }
  return err.message || `The service answered ${res.status}.`;
}

// json reads a body that may be empty (204, a 202 of validate).
async function json(res) {
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

export async function get(path) {
  return json(await request("GET", path));
}

// list reads a collection, following @odata.nextLink up to max entities.
export async function list(path, max = Infinity) {
  const out = [];
  let next = path;
  while (next && out.length < max) {
    const page = await get(next);
    out.push(...page.value);
    next = page["@odata.nextLink"] ? pathOf(page["@odata.nextLink"]) : null;
  }
  return out.slice(0, max);
}

// post answers the body and the Location header.
export async function post(path, body) {
  const res = await request("POST", path, { body });
  return { body: await json(res), location: res.headers.get("Location") };
}

export async function patch(path, body, etag) {
  return json(await request("PATCH", path, { body, etag }));
}

export async function del(path, etag) {
  await request("DELETE", path, { etag });
}

// Poller calls a function now and then every interval until stopped, or
// until the function says it is done; the page stops it when it is left.
// A failed call is shown with onError and tried again at the next tick.
export class Poller {
  constructor(f, { interval = 1000, onError = () => {} } = {}) {
    this.f = f;
    this.interval = interval;
    this.onError = onError;
    this.timer = null;
    this.stopped = false;
  }

  async start() {
    this.stopped = false;
    await this.tick();
    return this;
  }

  async tick() {
    if (this.stopped) return;
    let done = false;
    try {
      done = await this.f();
    } catch (err) {
      this.onError(err);
    }
    if (!done && !this.stopped) this.timer = setTimeout(() => this.tick(), this.interval);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

// quote makes a string an OData literal.
export function quote(v) { return `'${String(v).replaceAll("'", "''")}'`; }
