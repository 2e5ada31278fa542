package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"

	"industrydata"
)

// Defaults of RemoteConfig.
const (
	// DefaultHTTPTimeout bounds each request to the issuer.
	DefaultHTTPTimeout = 10 * time.Second
	// DefaultRefreshInterval is how often the key set is fetched again in
	// the background.
	DefaultRefreshInterval = time.Hour
	// DefaultRefreshRateLimit is the least average time between two fetches
	// of the key set caused by tokens naming a key it lacks.
	DefaultRefreshRateLimit = time.Minute
	// DefaultRefreshBurst is how many such fetches may come back to back.
	DefaultRefreshBurst = 2
)

// maxRemoteDocument bounds a discovery document or key set read from the
// issuer. Real ones are a few kilobytes.
const maxRemoteDocument = 1 << 20

// discoveryPath is appended to an issuer URL (without its trailing slash)
// to find its OpenID Connect discovery document.
const discoveryPath = "/.well-known/openid-configuration"

// remoteAlgs are the signing algorithms RemoteVerifier accepts. HS256 is
// not among them: the issuer's keys are public, so a token "signed" with
// one as an HMAC secret proves nothing.
var remoteAlgs = []string{jwt.SigningMethodRS256.Alg(), jwt.SigningMethodES256.Alg()}

// Errors of the remote key lookup, turned into messages by parseError.
var (
	errNoKeyID     = errors.New("the token header has no kid")
	errUnknownKey  = errors.New("the issuer publishes no key with the token's kid")
	errUnusableKey = errors.New("the key with the token's kid does not fit its alg")
)

// RemoteConfig configures a RemoteVerifier. Give exactly one of IssuerURL
// and JWKSURL, and at least one audience.
type RemoteConfig struct {
	// IssuerURL is an OpenID Connect issuer, such as
	// "https://login.microsoftonline.com/<tenant>/v2.0". The verifier reads
	// <IssuerURL>/.well-known/openid-configuration, requires its issuer to
	// be exactly IssuerURL, and takes the key set from its jwks_uri. Tokens
	// must then carry iss equal to IssuerURL.
	IssuerURL string
	// JWKSURL is the URL of a JSON Web Key Set, used instead of discovery.
	// Issuer is then required.
	JWKSURL string
	// Issuer is the iss claim every token must carry. Required with
	// JWKSURL; with IssuerURL it may be left empty, and otherwise must equal
	// IssuerURL.
	Issuer string
	// Audiences are the aud values accepted: a token is accepted when its
	// aud (a string or an array) holds at least one of them. Required.
	Audiences []string
	// HTTPClient fetches the discovery document and the key set;
	// a client with a timeout of HTTPTimeout if nil. Its responses are
	// limited to 1 MiB, and it follows no redirect to plain http (but to a
	// loopback host).
	HTTPClient *http.Client
	// HTTPTimeout bounds each fetch, including one a request waits for;
	// DefaultHTTPTimeout if zero.
	HTTPTimeout time.Duration
	// RefreshInterval is how often the key set is fetched again in the
	// background; DefaultRefreshInterval if zero; never if negative.
	RefreshInterval time.Duration
	// RefreshRateLimit is the least average time between two fetches of the
	// key set caused by tokens whose kid is unknown (the issuer rotated its
	// keys, or the kid is garbage); DefaultRefreshRateLimit if zero; such
	// tokens never cause a fetch if negative. When the limit is reached,
	// those tokens are refused at once rather than kept waiting.
	RefreshRateLimit time.Duration
	// RefreshBurst is how many of those fetches may come back to back;
	// DefaultRefreshBurst if zero or less.
	RefreshBurst int
	// Now is the current time, for exp, nbf and iat and for pacing
	// RefreshRateLimit; time.Now if nil.
	Now func() time.Time
	// Logger receives failed background refreshes (with the key set URL,
	// never a token); nothing is logged if nil.
	Logger *slog.Logger
}

