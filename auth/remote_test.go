package auth

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"industrydata"
)

// testAudience is the aud of the test identity provider's tokens.
const testAudience = "api://industrydata-test"

// signingKey is a key of the test identity provider.
type signingKey struct {
	kid    string
	priv   crypto.Signer
	method jwt.SigningMethod
	// jwkAlg and use are what the key set says of the key ("" leaves out).
	jwkAlg jwkset.ALG
	use    jwkset.USE
}

// Keys are generated once: RSA generation is slow under -race.
var testKeys = sync.OnceValue(func() map[string]signingKey {
	rsaKey := func(bits int) *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			panic(err)
		}
		return k
	}
	ecKey := func(c elliptic.Curve) *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			panic(err)
		}
		return k
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	keys := map[string]signingKey{
		"rsa-1":    {kid: "rsa-1", priv: rsaKey(2048), method: jwt.SigningMethodRS256, jwkAlg: jwkset.AlgRS256, use: jwkset.UseSig},
		"rsa-2":    {kid: "rsa-2", priv: rsaKey(2048), method: jwt.SigningMethodRS256},
		"ec-1":     {kid: "ec-1", priv: ecKey(elliptic.P256()), method: jwt.SigningMethodES256},
		"ec-384":   {kid: "ec-384", priv: ecKey(elliptic.P384()), method: jwt.SigningMethodES384},
		"rsa-weak": {kid: "rsa-weak", priv: rsaKey(1024), method: jwt.SigningMethodRS256},
		"rsa-enc":  {kid: "rsa-enc", priv: rsaKey(2048), method: jwt.SigningMethodRS256, use: jwkset.UseEnc},
		"ed-1":     {kid: "ed-1", priv: edKey, method: jwt.SigningMethodEdDSA},
	}
	return keys
})

func key(t testing.TB, kid string) signingKey {
	t.Helper()
	k, ok := testKeys()[kid]
	if !ok {
		t.Fatalf("no test key %q", kid)
	}
	return k
}

// testIdP is an identity provider on 127.0.0.1: a discovery document at
// /.well-known/openid-configuration and a key set at /keys, which counts
// its fetches.
type testIdP struct {
	srv *httptest.Server

	mu        sync.Mutex
	keys      []jwkset.JWKMarshal
	docIssuer string // "" means the server's URL
	docJWKS   string // "" means the server's /keys; "none" leaves it out
	jwksCode  int    // 0 means 200
	jwksBody  []byte // non-nil replaces the key set

	jwksFetches      atomic.Int64
	discoveryFetches atomic.Int64
}

func newIdP(t testing.TB, kids ...string) *testIdP {
	t.Helper()
	p := &testIdP{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		p.discoveryFetches.Add(1)
		p.mu.Lock()
		iss, jwks := p.docIssuer, p.docJWKS
		p.mu.Unlock()
		if iss == "" {
			iss = p.srv.URL
		}
		if jwks == "" {
			jwks = p.srv.URL + "/keys"
		}
		doc := map[string]any{
			"issuer":                                iss,
			"jwks_uri":                              jwks,
			"id_token_signing_alg_values_supported": []string{"RS256", "ES256"},
		}
		if jwks == "none" {
			delete(doc, "jwks_uri")
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(doc)
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		p.jwksFetches.Add(1)
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.jwksCode != 0 && p.jwksCode != http.StatusOK {
			http.Error(w, "unavailable", p.jwksCode)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if p.jwksBody != nil {
			w.Write(p.jwksBody)
			return
		}
		json.NewEncoder(w).Encode(jwkset.JWKSMarshal{Keys: p.keys})
	})
	mux.HandleFunc("GET /moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://keys.example.com/keys", http.StatusFound)
	})
	mux.HandleFunc("GET /renamed", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/keys", http.StatusMovedPermanently)
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	p.serve(t, kids...)
	return p
}

// serve makes the key set hold exactly the public halves of kids.
func (p *testIdP) serve(t testing.TB, kids ...string) {
	t.Helper()
	keys := make([]jwkset.JWKMarshal, 0, len(kids))
	for _, kid := range kids {
		k := key(t, kid)
		jwk, err := jwkset.NewJWKFromKey(k.priv.Public(), jwkset.JWKOptions{
			Metadata: jwkset.JWKMetadataOptions{KID: k.kid, ALG: k.jwkAlg, USE: k.use},
		})
		if err != nil {
			t.Fatalf("JWK of %s: %v", kid, err)
		}
		keys = append(keys, jwk.Marshal())
	}
	p.mu.Lock()
	p.keys = keys
	p.mu.Unlock()
}

