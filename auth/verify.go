package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/golang-jwt/jwt/v5"

	"industrydata"
)

// Leeway is the clock skew allowed when checking exp, nbf and iat.
const Leeway = 5 * time.Minute

// Verifier checks a bearer token and says whom it stands for.
type Verifier interface {
	// Verify returns the principal token stands for. Every failure is an
	// *industrydata.Error with code unauthenticated whose message says what
	// is wrong without repeating the token.
	Verify(ctx context.Context, token string) (industrydata.Principal, error)
}

// LocalVerifier verifies tokens minted with the local HS256 key (Mint).
type LocalVerifier struct {
	key    []byte
	parser *jwt.Parser
	now    func() time.Time
	cache  tokenCache
}

var _ Verifier = (*LocalVerifier)(nil)

// NewLocalVerifier returns a verifier accepting HS256 tokens signed with
// key, issued by LocalIssuer for Audience, with an exp claim, checked
// against now (time.Now if nil) with a leeway of five minutes.
func NewLocalVerifier(key []byte, now func() time.Time) *LocalVerifier {
	if now == nil {
		now = time.Now
	}
	return &LocalVerifier{
		key: append([]byte(nil), key...),
		now: now,
		parser: jwt.NewParser(
			jwt.WithValidMethods(localAlgs),
			jwt.WithAudience(Audience),
			jwt.WithIssuer(LocalIssuer),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(Leeway),
			jwt.WithTimeFunc(now),
		),
	}
}

// Verify implements Verifier.
func (v *LocalVerifier) Verify(_ context.Context, token string) (industrydata.Principal, error) {
	if err := checkTokenSize(token); err != nil {
		return industrydata.Principal{}, err
	}
	if p, ok := v.cached(token); ok {
		return p, nil
	}
	claims := jwt.MapClaims{}
	parsed, err := v.parser.ParseWithClaims(token, claims, v.keyFunc)
	if err != nil {
		return industrydata.Principal{}, parseError(parsed, claims, err, localAlgs)
	}
	p, err := PrincipalFromClaims(claims)
	if err != nil {
		return p, err
	}
	v.cache.putVerified(token, p, claims)
	return p, nil
}

// cached implements cachingVerifier.
func (v *LocalVerifier) cached(token string) (industrydata.Principal, bool) {
	return v.cache.get(token, v.now())
}

// localAlgs are the signing algorithms LocalVerifier accepts.
var localAlgs = []string{jwt.SigningMethodHS256.Alg()}

// checkTokenSize rejects an empty token and one longer than MaxTokenLength.
func checkTokenSize(token string) error {
	if token == "" {
		return unauthenticated("no access token was given")
	}
	if len(token) > MaxTokenLength {
		return unauthenticated("the access token is longer than %d bytes", MaxTokenLength)
	}
	return nil
}

// keyFunc hands the parser the local key, for HS256 tokens only (the parser
// checks the algorithm too; this is a second lock on the same door).
func (v *LocalVerifier) keyFunc(t *jwt.Token) (any, error) {
	if t.Method != jwt.SigningMethodHS256 {
		return nil, errors.New("unexpected signing method")
	}
	if len(v.key) == 0 {
		return nil, errors.New("no signing key is configured")
	}
	return v.key, nil
}

