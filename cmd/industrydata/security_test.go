package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// selfSigned writes a certificate for 127.0.0.1 and its key into dir.
func selfSigned(t *testing.T, dir string) (certPath, keyPath string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "industrydata test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certPath, keyPath, pool
}

// jwksServer serves one ES256 key as a JWKS on loopback.
func jwksServer(t *testing.T) (*httptest.Server, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b64 := func(n *big.Int) string {
		buf := make([]byte, 32)
		return base64.RawURLEncoding.EncodeToString(n.FillBytes(buf))
	}
	doc, _ := json.Marshal(map[string]any{"keys": []any{map[string]any{
		"kty": "EC", "crv": "P-256", "kid": "k1", "alg": "ES256", "use": "sig",
		"x": b64(key.PublicKey.X), "y": b64(key.PublicKey.Y),
	}}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(doc)
	}))
	t.Cleanup(srv.Close)
	return srv, key
}

// TestServeTLSWithIdentityProvider serves HTTPS and accepts both tokens of
// an identity provider (ES256 from a JWKS) and local HS256 tokens.
func TestServeTLSWithIdentityProvider(t *testing.T) {
	dir := t.TempDir()
	certPath, keyPath, pool := selfSigned(t, t.TempDir())
	jwks, key := jwksServer(t)
	const issuer, audience = "https://login.example/tenant/v2.0", "api://industrydata"
	srv := startChild(t, "--addr", "127.0.0.1:0", "--data-dir", dir, "--tls-cert", certPath, "--tls-key", keyPath,
		"--jwks-url", jwks.URL, "--issuer", issuer, "--audience", audience)

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	get := func(token string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, "https://"+srv.addr+"/beta/industryData/operations", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET over TLS: %v", err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(data)
	}
	claims := jwt.MapClaims{"iss": issuer, "aud": audience, "tid": testTenant, "oid": "user-1",
		"scp": "IndustryData.ReadBasic.All", "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()}
	remote := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	remote.Header["kid"] = "k1"
	signed, err := remote.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	if status, body := get(signed); status != 200 {
		t.Errorf("identity provider's token: %d %s", status, body)
	}
	if status, body := get(newAPI(t, "unused", dir).token); status != 200 {
		t.Errorf("local token: %d %s", status, body)
	}
	claims["aud"] = "api://someone-else"
	other, _ := jwt.NewWithClaims(jwt.SigningMethodES256, claims).SignedString(key)
	if status, _ := get(other); status != 401 {
		t.Errorf("token for another audience: %d, want 401", status)
	}
	// Plain HTTP on the TLS port is refused.
	resp, err := http.Get("http://" + srv.addr + "/healthz")
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Error("plain HTTP answered 200 on the TLS listener")
		}
	}
}