// RemoteVerifier verifies RS256 and ES256 tokens signed by an identity
// provider's published keys (SPEC §7). It checks iss, aud, exp, nbf and
// iat with a leeway of five minutes, and maps the claims as
// PrincipalFromClaims does. The keys are fetched when it is built, again
// in the background every RefreshInterval, and again (rate-limited) when a
// token names a key the set lacks, so a key rotation is picked up at once;
// a failed fetch keeps the keys held. Verified tokens are cached until
// they expire. Call Close to stop the background refresh.
type RemoteVerifier struct {
	issuer  string
	jwksURL string
	parser  *jwt.Parser
	now     func() time.Time
	// keys are the fetched keys; reading them never fetches.
	keys jwkset.Storage
	// lookup reads a key by kid, fetching the set again if it lacks it.
	lookup keyfunc.Keyfunc
	// limiter paces the fetches caused by unknown kids; nil means none.
	limiter *rate.Limiter
	cancel  context.CancelFunc
	cache   tokenCache
}

var _ Verifier = (*RemoteVerifier)(nil)

// NewRemoteVerifier checks cfg, reads the issuer's discovery document (with
// IssuerURL) and fetches the key set, and returns a verifier using it.
//
// It fails, with an error naming the URL at fault, when the configuration
// is invalid, when a URL is not https (plain http is allowed only for
// loopback hosts, for tests and local identity providers), when the
// discovery document cannot be read or names another issuer, or when the
// key set cannot be fetched or holds no RSA or P-256 key. So a
// misconfigured or unreachable issuer stops the server at startup instead
// of turning every request into a 401; once running, failed refreshes only
// keep the old keys.
//
// ctx bounds the first fetches and the life of the background refresh: pass
// one that lives as long as the server. Close stops the refresh sooner.
func NewRemoteVerifier(ctx context.Context, cfg RemoteConfig) (*RemoteVerifier, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	timeout := cfg.HTTPTimeout
	if timeout <= 0 {
		timeout = DefaultHTTPTimeout
	}
	client := limitedClient(cfg.HTTPClient, timeout)
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}

	issuer, jwksURL := cfg.Issuer, cfg.JWKSURL
	if cfg.IssuerURL != "" {
		var err error
		if jwksURL, err = discover(ctx, client, timeout, cfg.IssuerURL); err != nil {
			return nil, err
		}
		issuer = cfg.IssuerURL
	}

	bg, cancel := context.WithCancel(ctx)
	refreshInterval := cfg.RefreshInterval
	switch {
	case refreshInterval == 0:
		refreshInterval = DefaultRefreshInterval
	case refreshInterval < 0:
		refreshInterval = 0 // jwkset: no refresh goroutine
	}
	keys, err := jwkset.NewStorageFromHTTP(jwksURL, jwkset.HTTPClientStorageOptions{
		Client:          client,
		Ctx:             bg,
		HTTPTimeout:     timeout,
		RefreshInterval: refreshInterval,
		RefreshErrorHandler: func(ctx context.Context, err error) {
			logger.WarnContext(ctx, "auth: refreshing the issuer's key set failed; keeping the keys held",
				"jwks_url", jwksURL, "err", err)
		},
	})
	if err != nil {
		// jwkset starts its refresh goroutine before the first fetch.
		cancel()
		return nil, fmt.Errorf("auth: fetching the key set %s: %w", jwksURL, err)
	}
	if err := checkKeySet(bg, keys); err != nil {
		cancel()
		return nil, fmt.Errorf("auth: the key set %s %w", jwksURL, err)
	}

	// The client's own limiter lets every unknown kid through: ours, in
	// keyFunc, decides first, with the injected clock and without waiting.
	keyClient, err := jwkset.NewHTTPClient(jwkset.HTTPClientOptions{
		HTTPURLs:          map[string]jwkset.Storage{jwksURL: keys},
		RefreshUnknownKID: rate.NewLimiter(rate.Inf, 1),
		// Bounds the fetch an unknown kid causes, since a request's context
		// may have no deadline.
		RateLimitWaitMax: timeout,
	})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("auth: the key set %s: %w", jwksURL, err)
	}
	lookup, err := keyfunc.New(keyfunc.Options{
		Ctx:     bg,
		Storage: keyClient,
		// A key with "use" must be a signing key; most issuers omit it.
		UseWhitelist: []jwkset.USE{jwkset.UseSig, ""},
	})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("auth: the key set %s: %w", jwksURL, err)
	}

	v := &RemoteVerifier{
		issuer:  issuer,
		jwksURL: jwksURL,
		now:     now,
		keys:    keys,
		lookup:  lookup,
		cancel:  cancel,
		parser: jwt.NewParser(
			jwt.WithValidMethods(remoteAlgs),
			jwt.WithAudience(cfg.Audiences...),
			jwt.WithIssuer(issuer),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(Leeway),
			jwt.WithTimeFunc(now),
		),
	}
	if cfg.RefreshRateLimit >= 0 {
		every := cfg.RefreshRateLimit
		if every == 0 {
			every = DefaultRefreshRateLimit
		}
		burst := cfg.RefreshBurst
		if burst <= 0 {
			burst = DefaultRefreshBurst
		}
		v.limiter = rate.NewLimiter(rate.Every(every), burst)
	}
	return v, nil
}

