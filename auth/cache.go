package auth

import (
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"industrydata"
)

// maxCachedTokens bounds the verified-token cache. Clients reuse one token
// for an hour, so a few thousand entries cover many callers; when full the
// cache starts over, which costs only re-verification.
const maxCachedTokens = 4096

// tokenCache remembers tokens that verified, with the window in which they
// stay valid, so a client that reuses a token (every client does) pays for
// parsing and the signature check once, not on every request. Only
// successes are kept, keyed by the whole token: a token differing in any
// byte, signature included, is verified afresh.
type tokenCache struct {
	mu      sync.RWMutex
	entries map[string]cachedToken
}

type cachedToken struct {
	principal industrydata.Principal
	// validFrom and validUntil already include the leeway.
	validFrom, validUntil time.Time
}

func (c *tokenCache) get(token string, now time.Time) (industrydata.Principal, bool) {
	c.mu.RLock()
	e, ok := c.entries[token]
	c.mu.RUnlock()
	if !ok || now.Before(e.validFrom) || now.After(e.validUntil) {
		return industrydata.Principal{}, false
	}
	return e.principal, true
}

func (c *tokenCache) put(token string, p industrydata.Principal, notBefore, expires time.Time) {
	e := cachedToken{principal: p, validFrom: notBefore.Add(-Leeway), validUntil: expires.Add(Leeway)}
	c.mu.Lock()
	if c.entries == nil || len(c.entries) >= maxCachedTokens {
		c.entries = make(map[string]cachedToken)
	}
	c.entries[token] = e
	c.mu.Unlock()
}

// putVerified remembers token, which verified with claims as p, for the
// window its exp and nbf claims allow. The parsers require exp; a token
// without one is not kept. nbf is optional: without it the token is valid
// from iat, which the parser checked is not in the future.
func (c *tokenCache) putVerified(token string, p industrydata.Principal, claims jwt.MapClaims) {
	exp, _ := claims.GetExpirationTime()
	if exp == nil {
		return
	}
	from := time.Time{}
	if nbf, _ := claims.GetNotBefore(); nbf != nil {
		from = nbf.Time
	}
	c.put(token, p, from, exp.Time)
}
