package httpapi_test

import (
	"fmt"
	"testing"

	"industrydata/schema"
)

// Every action and function $metadata declares is served, by its short and
// its qualified name, on the type it is bound to: a declaration without a
// route (or a route without a declaration's binding) fails here.
func TestDeclaredOperationsAreServed(t *testing.T) {
	// target is where an operation bound to a type is called, given the
	// ids the harness made; want is the status of a call that works.
	type target struct {
		path func(conn, run string) string
		want map[string]int
	}
	const root = "/beta/external/industryData/"
	targets := map[string]target{
		"Collection(" + schema.IndustryDataRun.FullName() + ")": {
			path: func(_, _ string) string { return root + "runs" },
			want: map[string]int{"getStatistics": 200, "start": 202},
		},
		schema.IndustryDataRun.FullName(): {
			path: func(_, run string) string { return root + "runs/" + run },
			want: map[string]int{"getStatistics": 200},
		},
		schema.IndustryDataConnector.FullName(): {
			path: func(conn, _ string) string { return root + "dataConnectors/" + conn },
			want: map[string]int{"validate": 202},
		},
		schema.AzureDataLakeConnector.FullName(): {
			path: func(conn, _ string) string {
				return root + "dataConnectors/" + conn + "/" + schema.AzureDataLakeConnector.FullName()
			},
			want: map[string]int{"getUploadSession": 200},
		},
	}
	for _, op := range schema.Operations {
		binding := op.Binding.FullName()
		if op.Collection {
			binding = "Collection(" + binding + ")"
		}
		tg, ok := targets[binding]
		want, known := tg.want[op.Name]
		if !ok || !known {
			t.Errorf("%s bound to %s: the test does not know where to call it; add it", op.Name, binding)
			continue
		}
		for _, name := range []string{op.Name, op.FullName()} {
			t.Run(fmt.Sprintf("%s on %s", name, binding), func(t *testing.T) {
				h := newHarness(t)
				_, _, conn, _ := h.importSurface()
				run := runsStart(t, h, tenantA)
				rq := request{method: "POST", path: tg.path(conn, run) + "/" + name}
				if op.Function {
					rq = request{method: "GET", path: tg.path(conn, run) + "/" + name + "()"}
				}
				h.must(want, rq)
			})
		}
	}
}
