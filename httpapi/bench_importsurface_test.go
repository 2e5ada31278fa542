package httpapi_test

import (
	"fmt"
	"net/url"
	"testing"
)

// BenchmarkImportSurfaceList reads a page of a full set (1,000 source
// systems, the most a tenant keeps), filtered and sorted, through the
// router: the cost of listing a set by reading it whole. Compare with
// BenchmarkImportSurfaceGet, one entity by id, in the same run.
func BenchmarkImportSurfaceList(b *testing.B) {
	h := fullSourceSystems(b)
	path := idPrefix + "sourceSystems?$top=100&$orderby=" + url.QueryEscape("displayName desc") + "&$filter=" + url.QueryEscape("vendor eq 'Contoso'")
	b.ResetTimer()
	for b.Loop() {
		h.must(200, request{method: "GET", path: path})
	}
}

func BenchmarkImportSurfaceGet(b *testing.B) {
	h := fullSourceSystems(b)
	id := h.must(200, request{method: "GET", path: idPrefix + "sourceSystems?$top=1"}).body["value"].([]any)[0].(map[string]any)["id"].(string)
	b.ResetTimer()
	for b.Loop() {
		h.must(200, request{method: "GET", path: idPrefix + "sourceSystems/" + id})
	}
}

// fullSourceSystems is a harness whose tenant A has 1,000 source systems.
func fullSourceSystems(b *testing.B) *harness {
	h := newHarness(b)
	for i := range 1000 {
		h.must(201, request{method: "POST", path: idPrefix + "sourceSystems",
			body: fmt.Sprintf(`{"displayName":"SIS %04d","vendor":"%s"}`, i, []string{"Contoso", "Fabrikam"}[i%2])})
	}
	return h
}
