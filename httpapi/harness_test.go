package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"industrydata"
	"industrydata/auth"
	"industrydata/blob"
	"industrydata/httpapi"
	"industrydata/service"
	"industrydata/store/sqlite"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

const (
	tenantA = "11111111-1111-1111-1111-111111111111"
	tenantB = "22222222-2222-2222-2222-222222222222"
)

// harness is the real router over a real SQLite store in a temp dir.
type harness struct {
	t       testing.TB
	handler http.Handler
	store   industrydata.Store
}

type harnessOption func(*httpapi.Config, *service.Options)

func newHarness(t testing.TB, opts ...harnessOption) *harness {
	t.Helper()
	return newHarnessWithStore(t, openStore(t), opts...)
}

func openStore(t testing.TB) industrydata.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), sqlite.Config{Path: t.TempDir() + "/test.db"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newHarnessWithStore(t testing.TB, st industrydata.Store, opts ...harnessOption) *harness {
	signer, err := blob.NewSigner(testKey)
	if err != nil {
		panic(err)
	}
	cfg := httpapi.Config{
		Verifier: auth.NewLocalVerifier(testKey, time.Now),
		Ready:    st.Ping,
		Blob:     blob.NewHandler(blob.Config{Store: st, Signer: signer}),
	}
	var so service.Options
	for _, o := range opts {
		o(&cfg, &so)
	}
	cfg.Service = service.New(st, industrydata.SystemClock{}, so)
	return &harness{t: t, handler: httpapi.NewHandler(cfg), store: st}
}

// token mints a token for tenant; with no permissions it grants them all.
func token(t testing.TB, tenant string, perms ...industrydata.Permission) string {
	t.Helper()
	req := auth.TokenRequest{Tenant: tenant, Expires: time.Hour}
	for _, p := range perms {
		req.Roles = append(req.Roles, string(p))
	}
	tok, err := auth.Mint(testKey, req)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// response is a recorded answer with its body decoded when it is JSON.
type response struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

func (r *response) str(key string) string {
	s, _ := r.body[key].(string)
	return s
}

// errorCode is the Graph error code of an error response.
func (r *response) errorCode() string {
	e, _ := r.body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func (r *response) errorMessage() string {
	e, _ := r.body["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}

func (r *response) errorTarget() string {
	e, _ := r.body["error"].(map[string]any)
	s, _ := e["target"].(string)
	return s
}

// request describes one call; headers are name/value pairs.
type request struct {
	method, path, body string
	tenant             string // default tenantA; "-" for no Authorization
	token              string // overrides tenant
	headers            []string
}

func (h *harness) do(rq request) *response {
	h.t.Helper()
	var body io.Reader
	if rq.body != "" {
		body = strings.NewReader(rq.body)
	}
	req := httptest.NewRequest(rq.method, "http://industrydata.test"+rq.path, body)
	if rq.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	switch {
	case rq.token != "":
		req.Header.Set("Authorization", "Bearer "+rq.token)
	case rq.tenant == "-":
	case rq.tenant != "":
		req.Header.Set("Authorization", "Bearer "+token(h.t, rq.tenant))
	default:
		req.Header.Set("Authorization", "Bearer "+token(h.t, tenantA))
	}
	for i := 0; i+1 < len(rq.headers); i += 2 {
		if rq.headers[i+1] == "" {
			req.Header.Del(rq.headers[i])
			continue
		}
		req.Header.Set(rq.headers[i], rq.headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, req)
	res := &response{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") && rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &res.body); err != nil {
			h.t.Fatalf("%s %s: body is not JSON: %v\n%s", rq.method, rq.path, err, res.raw)
		}
	}
	return res
}

// must does rq and fails the test unless the status is want.
func (h *harness) must(want int, rq request) *response {
	h.t.Helper()
	res := h.do(rq)
	if res.status != want {
		h.t.Fatalf("%s %s: status %d, want %d\n%s", rq.method, rq.path, res.status, want, res.raw)
	}
	return res
}

// createOperation POSTs an operation and returns the response.
func (h *harness) createOperation(body string) *response {
	h.t.Helper()
	return h.must(201, request{method: "POST", path: "/beta/industryData/operations", body: body})
}

// systemProcess returns tenant A's provisioned userReportRefreshProcess.
func (h *harness) systemProcess() map[string]any {
	h.t.Helper()
	res := h.must(200, request{method: "GET", path: "/beta/industryData/processes"})
	values, _ := res.body["value"].([]any)
	if len(values) != 1 {
		h.t.Fatalf("want one process, got %s", res.raw)
	}
	return values[0].(map[string]any)
}
