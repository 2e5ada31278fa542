// The Kiota beta SDK's models (@microsoft/msgraph-beta-sdk) with
// @microsoft/kiota-serialization-json: what the service serves must parse
// through the SDK's own factories, and what the SDK serializes on create
// and PATCH must be accepted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { JsonParseNode, JsonSerializationWriter } from "@microsoft/kiota-serialization-json";
import { DateOnly } from "@microsoft/kiota-abstractions";
import {
  LongRunningOperationStatusObject,
  createLongRunningOperationFromDiscriminatorValue,
  serializeLongRunningOperation,
} from "@microsoft/msgraph-beta-sdk/models/index.js";
import {
  IndustryDataActivityStatusObject,
  IndustryDataRunStatusObject,
  InboundDomainObject,
  ReadinessStatusObject,
  createIndustryDataConnectorFromDiscriminatorValue,
  createIndustryDataRunActivityCollectionResponseFromDiscriminatorValue,
  createIndustryDataRunFromDiscriminatorValue,
  createIndustryDataRunStatisticsFromDiscriminatorValue,
  createInboundFlowCollectionResponseFromDiscriminatorValue,
  createInboundFlowFromDiscriminatorValue,
  createReferenceDefinitionCollectionResponseFromDiscriminatorValue,
  createSourceSystemDefinitionFromDiscriminatorValue,
  createYearTimePeriodDefinitionFromDiscriminatorValue,
  serializeIndustryDataConnector,
  serializeInboundFlow,
  serializeSourceSystemDefinition,
  serializeYearTimePeriodDefinition,
} from "@microsoft/msgraph-beta-sdk/models/industryData/index.js";
import { baseUrl, kiotaToken } from "./env.mjs";
const api = `${baseUrl}/beta/external/industryData`;

// send makes one request with the tenant's token; url is absolute or
// relative to the industryData root.
async function send(method, url, body) {
  const headers = { Authorization: `Bearer ${kiotaToken}` };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
  }
  const res = await fetch(url.startsWith("https://") ? url : `${api}/${url}`, { method, headers, body });
  return { status: res.status, location: res.headers.get("Location"), text: await res.text() };
}

// expect sends the request and returns its body, failing on another status.
async function expect(status, method, url, body) {
  const res = await send(method, url, body);
  assert.equal(res.status, status, `${method} ${url}: ${res.text}`);
  return res;
}

// parse reads a body as served through an SDK factory.
function parse(text, factory) {
  return new JsonParseNode(JSON.parse(text)).getObjectValue(factory);
}

// serialize writes a model as the SDK's request builders would send it.
function serialize(value, serializer) {
  const writer = new JsonSerializationWriter();
  writer.writeObjectValue(undefined, value, serializer);
  return new TextDecoder().decode(writer.getSerializedContent());
}

// finished polls the operation at url until it is neither notStarted nor
// running, and returns it parsed.
async function finished(url) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const op = parse((await expect(200, "GET", url)).text, createLongRunningOperationFromDiscriminatorValue);
    if (op.status !== LongRunningOperationStatusObject.NotStarted && op.status !== LongRunningOperationStatusObject.Running) {
      return op;
    }
    assert.ok(Date.now() < deadline, `operation ${url} still ${op.status}`);
    await delay(50);
  }
}

test("operations: create and PATCH as the SDK serializes them, and back what a GET gave", async () => {
  const created = parse(
    (await expect(201, "POST", "operations", serialize({
      odataType: "#microsoft.graph.longRunningOperation",
      status: LongRunningOperationStatusObject.NotStarted,
      statusDetail: "made through the Kiota models",
    }, serializeLongRunningOperation))).text,
    createLongRunningOperationFromDiscriminatorValue,
  );
  assert.match(created.id, /^[0-9a-f-]{36}$/);
  assert.equal(created.odataType, "#microsoft.graph.longRunningOperation");
  assert.equal(created.status, LongRunningOperationStatusObject.NotStarted);
  assert.ok(created.createdDateTime instanceof Date && !Number.isNaN(created.createdDateTime.getTime()));

  const lastAction = new Date("2024-05-01T08:30:00.123Z");
  const patched = parse(
    (await expect(200, "PATCH", `operations/${created.id}`, serialize({
      odataType: "#microsoft.graph.longRunningOperation",
      lastActionDateTime: lastAction,
      status: LongRunningOperationStatusObject.Running,
      statusDetail: "checked 120 of 500 users",
      resourceLocation: "https://example.com/reports/1",
    }, serializeLongRunningOperation))).text,
    createLongRunningOperationFromDiscriminatorValue,
  );
  assert.equal(patched.lastActionDateTime.toISOString(), lastAction.toISOString());
  assert.equal(patched.status, LongRunningOperationStatusObject.Running);
  assert.equal(patched.resourceLocation, "https://example.com/reports/1");

  // An application that reads an entity, changes it and sends the whole
  // model back: id, @odata.type, @odata.context (in additionalData) and all.
  const read = parse((await expect(200, "GET", `operations/${created.id}`)).text, createLongRunningOperationFromDiscriminatorValue);
  assert.ok(read.additionalData["@odata.context"], "no @odata.context in additionalData");
  read.status = LongRunningOperationStatusObject.Succeeded;
  const back = parse(
    (await expect(200, "PATCH", `operations/${created.id}`, serialize(read, serializeLongRunningOperation))).text,
    createLongRunningOperationFromDiscriminatorValue,
  );
  assert.equal(back.status, LongRunningOperationStatusObject.Succeeded);
  assert.equal(back.createdDateTime.toISOString(), created.createdDateTime.toISOString());
});

