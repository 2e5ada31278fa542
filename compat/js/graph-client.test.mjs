// The core Microsoft Graph JavaScript client (@microsoft/microsoft-graph-client
// v3) against the service, used the way its documentation shows: requests
// as the seeds make them, GraphError, PageIterator, JSON batching and the
// RetryHandler.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  BatchRequestContent,
  BatchResponseContent,
  GraphError,
  PageIterator,
  RetryHandlerOptions,
} from "@microsoft/microsoft-graph-client";
import { baseUrl, graphClient, retryPath } from "./env.mjs";

const client = graphClient();
const missing = "00000000-0000-4000-8000-00000000dead";

// graphError runs call and returns the GraphError it must throw.
async function graphError(call) {
  try {
    await call();
  } catch (err) {
    assert.ok(err instanceof GraphError, `want a GraphError, got ${err}`);
    return err;
  }
  assert.fail("the request succeeded");
}

// assertEnvelope checks what the client made of a Graph error envelope.
function assertEnvelope(err, statusCode, code) {
  assert.equal(err.statusCode, statusCode);
  assert.equal(err.code, code);
  assert.ok(err.message.length > 0, "no message");
  assert.match(err.requestId, /^[0-9a-f-]{36}$/);
  assert.equal(err.requestId, err.headers.get("request-id"));
  assert.ok(!Number.isNaN(err.date.getTime()), "no innerError.date");
  // The client's TelemetryHandler sends a client-request-id, which comes
  // back in the header and in the envelope.
  const inner = JSON.parse(err.body).innerError;
  assert.match(inner["client-request-id"], /^[0-9a-f-]{36}$/);
  assert.equal(inner["client-request-id"], err.headers.get("client-request-id"));
}

test("operations: create, get and update as seed 003 does", async () => {
  const created = await client.api("/industryData/operations").post({ status: "notStarted" });
  assert.equal(created["@odata.type"], "#microsoft.graph.longRunningOperation");
  assert.equal(created.status, "notStarted");

  const got = await client.api(`/industryData/operations/${created.id}`).get();
  assert.equal(got.id, created.id);

  // Prefer: return=minimal answers 204, which the client returns as undefined.
  const minimal = await client
    .api(`/industryData/operations/${created.id}`)
    .header("Prefer", "return=minimal")
    .patch({ statusDetail: "queued" });
  assert.equal(minimal, undefined);

  const updated = await client.api(`/industryData/operations/${created.id}`).patch({
    "@odata.type": "#microsoft.graph.longRunningOperation",
    lastActionDateTime: "2024-05-01T08:30:00.123Z",
    status: "running",
    statusDetail: "checked 120 of 500 users",
    resourceLocation: "https://example.com/reports/1",
  });
  assert.equal(updated.id, created.id);
  assert.equal(updated.createdDateTime, created.createdDateTime);
  assert.equal(updated.lastActionDateTime, "2024-05-01T08:30:00.123Z");
  assert.equal(updated.status, "running");
  assert.equal(updated.statusDetail, "checked 120 of 500 users");
  assert.equal(updated.resourceLocation, "https://example.com/reports/1");
  const again = await client.api(`/industryData/operations/${created.id}`).get();
  assert.deepEqual(again, updated);
});

test("userReportRefreshProcess: update as seed 000 does, then 412 on a stale eTag", async () => {
  const list = await client.api("/industryData/processes").get();
  assert.equal(list.value.length, 1);
  const proc = list.value[0];
  assert.equal(proc["@odata.type"], "#microsoft.graph.industryData.userReportRefreshProcess");

  const cast = await client.api(`/industryData/processes/${proc.id}/microsoft.graph.industryData.userReportRefreshProcess`).get();
  assert.equal(cast.eTag, proc.eTag);

  const updated = await client.api(`/industryData/processes/${proc.id}`).patch({
    "@odata.type": "#microsoft.graph.industryData.userReportRefreshProcess",
    eTag: proc.eTag,
    displayName: "Nightly roster refresh",
    readinessStatus: "ready",
  });
  assert.equal(updated.displayName, "Nightly roster refresh");
  assert.notEqual(updated.eTag, proc.eTag);

  const err = await graphError(() =>
    client
      .api(`/industryData/processes/${proc.id}`)
      .header("If-Match", `"${proc.eTag}"`)
      .patch({ displayName: "Too late", readinessStatus: "ready" }),
  );
  assertEnvelope(err, 412, "preconditionFailed");
  const now = await client.api(`/industryData/processes/${proc.id}`).get();
  assert.equal(now.displayName, "Nightly roster refresh");
});

test("GraphError carries code, message and request-id on 400 and 404", async () => {
  const op = await client.api("/industryData/operations").post({});
  const bad = await graphError(() => client.api(`/industryData/operations/${op.id}`).patch({ colour: "blue" }));
  assertEnvelope(bad, 400, "badRequest");
  assert.match(bad.message, /colour/);

  const notFound = await graphError(() => client.api(`/industryData/operations/${missing}`).get());
  assertEnvelope(notFound, 404, "itemNotFound");

  const unauthenticated = await graphError(() =>
    graphClient("not-a-token").api("/industryData/operations").get(),
  );
  assertEnvelope(unauthenticated, 401, "unauthenticated");
});

