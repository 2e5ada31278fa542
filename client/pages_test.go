package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// pagedServer serves /beta/industryData/operations as pages of two of n
// operations, its nextLinks naming linkHost (the service's public host,
// which may not be the one the client calls), and records each request's
// path, query and Authorization.
type pagedServer struct {
	n        int
	linkHost string
	mu       sync.Mutex
	seen     []string
	auth     []string
}

func (p *pagedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.seen = append(p.seen, r.URL.RequestURI())
	p.auth = append(p.auth, r.Header.Get("Authorization"))
	p.mu.Unlock()
	if r.URL.Path != "/beta/industryData/operations" {
		http.NotFound(w, r)
		return
	}
	start := 0
	fmt.Sscan(r.URL.Query().Get("$skiptoken"), &start)
	var page struct {
		Value    []map[string]string `json:"value"`
		NextLink string              `json:"@odata.nextLink,omitempty"`
	}
	for i := start; i < min(start+2, p.n); i++ {
		page.Value = append(page.Value, map[string]string{"id": fmt.Sprint(i), "status": "running"})
	}
	if start+2 < p.n {
		page.NextLink = fmt.Sprintf("https://%s/beta/industryData/operations?$filter=%s&$skiptoken=%d",
			p.linkHost, strings.ReplaceAll(r.URL.Query().Get("$filter"), " ", "%20"), start+2)
	}
	json.NewEncoder(w).Encode(page)
}

func TestListFollowsNextLinksOnItsOwnHost(t *testing.T) {
	p := &pagedServer{n: 5, linkHost: "graph.example.com"}
	srv := httptest.NewServer(p)
	defer srv.Close()
	c := newTestClient(t, srv, &fakeSleep{}, Options{Token: StaticToken("secret")})
	var ids []string
	for op, err := range c.Operations().List(t.Context(), &Query{Filter: "status eq 'running'", Top: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, op.ID)
	}
	if got := strings.Join(ids, ","); got != "0,1,2,3,4" {
		t.Errorf("ids %s, want 0,1,2,3,4", got)
	}
	want := []string{
		"/beta/industryData/operations?$filter=status+eq+%27running%27&$top=2",
		"/beta/industryData/operations?$filter=status%20eq%20'running'&$skiptoken=2",
		"/beta/industryData/operations?$filter=status%20eq%20'running'&$skiptoken=4",
	}
	if strings.Join(p.seen, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(p.seen, "\n"), strings.Join(want, "\n"))
	}
	for _, a := range p.auth {
		if a != "Bearer secret" {
			t.Errorf("Authorization %q", a)
		}
	}
}

func TestListStopsWhenTheLoopDoes(t *testing.T) {
	p := &pagedServer{n: 10, linkHost: "x"}
	srv := httptest.NewServer(p)
	defer srv.Close()
	c := newTestClient(t, srv, &fakeSleep{}, Options{})
	n := 0
	for _, err := range c.Operations().List(t.Context(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 3 {
			break
		}
	}
	if len(p.seen) != 2 {
		t.Errorf("%d requests for 3 entities of pages of 2, want 2: %v", len(p.seen), p.seen)
	}
}

func TestListYieldsTheErrorOnce(t *testing.T) {
	p := &pagedServer{n: 3, linkHost: "x"}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("$skiptoken") != "" {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":{"code":"badRequest","message":"The $skiptoken is not valid.","target":"$skiptoken"}}`))
			return
		}
		p.ServeHTTP(w, r)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := newTestClient(t, srv, &fakeSleep{}, Options{})
	var got []string
	var errs []error
	for op, err := range c.Operations().List(t.Context(), nil) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, op.ID)
	}
	var e *Error
	if len(got) != 2 || len(errs) != 1 || !errors.As(errs[0], &e) || e.Target != "$skiptoken" {
		t.Errorf("entities %v, errors %v; want the first page, then the 400 once", got, errs)
	}
}

func TestListRefusesALoopingNextLink(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"value":[{"id":"a"}],"@odata.nextLink":"http://%s/beta/industryData/operations?$skiptoken=same"}`, r.Host)
	}))
	defer srv.Close()
	c := newTestClient(t, srv, &fakeSleep{}, Options{})
	n, failed := 0, false
	for _, err := range c.Operations().List(t.Context(), nil) {
		if err != nil {
			failed = strings.Contains(err.Error(), "repeats")
			break
		}
		if n++; n > 10 {
			t.Fatal("the iteration goes on for ever")
		}
	}
	if !failed || n != 2 {
		t.Errorf("%d entities, loop refused %v; want 2 and an error", n, failed)
	}
}

func TestCount(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/beta/industryData/runs/$count" || r.URL.Query().Get("$filter") != "status eq 'failed'" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("42"))
	}))
	defer srv.Close()
	c := newTestClient(t, srv, &fakeSleep{}, Options{})
	n, err := c.Runs().Count(t.Context(), "status eq 'failed'")
	if err != nil || n != 42 {
		t.Fatalf("Count = %d, %v; want 42", n, err)
	}
}