// parseError turns an error of the jwt parser into an unauthenticated
// *industrydata.Error. parsed and claims are what the parser got to; algs
// are the signing algorithms the verifier accepts.
func parseError(parsed *jwt.Token, claims jwt.MapClaims, err error, algs []string) error {
	if errors.Is(err, jwt.ErrTokenMalformed) {
		return unauthenticated("the access token is malformed")
	}
	if parsed != nil {
		alg, _ := parsed.Header["alg"].(string)
		if e := algError(alg, algs); e != nil {
			return e
		}
	}
	switch {
	// The remote verifier's key lookup fails with these (see remote.go).
	case errors.Is(err, errNoKeyID):
		return unauthenticated("the access token's header names no signing key (kid)")
	case errors.Is(err, errUnknownKey):
		return unauthenticated("the access token's signing key (kid) is not one the issuer publishes")
	case errors.Is(err, errUnusableKey):
		return unauthenticated("the issuer's key named by the access token's kid cannot verify its signing algorithm")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return unauthenticated("the access token's signature is invalid")
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return unauthenticated("the access token cannot be verified")
	case errors.Is(err, jwt.ErrInvalidType):
		return unauthenticated("the access token's %s claim has the wrong type", wronglyTypedClaim(claims))
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return unauthenticated("the access token has no %s claim", missingClaim(claims))
	case errors.Is(err, jwt.ErrTokenExpired):
		return unauthenticated("the access token has expired")
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return unauthenticated("the access token is not valid yet")
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return unauthenticated("the access token is not valid yet: it was issued in the future")
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return unauthenticated("the access token's audience is not accepted")
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return unauthenticated("the access token's issuer is not accepted")
	}
	return unauthenticated("the access token is not valid")
}

// algError is the unauthenticated error for a token whose header names alg
// when only algs are accepted, or nil if alg is one of them. The message
// lists the accepted algorithms but never repeats alg, which the caller
// chose.
func algError(alg string, algs []string) *industrydata.Error {
	switch {
	case strings.EqualFold(alg, "none"):
		return unauthenticated("alg none is not accepted")
	case alg == "":
		return unauthenticated("the access token names no signing algorithm (alg)")
	case slices.Contains(algs, alg):
		return nil
	case len(algs) == 0:
		return unauthenticated("no access token is accepted: this server has no way to verify tokens")
	case len(algs) == 1:
		return unauthenticated("the access token's signing algorithm is not accepted; only %s is", algs[0])
	default:
		return unauthenticated("the access token's signing algorithm is not accepted; only %s and %s are",
			strings.Join(algs[:len(algs)-1], ", "), algs[len(algs)-1])
	}
}

// missingClaim names the first claim the validator requires (exp, aud,
// iss) that claims lack.
func missingClaim(claims jwt.MapClaims) string {
	if exp, ok := claims["exp"]; !ok || exp == float64(0) {
		return "exp"
	}
	if aud, _ := claims.GetAudience(); len(aud) == 0 || len(aud) == 1 && aud[0] == "" {
		return "aud"
	}
	if iss, ok := claims["iss"]; !ok || iss == "" {
		return "iss"
	}
	return "required"
}

// wronglyTypedClaim names the first registered claim the validator reads
// (exp, nbf, iat, aud, iss) whose type is wrong.
func wronglyTypedClaim(claims jwt.MapClaims) string {
	for _, name := range []string{"exp", "nbf", "iat"} {
		if v, ok := claims[name]; ok {
			if _, isNum := v.(float64); !isNum {
				return name
			}
		}
	}
	if _, err := claims.GetAudience(); err != nil {
		return "aud"
	}
	if _, err := claims.GetIssuer(); err != nil {
		return "iss"
	}
	return "exp, nbf, iat, aud or iss"
}

// PrincipalFromClaims builds the principal a verified token's claims stand
// for. Tenant comes from tid (required; a GUID, stored in lower case: see
// ParseTenantID), Subject from oid else sub, App from azp else appid. Permissions
// come from scp (a space-separated string; Delegated is true) and roles (an
// array of strings); a token with both gets their union and is delegated.
// Names that are not in industrydata.AllPermissions are ignored; the
// permissions are listed in the order of AllPermissions. A claim of the
// wrong type is an unauthenticated *industrydata.Error naming the claim.
func PrincipalFromClaims(claims jwt.MapClaims) (industrydata.Principal, error) {
	var p industrydata.Principal
	tid, present, err := stringClaim(claims, "tid")
	switch {
	case err != nil:
		return p, err
	case !present || tid == "":
		return p, unauthenticated("the access token has no tid claim")
	}
	// Both verifiers come through here, so a tenant is spelled one way
	// whichever issuer signed its token.
	tenant, ok := ParseTenantID(tid)
	if !ok {
		return p, unauthenticated("the access token's tid claim is not a GUID (8-4-4-4-12 hexadecimal digits)")
	}
	p.Tenant = tenant

	if p.Subject, err = firstString(claims, "oid", "sub"); err != nil {
		return industrydata.Principal{}, err
	}
	if p.App, err = firstString(claims, "azp", "appid"); err != nil {
		return industrydata.Principal{}, err
	}

	granted := map[industrydata.Permission]bool{}
	scp, hasScp, err := stringClaim(claims, "scp")
	if err != nil {
		return industrydata.Principal{}, err
	}
	if hasScp {
		p.Delegated = true
		for _, name := range strings.Fields(scp) {
			granted[industrydata.Permission(name)] = true
		}
	}
	roles, err := stringsClaim(claims, "roles")
	if err != nil {
		return industrydata.Principal{}, err
	}
	for _, name := range roles {
		granted[industrydata.Permission(name)] = true
	}
	for _, perm := range industrydata.AllPermissions {
		if granted[perm] {
			p.Permissions = append(p.Permissions, perm)
		}
	}
	return p, nil
}

