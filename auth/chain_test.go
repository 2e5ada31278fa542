package auth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata"
)

// countingVerifier records the tokens it is given and accepts them all as
// tenant.
type countingVerifier struct {
	tenant industrydata.TenantID
	got    []string
}

func (c *countingVerifier) Verify(_ context.Context, token string) (industrydata.Principal, error) {
	c.got = append(c.got, token)
	return industrydata.Principal{Tenant: c.tenant}, nil
}

func TestChainVerify(t *testing.T) {
	p := newIdP(t, "rsa-1", "ec-1")
	remote, _ := newRemote(t, p, nil)
	local := NewLocalVerifier(testKey, func() time.Time { return testNow })
	chain := NewChain(local, remote)
	base := remoteClaims(p, testNow)
	fromIdP := industrydata.Principal{Tenant: testTenant, Subject: "user-1", App: "client-app", Delegated: true,
		Permissions: []industrydata.Permission{industrydata.PermReadBasic}}
	rsa1HS256 := map[string]any{"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}

	tests := []struct {
		name    string
		token   string
		want    industrydata.Principal
		wantErr string
	}{
		{name: "HS256 goes to the local verifier", token: mint(t, TokenRequest{}),
			want: industrydata.Principal{Tenant: testTenant, Subject: "user-1", App: CLIAppID, Permissions: allPerms()}},
		{name: "RS256 goes to the remote verifier", token: sign(t, "rsa-1", base, nil), want: fromIdP},
		{name: "ES256 goes to the remote verifier", token: sign(t, "ec-1", base, nil), want: fromIdP},
		{name: "local token expired within the skew", token: mint(t, TokenRequest{Now: testNow.Add(-time.Hour - 4*time.Minute), Expires: time.Hour}),
			want: industrydata.Principal{Tenant: testTenant, Subject: "user-1", App: CLIAppID, Permissions: allPerms()}},
		{name: "local token expired beyond the skew", token: mint(t, TokenRequest{Now: testNow.Add(-time.Hour - 6*time.Minute), Expires: time.Hour}),
			wantErr: "has expired"},
		{name: "remote claims signed with the local key", token: handSigned(t, hs256Header, base, sha256.New, testKey),
			wantErr: "audience is not accepted"},
		{name: "HS256 signed with the RSA public key", token: handSigned(t, rsa1HS256, base, sha256.New, publicKeyPEM(t, "rsa-1")),
			wantErr: "signature is invalid"},
		{name: "HS256 signed with the RSA public key, local claims", token: handSigned(t, rsa1HS256, claimsAt(testNow), sha256.New, publicKeyPEM(t, "rsa-1")),
			wantErr: "signature is invalid"},
		{name: "RS256 with local claims", token: sign(t, "rsa-1", claimsAt(testNow), nil), wantErr: "audience is not accepted"},
		{name: "alg none", token: unsigned(t, "none", base), wantErr: "alg none is not accepted"},
		{name: "alg None", token: unsigned(t, "None", claimsAt(testNow)), wantErr: "alg none is not accepted"},
		{name: "another alg", token: sign(t, "rsa-1", base, map[string]any{"alg": "RS512"}), wantErr: "only HS256, RS256 and ES256 are"},
		{name: "HS512", token: handSigned(t, map[string]any{"alg": "HS512"}, claimsAt(testNow), sha256.New, testKey), wantErr: "only HS256, RS256 and ES256 are"},
		{name: "no alg", token: handSigned(t, map[string]any{"typ": "JWT"}, base, sha256.New, testKey), wantErr: "names no signing algorithm"},
		{name: "alg a number", token: handSigned(t, map[string]any{"alg": 256}, base, sha256.New, testKey), wantErr: "names no signing algorithm"},
		{name: "empty", token: "", wantErr: "no access token"},
		{name: "too long", token: strings.Repeat("a", MaxTokenLength+1), wantErr: "longer than"},
		{name: "one segment", token: "abcdef", wantErr: "malformed"},
		{name: "header not base64", token: "!!!.e30.sig", wantErr: "malformed"},
		{name: "header not an object", token: base64.RawURLEncoding.EncodeToString([]byte("[1]")) + ".e30.sig", wantErr: "malformed"},
		{name: "header null", token: base64.RawURLEncoding.EncodeToString([]byte("null")) + ".e30.sig", wantErr: "malformed"},
		{name: "HS256 header, garbage body", token: seg(t, hs256Header) + ".???.sig", wantErr: "malformed"},
		{name: "RS256 header, garbage body", token: seg(t, map[string]any{"alg": "RS256", "kid": "rsa-1"}) + ".???.sig", wantErr: "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := chain.Verify(t.Context(), tt.token)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Verify accepted the token: %+v", got)
				}
				assertUnauthenticated(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("principal (-want +got):\n%s", diff)
			}
		})
	}
}