test("the import surface: source system, year, connector and flow", async () => {
  const api = (path) => client.api(`/external/industryData/${path}`);
  const ss = await api("sourceSystems").post({ displayName: "District SIS", vendor: "Contoso" });
  const year = await api("years").post({
    displayName: "2025-2026",
    startDate: "2025-09-01",
    endDate: "2026-06-30",
    year: { code: "2026" },
  });
  assert.equal(year.startDate, "2025-09-01");
  const conn = await api("dataConnectors").post({
    "@odata.type": "#microsoft.graph.industryData.azureDataLakeConnector",
    displayName: "CSV drop",
    "sourceSystem@odata.bind": `${baseUrl}/beta/external/industryData/sourceSystems('${ss.id}')`,
  });
  assert.equal(conn["@odata.type"], "#microsoft.graph.industryData.azureDataLakeConnector");
  const flow = await api("inboundFlows").post({
    "@odata.type": "#microsoft.graph.industryData.inboundFileFlow",
    displayName: "Rostering",
    dataDomain: "educationRostering",
    effectiveDateTime: "2025-08-01T00:00:00Z",
    "dataConnector@odata.bind": `dataConnectors/${conn.id}`,
    "year@odata.bind": `years/${year.id}`,
  });
  assert.equal(flow.readinessStatus, "notReady");

  const expanded = await api(`inboundFlows/${flow.id}`).expand(["dataConnector", "year"]).get();
  assert.equal(expanded.dataConnector.id, conn.id);
  assert.equal(expanded.year.id, year.id);
  const source = await api(`dataConnectors/${conn.id}/sourceSystem`).select("displayName").get();
  assert.equal(source.displayName, "District SIS");

  for (const [path, body] of [
    [`sourceSystems/${ss.id}`, { vendor: "Fabrikam" }],
    [`years/${year.id}`, { displayName: "School year 2025-2026" }],
    [`dataConnectors/${conn.id}`, { "@odata.type": "#microsoft.graph.industryData.azureDataLakeConnector", displayName: "CSV drop (nightly)" }],
    [`inboundFlows/${flow.id}`, { "@odata.type": "#microsoft.graph.industryData.inboundFileFlow", expirationDateTime: "2026-07-31T00:00:00Z" }],
  ]) {
    const updated = await api(path).patch(body);
    for (const [key, value] of Object.entries(body)) {
      assert.equal(updated[key], value, `${path}: ${key}`);
    }
    assert.deepEqual(await api(path).get(), updated, path);
  }
});

test("PageIterator walks every page through @odata.nextLink", async () => {
  const marker = `page walk ${Date.now()}`;
  const made = new Set();
  for (let i = 0; i < 25; i++) {
    const op = await client.api("/industryData/operations").post({ statusDetail: marker });
    made.add(op.id);
  }
  const first = await client
    .api("/industryData/operations")
    .filter(`statusDetail eq '${marker}'`)
    .top(10)
    .get();
  assert.equal(first.value.length, 10);
  assert.ok(first["@odata.nextLink"].startsWith(`${baseUrl}/beta/`), first["@odata.nextLink"]);

  const seen = [];
  const iterator = new PageIterator(client, first, (op) => {
    seen.push(op.id);
    return true;
  });
  await iterator.iterate();
  assert.ok(iterator.isComplete());
  assert.equal(seen.length, 25);
  assert.deepEqual(new Set(seen), made);

  const counted = await client.api("/industryData/operations").filter(`statusDetail eq '${marker}'`).count(true).top(1).get();
  assert.equal(counted["@odata.count"], 25);
  const count = await client.api("/industryData/operations/$count").filter(`statusDetail eq '${marker}'`).get();
  assert.equal(String(count), "25");
});

test("BatchRequestContent and BatchResponseContent round trip with dependsOn", async () => {
  const url = (path) => `${baseUrl}/beta/industryData/${path}`;
  const json = { "Content-Type": "application/json" };
  // A serial chain, one of the shapes the client allows: the 404 of the
  // third request fails the fourth with 424.
  const batch = new BatchRequestContent([
    { id: "1", request: new Request(url("operations"), { method: "POST", headers: json, body: JSON.stringify({ statusDetail: "from a batch" }) }) },
    { id: "2", request: new Request(url("processes"), { method: "GET" }), dependsOn: ["1"] },
    { id: "3", request: new Request(url(`operations/${missing}`), { method: "GET" }), dependsOn: ["2"] },
    { id: "4", request: new Request(url("operations"), { method: "GET" }), dependsOn: ["3"] },
  ]);
  const answer = await client.api("/$batch").post(await batch.getContent());
  const responses = new BatchResponseContent(answer);

  const created = responses.getResponseById("1");
  assert.equal(created.status, 201);
  const op = await created.json();
  assert.equal(op.statusDetail, "from a batch");
  const stored = await client.api(`/industryData/operations/${op.id}`).get();
  assert.equal(stored.statusDetail, "from a batch");

  const processes = responses.getResponseById("2");
  assert.equal(processes.status, 200);
  assert.equal((await processes.json()).value.length, 1);

  const notFound = responses.getResponseById("3");
  assert.equal(notFound.status, 404);
  assert.equal((await notFound.json()).error.code, "itemNotFound");
  assert.equal(responses.getResponseById("4").status, 424);
  assert.equal(responses.getResponses().size, 4);
});

test("RetryHandler waits as Retry-After says on a 429 and gets through", async () => {
  // The Go test starts the service with --chaos answering 429 to the first
  // request to retryPath and letting the second through.
  const retried = [];
  const options = new RetryHandlerOptions(3, 3, (delay, attempt, request, fetchOptions, response) => {
    retried.push({ status: response.status, retryAfter: response.headers.get("Retry-After") });
    return true;
  });
  const groups = await client.api(retryPath).middlewareOptions([options]).get();
  assert.ok(Array.isArray(groups.value));
  assert.deepEqual(retried, [{ status: 429, retryAfter: "1" }]);
});
