// Package console serves the web console: a page of plain HTML, CSS and
// JavaScript modules, embedded in the binary, that is a client of the public
// API like any other (the same token, the same permissions). It serves GET
// and HEAD of "/" (the page) and of the files under AssetPrefix, each with
// strict security headers and an ETag of its content; the API's own routes
// stay the API's.
package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// AssetPrefix is the path under which the console's files are served.
const AssetPrefix = "/console/"

//go:embed static
var static embed.FS

// Config is what the console needs to know of the server.
type Config struct {
	// OIDCIssuer and ClientID, both set, offer sign-in with the identity
	// provider (authorization code with PKCE, the console a public
	// client). Without them the page offers only a pasted token.
	OIDCIssuer string
	ClientID   string
}

// Serves reports whether the console serves path: "/" or a path under
// AssetPrefix. The API's mount uses it to send only these to the console.
func Serves(p string) bool { return p == "/" || strings.HasPrefix(p, AssetPrefix) }

// asset is one file as served: its bytes, type and validator.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

// handler serves the embedded files.
type handler struct {
	assets  map[string]asset // by request path
	headers http.Header      // the security headers of every answer
}

// Handler returns the console's handler, or an error when the issuer is not
// an absolute http(s) URL or only one of issuer and client id is set.
func Handler(cfg Config) (http.Handler, error) {
	if (cfg.OIDCIssuer == "") != (cfg.ClientID == "") {
		return nil, fmt.Errorf("console: sign-in with the identity provider needs both its issuer and a client id")
	}
	connect := "'self'"
	if cfg.OIDCIssuer != "" {
		u, err := url.Parse(cfg.OIDCIssuer)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("console: issuer %q is not an absolute http(s) URL", cfg.OIDCIssuer)
		}
		// The page reads the discovery document and exchanges the code at
		// the token endpoint, both on the issuer's origin.
		connect += " " + u.Scheme + "://" + u.Host
	}
	h := &handler{assets: map[string]asset{}, headers: http.Header{}}
	h.headers.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "+
		"connect-src "+connect+"; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.headers.Set("X-Content-Type-Options", "nosniff")
	h.headers.Set("Referrer-Policy", "no-referrer")
	h.headers.Set("X-Frame-Options", "DENY")
	h.headers.Set("Cross-Origin-Opener-Policy", "same-origin")
	// Revalidate every time: the ETag makes that a 304, and a new binary's
	// files are seen at once.
	h.headers.Set("Cache-Control", "no-cache")

	err := fs.WalkDir(static, "static", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := static.ReadFile(name)
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(name, "static/")
		if rel == "index.html" {
			if body, err = page(body, cfg); err != nil {
				return err
			}
			h.add("/", rel, body)
			return nil
		}
		h.add(AssetPrefix+rel, rel, body)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	return h, nil
}

// page fills the page's sign-in settings in.
func page(tmpl []byte, cfg Config) ([]byte, error) {
	t, err := template.New("index.html").Parse(string(tmpl))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, cfg); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (h *handler) add(urlPath, name string, body []byte) {
	sum := sha256.Sum256(body)
	h.assets[urlPath] = asset{
		body:        body,
		contentType: contentTypes[path.Ext(name)],
		etag:        `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`,
	}
}

// contentTypes are the types of the files the console is made of; a file
// of any other kind is not embedded (the test of the handler checks).
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for k, v := range h.headers {
		w.Header()[k] = v
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	a, ok := h.assets[r.URL.Path]
	if !ok {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("ETag", a.etag)
	// ServeContent answers If-None-Match with 304 and HEAD without a body.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}
