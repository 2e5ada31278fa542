package auth

import (
	"bytes"
	"crypto/sha256"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
)

// What a token of the identity provider must be to pass, and the
// configurations and discovery documents refused at start.

func TestRemoteVerifyAccepts(t *testing.T) {
	p := newIdP(t, "rsa-1", "rsa-2", "ec-1")
	v, _ := newRemote(t, p, func(c *RemoteConfig) { c.Audiences = []string{testAudience, "api://second"} })
	base := remoteClaims(p, testNow)
	delegated := industrydata.Principal{Tenant: testTenant, Subject: "user-1", App: "client-app", Delegated: true,
		Permissions: []industrydata.Permission{industrydata.PermReadBasic}}
	tests := []struct {
		name  string
		token string
		want  industrydata.Principal
	}{
		{"RS256", sign(t, "rsa-1", base, nil), delegated},
		{"RS256 with a key the set gives no alg", sign(t, "rsa-2", base, nil), delegated},
		{"ES256", sign(t, "ec-1", base, nil), delegated},
		{"aud an array holding ours", sign(t, "rsa-1", with(base, map[string]any{"aud": []string{"api://other", testAudience}}), nil), delegated},
		{"the second configured audience", sign(t, "rsa-1", with(base, map[string]any{"aud": "api://second"}), nil), delegated},
		{"expired 4 minutes ago, within the skew", sign(t, "rsa-1", with(base, map[string]any{"exp": testNow.Add(-4 * time.Minute).Unix()}), nil), delegated},
		{"nbf 4 minutes ahead, within the skew", sign(t, "ec-1", with(base, map[string]any{"nbf": testNow.Add(4 * time.Minute).Unix()}), nil), delegated},
		{"iat 4 minutes ahead, within the skew", sign(t, "ec-1", with(base, map[string]any{"iat": testNow.Add(4 * time.Minute).Unix()}), nil), delegated},
		{"no nbf nor iat", sign(t, "rsa-1", with(base, map[string]any{"nbf": nil, "iat": nil}), nil), delegated},
		{"no typ header", sign(t, "rsa-1", base, map[string]any{"typ": nil}), delegated},
		{
			name: "application token, v1 claims (appid, sub only)",
			token: sign(t, "rsa-1", with(base, map[string]any{"scp": nil, "oid": nil, "azp": nil, "appid": "app-2",
				"roles": []string{string(industrydata.PermRunStart), "Some.Other.Role"}}), nil),
			want: industrydata.Principal{Tenant: testTenant, Subject: "pairwise-subject", App: "app-2",
				Permissions: []industrydata.Permission{industrydata.PermRunStart}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.Verify(t.Context(), tt.token)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("principal (-want +got):\n%s", diff)
			}
		})
	}
	if n := p.jwksFetches.Load(); n != 1 {
		t.Errorf("the key set was fetched %d times, want once", n)
	}
}

