// What the Go test (compat/clients_test.go) hands the JavaScript tests: the
// service's https base URL (a TLS front whose certificate node trusts
// through NODE_EXTRA_CA_CERTS) and tokens, one tenant per test file.
import { Client } from "@microsoft/microsoft-graph-client";

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: these tests run from the Go test in compat/ (go test ./compat)`);
  }
  return value;
}

export const baseUrl = required("COMPAT_BASE_URL");
export const retryPath = required("COMPAT_RETRY_PATH");
export const token = required("COMPAT_TOKEN");
export const kiotaToken = required("COMPAT_KIOTA_TOKEN");

// graphClient is the core client as an application would set it up: a
// token from an auth provider, the service's URL as its base, beta, and
// the service's host allowed to receive the token.
export function graphClient(bearer = token) {
  return Client.init({
    authProvider: (done) => done(null, bearer),
    baseUrl: baseUrl + "/",
    defaultVersion: "beta",
    customHosts: new Set([new URL(baseUrl).hostname]),
  });
}
