package httpapi_test

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"

	"github.com/google/go-cmp/cmp"
	"testing"

	"industrydata/schema"
)

const metadataPath = "/beta/$metadata"

// metadataDoc is just enough of the CSDL to see that it parses as EDMX.
type metadataDoc struct {
	XMLName      xml.Name `xml:"http://docs.oasis-open.org/odata/ns/edmx Edmx"`
	DataServices struct {
		Schemas []struct {
			Namespace   string `xml:"Namespace,attr"`
			EntityTypes []struct {
				Name string `xml:"Name,attr"`
			} `xml:"EntityType"`
		} `xml:"http://docs.oasis-open.org/odata/ns/edm Schema"`
	} `xml:"http://docs.oasis-open.org/odata/ns/edmx DataServices"`
}

func TestMetadataIsPublicXML(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name string
		rq   request
	}{
		{"no token served", request{method: "GET", path: metadataPath, tenant: "-"}},
		{"token ignored and served", request{method: "GET", path: metadataPath}},
		{"percent-encoded $ served", request{method: "GET", path: "/beta/%24metadata", tenant: "-"}},
		{"$format xml served", request{method: "GET", path: metadataPath + "?$format=xml", tenant: "-"}},
		{"format without $ in upper case served", request{method: "GET", path: metadataPath + "?format=XML", tenant: "-"}},
		{"$format media type served", request{method: "GET", path: metadataPath + "?%24format=application%2Fxml", tenant: "-"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.must(200, tt.rq)
			if ct := res.header.Get("Content-Type"); ct != "application/xml" {
				t.Errorf("Content-Type = %q, want application/xml", ct)
			}
			if res.raw != string(schema.CSDL()) {
				t.Errorf("body is not schema.CSDL()")
			}
			if cl := res.header.Get("Content-Length"); cl != strconv.Itoa(len(res.raw)) {
				t.Errorf("Content-Length = %q, body is %d bytes", cl, len(res.raw))
			}
			var doc metadataDoc
			if err := xml.Unmarshal([]byte(res.raw), &doc); err != nil {
				t.Fatalf("body does not parse as XML: %v", err)
			}
			var names []string
			for _, s := range doc.DataServices.Schemas {
				for _, e := range s.EntityTypes {
					names = append(names, s.Namespace+"."+e.Name)
				}
			}
			if !strings.Contains(strings.Join(names, " "), "microsoft.graph.industryData.userReportRefreshProcess") {
				t.Errorf("entity types %v lack userReportRefreshProcess", names)
			}
			etag := res.header.Get("ETag")
			if len(etag) < 3 || etag[0] != '"' || etag[len(etag)-1] != '"' {
				t.Errorf("ETag = %q, want a strong entity-tag", etag)
			}
			if res.header.Get("request-id") == "" || res.header.Get("OData-Version") != "4.0" {
				t.Errorf("headers: request-id %q OData-Version %q", res.header.Get("request-id"), res.header.Get("OData-Version"))
			}
		})
	}
}

func TestMetadataConditionalGet(t *testing.T) {
	h := newHarness(t)
	etag := h.must(200, request{method: "GET", path: metadataPath, tenant: "-"}).header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if again := h.must(200, request{method: "GET", path: metadataPath, tenant: "-"}).header.Get("ETag"); again != etag {
		t.Errorf("ETag changed between calls: %q then %q", etag, again)
	}
	tests := []struct {
		name, ifNoneMatch string
		want              int
	}{
		{"current ETag not modified", etag, 304},
		{"weak form of current ETag not modified", "W/" + etag, 304},
		{"current ETag in a list not modified", `"other", ` + etag, 304},
		{"star not modified", "*", 304},
		{"other ETag sent in full", `"other"`, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.must(tt.want, request{method: "GET", path: metadataPath, tenant: "-",
				headers: []string{"If-None-Match", tt.ifNoneMatch}})
			if got := res.header.Get("ETag"); got != etag {
				t.Errorf("ETag = %q, want %q", got, etag)
			}
			if tt.want == 304 && res.raw != "" {
				t.Errorf("304 with a body: %q", res.raw)
			}
			if tt.want == 200 && res.raw != string(schema.CSDL()) {
				t.Errorf("200 without the document")
			}
		})
	}
}