test("source systems, years, connectors and flows: created, parsed and updated through the models", async () => {
  const ss = parse(
    (await expect(201, "POST", "sourceSystems", serialize({ displayName: "District SIS", vendor: "Contoso" }, serializeSourceSystemDefinition))).text,
    createSourceSystemDefinitionFromDiscriminatorValue,
  );
  assert.equal(ss.odataType, "#microsoft.graph.industryData.sourceSystemDefinition");
  assert.equal(ss.vendor, "Contoso");

  const year = parse(
    (await expect(201, "POST", "years", serialize({
      displayName: "2025-2026",
      startDate: new DateOnly({ year: 2025, month: 9, day: 1 }),
      endDate: new DateOnly({ year: 2026, month: 6, day: 30 }),
      year: { code: "2026" },
    }, serializeYearTimePeriodDefinition))).text,
    createYearTimePeriodDefinitionFromDiscriminatorValue,
  );
  assert.equal(year.startDate.toString(), "2025-09-01");
  assert.equal(year.endDate.toString(), "2026-06-30");
  assert.equal(year.year.code, "2026");

  // Navigations are bound through additionalData, as SDK users do.
  const connBody = serialize({
    odataType: "#microsoft.graph.industryData.azureDataLakeConnector",
    displayName: "CSV drop",
    additionalData: { "sourceSystem@odata.bind": `${api}/sourceSystems('${ss.id}')` },
  }, serializeIndustryDataConnector);
  const conn = parse((await expect(201, "POST", "dataConnectors", connBody)).text, createIndustryDataConnectorFromDiscriminatorValue);
  assert.equal(conn.odataType, "#microsoft.graph.industryData.azureDataLakeConnector");
  assert.equal(conn.displayName, "CSV drop");

  const flowBody = serialize({
    odataType: "#microsoft.graph.industryData.inboundFileFlow",
    displayName: "Rostering",
    dataDomain: InboundDomainObject.EducationRostering,
    effectiveDateTime: new Date("2025-08-01T00:00:00Z"),
    additionalData: {
      "dataConnector@odata.bind": `${api}/dataConnectors/${conn.id}`,
      "year@odata.bind": `${api}/years/${year.id}`,
    },
  }, serializeInboundFlow);
  const flow = parse((await expect(201, "POST", "inboundFlows", flowBody)).text, createInboundFlowFromDiscriminatorValue);
  assert.equal(flow.odataType, "#microsoft.graph.industryData.inboundFileFlow");
  assert.equal(flow.readinessStatus, ReadinessStatusObject.NotReady);
  assert.equal(flow.dataDomain, InboundDomainObject.EducationRostering);
  assert.equal(flow.effectiveDateTime.toISOString(), "2025-08-01T00:00:00.000Z");
  assert.equal(flow.expirationDateTime, undefined); // served as null

  const expanded = parse(
    (await expect(200, "GET", `inboundFlows/${flow.id}?$expand=dataConnector,year`)).text,
    createInboundFlowFromDiscriminatorValue,
  createReferenceDefinitionCollectionResponseFromDiscriminatorValue,
  );
  assert.equal(expanded.dataConnector.odataType, "#microsoft.graph.industryData.azureDataLakeConnector");
  assert.equal(expanded.dataConnector.id, conn.id);
  assert.equal(expanded.year.startDate.toString(), "2025-09-01");

  const list = parse((await expect(200, "GET", "inboundFlows?$count=true")).text, createInboundFlowCollectionResponseFromDiscriminatorValue);
  assert.equal(list.odataCount, 1);
  assert.deepEqual(list.value.map((f) => [f.id, f.odataType]), [[flow.id, "#microsoft.graph.industryData.inboundFileFlow"]]);

  const connPatched = parse(
    (await expect(200, "PATCH", `dataConnectors/${conn.id}`, serialize({
      odataType: "#microsoft.graph.industryData.azureDataLakeConnector",
      displayName: "CSV drop (nightly)",
    }, serializeIndustryDataConnector))).text,
    createIndustryDataConnectorFromDiscriminatorValue,
  );
  assert.equal(connPatched.displayName, "CSV drop (nightly)");
  const flowPatched = parse(
    (await expect(200, "PATCH", `inboundFlows/${flow.id}`, serialize({
      odataType: "#microsoft.graph.industryData.inboundFileFlow",
      expirationDateTime: new Date("2026-07-31T00:00:00Z"),
    }, serializeInboundFlow))).text,
    createInboundFlowFromDiscriminatorValue,
  createReferenceDefinitionCollectionResponseFromDiscriminatorValue,
  );
  assert.equal(flowPatched.expirationDateTime.toISOString(), "2026-07-31T00:00:00.000Z");
  assert.equal(flowPatched.displayName, "Rostering");

  // A validation with nothing uploaded: a fileValidateOperation, through
  // the longRunningOperation factory's discriminator, that failed.
  const validate = await expect(202, "POST", `dataConnectors/${conn.id}/validate`);
  const op = await finished(validate.location);
  assert.equal(op.odataType, "#microsoft.graph.industryData.fileValidateOperation");
  assert.equal(op.status, LongRunningOperationStatusObject.Failed);
  assert.ok(op.errors.length > 0, "no errors");
  assert.ok(op.errors.every((e) => e.code && e.message), JSON.stringify(op.errors));
  assert.deepEqual(op.validatedFiles, []);
});

