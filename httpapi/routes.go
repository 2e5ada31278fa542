package httpapi

import (
	"net/http"
	"strings"

	"industrydata"
	"industrydata/schema"
)

// handler is a route's work: it writes a success response or returns an
// error, which the adapter turns into the Graph envelope.
type handler func(w http.ResponseWriter, r *http.Request) error

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
)

// routes is the whole API surface and its permission table: every route
// names the permissions that grant it, so none can be open by omission.
func (a *api) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /readyz", a.readyz)
	mux.HandleFunc("GET /beta/$metadata", a.metadata)

	a.handle(mux, "GET /industryData", readRoot, a.getRoot)

	a.handle(mux, "GET /industryData/operations", readOperations, a.listOperations)
	a.handle(mux, "POST /industryData/operations", writeOperation, a.createOperation)
	a.handle(mux, "GET /industryData/operations/{id}", readOperations, a.getOperation)
	a.handle(mux, "PATCH /industryData/operations/{id}", writeOperation, a.updateOperation)
	a.handle(mux, "DELETE /industryData/operations/{id}", writeOperation, a.deleteOperation)

	a.handle(mux, "GET /industryData/processes", readProcesses, a.listProcesses(nil))
	a.handle(mux, "POST /industryData/processes", writeProcess, a.createProcess)
	a.handle(mux, "GET /industryData/processes/{id}", readProcesses, a.getProcess(nil))
	a.handle(mux, "PATCH /industryData/processes/{id}", writeProcess, a.updateProcess(nil))
	a.handle(mux, "DELETE /industryData/processes/{id}", writeProcess, a.deleteProcess)
	// $expand=runs on the process routes also needs readRuns (expandRuns).
	a.handle(mux, "GET /industryData/processes/{id}/runs", readRuns, a.listRuns(true))
	a.handle(mux, "POST /industryData/processes/{id}/runs", startRuns, a.startRun)
	a.handle(mux, "GET /industryData/processes/{id}/runs/{rid}/userReport", readRuns, a.getUserReport)
	a.handle(mux, "GET /industryData/processes/{id}/runs/{rid}/userReport/entries", readRuns, a.listReportEntries)

	a.handle(mux, "GET /industryData/runs", readRuns, a.listRuns(false))
	a.handle(mux, "GET /industryData/runs/{id}", readRuns, a.getRun)
	// Published Graph's action, by its short and its qualified name.
	a.handle(mux, "POST /industryData/runs/start", startRuns, a.startAllRuns)
	a.handle(mux, "POST /industryData/runs/microsoft.graph.industryData.start", startRuns, a.startAllRuns)
	// Type-cast segments, one per concrete process type in the schema.
	for _, t := range schema.ConcreteSubtypes(schema.Process) {
		cast := "/" + t.FullName()
		a.handle(mux, "GET /industryData/processes"+cast, readProcesses, a.listProcesses(t))
		a.handle(mux, "GET /industryData/processes/{id}"+cast, readProcesses, a.getProcess(t))
		a.handle(mux, "PATCH /industryData/processes/{id}"+cast, writeProcess, a.updateProcess(t))
	}
}

// handle registers h under both prefixes, behind authentication, the
// route's permissions and the tenant's rate limit.
func (a *api) handle(mux *http.ServeMux, pattern string, perms []industrydata.Permission, h handler) {
	method, path, _ := strings.Cut(pattern, " ")
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeError(w, r, a.Logger, err)
		}
	})
	wrapped := authenticate(a.Verifier, a.Logger, perms, a.throttled(inner))
	for _, prefix := range prefixes {
		mux.Handle(method+" "+prefix+path, wrapped)
	}
}