// stringClaim returns claim name if it is a string. present is false when
// the claim is absent or JSON null; any other type is an error.
func stringClaim(claims jwt.MapClaims, name string) (value string, present bool, err error) {
	raw, ok := claims[name]
	if !ok || raw == nil {
		return "", false, nil
	}
	s, ok := raw.(string)
	if !ok {
		return "", false, unauthenticated("the access token's %s claim must be a string", name)
	}
	return s, true, nil
}

// firstString returns the first of the named claims that is a non-empty
// string, or "" when none is; a claim of another type is an error.
func firstString(claims jwt.MapClaims, names ...string) (string, error) {
	for _, name := range names {
		s, _, err := stringClaim(claims, name)
		if err != nil {
			return "", err
		}
		if s != "" {
			return s, nil
		}
	}
	return "", nil
}

// stringsClaim returns claim name if it is an array of strings (absent or
// null is none); any other type is an error.
func stringsClaim(claims jwt.MapClaims, name string) ([]string, error) {
	switch v := claims[name].(type) {
	case nil:
		return nil, nil
	case []string:
		return v, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil, unauthenticated("the access token's %s claim must be an array of strings", name)
			}
			out = append(out, s)
		}
		return out, nil
	default:
		return nil, unauthenticated("the access token's %s claim must be an array of strings", name)
	}
}

// BearerToken returns the token of an Authorization header value of the
// form "Bearer <token>" (the scheme in any case). A missing header, another
// scheme, no token, more than one token or a token longer than
// MaxTokenLength is an unauthenticated *industrydata.Error.
func BearerToken(header string) (string, error) {
	if strings.TrimSpace(header) == "" {
		return "", unauthenticated("the request has no Authorization header; send 'Authorization: Bearer <token>'")
	}
	if len(header) > MaxTokenLength+64 {
		return "", unauthenticated("the access token is longer than %d bytes", MaxTokenLength)
	}
	// The fields strings.Fields would give, without its slice: this runs
	// for every request.
	scheme, rest := nextField(header)
	token, rest := nextField(rest)
	extra, _ := nextField(rest)
	if !strings.EqualFold(scheme, "Bearer") {
		return "", unauthenticated("the Authorization header must be 'Bearer <token>'; other schemes are not accepted")
	}
	switch {
	case token == "":
		return "", unauthenticated("the Authorization header has no token after 'Bearer'")
	case extra != "":
		return "", unauthenticated("the Authorization header must be 'Bearer <token>' with exactly one token")
	}
	if len(token) > MaxTokenLength {
		return "", unauthenticated("the access token is longer than %d bytes", MaxTokenLength)
	}
	return token, nil
}

// nextField returns the first field of s, separated by white space as
// strings.Fields separates them, and what follows it.
func nextField(s string) (field, rest string) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}

// unauthenticated returns an *industrydata.Error with code unauthenticated.
func unauthenticated(format string, args ...any) *industrydata.Error {
	return &industrydata.Error{Code: industrydata.CodeUnauthenticated, Message: fmt.Sprintf(format, args...)}
}
