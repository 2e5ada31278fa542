// Signing in: a pasted token, or OpenID Connect's authorization code flow
// with PKCE as a public client. Tokens live in this tab's sessionStorage
// only; signing out clears it.

const TOKEN = "industrydata.token";
const FLOW = "industrydata.oidc"; // state and code verifier of a sign-in under way

export function token() { return sessionStorage.getItem(TOKEN) || ""; }

export function setToken(t) { sessionStorage.setItem(TOKEN, t.trim()); }

export function signOut() { sessionStorage.clear(); }

// claims reads a JWT's payload to show who is signed in; the service, not
// the page, checks the signature.
export function claims(t = token()) {
  try {
    const part = t.split(".")[1].replaceAll("-", "+").replaceAll("_", "/");
    return JSON.parse(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), "=")));
  } catch {
    return null;
  }
}

// provider is the identity provider the server configured, or null.
export function provider() {
  const m = document.querySelector('meta[name="industrydata-oidc"]');
  const issuer = m?.dataset.issuer, clientId = m?.dataset.clientId;
  return issuer && clientId ? { issuer: issuer.replace(/\/$/, ""), clientId } : null;
}

function base64url(bytes) {
  let s = "";
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function random(n = 32) { return base64url(crypto.getRandomValues(new Uint8Array(n))); }

// challenge is RFC 7636's S256 code challenge of a verifier.
async function challenge(verifier) {
  return base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
}

async function discover(p) {
  const res = await fetch(`${p.issuer}/.well-known/openid-configuration`, { credentials: "omit" });
  if (!res.ok) throw new Error(`The identity provider's discovery document answered ${res.status}.`);
  return res.json();
}

function redirectURI() { return `${location.origin}/`; }

// beginSignIn sends the browser to the provider's authorization endpoint.
export async function beginSignIn(p) {
  const doc = await discover(p);
  const flow = { state: random(), verifier: random(48) };
  sessionStorage.setItem(FLOW, JSON.stringify(flow));
  const u = new URL(doc.authorization_endpoint);
  u.search = new URLSearchParams({
    response_type: "code",
    client_id: p.clientId,
    redirect_uri: redirectURI(),
    scope: "openid profile",
    state: flow.state,
    code_challenge: await challenge(flow.verifier),
    code_challenge_method: "S256",
  }).toString();
  location.assign(u.toString());
}

// finishSignIn completes a sign-in when the provider has sent the browser
// back with a code; it answers whether the URL was such a return.
export async function finishSignIn(p) {
  const q = new URLSearchParams(location.search);
  if (!q.has("code") && !q.has("error")) return false;
  const flow = JSON.parse(sessionStorage.getItem(FLOW) || "null");
  sessionStorage.removeItem(FLOW);
  history.replaceState(null, "", "/");
  if (q.has("error")) throw new Error(`The identity provider refused the sign-in: ${q.get("error_description") || q.get("error")}.`);
  if (!p || !flow || q.get("state") !== flow.state) throw new Error("The sign-in answer does not belong to a sign-in this tab started; please sign in again.");
  const doc = await discover(p);
  const res = await fetch(doc.token_endpoint, {
    method: "POST",
    credentials: "omit",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: q.get("code"),
      redirect_uri: redirectURI(),
      client_id: p.clientId,
      code_verifier: flow.verifier,
    }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok || !body.access_token) {
    throw new Error(`The identity provider did not give a token: ${body.error_description || body.error || res.status}.`);
  }
  setToken(body.access_token);
  return true;
}
