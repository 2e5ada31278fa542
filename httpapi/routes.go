package httpapi

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"industrydata"
	"industrydata/schema"
	"industrydata/service"
)

// handler is a route's work for the caller's tenant: it writes a success
// response or returns an error, which the adapter turns into the Graph
// envelope.
type handler func(w http.ResponseWriter, r *http.Request, t *service.Tenant) error

// prefixes are the two paths the API answers on (SPEC §1).
var prefixes = []string{"/beta", "/beta/external"}

// Permission sets of SPEC §7: any one permission of a set grants the route.
var (
	readRoot       = []industrydata.Permission{industrydata.PermReadBasic}
	readOperations = []industrydata.Permission{industrydata.PermReadBasic, industrydata.PermOperationReadWrite}
	writeOperation = []industrydata.Permission{industrydata.PermOperationReadWrite}
	readProcesses  = []industrydata.Permission{industrydata.PermReadBasic, industrydata.PermProcessReadWrite}
	writeProcess   = []industrydata.Permission{industrydata.PermProcessReadWrite}
	readRuns       = []industrydata.Permission{industrydata.PermRunRead, industrydata.PermRunStart}
	startRuns      = []industrydata.Permission{industrydata.PermRunStart}

	readDataConnectors        = []industrydata.Permission{industrydata.PermDataConnectorRead, industrydata.PermDataConnectorReadWrite}
	writeDataConnectors       = []industrydata.Permission{industrydata.PermDataConnectorReadWrite}
	readInboundFlows          = []industrydata.Permission{industrydata.PermInboundFlowRead, industrydata.PermInboundFlowReadWrite}
	writeInboundFlows         = []industrydata.Permission{industrydata.PermInboundFlowReadWrite}
	readSourceSystems         = []industrydata.Permission{industrydata.PermSourceSystemRead, industrydata.PermSourceSystemReadWrite}
	writeSourceSystems        = []industrydata.Permission{industrydata.PermSourceSystemReadWrite}
	readYears                 = []industrydata.Permission{industrydata.PermTimePeriodRead, industrydata.PermTimePeriodReadWrite}
	writeYears                = []industrydata.Permission{industrydata.PermTimePeriodReadWrite}
	readReferenceDefinitions  = []industrydata.Permission{industrydata.PermReferenceDefinitionRead, industrydata.PermReferenceDefinitionReadWrite}
	writeReferenceDefinitions = []industrydata.Permission{industrydata.PermReferenceDefinitionReadWrite}

	// anyPermission grants $batch: a token with none of the service's
	// permissions could do nothing inside one.
	anyPermission = industrydata.AllPermissions
)

// route is one entry of the API's route table: a method and a path (below
// the version prefix, registered under every one of prefixes), the
// permissions any one of which grants it, and its handler.
type route struct {
	method string
	path   string
	perms  []industrydata.Permission
	h      handler
}

// pattern is the route's ServeMux pattern under prefix.
func (rt route) pattern(prefix string) string { return rt.method + " " + prefix + rt.path }