// Issuer returns the iss claim the verifier requires.
func (v *RemoteVerifier) Issuer() string { return v.issuer }

// JWKSURL returns the URL the keys are fetched from (with IssuerURL, the
// discovery document's jwks_uri).
func (v *RemoteVerifier) JWKSURL() string { return v.jwksURL }

// Close stops the background refresh. It returns at once and may be called
// more than once. The verifier keeps verifying with the keys it holds.
func (v *RemoteVerifier) Close() error {
	v.cancel()
	return nil
}

// Verify implements Verifier.
func (v *RemoteVerifier) Verify(ctx context.Context, token string) (industrydata.Principal, error) {
	if err := checkTokenSize(token); err != nil {
		return industrydata.Principal{}, err
	}
	if p, ok := v.cached(token); ok {
		return p, nil
	}
	claims := jwt.MapClaims{}
	parsed, err := v.parser.ParseWithClaims(token, claims, v.keyFunc(ctx))
	if err != nil {
		return industrydata.Principal{}, parseError(parsed, claims, err, remoteAlgs)
	}
	p, err := PrincipalFromClaims(claims)
	if err != nil {
		return p, err
	}
	v.cache.putVerified(token, p, claims)
	return p, nil
}

// cached implements cachingVerifier.
func (v *RemoteVerifier) cached(token string) (industrydata.Principal, bool) {
	return v.cache.get(token, v.now())
}

// keyFunc returns the jwt.Keyfunc finding the key named by a token's kid.
// The parser has already refused any alg but RS256 and ES256.
func (v *RemoteVerifier) keyFunc(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		// Every common issuer names the key; trying each key instead would
		// let a token without kid cost a signature check per key.
		kid, _ := t.Header[jwkset.HeaderKID].(string)
		if kid == "" {
			return nil, errNoKeyID
		}
		if _, err := v.keys.KeyRead(ctx, kid); errors.Is(err, jwkset.ErrKeyNotFound) {
			// Perhaps the issuer rotated its keys: the lookup below fetches
			// the set again, but only as often as the limiter allows, so
			// made-up kids cannot hammer the issuer.
			if v.limiter == nil || !v.limiter.AllowN(v.now(), 1) {
				return nil, errUnknownKey
			}
		}
		key, err := v.lookup.KeyfuncCtx(ctx)(t)
		switch {
		case errors.Is(err, jwkset.ErrKeyNotFound):
			return nil, errUnknownKey
		case err != nil:
			// The key's alg or use does not allow this token.
			return nil, fmt.Errorf("%w: %w", errUnusableKey, err)
		}
		return checkKey(t.Method.Alg(), key)
	}
}

// checkKey returns key if it can verify alg: an RSA key of at least 2048
// bits for RS256 (RFC 7518 §3.3), a P-256 key for ES256 (§3.4).
func checkKey(alg string, key any) (any, error) {
	switch k := key.(type) {
	case *rsa.PublicKey:
		if alg == jwt.SigningMethodRS256.Alg() && k.N.BitLen() >= 2048 {
			return k, nil
		}
	case *ecdsa.PublicKey:
		if alg == jwt.SigningMethodES256.Alg() && k.Curve == elliptic.P256() {
			return k, nil
		}
	}
	return nil, errUnusableKey
}

// checkKeySet fails unless keys hold at least one key that could verify an
// RS256 or ES256 token.
func checkKeySet(ctx context.Context, keys jwkset.Storage) error {
	all, err := keys.KeyReadAll(ctx)
	if err != nil {
		return fmt.Errorf("cannot be read: %w", err)
	}
	for _, k := range all {
		switch pub := k.Key().(type) {
		case *rsa.PublicKey, *rsa.PrivateKey:
			return nil
		case *ecdsa.PublicKey:
			if pub.Curve == elliptic.P256() {
				return nil
			}
		}
	}
	return errors.New("holds no RSA or P-256 key, so no RS256 or ES256 token could be verified")
}

