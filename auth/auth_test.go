package auth

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"hash"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"industrydata"
)

// testTenant and otherTenant are tenant ids as Entra issues them: GUIDs,
// here in the lower case the verifiers store.
const (
	testTenant  = "6f1d3b2a-0c4e-4a8b-9e7d-2b5c8a1f0e34"
	otherTenant = "c0ffee00-1234-4abc-8def-0123456789ab"
)

var (
	testNow   = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	testKey   = bytes.Repeat([]byte{0x42}, 32)
	otherKey  = bytes.Repeat([]byte{0x43}, 32)
	guidRegex = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

func allPerms() []industrydata.Permission {
	return append([]industrydata.Permission(nil), industrydata.AllPermissions...)
}

// mint mints a token with testKey; req fields left zero get test defaults.
func mint(t *testing.T, req TokenRequest) string {
	t.Helper()
	if req.Tenant == "" {
		req.Tenant = testTenant
	}
	if req.Expires == 0 {
		req.Expires = time.Hour
	}
	if req.Now.IsZero() {
		req.Now = testNow
	}
	if req.Subject == "" {
		req.Subject = "user-1"
	}
	tok, err := Mint(testKey, req)
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}
	return tok
}

// claimsAt is a valid local claim set issued at issued, lasting an hour.
func claimsAt(issued time.Time) map[string]any {
	return map[string]any{
		"iss":   LocalIssuer,
		"aud":   Audience,
		"tid":   testTenant,
		"sub":   "user-1",
		"oid":   "user-1",
		"azp":   CLIAppID,
		"iat":   issued.Unix(),
		"nbf":   issued.Unix(),
		"exp":   issued.Add(time.Hour).Unix(),
		"roles": []string{string(industrydata.PermReadBasic)},
	}
}

