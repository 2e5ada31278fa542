package console_test

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"regexp"
	"strings"
	"testing"

	"industrydata/console"
	"industrydata/internal/servetest"
)

func newHandler(t *testing.T, cfg console.Config) http.Handler {
	t.Helper()
	h, err := console.Handler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func serve(h http.Handler, method, target string, header http.Header) *http.Response {
	r := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

// checkSecurityHeaders holds every answer of the console to the headers the
// issue asks for.
func checkSecurityHeaders(t *testing.T, res *http.Response, connect string) {
	t.Helper()
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "connect-src " + connect + ";"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q allows something unsafe", csp)
	}
	for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-cache"} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if c := res.Header.Values("Set-Cookie"); len(c) > 0 {
		t.Errorf("Set-Cookie %q: the console sets no cookie", c)
	}
}

func TestServesEveryFileWithItsTypeAndHeaders(t *testing.T) {
	h := newHandler(t, console.Config{})
	files, err := os.ReadDir("static")
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]string{".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
		".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
	for _, f := range files {
		target := console.AssetPrefix + f.Name()
		if f.Name() == "index.html" {
			target = "/"
		}
		t.Run(f.Name(), func(t *testing.T) {
			want, ok := types[path.Ext(f.Name())]
			if !ok {
				t.Fatalf("%s: a kind of file the console does not serve", f.Name())
			}
			res := serve(h, http.MethodGet, target, nil)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d", target, res.StatusCode)
			}
			if got := res.Header.Get("Content-Type"); got != want {
				t.Errorf("Content-Type %q, want %q", got, want)
			}
			checkSecurityHeaders(t, res, "'self'")
			etag := res.Header.Get("ETag")
			if !regexp.MustCompile(`^"[A-Za-z0-9_-]{22}"$`).MatchString(etag) {
				t.Fatalf("ETag %q is not a quoted content hash", etag)
			}
			again := serve(h, http.MethodGet, target, http.Header{"If-None-Match": {etag}})
			if again.StatusCode != http.StatusNotModified {
				t.Errorf("GET with If-None-Match of the current ETag: %d, want 304", again.StatusCode)
			}
			checkSecurityHeaders(t, again, "'self'")
			head := serve(h, http.MethodHead, target, nil)
			if b, _ := io.ReadAll(head.Body); head.StatusCode != http.StatusOK || len(b) != 0 {
				t.Errorf("HEAD: %d with %d bytes of body", head.StatusCode, len(b))
			}
		})
	}
}

func TestETagsDifferByContent(t *testing.T) {
	h := newHandler(t, console.Config{})
	a := serve(h, http.MethodGet, console.AssetPrefix+"app.js", nil).Header.Get("ETag")
	b := serve(h, http.MethodGet, console.AssetPrefix+"api.js", nil).Header.Get("ETag")
	if a == b {
		t.Errorf("two files share the ETag %s", a)
	}
}

func TestRefusesWhatItDoesNotServe(t *testing.T) {
	h := newHandler(t, console.Config{})
	for _, tc := range []struct {
		name, method, target string
		status               int
	}{
		{"unknown file", http.MethodGet, console.AssetPrefix + "nope.js", http.StatusNotFound},
		{"the page under the asset prefix", http.MethodGet, console.AssetPrefix + "index.html", http.StatusNotFound},
		{"a directory", http.MethodGet, console.AssetPrefix, http.StatusNotFound},
		{"a path escaping the prefix", http.MethodGet, console.AssetPrefix + "../console.go", http.StatusNotFound},
		{"POST", http.MethodPost, "/", http.StatusMethodNotAllowed},
		{"DELETE of a file", http.MethodDelete, console.AssetPrefix + "app.js", http.StatusMethodNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := serve(h, tc.method, tc.target, nil)
			if res.StatusCode != tc.status {
				t.Errorf("%s %s: %d, want %d", tc.method, tc.target, res.StatusCode, tc.status)
			}
			checkSecurityHeaders(t, res, "'self'")
		})
	}
}