func TestRemoteVerifyRejects(t *testing.T) {
	p := newIdP(t, "rsa-1", "rsa-2", "ec-1", "ec-384", "rsa-weak", "rsa-enc", "ed-1")
	v, _ := newRemote(t, p, nil)
	base := remoteClaims(p, testNow)
	valid := sign(t, "rsa-1", base, nil)
	parts := strings.Split(valid, ".")
	rsa1 := map[string]any{"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}

	tests := []struct {
		name  string
		token string
		want  string
	}{
		{"missing", "", "no access token"},
		{"too long", strings.Repeat("a", MaxTokenLength+1), "longer than"},
		{"garbage", "not a token", "malformed"},
		{"wrong audience", sign(t, "rsa-1", with(base, map[string]any{"aud": "api://someone-else"}), nil), "audience is not accepted"},
		{"aud array without ours", sign(t, "rsa-1", with(base, map[string]any{"aud": []string{"a", "b"}}), nil), "audience is not accepted"},
		{"no audience", sign(t, "rsa-1", with(base, map[string]any{"aud": nil}), nil), "has no aud claim"},
		{"wrong issuer", sign(t, "rsa-1", with(base, map[string]any{"iss": "https://login.example.com/other"}), nil), "issuer is not accepted"},
		{"issuer with a trailing slash", sign(t, "rsa-1", with(base, map[string]any{"iss": p.srv.URL + "/"}), nil), "issuer is not accepted"},
		{"no issuer", sign(t, "rsa-1", with(base, map[string]any{"iss": nil}), nil), "has no iss claim"},
		{"expired 6 minutes ago, beyond the skew", sign(t, "rsa-1", with(base, map[string]any{"exp": testNow.Add(-6 * time.Minute).Unix()}), nil), "the access token has expired"},
		{"no exp", sign(t, "rsa-1", with(base, map[string]any{"exp": nil}), nil), "has no exp claim"},
		{"nbf 6 minutes ahead, beyond the skew", sign(t, "ec-1", with(base, map[string]any{"nbf": testNow.Add(6 * time.Minute).Unix()}), nil), "not valid yet"},
		{"iat an hour ahead", sign(t, "ec-1", with(base, map[string]any{"iat": testNow.Add(time.Hour).Unix()}), nil), "issued in the future"},
		{"no tid", sign(t, "rsa-1", with(base, map[string]any{"tid": nil}), nil), "has no tid claim"},
		{"alg none", unsigned(t, "none", base), "alg none is not accepted"},
		{"alg none with a kid and a signature", seg(t, map[string]any{"alg": "none", "kid": "rsa-1"}) + "." + parts[1] + "." + parts[2], "alg none is not accepted"},
		// The classic confusion: the public key, which anyone can fetch,
		// used as an HMAC secret.
		{"HS256 signed with the RSA public key PEM", handSigned(t, rsa1, base, sha256.New, publicKeyPEM(t, "rsa-1")), "only RS256 and ES256 are"},
		{"HS256 signed with the RSA public key DER", handSigned(t, rsa1, base, sha256.New, publicKeyDER(t, "rsa-1")), "only RS256 and ES256 are"},
		{"HS256 signed with the EC public key PEM", handSigned(t, map[string]any{"alg": "HS256", "kid": "ec-1"}, base, sha256.New, publicKeyPEM(t, "ec-1")), "only RS256 and ES256 are"},
		{"RS256 header with an HMAC of the public key", handSigned(t, map[string]any{"alg": "RS256", "kid": "rsa-1"}, base, sha256.New, publicKeyPEM(t, "rsa-1")), "signature is invalid"},
		{"RS384 with a published key", sign(t, "rsa-1", base, map[string]any{"alg": "RS384"}), "only RS256 and ES256 are"},
		{"ES384", sign(t, "ec-384", base, nil), "only RS256 and ES256 are"},
		{"EdDSA", sign(t, "ed-1", base, nil), "only RS256 and ES256 are"},
		{"unknown alg", handSigned(t, map[string]any{"alg": "XY999", "kid": "rsa-1"}, base, sha256.New, []byte("k")), "only RS256 and ES256 are"},
		{"no alg", handSigned(t, map[string]any{"kid": "rsa-1"}, base, sha256.New, []byte("k")), "names no signing algorithm"},
		{"signed by another key under a published kid", sign(t, "rsa-2", base, map[string]any{"kid": "rsa-1"}), "signature is invalid"},
		{"tampered claims", parts[0] + "." + seg(t, with(base, map[string]any{"tid": otherTenant})) + "." + parts[2], "signature is invalid"},
		{"no kid", sign(t, "rsa-1", base, map[string]any{"kid": nil}), "names no signing key (kid)"},
		{"kid a number", sign(t, "rsa-1", base, map[string]any{"kid": 7}), "names no signing key (kid)"},
		{"unknown kid", sign(t, "rsa-1", base, map[string]any{"kid": "nobody"}), "not one the issuer publishes"},
		{"ES256 naming an RSA key the set says is RS256", sign(t, "ec-1", base, map[string]any{"kid": "rsa-1"}), "cannot verify its signing algorithm"},
		{"ES256 naming an RSA key without alg", sign(t, "ec-1", base, map[string]any{"kid": "rsa-2"}), "cannot verify its signing algorithm"},
		{"RS256 naming an EC key", sign(t, "rsa-2", base, map[string]any{"kid": "ec-1"}), "cannot verify its signing algorithm"},
		{"ES256 naming a P-384 key", sign(t, "ec-1", base, map[string]any{"kid": "ec-384"}), "cannot verify its signing algorithm"},
		{"RSA key of 1024 bits", sign(t, "rsa-weak", base, nil), "cannot verify its signing algorithm"},
		{"key published for encryption", sign(t, "rsa-enc", base, nil), "cannot verify its signing algorithm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.Verify(t.Context(), tt.token)
			if err == nil {
				t.Fatalf("Verify accepted the token: %+v", got)
			}
			assertUnauthenticated(t, err, tt.want)
			if diff := cmp.Diff(industrydata.Principal{}, got); diff != "" {
				t.Errorf("a principal came with the error:\n%s", diff)
			}
			for _, part := range strings.Split(tt.token, ".") {
				if len(part) >= 8 && strings.Contains(err.Error(), part) {
					t.Errorf("the error %q echoes the token", err)
				}
			}
		})
	}
}

