package main

import (
	"net/http"
	"testing"
)

// serve serves the web console at / unless --console=false; the API's
// routes are the API's either way.
func TestServeConsole(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		status int
	}{
		{"on by default", nil, http.StatusOK},
		{"turned off", []string{"--console=false"}, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := serveInProcess(t, t.TempDir(), tc.args...)
			for path, want := range map[string]int{"/": tc.status, "/console/app.js": tc.status, "/healthz": http.StatusOK} {
				res, err := http.Get("http://" + srv.addr + path)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != want {
					t.Errorf("GET %s: %d, want %d", path, res.StatusCode, want)
				}
				if csp := res.Header.Get("Content-Security-Policy"); (csp != "") != (want == http.StatusOK && path != "/healthz") {
					t.Errorf("GET %s: Content-Security-Policy %q", path, csp)
				}
			}
		})
	}
}