func (p *testIdP) set(f func(p *testIdP)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(p)
}

// testClock is a settable clock safe for concurrent use.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// newRemote returns a verifier of p's key set (directly, not by discovery)
// with the clock at testNow and no background refresh; change adjusts the
// configuration first. The verifier is closed when the test ends.
func newRemote(t *testing.T, p *testIdP, change func(*RemoteConfig)) (*RemoteVerifier, *testClock) {
	t.Helper()
	clock := &testClock{now: testNow}
	cfg := RemoteConfig{
		JWKSURL:         p.srv.URL + "/keys",
		Issuer:          p.srv.URL,
		Audiences:       []string{testAudience},
		Now:             clock.Now,
		RefreshInterval: -1,
	}
	if change != nil {
		change(&cfg)
	}
	v, err := NewRemoteVerifier(t.Context(), cfg)
	if err != nil {
		t.Fatalf("NewRemoteVerifier: %v", err)
	}
	t.Cleanup(func() { v.Close() })
	return v, clock
}

// remoteClaims is a valid claim set of p issued at issued, lasting an hour.
func remoteClaims(p *testIdP, issued time.Time) map[string]any {
	return map[string]any{
		"iss": p.srv.URL,
		"aud": testAudience,
		"tid": "contoso",
		"oid": "user-1",
		"sub": "pairwise-subject",
		"azp": "client-app",
		"scp": string(industrydata.PermReadBasic),
		"iat": issued.Unix(),
		"nbf": issued.Unix(),
		"exp": issued.Add(time.Hour).Unix(),
	}
}

// sign signs claims with the key kid, naming it in the header; extra
// header fields are added (a nil value deletes one).
func sign(t testing.TB, kid string, claims map[string]any, header map[string]any) string {
	t.Helper()
	k := key(t, kid)
	tok := jwt.NewWithClaims(k.method, jwt.MapClaims(claims))
	tok.Header["kid"] = k.kid
	for name, v := range header {
		if v == nil {
			delete(tok.Header, name)
		} else {
			tok.Header[name] = v
		}
	}
	s, err := tok.SignedString(k.priv)
	if err != nil {
		t.Fatalf("signing with %s: %v", kid, err)
	}
	return s
}