// TestRemoteKeyRotation: a token naming a key the verifier has not seen
// makes it fetch the key set once more; after a rotation the new key
// verifies and the retired one no longer does.
func TestRemoteDiscovery(t *testing.T) {
	p := newIdP(t, "rsa-1", "ec-1")
	clock := &testClock{now: testNow}
	v, err := NewRemoteVerifier(t.Context(), RemoteConfig{
		IssuerURL: p.srv.URL,
		Audiences: []string{testAudience},
		Now:       clock.Now,
	})
	if err != nil {
		t.Fatalf("NewRemoteVerifier: %v", err)
	}
	defer v.Close()
	if v.Issuer() != p.srv.URL || v.JWKSURL() != p.srv.URL+"/keys" {
		t.Errorf("issuer %q, key set %q", v.Issuer(), v.JWKSURL())
	}
	if d, k := p.discoveryFetches.Load(), p.jwksFetches.Load(); d != 1 || k != 1 {
		t.Errorf("fetched discovery %d and key set %d times, want once each", d, k)
	}
	base := remoteClaims(p, testNow)
	if _, err := v.Verify(t.Context(), sign(t, "ec-1", base, nil)); err != nil {
		t.Errorf("Verify: %v", err)
	}
	_, err = v.Verify(t.Context(), sign(t, "rsa-1", with(base, map[string]any{"iss": "https://elsewhere.example"}), nil))
	assertUnauthenticated(t, err, "issuer is not accepted")
}

