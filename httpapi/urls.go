package httpapi

import (
	"net/http"
	"strings"
)

// baseURL is scheme://host of the absolute URLs the service writes (SPEC §6):
// the configured public URL, else the request's own, where forwarded headers
// count only when trusted.
func (a *api) baseURL(r *http.Request) string {
	if a.publicBase != "" {
		return a.publicBase
	}
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if a.TrustProxyHeaders {
		if fp, fh := forwarded(r.Header.Get("Forwarded")); fp != "" || fh != "" {
			scheme, host = orDefault(fp, scheme), orDefault(fh, host)
		} else {
			scheme = orDefault(firstValue(r.Header.Get("X-Forwarded-Proto")), scheme)
			host = orDefault(firstValue(r.Header.Get("X-Forwarded-Host")), host)
		}
	}
	if scheme != "http" && scheme != "https" {
		scheme = "http"
	}
	if !validHost(host) {
		host = "localhost"
	}
	return scheme + "://" + host
}

// forwarded reads proto and host from the first element of an RFC 7239
// Forwarded header.
func forwarded(h string) (proto, host string) {
	first, _, _ := strings.Cut(h, ",")
	for _, pair := range strings.Split(first, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"`)
		switch strings.ToLower(k) {
		case "proto":
			proto = strings.ToLower(v)
		case "host":
			host = v
		}
	}
	return proto, host
}

func firstValue(h string) string {
	v, _, _ := strings.Cut(h, ",")
	return strings.ToLower(strings.TrimSpace(v))
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// validHost accepts host[:port] made of the characters a host name, an IPv4
// or a bracketed IPv6 address can hold, so a header cannot inject a path.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '_') {
			return false
		}
	}
	return true
}

// servicePath is the request path after the version prefix: what Graph
// writes in @odata.context, e.g. "industryData/operations" or
// "external/industryData/operations".
func servicePath(r *http.Request) string {
	return strings.TrimPrefix(r.URL.Path, "/beta/")
}

// versionRoot is the scheme://host/beta part of URLs.
func (a *api) versionRoot(r *http.Request) string {
	return a.baseURL(r) + "/beta"
}

// setPrefix is the entity-set path the request addressed, up to and
// including the set segment: "industryData/operations" for
// /beta/external?/industryData/operations/{id}.
func setPath(r *http.Request, set string) string {
	p := servicePath(r)
	i := strings.Index(p, "industryData/")
	if i < 0 {
		return "industryData/" + set
	}
	return p[:i] + "industryData/" + set
}