// publicKeyPEM is the PEM of kid's public key, as an attacker could get it
// from the key set.
func publicKeyPEM(t *testing.T, kid string) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(key(t, kid).priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func publicKeyDER(t *testing.T, kid string) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(key(t, kid).priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestRemoteVerifyAccepts(t *testing.T) {
	p := newIdP(t, "rsa-1", "rsa-2", "ec-1")
	v, _ := newRemote(t, p, func(c *RemoteConfig) { c.Audiences = []string{testAudience, "api://second"} })
	base := remoteClaims(p, testNow)
	delegated := industrydata.Principal{Tenant: "contoso", Subject: "user-1", App: "client-app", Delegated: true,
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
			want: industrydata.Principal{Tenant: "contoso", Subject: "pairwise-subject", App: "app-2",
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
		{"tampered claims", parts[0] + "." + seg(t, with(base, map[string]any{"tid": "fabrikam"})) + "." + parts[2], "signature is invalid"},
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
func TestRemoteKeyRotation(t *testing.T) {
	p := newIdP(t, "rsa-1")
	v, _ := newRemote(t, p, nil)
	base := remoteClaims(p, testNow)
	ctx := t.Context()

	if _, err := v.Verify(ctx, sign(t, "rsa-1", base, nil)); err != nil {
		t.Fatalf("before the rotation: %v", err)
	}
	p.serve(t, "rsa-2", "ec-1")
	if _, err := v.Verify(ctx, sign(t, "rsa-2", base, nil)); err != nil {
		t.Fatalf("the new key: %v", err)
	}
	if n := p.jwksFetches.Load(); n != 2 {
		t.Fatalf("key set fetched %d times, want 2 (start, then the new kid)", n)
	}
	// Known now: no fetch.
	if _, err := v.Verify(ctx, sign(t, "ec-1", with(base, map[string]any{"oid": "user-2"}), nil)); err != nil {
		t.Fatalf("the other new key: %v", err)
	}
	if _, err := v.Verify(ctx, sign(t, "rsa-2", with(base, map[string]any{"oid": "user-3"}), nil)); err != nil {
		t.Fatalf("the new key again: %v", err)
	}
	if n := p.jwksFetches.Load(); n != 2 {
		t.Errorf("key set fetched %d times after known kids, want 2", n)
	}
	// The retired key went with the refresh.
	_, err := v.Verify(ctx, sign(t, "rsa-1", with(base, map[string]any{"oid": "user-4"}), nil))
	assertUnauthenticated(t, err, "not one the issuer publishes")
}

// TestRemoteRefreshRateLimited: tokens with made-up kids cause at most the
// burst of fetches, then one per RefreshRateLimit, paced by the injected
// clock, and are refused at once meanwhile.
func TestRemoteRefreshRateLimited(t *testing.T) {
	p := newIdP(t, "rsa-1")
	v, clock := newRemote(t, p, func(c *RemoteConfig) {
		c.RefreshRateLimit = time.Minute
		c.RefreshBurst = 2
	})
	base := remoteClaims(p, testNow)
	garbage := func(i int) string {
		return sign(t, "rsa-1", base, map[string]any{"kid": fmt.Sprintf("garbage-%d", i)})
	}
	tokens := make([]string, 100)
	for i := range tokens {
		tokens[i] = garbage(i)
	}

	var wg sync.WaitGroup
	errs := make([]error, len(tokens))
	for i, tok := range tokens {
		wg.Go(func() { _, errs[i] = v.Verify(t.Context(), tok) })
	}
	wg.Wait()
	for i, err := range errs {
		if err == nil {
			t.Fatalf("garbage kid %d accepted", i)
		}
		assertUnauthenticated(t, err, "not one the issuer publishes")
	}
	if n := p.jwksFetches.Load(); n != 1+2 {
		t.Fatalf("key set fetched %d times, want 3 (start and a burst of 2)", n)
	}

	clock.Set(testNow.Add(30 * time.Second))
	v.Verify(t.Context(), garbage(1000))
	if n := p.jwksFetches.Load(); n != 3 {
		t.Errorf("after 30s: %d fetches, want still 3", n)
	}
	clock.Set(testNow.Add(time.Minute))
	v.Verify(t.Context(), garbage(1001))
	v.Verify(t.Context(), garbage(1002))
	if n := p.jwksFetches.Load(); n != 4 {
		t.Errorf("after a minute: %d fetches, want 4", n)
	}
	// Known keys never wait for the limiter.
	if _, err := v.Verify(t.Context(), sign(t, "rsa-1", base, nil)); err != nil {
		t.Errorf("a good token while rate-limited: %v", err)
	}
	// A rotation while rate-limited is picked up once the limit allows.
	p.serve(t, "rsa-1", "rsa-2")
	rotated := sign(t, "rsa-2", base, nil)
	_, err := v.Verify(t.Context(), rotated)
	assertUnauthenticated(t, err, "not one the issuer publishes")
	clock.Set(testNow.Add(2 * time.Minute))
	if _, err := v.Verify(t.Context(), rotated); err != nil {
		t.Errorf("the new key once the limit allows: %v", err)
	}
}

func TestRemoteNoRefreshOnUnknownKID(t *testing.T) {
	p := newIdP(t, "rsa-1")
	v, _ := newRemote(t, p, func(c *RemoteConfig) { c.RefreshRateLimit = -1 })
	p.serve(t, "rsa-2")
	_, err := v.Verify(t.Context(), sign(t, "rsa-2", remoteClaims(p, testNow), nil))
	assertUnauthenticated(t, err, "not one the issuer publishes")
	if n := p.jwksFetches.Load(); n != 1 {
		t.Errorf("key set fetched %d times, want 1", n)
	}
}

func TestRemoteFollowsRedirect(t *testing.T) {
	p := newIdP(t, "rsa-1")
	v, _ := newRemote(t, p, func(c *RemoteConfig) { c.JWKSURL = p.srv.URL + "/renamed" })
	if _, err := v.Verify(t.Context(), sign(t, "rsa-1", remoteClaims(p, testNow), nil)); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

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
func TestRemoteKeySetDownLater(t *testing.T) {
	p := newIdP(t, "rsa-1")
	var logs bytes.Buffer
	v, _ := newRemote(t, p, func(c *RemoteConfig) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	base := remoteClaims(p, testNow)
	p.set(func(p *testIdP) { p.jwksCode = http.StatusBadGateway })
	if _, err := v.Verify(t.Context(), sign(t, "rsa-1", base, nil)); err != nil {
		t.Errorf("a held key: %v", err)
	}
	_, err := v.Verify(t.Context(), sign(t, "rsa-2", base, nil))
	assertUnauthenticated(t, err, "not one the issuer publishes")
	if !strings.Contains(logs.String(), "refreshing the issuer's key set failed") || !strings.Contains(logs.String(), "502") {
		t.Errorf("log %q does not report the failed refresh", logs.String())
	}
	if _, err := v.Verify(t.Context(), sign(t, "rsa-1", with(base, map[string]any{"oid": "user-2"}), nil)); err != nil {
		t.Errorf("a held key after the failed refresh: %v", err)
	}
}

// TestRemoteCache: a verified token is served from the cache, even while
// the issuer is down, but only until it expires (with the leeway).
func TestRemoteCache(t *testing.T) {
	p := newIdP(t, "rsa-1")
	v, clock := newRemote(t, p, nil)
	tok := sign(t, "rsa-1", remoteClaims(p, testNow), nil)
	if _, err := v.Verify(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	p.set(func(p *testIdP) { p.keys = nil; p.jwksCode = http.StatusServiceUnavailable })
	for _, tc := range []struct {
		at   time.Duration
		want string // "" means accepted
	}{
		{0, ""},
		{time.Hour + 4*time.Minute, ""},
		{time.Hour + 6*time.Minute, "expired"},
		{-6 * time.Minute, "not valid yet"},
	} {
		clock.Set(testNow.Add(tc.at))
		_, err := v.Verify(t.Context(), tok)
		if tc.want == "" {
			if err != nil {
				t.Errorf("at %s: %v", tc.at, err)
			}
			continue
		}
		assertUnauthenticated(t, err, tc.want)
	}
	if n := p.jwksFetches.Load(); n != 1 {
		t.Errorf("key set fetched %d times, want 1", n)
	}
}

// TestRemoteCloseStopsRefresh: the background refresh runs until Close (or
// the end of the constructor's context), and leaves no goroutine.
func TestRemoteCloseStopsRefresh(t *testing.T) {
	waitNoRefreshGoroutines(t)
	p := newIdP(t, "rsa-1")
	v, _ := newRemote(t, p, func(c *RemoteConfig) { c.RefreshInterval = 5 * time.Millisecond })
	// The refresh goroutine notices a rotation without any token asking.
	p.serve(t, "rsa-2")
	waitFor(t, "a background refresh", func() bool {
		_, err := v.keys.KeyRead(t.Context(), "rsa-2")
		return err == nil
	})
	if n := refreshGoroutines(); n != 1 {
		t.Errorf("%d refresh goroutines, want 1", n)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	waitNoRefreshGoroutines(t)
	if err := v.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := v.Verify(t.Context(), sign(t, "rsa-2", remoteClaims(p, testNow), nil)); err != nil {
		t.Errorf("Verify after Close: %v", err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	w, err := NewRemoteVerifier(ctx, RemoteConfig{JWKSURL: p.srv.URL + "/keys", Issuer: p.srv.URL, Audiences: []string{testAudience}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if n := refreshGoroutines(); n != 1 {
		t.Errorf("%d refresh goroutines with the default interval, want 1", n)
	}
	cancel()
	waitNoRefreshGoroutines(t)
}

// refreshGoroutines counts the goroutines jwkset started to refresh a key
// set.
func refreshGoroutines() int {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "created by github.com/MicahParks/jwkset.NewStorageFromHTTP") {
			count++
		}
	}
	return count
}

func waitNoRefreshGoroutines(t *testing.T) {
	t.Helper()
	waitFor(t, "no key set refresh goroutine", func() bool { return refreshGoroutines() == 0 })
}

// waitFor polls cond until it holds, failing the test after a deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
