package httpapi_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"industrydata"
	"industrydata/auth"
	"industrydata/httpapi"
	"industrydata/internal/benchdata"
	"industrydata/odata"
	"industrydata/schema"
	"industrydata/service"
	"industrydata/store/sqlite"
)

const (
	benchOperations = 1_000_000
	benchPage       = 100
	benchPages      = 100 // the walk's length: the 100th page is the deepest measured
)

// BenchmarkHTTPQueryMillion measures, over real HTTP on loopback, the real
// handler over the real SQLite store holding a million operations (a
// quarter of them running; the database shared with the store's
// BenchmarkQueryMillion), each against the bare store calls the service
// makes for it, in the same run:
//
//   - first page: $filter=status eq 'running'&$orderby=createdDateTime desc&$top=100;
//   - page 100: the URL reached by following @odata.nextLink 99 times;
//   - walk: one page per op, following the nextLinks from the first page to
//     the 100th and starting over, to show whether deep pages cost more;
//   - count: the first page with $count=true.
//
// Each op's latency is recorded: p50-ms and p99-ms are its quantiles, and
// p50-vs-store is the HTTP p50 divided by the bare store's p50 for the same
// page. The client reads every body to its end; checking the body is not
// timed.
func BenchmarkHTTPQueryMillion(b *testing.B) {
	if f := flag.Lookup("test.bench"); f == nil || f.Value.String() == "" {
		b.Skip("needs -bench: builds a database of a million operations")
	}
	if testing.Short() {
		b.Skip("builds a database of a million operations")
	}
	ctx := b.Context()
	start := time.Now()
	path, built, err := benchdata.Cached(ctx, benchOperations, func(ctx context.Context, path string) (benchdata.Store, error) {
		return sqlite.Open(ctx, sqlite.Config{Path: path, MaxBatch: benchdata.Writers})
	})
	if err != nil {
		b.Fatal(err)
	}
	if built {
		b.Logf("built %s with %d operations in %v", path, benchOperations, time.Since(start).Round(time.Millisecond))
	}
	st, err := sqlite.Open(ctx, sqlite.Config{Path: path})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })

	skipTokenKey := []byte("benchmark $skiptoken key, 32 B..")
	srv := httptest.NewServer(httpapi.NewHandler(httpapi.Config{
		Service:  service.New(st, industrydata.SystemClock{}, service.Options{SkipTokenKey: skipTokenKey}),
		Verifier: auth.NewLocalVerifier(testKey, time.Now),
		Ready:    st.Ping,
		// No Logger and no AccessLog: nothing is logged per request.
	}))
	b.Cleanup(srv.Close)
	tenant := string(benchdata.Tenant)
	tok, err := auth.Mint(testKey, auth.TokenRequest{Tenant: tenant, Expires: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	c := &benchClient{http: srv.Client(), auth: "Bearer " + tok}

	options := []string{
		"$filter=" + queryEscape("status eq 'running'"),
		"$orderby=" + queryEscape("createdDateTime desc"),
		fmt.Sprintf("$top=%d", benchPage),
	}
	firstURL := srv.URL + "/beta/industryData/operations?" + strings.Join(options, "&")
	countURL := firstURL + "&$count=true"

	// Walk once: the first request also provisions the tenant, a write that
	// is not measured. Every page must be full and no operation repeated.
	seen := make(map[string]bool, benchPages*benchPage)
	pageURL := firstURL
	var first, page100 benchPageBody
	for i := range benchPages {
		p := c.page(b, pageURL)
		for _, op := range p.Value {
			if seen[op.ID] {
				b.Fatalf("page %d repeats operation %s", i+1, op.ID)
			}
			seen[op.ID] = true
		}
		switch i {
		case 0:
			first = p
		case benchPages - 1:
			page100 = p
		}
		if i < benchPages-1 {
			pageURL = p.NextLink
		}
	}
	page100URL := pageURL

	// The store queries the service makes for these URLs, built from them
	// as the handler builds them, and checked to return the same pages.
	firstQuery := storeQuery(b, firstURL, skipTokenKey, tenant)
	page100Query := storeQuery(b, page100URL, skipTokenKey, tenant)
	list := func(b *testing.B, q industrydata.ListQuery) []industrydata.Operation {
		ops, err := st.ListOperations(ctx, benchdata.Tenant, q)
		if err != nil {
			b.Fatal(err)
		}
		if len(ops) != benchPage+1 {
			b.Fatalf("store page of %d operations, want %d", len(ops), benchPage+1)
		}
		return ops
	}
	for _, check := range []struct {
		name  string
		store []industrydata.Operation
		http  benchPageBody
	}{{"first page", list(b, firstQuery), first}, {"page 100", list(b, page100Query), page100}} {
		for i, op := range check.http.Value {
			if check.store[i].ID != op.ID {
				b.Fatalf("%s: the store's operation %d is %s, HTTP's %s", check.name, i, check.store[i].ID, op.ID)
			}
		}
	}

	// storeP50 holds each page's bare p50, for the HTTP row that follows.
	storeP50 := map[string]time.Duration{}
	storeRow := func(name string, op func(*testing.B)) {
		b.Run(name+"/store", func(b *testing.B) {
			var lat latencies
			for b.Loop() {
				t0 := time.Now()
				op(b)
				lat = append(lat, time.Since(t0))
			}
			storeP50[name] = lat.report(b)
		})
	}
	httpRow := func(name, u string, check func(*testing.B, benchPageBody)) {
		b.Run(name+"/http", func(b *testing.B) {
			var lat latencies
			for b.Loop() {
				body, d := c.get(b, u)
				lat = append(lat, d)
				b.StopTimer()
				check(b, decodePage(b, body))
				b.StartTimer()
			}
			p50 := lat.report(b)
			if base := storeP50[name]; base > 0 {
				b.ReportMetric(float64(p50)/float64(base), "p50-vs-store")
			}
		})
	}
	samePage := func(want benchPageBody) func(*testing.B, benchPageBody) {
		return func(b *testing.B, got benchPageBody) {
			if len(got.Value) != benchPage || got.Value[0].ID != want.Value[0].ID {
				b.Fatalf("page of %d operations starting with %v, want %d from %s", len(got.Value), got.Value[:min(1, len(got.Value))], benchPage, want.Value[0].ID)
			}
		}
	}

	storeRow("first_page", func(b *testing.B) { list(b, firstQuery) })
	httpRow("first_page", firstURL, samePage(first))

	storeRow("page_100", func(b *testing.B) { list(b, page100Query) })
	httpRow("page_100", page100URL, samePage(page100))

	b.Run("walk/http", func(b *testing.B) {
		// One op is one page; after the 100th the walk starts over.
		byPage := make([]latencies, benchPages)
		var all latencies
		i, u, walks := 0, firstURL, 0
		for b.Loop() {
			body, d := c.get(b, u)
			byPage[i] = append(byPage[i], d)
			all = append(all, d)
			b.StopTimer()
			p := decodePage(b, body)
			if len(p.Value) != benchPage {
				b.Fatalf("walk page %d has %d operations", i+1, len(p.Value))
			}
			if i++; i < benchPages {
				u = p.NextLink
			} else {
				if p.Value[0].ID != page100.Value[0].ID {
					b.Fatalf("walk page 100 starts with %s, want %s", p.Value[0].ID, page100.Value[0].ID)
				}
				i, u = 0, firstURL
				walks++
			}
			b.StartTimer()
		}
		all.report(b)
		var head, tail latencies
		for k := range 10 {
			head = append(head, byPage[k]...)
			tail = append(tail, byPage[benchPages-10+k]...)
		}
		if len(tail) > 0 {
			b.ReportMetric(ms(head.quantile(0.5)), "pages1-10-p50-ms")
			b.ReportMetric(ms(tail.quantile(0.5)), "pages91-100-p50-ms")
		}
		b.ReportMetric(float64(walks), "walks")
	})

	var n int64
	storeRow("count", func(b *testing.B) {
		list(b, firstQuery)
		var err error
		if n, err = st.CountOperations(ctx, benchdata.Tenant, firstQuery); err != nil {
			b.Fatal(err)
		}
	})
	if n > 0 && (n < benchOperations/5 || n > benchOperations/3) {
		b.Fatalf("%d running operations, want about a quarter of %d", n, benchOperations)
	}
	httpRow("count", countURL, func(b *testing.B, p benchPageBody) {
		samePage(first)(b, p)
		if p.Count == nil || (n > 0 && *p.Count != n) {
			b.Fatalf("@odata.count %v, want %d", p.Count, n)
		}
	})
}

// benchClient GETs over one keep-alive connection with a bearer token.
type benchClient struct {
	http *http.Client
	auth string
}

// get returns the body of a 200 answer to GET u, and how long it took from
// sending the request to reading the body's last byte.
func (c *benchClient) get(b *testing.B, u string) ([]byte, time.Duration) {
	req, err := http.NewRequestWithContext(b.Context(), http.MethodGet, u, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", c.auth)
	start := time.Now()
	res, err := c.http.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	d := time.Since(start)
	res.Body.Close()
	if err != nil {
		b.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: status %d\n%s", u, res.StatusCode, body)
	}
	return body, d
}

func (c *benchClient) page(b *testing.B, u string) benchPageBody {
	body, _ := c.get(b, u)
	p := decodePage(b, body)
	if len(p.Value) != benchPage || p.NextLink == "" {
		b.Fatalf("GET %s: %d operations, nextLink %q; want %d and a link", u, len(p.Value), p.NextLink, benchPage)
	}
	return p
}

// benchPageBody is what the benchmark reads of a collection page.
type benchPageBody struct {
	Value []struct {
		ID string `json:"id"`
	} `json:"value"`
	NextLink string `json:"@odata.nextLink"`
	Count    *int64 `json:"@odata.count"`
}

func decodePage(b *testing.B, body []byte) benchPageBody {
	var p benchPageBody
	if err := json.Unmarshal(body, &p); err != nil {
		b.Fatalf("page is not JSON: %v", err)
	}
	return p
}

// storeQuery is the store query the service makes for the collection URL u:
// its options parsed as the handler parses them, its $skiptoken verified.
func storeQuery(b *testing.B, u string, key []byte, tenant string) industrydata.ListQuery {
	b.Helper()
	parsed, err := url.Parse(u)
	if err != nil {
		b.Fatal(err)
	}
	values, err := url.ParseQuery(parsed.RawQuery)
	if err != nil {
		b.Fatal(err)
	}
	raw := map[string]string{}
	for name, vs := range values {
		raw[strings.ToLower(strings.TrimPrefix(name, "$"))] = vs[0]
	}
	q, err := odata.Parse(raw, schema.LongRunningOperation, odata.Options{Filter: true, OrderBy: true, Top: true, Count: true, SkipToken: true})
	if err != nil {
		b.Fatal(err)
	}
	lq := industrydata.ListQuery{Filter: q.Filter, Limit: q.Top + 1}
	for _, k := range q.OrderBy {
		lq.OrderBy = append(lq.OrderBy, industrydata.OrderKey{Property: k.Prop.Name, Desc: k.Desc})
	}
	if q.SkipToken != "" {
		c, err := odata.DecodeSkipToken(key, tenant, q, q.SkipToken)
		if err != nil {
			b.Fatal(err)
		}
		lq.After = &c
	}
	return lq
}

// queryEscape percent-encodes a query option's value, a space as %20.
func queryEscape(v string) string {
	return strings.ReplaceAll(url.QueryEscape(v), "+", "%20")
}

// latencies are the durations of a benchmark's ops.
type latencies []time.Duration

// quantile returns the nearest-rank q-quantile, 0 when there is none.
func (l latencies) quantile(q float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	return s[max(0, int(math.Ceil(q*float64(len(s))))-1)]
}

// report reports the p50 and p99 in milliseconds and returns the p50.
func (l latencies) report(b *testing.B) time.Duration {
	p50 := l.quantile(0.5)
	b.ReportMetric(ms(p50), "p50-ms")
	b.ReportMetric(ms(l.quantile(0.99)), "p99-ms")
	return p50
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
