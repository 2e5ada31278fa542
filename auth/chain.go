package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/golang-jwt/jwt/v5"

	"industrydata"
)

// Chain verifies local and identity-provider tokens side by side (SPEC §7).
// It reads only the alg of a token's header and hands the token to one
// verifier: HS256 to the local one, RS256 and ES256 to the remote one. The
// token is verified once, by that verifier alone, so each keeps its own
// cache of verified tokens, and an HS256 token is never checked against a
// public key.
type Chain struct {
	local, remote Verifier
}

var _ Verifier = (*Chain)(nil)

// NewChain returns a Chain sending HS256 tokens to local (usually a
// *LocalVerifier) and RS256 and ES256 tokens to remote (usually a
// *RemoteVerifier). Either may be nil (a nil *LocalVerifier or
// *RemoteVerifier counts as nil), and then the tokens it would get are
// refused with a message saying which kind this server accepts.
func NewChain(local, remote Verifier) *Chain {
	return &Chain{local: noneIfNil(local), remote: noneIfNil(remote)}
}

// noneIfNil turns a nil *LocalVerifier or *RemoteVerifier inside v into a
// nil Verifier, so that wiring code may pass a pointer it left unset.
func noneIfNil(v Verifier) Verifier {
	switch p := v.(type) {
	case *LocalVerifier:
		if p == nil {
			return nil
		}
	case *RemoteVerifier:
		if p == nil {
			return nil
		}
	}
	return v
}

// Verify implements Verifier.
func (c *Chain) Verify(ctx context.Context, token string) (industrydata.Principal, error) {
	if err := checkTokenSize(token); err != nil {
		return industrydata.Principal{}, err
	}
	// Clients reuse a token for its whole life. One that a verifier has
	// already accepted is answered from its cache without decoding the
	// header, which would cost more than the lookup; the answer is the
	// same, since only that verifier would have been given the token.
	if p, ok := fromCache(c.local, token); ok {
		return p, nil
	}
	if p, ok := fromCache(c.remote, token); ok {
		return p, nil
	}
	alg, err := headerAlg(token)
	if err != nil {
		return industrydata.Principal{}, err
	}
	if err := algError(alg, c.algs()); err != nil {
		return industrydata.Principal{}, err
	}
	if alg == jwt.SigningMethodHS256.Alg() {
		return c.local.Verify(ctx, token)
	}
	return c.remote.Verify(ctx, token)
}

// cachingVerifier is a Verifier that remembers the tokens it accepted.
type cachingVerifier interface {
	// cached returns the principal of token if it was verified before and
	// is still inside its validity window.
	cached(token string) (industrydata.Principal, bool)
}

// fromCache asks v's cache, if it has one, for token.
func fromCache(v Verifier, token string) (industrydata.Principal, bool) {
	if cv, ok := v.(cachingVerifier); ok {
		return cv.cached(token)
	}
	return industrydata.Principal{}, false
}

// algs are the signing algorithms c accepts, given the verifiers it has.
func (c *Chain) algs() []string {
	var algs []string
	if c.local != nil {
		algs = append(algs, localAlgs...)
	}
	if c.remote != nil {
		algs = append(algs, remoteAlgs...)
	}
	return algs
}

// headerAlg returns the alg of token's header ("" if it has none, or one
// that is not a string), without checking anything else. A token whose
// header is not a base64url JSON object is malformed.
func headerAlg(token string) (string, error) {
	header, _, ok := strings.Cut(token, ".")
	if !ok {
		return "", unauthenticated("the access token is malformed")
	}
	raw, err := base64.RawURLEncoding.DecodeString(header)
	if err != nil {
		return "", unauthenticated("the access token is malformed")
	}
	var h map[string]any
	if err := json.Unmarshal(raw, &h); err != nil || h == nil {
		return "", unauthenticated("the access token is malformed")
	}
	alg, _ := h["alg"].(string)
	return alg, nil
}