test("runs: started, followed and parsed through the models", async () => {
  const start = await expect(202, "POST", "runs/start");
  const started = parse(start.text, createIndustryDataRunFromDiscriminatorValue);
  assert.equal(started.odataType, "#microsoft.graph.industryData.industryDataRun");
  assert.ok(started.startDateTime instanceof Date);

  const op = await finished(start.location);
  assert.equal(op.status, LongRunningOperationStatusObject.Succeeded, op.statusDetail);
  const run = parse((await expect(200, "GET", `runs/${started.id}`)).text, createIndustryDataRunFromDiscriminatorValue);
  assert.equal(run.id, started.id);
  assert.ok(Object.values(IndustryDataRunStatusObject).includes(run.status), run.status);
  assert.notEqual(run.status, IndustryDataRunStatusObject.Running);
  assert.ok(run.endDateTime >= run.startDateTime);
  assert.equal(run.blockingError?.code, undefined); // served as null, which Kiota reads as {}

  const activities = parse(
    (await expect(200, "GET", `runs/${run.id}/activities`)).text,
    createIndustryDataRunActivityCollectionResponseFromDiscriminatorValue,
  );
  // The flow made above has no validated files: the run skipped it.
  assert.ok(activities.value.length >= 1, "no activities");
  for (const a of activities.value) {
    assert.equal(a.odataType, "#microsoft.graph.industryData.inboundFlowActivity");
    assert.equal(a.status, IndustryDataActivityStatusObject.Skipped);
    assert.ok(a.displayName);
  }

  const stats = parse(
    (await expect(200, "GET", `runs/${run.id}/microsoft.graph.industryData.getStatistics()`)).text,
    createIndustryDataRunStatisticsFromDiscriminatorValue,
  );
  assert.equal(stats.runId, run.id);
  assert.equal(stats.status, run.status);
  assert.ok(Array.isArray(stats.activityStatistics));
  assert.equal(typeof stats.inboundTotals.people, "number");
});

test("reference definitions: the system defaults parse through the models", async () => {
  const roles = parse(
    (await expect(200, "GET", "referenceDefinitions?$filter=referenceType eq 'RefRole'&$orderby=sortIndex")).text,
    createReferenceDefinitionCollectionResponseFromDiscriminatorValue,
  );
  const codes = roles.value.map((d) => d.code);
  for (const code of ["student", "teacher", "administrator"]) {
    assert.ok(codes.includes(code), `RefRole has no ${code}: ${codes}`);
  }
  for (const d of roles.value) {
    assert.equal(d.odataType, "#microsoft.graph.industryData.referenceDefinition");
    assert.equal(d.id, `RefRole-${d.code}`);
    assert.equal(typeof d.isDisabled, "boolean");
    assert.equal(typeof d.sortIndex, "number");
    assert.ok(d.createdDateTime instanceof Date && d.lastModifiedDateTime instanceof Date);
  }
  const indexes = roles.value.map((d) => d.sortIndex);
  assert.deepEqual(indexes, [...indexes].sort((a, b) => a - b));
});
