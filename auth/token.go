// Package auth turns bearer tokens into principals (SPEC §7): it keeps the
// local HS256 signing key, mints local tokens for the token command, and
// verifies tokens on every API call: local ones (LocalVerifier), RS256 and
// ES256 ones from an identity provider's OIDC issuer or JWKS URL
// (RemoteVerifier), or both side by side (Chain).
package auth

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"industrydata"
)

const (
	// LocalIssuer is the iss claim of tokens minted with the local key.
	LocalIssuer = "industrydata-local"
	// Audience is the aud claim every accepted token carries. Real Graph
	// tokens use it; local tokens use it too so clients need not change.
	Audience = "https://graph.microsoft.com"
	// CLIAppID is the azp claim of local tokens that name no application:
	// a fixed id standing for "industrydata-cli".
	CLIAppID = "5b1c7c1e-3d1a-4f0e-9a57-6e2f0c9d4b81"
	// MaxExpiry is the longest lifetime Mint grants a token.
	MaxExpiry = 366 * 24 * time.Hour
	// MaxTokenLength is the longest bearer token accepted, in bytes.
	MaxTokenLength = 16 << 10
	// maxIDLength bounds the subject and app ids Mint accepts.
	maxIDLength = 256
)

// TokenRequest describes a local token for Mint.
type TokenRequest struct {
	// Tenant becomes the tid claim, in lower case; required, a GUID (see
	// ParseTenantID).
	Tenant string
	// Scopes become the scp claim (a delegated token).
	Scopes []string
	// Roles become the roles claim (an application token). When Scopes and
	// Roles are both empty the token gets every permission as roles.
	Roles []string
	// Subject becomes the sub and oid claims; a fresh random GUID if empty.
	Subject string
	// App becomes the azp claim; CLIAppID if empty.
	App string
	// Expires is the token's lifetime: more than zero, at most MaxExpiry.
	Expires time.Duration
	// Now is when the token is issued; the current time if zero.
	Now time.Time
}

// Validate reports what is wrong with r, as an *industrydata.Error with
// code badRequest whose Target names the field at fault, or nil.
func (r TokenRequest) Validate() error {
	switch {
	case r.Tenant == "":
		return industrydata.BadProperty("tenant", "a tenant id is required")
	case !ValidTenantID(r.Tenant):
		return industrydata.BadProperty("tenant", "the tenant id must be a GUID: 8-4-4-4-12 hexadecimal digits such as %s", exampleTenantID)
	case r.Expires <= 0:
		return industrydata.BadProperty("expires", "the lifetime must be more than zero")
	case r.Expires > MaxExpiry:
		return industrydata.BadProperty("expires", "the lifetime must be at most %s (a year)", MaxExpiry)
	}
	if r.Subject != "" && !validID(r.Subject) {
		return industrydata.BadProperty("subject", "the subject must be at most %d printable characters without spaces", maxIDLength)
	}
	if r.App != "" && !validID(r.App) {
		return industrydata.BadProperty("app", "the app id must be at most %d printable characters without spaces", maxIDLength)
	}
	if _, err := permissionNames("scopes", r.Scopes); err != nil {
		return err
	}
	if _, err := permissionNames("roles", r.Roles); err != nil {
		return err
	}
	return nil
}

// Mint returns a local access token for req, signed with key (HS256). Its
// claims are iss (LocalIssuer), aud (Audience), tid (Tenant in lower case),
// sub and oid (Subject),
// azp (App), iat, nbf, exp, and scp (space-separated) and/or roles. With
// neither Scopes nor Roles the token is an application token holding every
// permission of industrydata.AllPermissions. An invalid request is an
// *industrydata.Error with code badRequest (see TokenRequest.Validate).
func Mint(key []byte, req TokenRequest) (string, error) {
	if len(key) == 0 {
		return "", errors.New("auth: the signing key is empty")
	}
	if err := req.Validate(); err != nil {
		return "", err
	}
	tenant, _ := ParseTenantID(req.Tenant)
	scopes, _ := permissionNames("scopes", req.Scopes)
	roles, _ := permissionNames("roles", req.Roles)
	if len(scopes) == 0 && len(roles) == 0 {
		for _, p := range industrydata.AllPermissions {
			roles = append(roles, string(p))
		}
	}
	subject := req.Subject
	if subject == "" {
		var err error
		if subject, err = newGUID(); err != nil {
			return "", err
		}
	}
	app := req.App
	if app == "" {
		app = CLIAppID
	}
	now := req.Now
	if now.IsZero() {
		now = time.Now()
	}
	claims := jwt.MapClaims{
		"iss": LocalIssuer,
		"aud": Audience,
		"tid": string(tenant),
		"sub": subject,
		"oid": subject,
		"azp": app,
		"iat": jwt.NewNumericDate(now),
		"nbf": jwt.NewNumericDate(now),
		"exp": jwt.NewNumericDate(now.Add(req.Expires)),
	}
	if len(scopes) > 0 {
		claims["scp"] = strings.Join(scopes, " ")
	}
	if len(roles) > 0 {
		claims["roles"] = roles
	}
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(key)
	if err != nil {
		return "", fmt.Errorf("auth: signing the token: %w", err)
	}
	return token, nil
}

// exampleTenantID is the GUID error messages show as a tenant id.
const exampleTenantID = "9f2c0c5e-6a43-4d7b-9a51-1d1f3c7e2a10"

// ParseTenantID returns s as a tenant id, or false if s is not one. A tenant
// id is an Entra tenant id, a GUID, accepted only in its canonical
// 36-character form (8-4-4-4-12 hexadecimal digits, in any case) and
// returned in lower case, so that however a token spells a tenant it is one
// tenant. The other forms uuid.Parse knows (no hyphens, braces, urn:uuid:)
// are refused.
func ParseTenantID(s string) (industrydata.TenantID, bool) {
	if len(s) != 36 {
		return "", false
	}
	// With 36 characters uuid.Parse accepts only the canonical form.
	u, err := uuid.Parse(s)
	if err != nil {
		return "", false
	}
	return industrydata.TenantID(u.String()), true
}

// ValidTenantID reports whether s is a tenant id (see ParseTenantID).
func ValidTenantID(s string) bool {
	_, ok := ParseTenantID(s)
	return ok
}

// validID reports whether s is a reasonable subject or app id: printable,
// no white space, not too long.
func validID(s string) bool {
	if len(s) > maxIDLength {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// permissionNames checks that every name is a known permission and returns
// them without duplicates, in the order given. field names the request field
// in the error.
func permissionNames(field string, names []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, n := range names {
		if !knownPermission(n) {
			return nil, industrydata.BadProperty(field, "unknown permission %q; valid permissions are %s", n, validPermissionList())
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out, nil
}

// knownPermission reports whether name is in industrydata.AllPermissions.
func knownPermission(name string) bool {
	for _, p := range industrydata.AllPermissions {
		if string(p) == name {
			return true
		}
	}
	return false
}

// validPermissionList is every permission name, comma-separated.
func validPermissionList() string {
	names := make([]string, len(industrydata.AllPermissions))
	for i, p := range industrydata.AllPermissions {
		names[i] = string(p)
	}
	return strings.Join(names, ", ")
}

// newGUID returns a random (version 4) GUID in its usual text form.
func newGUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("auth: generating a subject id: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}