func TestMetadataRejectsOtherOptions(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name, query, wantTarget string
	}{
		{"$format json rejected", "$format=json", "$format"},
		{"$format application/json rejected", "$format=application%2Fjson", "$format"},
		{"empty $format rejected", "$format=", "$format"},
		{"$filter rejected", "$filter=x", "$filter"},
		{"$top rejected", "$top=1", "$top"},
		{"unknown option rejected", "foo=bar", "foo"},
		{"repeated $format rejected", "$format=xml&$format=xml", "$format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// If-None-Match does not turn a bad request into a 304.
			res := h.must(400, request{method: "GET", path: metadataPath + "?" + tt.query, tenant: "-",
				headers: []string{"If-None-Match", "*"}})
			checkEnvelope(t, res, "badRequest")
			if res.errorTarget() != tt.wantTarget {
				t.Errorf("target = %q, want %q (message %q)", res.errorTarget(), tt.wantTarget, res.errorMessage())
			}
		})
	}
}

func TestMetadataMethodNotAllowed(t *testing.T) {
	h := newHarness(t)
	for _, method := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		t.Run(method, func(t *testing.T) {
			res := h.must(405, request{method: method, path: metadataPath, tenant: "-", body: `{}`})
			checkEnvelope(t, res, "methodNotAllowed")
			if !strings.Contains(res.header.Get("Allow"), "GET") {
				t.Errorf("Allow = %q, want GET listed", res.header.Get("Allow"))
			}
		})
	}
}

// checkEnvelope asserts a Graph error envelope (SPEC §6) with code.
func checkEnvelope(t *testing.T, res *response, code string) {
	t.Helper()
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if res.errorCode() != code {
		t.Errorf("error.code = %q, want %q: %s", res.errorCode(), code, res.raw)
	}
	inner, _ := res.body["error"].(map[string]any)["innerError"].(map[string]any)
	if inner == nil || inner["request-id"] != res.header.Get("request-id") {
		t.Errorf("innerError missing or request-id mismatch: %s", res.raw)
	}
	if bytes.Contains([]byte(res.raw), []byte("<?xml")) {
		t.Errorf("error carries the document: %s", res.raw)
	}
}

// TestExternalSingleton: GET /beta/external answers Graph's
// externalConnectors.external singleton, declared in the CSDL, with its
// industryData navigation not expanded; without a token it is 401.
func TestExternalSingleton(t *testing.T) {
	h := newHarness(t)
	res := h.must(200, request{method: "GET", path: "/beta/external"})
	want := map[string]any{
		"@odata.context": "http://industrydata.test/beta/$metadata#external",
		"@odata.type":    "#microsoft.graph.externalConnectors.external",
	}
	if diff := cmp.Diff(want, res.body); diff != "" {
		t.Errorf("GET /beta/external (-want +got):\n%s", diff)
	}
	h.must(401, request{method: "GET", path: "/beta/external", tenant: "-"})
	// /external is the second prefix's root, not a path under it.
	h.must(404, request{method: "GET", path: "/beta/external/external"})
	doc := h.must(200, request{method: "GET", path: metadataPath, tenant: "-"}).raw
	for _, s := range []string{`<Schema Namespace="microsoft.graph.externalConnectors"`,
		`<Singleton Name="external" Type="microsoft.graph.externalConnectors.external">`,
		`<NavigationProperty Name="industryData" Type="microsoft.graph.industryData.industryDataRoot" ContainsTarget="true">`} {
		if !strings.Contains(doc, s) {
			t.Errorf("$metadata lacks %s", s)
		}
	}
}