// with returns a copy of claims with changes applied; a nil value deletes.
func with(claims map[string]any, changes map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range claims {
		out[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

func seg(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// handSigned builds a token by hand with the given header and an HMAC
// signature made with h and key, whatever alg the header claims.
func handSigned(t *testing.T, header, claims map[string]any, h func() hash.Hash, key []byte) string {
	t.Helper()
	signing := seg(t, header) + "." + seg(t, claims)
	mac := hmac.New(h, key)
	mac.Write([]byte(signing))
	return signing + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// unsigned builds an alg none token by hand.
func unsigned(t *testing.T, alg string, claims map[string]any) string {
	t.Helper()
	return seg(t, map[string]any{"alg": alg, "typ": "JWT"}) + "." + seg(t, claims) + "."
}

var hs256Header = map[string]any{"alg": "HS256", "typ": "JWT"}

func TestVerifyAccepts(t *testing.T) {
	v := NewLocalVerifier(testKey, func() time.Time { return testNow })
	tests := []struct {
		name  string
		token string
		want  industrydata.Principal
	}{
		{
			name:  "application token with every permission",
			token: mint(t, TokenRequest{}),
			want:  industrydata.Principal{Tenant: testTenant, Subject: "user-1", App: CLIAppID, Permissions: allPerms()},
		},
		{
			name:  "delegated token",
			token: mint(t, TokenRequest{Tenant: otherTenant, Scopes: []string{string(industrydata.PermRunRead)}, App: "my-app"}),
			want: industrydata.Principal{Tenant: otherTenant, Subject: "user-1", App: "my-app", Delegated: true,
				Permissions: []industrydata.Permission{industrydata.PermRunRead}},
		},
		{
			name:  "roles given",
			token: mint(t, TokenRequest{Roles: []string{string(industrydata.PermRunStart), string(industrydata.PermReadBasic)}}),
			want: industrydata.Principal{Tenant: testTenant, Subject: "user-1", App: CLIAppID,
				Permissions: []industrydata.Permission{industrydata.PermReadBasic, industrydata.PermRunStart}},
		},
		{
			name: "scopes and roles together are a delegated union",
			token: mint(t, TokenRequest{Scopes: []string{string(industrydata.PermRunRead)},
				Roles: []string{string(industrydata.PermDataConnectorUpload)}}),
			want: industrydata.Principal{Tenant: testTenant, Subject: "user-1", App: CLIAppID, Delegated: true,
				Permissions: []industrydata.Permission{industrydata.PermRunRead, industrydata.PermDataConnectorUpload}},
		},
		{
			name:  "4 minutes past expiry is within the leeway",
			token: mint(t, TokenRequest{Now: testNow.Add(-time.Hour - 4*time.Minute), Expires: time.Hour}),
			want:  industrydata.Principal{Tenant: testTenant, Subject: "user-1", App: CLIAppID, Permissions: allPerms()},
		},
		{
			name:  "issued 4 minutes ahead is within the leeway",
			token: mint(t, TokenRequest{Now: testNow.Add(4 * time.Minute)}),
			want:  industrydata.Principal{Tenant: testTenant, Subject: "user-1", App: CLIAppID, Permissions: allPerms()},
		},
		{
			name: "hand-made token with aud array, appid and sub only",
			token: handSigned(t, hs256Header, with(claimsAt(testNow), map[string]any{
				"aud": []string{"api://other", Audience}, "oid": nil, "azp": nil, "appid": "app-2",
			}), sha256.New, testKey),
			want: industrydata.Principal{Tenant: testTenant, Subject: "user-1", App: "app-2",
				Permissions: []industrydata.Permission{industrydata.PermReadBasic}},
		},
		{
			name:  "unknown permission names are ignored",
			token: handSigned(t, hs256Header, with(claimsAt(testNow), map[string]any{"roles": []string{"User.Read.All", string(industrydata.PermRunRead)}}), sha256.New, testKey),
			want: industrydata.Principal{Tenant: testTenant, Subject: "user-1", App: CLIAppID,
				Permissions: []industrydata.Permission{industrydata.PermRunRead}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.Verify(context.Background(), tt.token)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("principal (-want +got):\n%s", diff)
			}
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	v := NewLocalVerifier(testKey, func() time.Time { return testNow })
	valid := mint(t, TokenRequest{})
	parts := strings.Split(valid, ".")
	base := claimsAt(testNow)
	noneToken, err := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims(base)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	tamperedClaims := seg(t, with(base, map[string]any{"tid": otherTenant}))

	tests := []struct {
		name  string
		token string
		want  string
	}{
		{"missing", "", "no access token"},
		{"too long", strings.Repeat("a", MaxTokenLength+1), "longer than"},
		{"expired an hour ago", mint(t, TokenRequest{Now: testNow.Add(-2 * time.Hour), Expires: time.Hour}), "the access token has expired"},
		{"6 minutes past expiry", mint(t, TokenRequest{Now: testNow.Add(-time.Hour - 6*time.Minute), Expires: time.Hour}), "the access token has expired"},
		{"not valid for an hour", mint(t, TokenRequest{Now: testNow.Add(time.Hour)}), "the access token is not valid yet"},
		{"not valid for 6 minutes", mint(t, TokenRequest{Now: testNow.Add(6 * time.Minute)}), "the access token is not valid yet"},
		{"issued in the future", handSigned(t, hs256Header, with(base, map[string]any{"iat": testNow.Add(time.Hour).Unix()}), sha256.New, testKey), "issued in the future"},
		{"tampered claims", parts[0] + "." + tamperedClaims + "." + parts[2], "signature is invalid"},
		{"signature stripped", parts[0] + "." + parts[1] + ".", "signature is invalid"},
		{"other key", handSigned(t, hs256Header, base, sha256.New, otherKey), "signature is invalid"},
		{"alg none by hand", unsigned(t, "none", base), "alg none is not accepted"},
		{"alg NONE by hand", unsigned(t, "NONE", base), "alg none is not accepted"},
		{"alg none with jwt.SigningMethodNone", noneToken, "alg none is not accepted"},
		{"alg none with a signature", unsigned(t, "none", base) + parts[2], "alg none is not accepted"},
		{"RS256 header signed with the HS key", handSigned(t, map[string]any{"alg": "RS256", "typ": "JWT"}, base, sha256.New, testKey), "signing algorithm is not accepted"},
		{"HS512 with the same key", handSigned(t, map[string]any{"alg": "HS512", "typ": "JWT"}, base, sha512.New, testKey), "signing algorithm is not accepted"},
		{"unknown alg", handSigned(t, map[string]any{"alg": "XY999"}, base, sha256.New, testKey), "signing algorithm is not accepted"},
		{"no alg", handSigned(t, map[string]any{"typ": "JWT"}, base, sha256.New, testKey), "names no signing algorithm"},
		{"wrong audience", handSigned(t, hs256Header, with(base, map[string]any{"aud": "api://someone-else"}), sha256.New, testKey), "audience is not accepted"},
		{"no audience", handSigned(t, hs256Header, with(base, map[string]any{"aud": nil}), sha256.New, testKey), "has no aud claim"},
		{"wrong issuer", handSigned(t, hs256Header, with(base, map[string]any{"iss": "https://login.example.com"}), sha256.New, testKey), "issuer is not accepted"},
		{"no issuer", handSigned(t, hs256Header, with(base, map[string]any{"iss": nil}), sha256.New, testKey), "has no iss claim"},
		{"no exp", handSigned(t, hs256Header, with(base, map[string]any{"exp": nil}), sha256.New, testKey), "has no exp claim"},
		{"exp a string", handSigned(t, hs256Header, with(base, map[string]any{"exp": "tomorrow"}), sha256.New, testKey), "exp claim has the wrong type"},
		{"iat a string", handSigned(t, hs256Header, with(base, map[string]any{"iat": "now"}), sha256.New, testKey), "iat claim has the wrong type"},
		{"aud array with a number", handSigned(t, hs256Header, with(base, map[string]any{"aud": []any{Audience, 1}}), sha256.New, testKey), "aud claim has the wrong type"},
		{"iss a number", handSigned(t, hs256Header, with(base, map[string]any{"iss": 5}), sha256.New, testKey), "iss claim has the wrong type"},
		{"no tid", handSigned(t, hs256Header, with(base, map[string]any{"tid": nil}), sha256.New, testKey), "has no tid claim"},
		{"empty tid", handSigned(t, hs256Header, with(base, map[string]any{"tid": ""}), sha256.New, testKey), "has no tid claim"},
		{"tid with a slash", handSigned(t, hs256Header, with(base, map[string]any{"tid": "../etc"}), sha256.New, testKey), "tid claim is not a GUID"},
		{"tid too long", handSigned(t, hs256Header, with(base, map[string]any{"tid": strings.Repeat("a", 65)}), sha256.New, testKey), "tid claim is not a GUID"},
		{"tid a number", handSigned(t, hs256Header, with(base, map[string]any{"tid": 42}), sha256.New, testKey), "tid claim must be a string"},
		{"scp a number", handSigned(t, hs256Header, with(base, map[string]any{"scp": 7}), sha256.New, testKey), "scp claim must be a string"},
		{"roles a string", handSigned(t, hs256Header, with(base, map[string]any{"roles": "IndustryData.ReadBasic.All"}), sha256.New, testKey), "roles claim must be an array of strings"},
		{"garbage", "not a token at all", "malformed"},
		{"3-segment garbage", "abc.def.ghi", "malformed"},
		{"3 empty segments", "..", "malformed"},
		{"4 segments", valid + ".x", "malformed"},
		{"header not JSON", base64.RawURLEncoding.EncodeToString([]byte("hello")) + "." + parts[1] + "." + parts[2], "malformed"},
		{"claims not an object", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`[1,2]`)) + "." + parts[2], "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := v.Verify(context.Background(), tt.token)
			if err == nil {
				t.Fatalf("Verify accepted the token: %+v", p)
			}
			assertUnauthenticated(t, err, tt.want)
			if diff := cmp.Diff(industrydata.Principal{}, p); diff != "" {
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

func TestVerifierWithoutKeyRejects(t *testing.T) {
	v := NewLocalVerifier(nil, nil)
	_, err := v.Verify(context.Background(), mint(t, TokenRequest{Now: time.Now()}))
	assertUnauthenticated(t, err, "cannot be verified")
}

func TestVerifierDefaultClock(t *testing.T) {
	v := NewLocalVerifier(testKey, nil)
	if _, err := v.Verify(context.Background(), mint(t, TokenRequest{Now: time.Now()})); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	_, err := v.Verify(context.Background(), mint(t, TokenRequest{Now: testNow}))
	assertUnauthenticated(t, err, "expired")
}

func assertUnauthenticated(t *testing.T, err error, want string) {
	t.Helper()
	var e *industrydata.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *industrydata.Error", err, err)
	}
	if e.Code != industrydata.CodeUnauthenticated {
		t.Errorf("code = %q, want %q", e.Code, industrydata.CodeUnauthenticated)
	}
	if !strings.Contains(e.Message, want) {
		t.Errorf("message %q does not contain %q", e.Message, want)
	}
}

func TestPrincipalFromClaims(t *testing.T) {
	tests := []struct {
		name    string
		claims  jwt.MapClaims
		want    industrydata.Principal
		wantErr string
	}{
		{
			name:   "scp is delegated",
			claims: jwt.MapClaims{"tid": testTenant, "oid": "o1", "sub": "s1", "azp": "a1", "appid": "a2", "scp": "IndustryData.ReadBasic.All  IndustryData-Run.Start"},
			want: industrydata.Principal{Tenant: testTenant, Subject: "o1", App: "a1", Delegated: true,
				Permissions: []industrydata.Permission{industrydata.PermReadBasic, industrydata.PermRunStart}},
		},
		{
			name:   "roles is application",
			claims: jwt.MapClaims{"tid": testTenant, "sub": "s1", "appid": "a2", "roles": []any{"IndustryData-DataConnector.Upload"}},
			want: industrydata.Principal{Tenant: testTenant, Subject: "s1", App: "a2",
				Permissions: []industrydata.Permission{industrydata.PermDataConnectorUpload}},
		},
		{
			name:   "roles as []string",
			claims: jwt.MapClaims{"tid": testTenant, "roles": []string{"IndustryData-Run.Read.All"}},
			want:   industrydata.Principal{Tenant: testTenant, Permissions: []industrydata.Permission{industrydata.PermRunRead}},
		},
		{
			name:   "both: union, delegated, deduplicated",
			claims: jwt.MapClaims{"tid": testTenant, "scp": "IndustryData-Run.Read.All", "roles": []any{"IndustryData-Run.Read.All", "IndustryData.ReadBasic.All"}},
			want: industrydata.Principal{Tenant: testTenant, Delegated: true,
				Permissions: []industrydata.Permission{industrydata.PermReadBasic, industrydata.PermRunRead}},
		},
		{
			name:   "unknown names ignored",
			claims: jwt.MapClaims{"tid": testTenant, "scp": "User.Read openid industrydata.readbasic.all"},
			want:   industrydata.Principal{Tenant: testTenant, Delegated: true},
		},
		{
			name:   "no permissions at all",
			claims: jwt.MapClaims{"tid": "00000000-0000-0000-0000-000000000001"},
			want:   industrydata.Principal{Tenant: "00000000-0000-0000-0000-000000000001"},
		},
		{
			name:   "empty oid falls back to sub",
			claims: jwt.MapClaims{"tid": testTenant, "oid": "", "sub": "s1"},
			want:   industrydata.Principal{Tenant: testTenant, Subject: "s1"},
		},
		{name: "no tid", claims: jwt.MapClaims{"scp": "IndustryData.ReadBasic.All"}, wantErr: "has no tid claim"},
		{name: "null tid", claims: jwt.MapClaims{"tid": nil}, wantErr: "has no tid claim"},
		{name: "tid number", claims: jwt.MapClaims{"tid": 1.0}, wantErr: "tid claim must be a string"},
		{name: "tid with space", claims: jwt.MapClaims{"tid": "a b"}, wantErr: "tid claim is not a GUID"},
		{name: "tid 65 chars", claims: jwt.MapClaims{"tid": strings.Repeat("x", 65)}, wantErr: "tid claim is not a GUID"},
		{name: "scp number", claims: jwt.MapClaims{"tid": testTenant, "scp": 3.0}, wantErr: "scp claim must be a string"},
		{name: "scp array", claims: jwt.MapClaims{"tid": testTenant, "scp": []any{"IndustryData.ReadBasic.All"}}, wantErr: "scp claim must be a string"},
		{name: "roles string", claims: jwt.MapClaims{"tid": testTenant, "roles": "IndustryData.ReadBasic.All"}, wantErr: "roles claim must be an array of strings"},
		{name: "roles with a number", claims: jwt.MapClaims{"tid": testTenant, "roles": []any{"IndustryData.ReadBasic.All", 2.0}}, wantErr: "roles claim must be an array of strings"},
		{name: "oid number", claims: jwt.MapClaims{"tid": testTenant, "oid": 2.0}, wantErr: "oid claim must be a string"},
		{name: "azp object", claims: jwt.MapClaims{"tid": testTenant, "azp": map[string]any{}}, wantErr: "azp claim must be a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PrincipalFromClaims(tt.claims)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("PrincipalFromClaims succeeded: %+v", got)
				}
				assertUnauthenticated(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("PrincipalFromClaims: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("principal (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBearerToken(t *testing.T) {
	long := strings.Repeat("a", MaxTokenLength)
	tests := []struct {
		header  string
		want    string
		wantErr string
	}{
		{header: "Bearer abc.def.ghi", want: "abc.def.ghi"},
		{header: "bearer abc", want: "abc"},
		{header: "BEARER   abc  ", want: "abc"},
		{header: "\u00a0Bearer\tabc\u2003", want: "abc"}, // white space as strings.Fields sees it
		{header: "Bearer a\u00a0b", wantErr: "exactly one token"},
		{header: "Bearer " + long, want: long},
		{header: "", wantErr: "no Authorization header"},
		{header: "   ", wantErr: "no Authorization header"},
		{header: "Basic dXNlcjpwYXNz", wantErr: "must be 'Bearer <token>'"},
		{header: "abc.def.ghi", wantErr: "must be 'Bearer <token>'"},
		{header: "Bearer", wantErr: "no token"},
		{header: "Bearer    ", wantErr: "no token"},
		{header: "Bearer a b", wantErr: "exactly one token"},
		{header: "Bearer " + long + "a", wantErr: "longer than"},
		{header: "Bearer " + long + strings.Repeat("a", 1000), wantErr: "longer than"},
	}
	for _, tt := range tests {
		name := tt.header
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			got, err := BearerToken(tt.header)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("BearerToken succeeded")
				}
				assertUnauthenticated(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("BearerToken: %v", err)
			}
			if got != tt.want {
				t.Errorf("token = %.40q, want %.40q", got, tt.want)
			}
		})
	}
}

func TestMintClaims(t *testing.T) {
	tok, err := Mint(testKey, TokenRequest{Tenant: testTenant, Expires: 90 * time.Minute, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	claims := parseUnverified(t, tok)
	if claims["iss"] != LocalIssuer || claims["aud"] != Audience || claims["tid"] != testTenant || claims["azp"] != CLIAppID {
		t.Errorf("iss/aud/tid/azp wrong: %v", claims)
	}
	oid, _ := claims["oid"].(string)
	if !guidRegex.MatchString(oid) || claims["sub"] != oid {
		t.Errorf("oid %q should be a random GUID equal to sub %v", oid, claims["sub"])
	}
	if claims["iat"] != float64(testNow.Unix()) || claims["nbf"] != float64(testNow.Unix()) {
		t.Errorf("iat/nbf = %v/%v, want %d", claims["iat"], claims["nbf"], testNow.Unix())
	}
	if claims["exp"] != float64(testNow.Add(90*time.Minute).Unix()) {
		t.Errorf("exp = %v", claims["exp"])
	}
	if _, ok := claims["scp"]; ok {
		t.Errorf("an application token has scp")
	}
	var roles []string
	for _, r := range claims["roles"].([]any) {
		roles = append(roles, r.(string))
	}
	var want []string
	for _, p := range industrydata.AllPermissions {
		want = append(want, string(p))
	}
	if diff := cmp.Diff(want, roles); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}

	other, err := Mint(testKey, TokenRequest{Tenant: testTenant, Expires: time.Hour, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if parseUnverified(t, other)["oid"] == oid {
		t.Errorf("two tokens got the same random subject")
	}

	delegated, err := Mint(testKey, TokenRequest{Tenant: testTenant, Expires: time.Hour, Scopes: []string{"IndustryData-Run.Read.All", "IndustryData.ReadBasic.All", "IndustryData-Run.Read.All"}})
	if err != nil {
		t.Fatal(err)
	}
	dc := parseUnverified(t, delegated)
	if dc["scp"] != "IndustryData-Run.Read.All IndustryData.ReadBasic.All" {
		t.Errorf("scp = %q", dc["scp"])
	}
	if _, ok := dc["roles"]; ok {
		t.Errorf("a delegated token has roles")
	}
	header := strings.Split(delegated, ".")[0]
	raw, _ := base64.RawURLEncoding.DecodeString(header)
	if !strings.Contains(string(raw), `"HS256"`) {
		t.Errorf("header %s is not HS256", raw)
	}
}

func parseUnverified(t *testing.T, tok string) jwt.MapClaims {
	t.Helper()
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(tok, claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func TestMintRejects(t *testing.T) {
	ok := TokenRequest{Tenant: testTenant, Expires: time.Hour}
	tests := []struct {
		name       string
		key        []byte
		change     func(*TokenRequest)
		wantTarget string
		wantMsg    string
	}{
		{name: "empty tenant", change: func(r *TokenRequest) { r.Tenant = "" }, wantTarget: "tenant", wantMsg: "required"},
		{name: "tenant with slash", change: func(r *TokenRequest) { r.Tenant = "a/b" }, wantTarget: "tenant"},
		{name: "tenant with space", change: func(r *TokenRequest) { r.Tenant = "a b" }, wantTarget: "tenant"},
		{name: "tenant non-ASCII", change: func(r *TokenRequest) { r.Tenant = "contosö" }, wantTarget: "tenant"},
		{name: "tenant 65 chars", change: func(r *TokenRequest) { r.Tenant = strings.Repeat("a", 65) }, wantTarget: "tenant"},
		{name: "tenant not a GUID", change: func(r *TokenRequest) { r.Tenant = "contoso" }, wantTarget: "tenant", wantMsg: "must be a GUID"},
		{name: "zero expiry", change: func(r *TokenRequest) { r.Expires = 0 }, wantTarget: "expires"},
		{name: "negative expiry", change: func(r *TokenRequest) { r.Expires = -time.Hour }, wantTarget: "expires"},
		{name: "expiry over a year", change: func(r *TokenRequest) { r.Expires = MaxExpiry + time.Second }, wantTarget: "expires"},
		{name: "unknown scope", change: func(r *TokenRequest) { r.Scopes = []string{"User.Read"} }, wantTarget: "scopes", wantMsg: string(industrydata.PermDataConnectorUpload)},
		{name: "unknown role", change: func(r *TokenRequest) { r.Roles = []string{"IndustryData.ReadBasic.All", "industrydata.readbasic.all"} }, wantTarget: "roles", wantMsg: "valid permissions are IndustryData.ReadBasic.All, "},
		{name: "subject with space", change: func(r *TokenRequest) { r.Subject = "a b" }, wantTarget: "subject"},
		{name: "app with newline", change: func(r *TokenRequest) { r.App = "a\nb" }, wantTarget: "app"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := ok
			tt.change(&req)
			_, err := Mint(testKey, req)
			var e *industrydata.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *industrydata.Error", err)
			}
			if e.Code != industrydata.CodeBadRequest || e.Target != tt.wantTarget {
				t.Errorf("code/target = %s/%s, want %s/%s", e.Code, e.Target, industrydata.CodeBadRequest, tt.wantTarget)
			}
			if !strings.Contains(e.Message, tt.wantMsg) {
				t.Errorf("message %q does not contain %q", e.Message, tt.wantMsg)
			}
		})
	}
	if _, err := Mint(nil, ok); err == nil {
		t.Errorf("Mint with no key succeeded")
	}
	if _, err := Mint(testKey, TokenRequest{Tenant: testTenant, Expires: MaxExpiry}); err != nil {
		t.Errorf("Mint with the longest expiry: %v", err)
	}
}

// TestVerifierCacheHonoursExpiry: a token verified once stays accepted from
// the cache only inside its validity window (with the leeway).
func TestVerifierCacheHonoursExpiry(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	now := start
	v := NewLocalVerifier(key, func() time.Time { return now })
	tok, err := Mint(key, TokenRequest{Tenant: testTenant, Expires: time.Hour, Now: start})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at time.Time
		ok bool
	}{
		{start, true},
		{start, true}, // from the cache
		{start.Add(time.Hour + 4*time.Minute), true},
		{start.Add(time.Hour + 6*time.Minute), false},
		{start.Add(-6 * time.Minute), false},
		{start.Add(time.Minute), true},
	} {
		now = tc.at
		_, err := v.Verify(context.Background(), tok)
		if (err == nil) != tc.ok {
			t.Errorf("at %s: err %v, want ok=%v", tc.at.Sub(start), err, tc.ok)
		}
	}
	// A token that differs only in its signature is not served from the cache.
	sig := tok[len(tok)-3:]
	other := "AAA"
	if sig == other {
		other = "BBB"
	}
	if _, err := v.Verify(context.Background(), tok[:len(tok)-3]+other); err == nil {
		t.Errorf("tampered signature accepted")
	}
}
