package httpapi_test

import (
	"sync/atomic"
	"testing"
	"time"

	"industrydata/httpapi"
	"industrydata/service"
	"industrydata/throttle"
)

// SPEC §6: a tenant past its rate gets 429 tooManyRequests with
// Retry-After, in the Graph envelope; other tenants are not affected, and
// requests refused before authentication cost nothing.
func TestThrottlingPerTenant(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Date(2024, 5, 6, 7, 0, 0, 0, time.UTC).UnixNano())
	lim, err := throttle.New(throttle.Config{Rate: 0.5, Burst: 2, Now: func() time.Time { return time.Unix(0, now.Load()) }})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, func(c *httpapi.Config, _ *service.Options) { c.Throttle = lim })
	get := request{method: "GET", path: "/beta/industryData/operations"}

	h.must(401, request{method: "GET", path: get.path, tenant: "-"}) // not counted
	h.must(200, get)
	h.must(200, get)
	res := h.must(429, get)
	if res.errorCode() != "tooManyRequests" || res.header.Get("Retry-After") != "2" {
		t.Errorf("429: code %q, Retry-After %q: %s", res.errorCode(), res.header.Get("Retry-After"), res.raw)
	}
	h.must(200, request{method: "GET", path: get.path, tenant: tenantB})

	now.Add(int64(2 * time.Second)) // one token back, as Retry-After said
	h.must(200, get)
	h.must(429, get)
}