// TestRemoteStartFails: NewRemoteVerifier fails rather than start with no
// keys, names the cause, and leaves no goroutine behind.
func TestRemoteStartFails(t *testing.T) {
	waitNoRefreshGoroutines(t)
	tests := []struct {
		name   string
		setup  func(p *testIdP)
		config func(p *testIdP, c *RemoteConfig)
		want   string
	}{
		{
			name:   "discovery names another issuer",
			setup:  func(p *testIdP) { p.docIssuer = "https://login.example.com/evil" },
			config: func(p *testIdP, c *RemoteConfig) { c.IssuerURL = p.srv.URL },
			want:   `names the issuer "https://login.example.com/evil", not "http://127.0.0.1`,
		},
		{
			name:   "issuer URL with a trailing slash the document lacks",
			config: func(p *testIdP, c *RemoteConfig) { c.IssuerURL = p.srv.URL + "/" },
			want:   "names the issuer",
		},
		{
			name:   "no discovery document",
			config: func(p *testIdP, c *RemoteConfig) { c.IssuerURL = p.srv.URL + "/tenant" },
			want:   "status 404",
		},
		{
			name:   "jwks_uri over plain http to a remote host",
			setup:  func(p *testIdP) { p.docJWKS = "http://keys.example.com/keys" },
			config: func(p *testIdP, c *RemoteConfig) { c.IssuerURL = p.srv.URL },
			want:   "must use https",
		},
		{
			name:   "discovery without jwks_uri",
			setup:  func(p *testIdP) { p.docJWKS = "none" },
			config: func(p *testIdP, c *RemoteConfig) { c.IssuerURL = p.srv.URL },
			want:   "has no jwks_uri",
		},
		{
			name:   "discovery with a relative jwks_uri",
			setup:  func(p *testIdP) { p.docJWKS = "/keys" },
			config: func(p *testIdP, c *RemoteConfig) { c.IssuerURL = p.srv.URL },
			want:   "is not an absolute URL",
		},
		{
			name:   "redirect to plain http",
			config: func(p *testIdP, c *RemoteConfig) { c.JWKSURL = p.srv.URL + "/moved" },
			want:   `redirect target "http://keys.example.com/keys" must use https`,
		},
		{
			name:  "key set endpoint down",
			setup: func(p *testIdP) { p.jwksCode = http.StatusServiceUnavailable },
			want:  "fetching the key set http://127.0.0.1",
		},
		{
			name:   "key set endpoint down, found by discovery",
			setup:  func(p *testIdP) { p.jwksCode = http.StatusInternalServerError },
			config: func(p *testIdP, c *RemoteConfig) { c.IssuerURL = p.srv.URL },
			want:   "fetching the key set",
		},
		{
			name:   "nothing listening",
			config: func(p *testIdP, c *RemoteConfig) { c.JWKSURL = "http://127.0.0.1:1/keys" },
			want:   "fetching the key set http://127.0.0.1:1/keys",
		},
		{
			name:  "key set not JSON",
			setup: func(p *testIdP) { p.jwksBody = []byte("<html>") },
			want:  "fetching the key set",
		},
		{
			name:  "key set larger than 1 MiB",
			setup: func(p *testIdP) { p.jwksBody = append([]byte(`{"keys":[],"x":"`), bytes.Repeat([]byte("a"), 2<<20)...) },
			want:  "longer than 1048576 bytes",
		},
		{
			name:  "empty key set",
			setup: func(p *testIdP) { p.keys = nil },
			want:  "holds no RSA or P-256 key",
		},
		{
			name:  "key set of unusable keys only",
			setup: func(p *testIdP) { p.jwksBody = []byte(`{"keys":[{"kty":"OKP","crv":"Ed448","x":"AAAA"}]}`) },
			want:  "holds no RSA or P-256 key",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newIdP(t, "rsa-1")
			if tt.setup != nil {
				p.set(tt.setup)
			}
			cfg := RemoteConfig{
				JWKSURL:   p.srv.URL + "/keys",
				Issuer:    p.srv.URL,
				Audiences: []string{testAudience},
				// A background refresh would start a goroutine: none may be
				// left when construction fails.
				RefreshInterval: time.Hour,
			}
			if tt.config != nil {
				cfg.JWKSURL, cfg.Issuer = "", ""
				tt.config(p, &cfg)
				if cfg.JWKSURL != "" {
					cfg.Issuer = p.srv.URL
				}
			}
			v, err := NewRemoteVerifier(t.Context(), cfg)
			if err == nil {
				v.Close()
				t.Fatal("NewRemoteVerifier succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			waitNoRefreshGoroutines(t)
		})
	}
}

func TestRemoteConfigInvalid(t *testing.T) {
	tests := []struct {
		name string
		cfg  RemoteConfig
		want string
	}{
		{"no URL", RemoteConfig{Issuer: "https://i", Audiences: []string{"a"}}, "an OIDC issuer URL or a JWKS URL is required"},
		{"both URLs", RemoteConfig{IssuerURL: "https://i", JWKSURL: "https://i/keys", Audiences: []string{"a"}}, "not both"},
		{"JWKS URL without issuer", RemoteConfig{JWKSURL: "https://i/keys", Audiences: []string{"a"}}, "expected issuer (iss) is required"},
		{"issuer differs from issuer URL", RemoteConfig{IssuerURL: "https://i", Issuer: "https://j", Audiences: []string{"a"}}, "differs from the OIDC issuer URL"},
		{"no audience", RemoteConfig{IssuerURL: "https://i"}, "at least one accepted audience"},
		{"blank audience", RemoteConfig{IssuerURL: "https://i", Audiences: []string{"a", " "}}, "audience is empty"},
		{"relative URL", RemoteConfig{JWKSURL: "/keys", Issuer: "i", Audiences: []string{"a"}}, "not an absolute URL"},
		{"plain http to a remote host", RemoteConfig{IssuerURL: "http://login.example.com", Audiences: []string{"a"}}, "must use https"},
		{"another scheme", RemoteConfig{JWKSURL: "file:///etc/keys.json", Issuer: "i", Audiences: []string{"a"}}, "not an absolute URL"},
		{"ftp", RemoteConfig{JWKSURL: "ftp://example.com/keys", Issuer: "i", Audiences: []string{"a"}}, "must use https"},
	}
	valid := []RemoteConfig{
		{IssuerURL: "https://login.microsoftonline.com/t/v2.0", Audiences: []string{"api://x"}},
		{IssuerURL: "https://i", Issuer: "https://i", Audiences: []string{"a", "b"}},
		{JWKSURL: "http://127.0.0.1:9/keys", Issuer: "i", Audiences: []string{"a"}},
		{JWKSURL: "http://[::1]:9/keys", Issuer: "i", Audiences: []string{"a"}},
		{JWKSURL: "http://localhost/keys", Issuer: "i", Audiences: []string{"a"}},
	}
	for _, cfg := range valid {
		if err := cfg.Validate(); err != nil {
			t.Errorf("Validate(%+v): %v", cfg, err)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.cfg.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate: %v, want an error containing %q", err, tt.want)
			}
			v, err := NewRemoteVerifier(t.Context(), tt.cfg)
			if err == nil {
				v.Close()
				t.Fatal("NewRemoteVerifier succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

// TestRemoteKeySetDownLater: once running, an issuer that goes down costs
// only keys not yet seen; the failure is logged.