// routeTable is the whole API surface and its permission table: every route
// names the permissions that grant it, so none can be open by omission
// (register refuses a route without them).
func (a *api) routeTable() []route {
	t := []route{
		{"GET", "/industryData", readRoot, a.getRoot},
		{"GET", "/external", readRoot, a.getExternal},

		{"GET", "/industryData/operations", readOperations, a.listOperations},
		{"GET", "/industryData/operations/$count", readOperations, a.countOperations},
		{"POST", "/industryData/operations", writeOperation, a.createOperation},
		{"GET", "/industryData/operations/{id}", readOperations, a.getOperation},
		{"PATCH", "/industryData/operations/{id}", writeOperation, a.updateOperation},
		{"DELETE", "/industryData/operations/{id}", writeOperation, a.deleteOperation},

		{"GET", "/industryData/processes", readProcesses, a.listProcesses(nil)},
		{"GET", "/industryData/processes/$count", readProcesses, a.countProcesses(nil)},
		{"POST", "/industryData/processes", writeProcess, a.createProcess},
		{"GET", "/industryData/processes/{id}", readProcesses, a.getProcess(nil)},
		{"PATCH", "/industryData/processes/{id}", writeProcess, a.updateProcess(nil)},
		{"DELETE", "/industryData/processes/{id}", writeProcess, a.deleteProcess},
		// $expand=runs on the process routes also needs readRuns (expandRuns).
		{"GET", "/industryData/processes/{id}/runs", readRuns, a.listRuns(true)},
		{"GET", "/industryData/processes/{id}/runs/$count", readRuns, a.countRuns(true)},
		{"POST", "/industryData/processes/{id}/runs", startRuns, a.startRun},
		{"GET", "/industryData/processes/{id}/runs/{rid}/userReport", readRuns, a.getUserReport},
		{"GET", "/industryData/processes/{id}/runs/{rid}/userReport/entries", readRuns, a.listReportEntries},
		{"GET", "/industryData/processes/{id}/runs/{rid}/userReport/entries/$count", readRuns, a.countReportEntries},

		{"GET", "/industryData/runs", readRuns, a.listRuns(false)},
		{"GET", "/industryData/runs/$count", readRuns, a.countRuns(false)},
		{"GET", "/industryData/runs/{id}", readRuns, a.getRun},
		// Published Graph's action, by its short and its qualified name.
		{"POST", "/industryData/runs/start", startRuns, a.startAllRuns},
		{"POST", "/industryData/runs/microsoft.graph.industryData.start", startRuns, a.startAllRuns},

		// JSON batching: each request inside is checked against its own
		// route's permissions.
		{"POST", batchPath, anyPermission, a.batch},
	}
	// The import surface (SPEC §11): one set of routes per set, and the
	// data connectors' upload and validation.
	for _, s := range resourceSetRoutes {
		t = append(t, a.resourceRoutes(s, schema.IndustryDataRoot.NavigationProperty(s.name).Target)...)
	}
	t = append(t, a.connectorRoutes()...)
	t = append(t, a.activityRoutes()...)
	// Type-cast segments, one per concrete process type in the schema.
	for _, typ := range schema.ConcreteSubtypes(schema.Process) {
		cast := "/" + typ.FullName()
		t = append(t,
			route{"GET", "/industryData/processes" + cast, readProcesses, a.listProcesses(typ)},
			route{"GET", "/industryData/processes" + cast + "/$count", readProcesses, a.countProcesses(typ)},
			route{"GET", "/industryData/processes/{id}" + cast, readProcesses, a.getProcess(typ)},
			route{"PATCH", "/industryData/processes/{id}" + cast, writeProcess, a.updateProcess(typ)},
		)
	}
	return t
}

// routes registers the endpoints that need no token and every route of the
// route table.
func (a *api) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /readyz", a.readyz)
	mux.HandleFunc("GET /beta/$metadata", a.metadata)
	table := a.routeTable()
	for _, rt := range table {
		a.register(mux, rt)
	}
	a.registerActions(table)
}

// register puts rt under both prefixes, behind authentication, the route's
// permissions and the tenant's rate limit. A route without a permission set,
// with a permission SPEC §7 does not name, or without a handler is a
// programming error: it panics, so the server does not start.
func (a *api) register(mux *http.ServeMux, rt route) {
	if rt.method == "" || rt.path == "" || rt.h == nil {
		panic(fmt.Sprintf("httpapi: route %q %q needs a method, a path and a handler", rt.method, rt.path))
	}
	if len(rt.perms) == 0 {
		panic(fmt.Sprintf("httpapi: route %s %s has no permission set; every API route must name the permissions that grant it", rt.method, rt.path))
	}
	for _, p := range rt.perms {
		if !slices.Contains(industrydata.AllPermissions, p) {
			panic(fmt.Sprintf("httpapi: route %s %s names unknown permission %q", rt.method, rt.path, p))
		}
	}
	h := rt.h
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The one way to the service: the caller's tenant, provisioned on
		// its first request, so that no route can forget it.
		t, err := a.tenant(r)
		if err == nil {
			err = h(w, r, t)
		}
		if err != nil {
			writeError(w, r, a.Logger, err)
		}
	})
	limited := a.throttled(inner)
	if rt.path == batchPath {
		// Each request inside a batch counts against the tenant's rate,
		// as in Graph; the batch itself does not.
		limited = inner
	}
	wrapped := authenticate(a.Verifier, a.Logger, slices.Clone(rt.perms), limited)
	for _, prefix := range prefixesOf(rt.path) {
		mux.Handle(rt.pattern(prefix), wrapped)
	}
}

// prefixesOf are the prefixes a route is served under: every one for the
// industryData paths; /external, which is itself the second prefix's
// root, under /beta only (no /beta/external/external).
func prefixesOf(path string) []string {
	if strings.HasPrefix(path, "/industryData") {
		return prefixes
	}
	return prefixes[:1]
}
