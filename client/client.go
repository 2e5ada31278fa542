package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// TokenSource gives the bearer token of a request. It is asked once per
// attempt, so a source that refreshes tokens keeps long waits working.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// StaticToken is a TokenSource of one token.
type StaticToken string

// Token returns t.
func (t StaticToken) Token(context.Context) (string, error) { return string(t), nil }

// Options configure a Client. The zero value of each field picks the
// default its comment names.
type Options struct {
	// Token gives the bearer token; nil sends none (the service then
	// answers 401).
	Token TokenSource
	// HTTPClient sends the requests, the upload's too; nil is a client
	// without a timeout: a request lasts as long as its context allows,
	// so that a CSV download of any size can stream.
	HTTPClient *http.Client
	// MaxAttempts is how many times a request may be sent in all; 4.
	MaxAttempts int
	// RetryDelay is the first wait before a retry the service gave no
	// Retry-After for; it doubles each time. 1 s.
	RetryDelay time.Duration
	// MaxRetryDelay is the longest wait the client sits through before a
	// retry; a longer Retry-After ends the request with its error. 2 min.
	MaxRetryDelay time.Duration
	// PollInterval and MaxPollInterval bound WaitForOperation's waits
	// between two reads of an operation: it starts at PollInterval (and
	// goes back to it whenever the operation changes) and grows by half
	// each time up to MaxPollInterval. 250 ms and 5 s.
	PollInterval, MaxPollInterval time.Duration
	// Sleep waits d or until ctx ends, returning ctx's error then; every
	// wait of the client (retries, polling) goes through it, so tests can
	// replace time. Nil is a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock that turns an HTTP-date Retry-After into a wait;
	// nil is time.Now.
	Now func() time.Time
	// UserAgent is sent with every request; "industrydata-go-client".
	UserAgent string
}

// Client calls one industryData service. It is safe for concurrent use.
type Client struct {
	origin *url.URL // scheme and host of every request
	root   string   // path of industryData, without a trailing slash
	opts   Options
	http   *http.Client
}

// New returns a client of the service at base: http(s)://host[:port], or
// the URL of its industryData root (…/beta/industryData,
// …/beta/external/industryData). A base with no path means
// /beta/industryData; one ending in /beta or /beta/external gets
// /industryData added.
func New(base string, opts Options) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("client: base URL %q: %w", base, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("client: base URL %q must be http(s)://host[:port][/path]", base)
	}
	root := strings.TrimSuffix(u.Path, "/")
	switch {
	case root == "":
		root = "/beta/industryData"
	case !strings.HasSuffix(root, "/industryData"):
		root += "/industryData"
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 4
	}
	if opts.RetryDelay <= 0 {
		opts.RetryDelay = time.Second
	}
	if opts.MaxRetryDelay <= 0 {
		opts.MaxRetryDelay = 2 * time.Minute
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 250 * time.Millisecond
	}
	if opts.MaxPollInterval < opts.PollInterval {
		opts.MaxPollInterval = max(5*time.Second, opts.PollInterval)
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "industrydata-go-client"
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	return &Client{origin: &url.URL{Scheme: u.Scheme, Host: u.Host}, root: root, opts: opts, http: hc}, nil
}

// Root is the URL of the industryData root the client calls.
func (c *Client) Root() string { return c.origin.String() + c.root }

// sleep is the default Options.Sleep.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// resolve turns a path below the industryData root ("operations/x"), a
// path from the host ("/beta/…") or an absolute URL the service wrote into
// the URL to request: always on the client's own origin (see the package
// documentation).
func (c *Client) resolve(ref string) (string, error) {
	if ref == "" {
		return "", errors.New("client: empty URL")
	}
	if strings.HasPrefix(ref, "/") || strings.Contains(ref, "://") {
		u, err := url.Parse(ref)
		if err != nil {
			return "", fmt.Errorf("client: URL %q: %w", ref, err)
		}
		if u.IsAbs() && u.Scheme != "http" && u.Scheme != "https" {
			return "", fmt.Errorf("client: URL %q is not http(s)", ref)
		}
		if !strings.HasPrefix(u.Path, "/") {
			return "", fmt.Errorf("client: URL %q has no path", ref)
		}
		return c.origin.String() + u.EscapedPath() + query(u.RawQuery), nil
	}
	return c.origin.String() + c.root + "/" + ref, nil
}

func query(raw string) string {
	if raw == "" {
		return ""
	}
	return "?" + raw
}

// segment escapes an id for use as one path segment.
func segment(id string) string { return url.PathEscape(id) }