// TestChainRoutes: each token reaches exactly one verifier, chosen by alg.
func TestChainRoutes(t *testing.T) {
	p := newIdP(t, "rsa-1", "ec-1")
	local := &countingVerifier{tenant: "local"}
	remote := &countingVerifier{tenant: "remote"}
	chain := NewChain(local, remote)
	base := remoteClaims(p, testNow)
	hs := mint(t, TokenRequest{})
	rs := sign(t, "rsa-1", base, nil)
	es := sign(t, "ec-1", base, nil)
	for _, tok := range []string{hs, rs, es} {
		if _, err := chain.Verify(t.Context(), tok); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := chain.Verify(t.Context(), unsigned(t, "none", base)); err == nil {
		t.Error("alg none accepted")
	}
	if diff := cmp.Diff([]string{hs}, local.got); diff != "" {
		t.Errorf("local verifier got (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{rs, es}, remote.got); diff != "" {
		t.Errorf("remote verifier got (-want +got):\n%s", diff)
	}
}

func TestChainWithOneVerifier(t *testing.T) {
	p := newIdP(t, "rsa-1")
	base := remoteClaims(p, testNow)
	hs := mint(t, TokenRequest{})
	rs := sign(t, "rsa-1", base, nil)
	v := &countingVerifier{tenant: "t"}

	_, err := NewChain(nil, v).Verify(t.Context(), hs)
	assertUnauthenticated(t, err, "signing algorithm is not accepted; only RS256 and ES256 are")
	_, err = NewChain(v, nil).Verify(t.Context(), rs)
	assertUnauthenticated(t, err, "signing algorithm is not accepted; only HS256 is")
	_, err = NewChain(nil, nil).Verify(t.Context(), hs)
	assertUnauthenticated(t, err, "no access token is accepted")
	var unset *RemoteVerifier
	_, err = NewChain(v, unset).Verify(t.Context(), rs)
	assertUnauthenticated(t, err, "only HS256 is")
	var unsetLocal *LocalVerifier
	_, err = NewChain(unsetLocal, v).Verify(t.Context(), hs)
	assertUnauthenticated(t, err, "only RS256 and ES256 are")
	if len(v.got) != 0 {
		t.Errorf("a refused token reached a verifier: %d", len(v.got))
	}
	if _, err := NewChain(v, nil).Verify(t.Context(), hs); err != nil {
		t.Errorf("HS256 with only a local verifier: %v", err)
	}
}

// BenchmarkVerifyCached compares a cached RS256 token verified by the
// remote verifier directly and through a Chain (which decodes the header
// first).
func BenchmarkVerifyCached(b *testing.B) {
	p := newIdP(b, "rsa-1")
	remote, err := NewRemoteVerifier(b.Context(), RemoteConfig{
		JWKSURL: p.srv.URL + "/keys", Issuer: p.srv.URL, Audiences: []string{testAudience},
		Now: func() time.Time { return testNow }, RefreshInterval: -1,
	})
	if err != nil {
		b.Fatal(err)
	}
	defer remote.Close()
	chain := NewChain(NewLocalVerifier(testKey, nil), remote)
	tok := sign(b, "rsa-1", remoteClaims(p, testNow), nil)
	for _, bench := range []struct {
		name string
		v    Verifier
	}{{"remote", remote}, {"chain", chain}} {
		b.Run(bench.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := bench.v.Verify(b.Context(), tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