// Every module a page loads must be one the console serves, or the page
// breaks in the browser alone.
func TestModulesImportOnlyServedFiles(t *testing.T) {
	h := newHandler(t, console.Config{})
	imports := regexp.MustCompile(`from "\./([a-z]+\.js)"`)
	err := fs.WalkDir(os.DirFS("static"), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || path.Ext(name) != ".js" {
			return err
		}
		b, err := os.ReadFile(path.Join("static", name))
		if err != nil {
			return err
		}
		for _, m := range imports.FindAllStringSubmatch(string(b), -1) {
			if res := serve(h, http.MethodGet, console.AssetPrefix+m[1], nil); res.StatusCode != http.StatusOK {
				t.Errorf("%s imports %s, which answers %d", name, m[1], res.StatusCode)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestIdentityProvider(t *testing.T) {
	h := newHandler(t, console.Config{OIDCIssuer: "https://login.example.com/tenant/v2.0", ClientID: `console"<x>`})
	res := serve(h, http.MethodGet, "/", nil)
	checkSecurityHeaders(t, res, "'self' https://login.example.com")
	b, _ := io.ReadAll(res.Body)
	if !strings.Contains(string(b), `data-issuer="https://login.example.com/tenant/v2.0"`) ||
		!strings.Contains(string(b), `data-client-id="console&#34;&lt;x&gt;"`) {
		t.Errorf("the page does not carry the issuer and the (escaped) client id:\n%s", b)
	}

	for _, tc := range []struct {
		name string
		cfg  console.Config
	}{
		{"issuer without client id", console.Config{OIDCIssuer: "https://login.example.com"}},
		{"client id without issuer", console.Config{ClientID: "console"}},
		{"issuer not a URL", console.Config{OIDCIssuer: "login.example.com", ClientID: "console"}},
		{"issuer of another scheme", console.Config{OIDCIssuer: "ftp://login.example.com", ClientID: "console"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := console.Handler(tc.cfg); err == nil {
				t.Error("accepted")
			}
		})
	}
}

// Mounted in the API's handler, the console answers / and its files, and
// every route of the API stays the API's.
func TestMountedBesideTheAPI(t *testing.T) {
	srv := servetest.Start(t, servetest.Options{Console: newHandler(t, console.Config{})})
	get := func(target, token string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, srv.URL+target, nil)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { res.Body.Close() })
		return res
	}
	for _, target := range []string{"/", console.AssetPrefix + "app.js"} {
		if res := get(target, ""); res.StatusCode != http.StatusOK || res.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("GET %s: %d, CSP %q", target, res.StatusCode, res.Header.Get("Content-Security-Policy"))
		}
	}
	token := srv.Token(t, "")
	for _, tc := range []struct {
		target, token, code string
		status              int
	}{
		{"/healthz", "", "", http.StatusOK},
		{"/beta/industryData", token, "", http.StatusOK},
		{"/beta/industryData", "", "unauthenticated", http.StatusUnauthorized},
		{"/console", "", "itemNotFound", http.StatusNotFound},
		{"/index.html", "", "itemNotFound", http.StatusNotFound},
	} {
		res := get(tc.target, tc.token)
		if res.StatusCode != tc.status {
			t.Errorf("GET %s: %d, want %d", tc.target, res.StatusCode, tc.status)
		}
		if res.Header.Get("Content-Security-Policy") != "" {
			t.Errorf("GET %s: the API answered with the console's headers", tc.target)
		}
		var body struct {
			Error struct{ Code string } `json:"error"`
		}
		if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
			t.Errorf("GET %s: not JSON: %v", tc.target, err)
		}
		if body.Error.Code != tc.code {
			t.Errorf("GET %s: error code %q, want %q", tc.target, body.Error.Code, tc.code)
		}
	}
}
