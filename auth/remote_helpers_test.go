package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"

	"industrydata"
)

// The test identity provider: keys, a discovery document and a JWKS served
// on loopback, an injectable clock, and token signing.

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
		"tid": testTenant,
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
