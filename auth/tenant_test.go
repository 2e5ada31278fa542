package auth

import (
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"industrydata"
)

// tenantSpellings are tid claims and the tenant each stands for; want ""
// means the claim is refused.
var tenantSpellings = []struct {
	name string
	tid  string
	want industrydata.TenantID
}{
	{"lower case", "6f1d3b2a-0c4e-4a8b-9e7d-2b5c8a1f0e34", "6f1d3b2a-0c4e-4a8b-9e7d-2b5c8a1f0e34"},
	{"upper case is the same tenant", "6F1D3B2A-0C4E-4A8B-9E7D-2B5C8A1F0E34", "6f1d3b2a-0c4e-4a8b-9e7d-2b5c8a1f0e34"},
	{"mixed case is the same tenant", "6f1D3b2A-0c4E-4a8B-9e7D-2b5C8a1F0e34", "6f1d3b2a-0c4e-4a8b-9e7d-2b5c8a1f0e34"},
	{"the nil GUID", "00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000000"},
	{"not a GUID", "contoso", ""},
	{"a domain name", "contoso.onmicrosoft.com", ""},
	{"braced", "{6f1d3b2a-0c4e-4a8b-9e7d-2b5c8a1f0e34}", ""},
	{"urn", "urn:uuid:6f1d3b2a-0c4e-4a8b-9e7d-2b5c8a1f0e34", ""},
	{"no hyphens", "6f1d3b2a0c4e4a8b9e7d2b5c8a1f0e34", ""},
	{"hyphens moved", "6f1d3b2a0-c4e-4a8b-9e7d-2b5c8a1f0e34", ""},
	{"a non-hex digit", "6f1d3b2a-0c4e-4a8b-9e7d-2b5c8a1f0e3g", ""},
	{"one digit short", "6f1d3b2a-0c4e-4a8b-9e7d-2b5c8a1f0e3", ""},
	{"one digit over", "6f1d3b2a-0c4e-4a8b-9e7d-2b5c8a1f0e345", ""},
	{"padded with a space", " 6f1d3b2a-0c4e-4a8b-9e7d-2b5c8a1f0e3", ""},
	{"a non-ASCII digit", "6f1d3b2a-0c4e-4a8b-9e7d-2b5c8a1f0e٣", ""},
}

func TestParseTenantID(t *testing.T) {
	for _, tt := range tenantSpellings {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseTenantID(tt.tid)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("ParseTenantID(%q) = %q, %v; want %q, %v", tt.tid, got, ok, tt.want, tt.want != "")
			}
			if valid := ValidTenantID(tt.tid); valid != ok {
				t.Errorf("ValidTenantID(%q) = %v, want %v", tt.tid, valid, ok)
			}
		})
	}
	if _, ok := ParseTenantID(""); ok {
		t.Errorf(`ParseTenantID("") succeeded`)
	}
}

// TestVerifyTenant: the local (HS256) and the remote (RS256) verifier both
// store a tid in lower case and refuse one that is not a GUID.
func TestVerifyTenant(t *testing.T) {
	local := NewLocalVerifier(testKey, func() time.Time { return testNow })
	p := newIdP(t, "rsa-1")
	remote, _ := newRemote(t, p, nil)
	verifiers := []struct {
		name  string
		v     Verifier
		token func(tid any) string
	}{
		{"local", local, func(tid any) string {
			return handSigned(t, hs256Header, with(claimsAt(testNow), map[string]any{"tid": tid}), sha256.New, testKey)
		}},
		{"remote", remote, func(tid any) string {
			return sign(t, "rsa-1", with(remoteClaims(p, testNow), map[string]any{"tid": tid}), nil)
		}},
	}
	for _, vv := range verifiers {
		for _, tt := range tenantSpellings {
			t.Run(vv.name+"/"+tt.name, func(t *testing.T) {
				got, err := vv.v.Verify(t.Context(), vv.token(tt.tid))
				if tt.want == "" {
					if err == nil {
						t.Fatalf("Verify succeeded for tenant %q", got.Tenant)
					}
					assertUnauthenticated(t, err, "the access token's tid claim is not a GUID")
					return
				}
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if got.Tenant != tt.want {
					t.Errorf("tenant = %q, want %q", got.Tenant, tt.want)
				}
			})
		}
		t.Run(vv.name+"/empty tid", func(t *testing.T) {
			_, err := vv.v.Verify(t.Context(), vv.token(""))
			assertUnauthenticated(t, err, "the access token has no tid claim")
		})
	}
}

// TestMintTenant: Mint writes the tid in lower case and refuses a tenant
// that is not a GUID, naming the field.
func TestMintTenant(t *testing.T) {
	for _, tt := range tenantSpellings {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := Mint(testKey, TokenRequest{Tenant: tt.tid, Expires: time.Hour, Now: testNow})
			if tt.want == "" {
				var e *industrydata.Error
				if !errors.As(err, &e) || e.Code != industrydata.CodeBadRequest || e.Target != "tenant" {
					t.Fatalf("Mint error = %v, want badRequest on tenant", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Mint: %v", err)
			}
			if tid := parseUnverified(t, tok)["tid"]; tid != string(tt.want) {
				t.Errorf("tid = %v, want %q", tid, tt.want)
			}
		})
	}
}