// Validate reports what is wrong with cfg without fetching anything, so a
// command can refuse a bad configuration before it opens anything;
// NewRemoteVerifier calls it too.
func (cfg RemoteConfig) Validate() error {
	switch {
	case cfg.IssuerURL == "" && cfg.JWKSURL == "":
		return errors.New("auth: an OIDC issuer URL or a JWKS URL is required")
	case cfg.IssuerURL != "" && cfg.JWKSURL != "":
		return errors.New("auth: give an OIDC issuer URL or a JWKS URL, not both")
	case cfg.IssuerURL != "" && cfg.Issuer != "" && cfg.Issuer != cfg.IssuerURL:
		return fmt.Errorf("auth: the issuer %q differs from the OIDC issuer URL %q; tokens from an OIDC issuer carry its URL as iss", cfg.Issuer, cfg.IssuerURL)
	case cfg.JWKSURL != "" && cfg.Issuer == "":
		return errors.New("auth: with a JWKS URL, the expected issuer (iss) is required")
	case len(cfg.Audiences) == 0:
		return errors.New("auth: at least one accepted audience (aud) is required")
	}
	for _, aud := range cfg.Audiences {
		if strings.TrimSpace(aud) == "" {
			return errors.New("auth: an accepted audience is empty")
		}
	}
	if cfg.IssuerURL != "" {
		return checkFetchURL("OIDC issuer URL", cfg.IssuerURL)
	}
	return checkFetchURL("JWKS URL", cfg.JWKSURL)
}

// checkFetchURL fails unless raw is an absolute https URL, or http to a
// loopback host. Keys fetched over plain http could be anyone's.
func checkFetchURL(what, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("auth: the %s %q is not an absolute URL", what, raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || ip != nil && ip.IsLoopback() {
			return nil
		}
	}
	return fmt.Errorf("auth: the %s %q must use https (plain http only to a loopback host)", what, raw)
}

// discover reads the OpenID Connect discovery document of issuer, checks
// that it names issuer exactly (OpenID Connect Discovery 1.0 §4.3) and
// returns its jwks_uri.
func discover(ctx context.Context, client *http.Client, timeout time.Duration, issuer string) (string, error) {
	docURL := strings.TrimSuffix(issuer, "/") + discoveryPath
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, docURL, nil)
	if err != nil {
		return "", fmt.Errorf("auth: reading the OIDC discovery document %s: %w", docURL, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("auth: reading the OIDC discovery document: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("auth: reading the OIDC discovery document %s: status %s", docURL, resp.Status)
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return "", fmt.Errorf("auth: the OIDC discovery document %s is not valid JSON: %w", docURL, err)
	}
	switch {
	case doc.Issuer != issuer:
		return "", fmt.Errorf("auth: the OIDC discovery document %s names the issuer %q, not %q; configure the issuer exactly as the document names it", docURL, doc.Issuer, issuer)
	case doc.JWKSURI == "":
		return "", fmt.Errorf("auth: the OIDC discovery document %s has no jwks_uri", docURL)
	}
	if err := checkFetchURL("jwks_uri of "+docURL, doc.JWKSURI); err != nil {
		return "", err
	}
	return doc.JWKSURI, nil
}

// limitedClient returns a copy of c (a client with timeout if nil) whose
// response bodies stop with an error past maxRemoteDocument bytes, and
// which follows no redirect to a URL checkFetchURL refuses.
func limitedClient(c *http.Client, timeout time.Duration) *http.Client {
	var out http.Client
	if c != nil {
		out = *c
	} else {
		out.Timeout = timeout
	}
	next := out.CheckRedirect
	out.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := checkFetchURL("redirect target", req.URL.String()); err != nil {
			return err
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	base := out.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	out.Transport = limitedTransport{base: base}
	return &out
}

// limitedTransport fails reading a response body past maxRemoteDocument
// bytes instead of reading whatever a server sends.
type limitedTransport struct{ base http.RoundTripper }

func (t limitedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	// http.MaxBytesReader needs no ResponseWriter to limit a body.
	resp.Body = limitedBody{http.MaxBytesReader(nil, resp.Body, maxRemoteDocument)}
	return resp, nil
}

// limitedBody words the error of http.MaxBytesReader for a response.
type limitedBody struct{ io.ReadCloser }

func (b limitedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
		err = fmt.Errorf("the response is longer than %d bytes", tooLarge.Limit)
	}
	return n, err
}
