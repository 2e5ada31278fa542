package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"industrydata/auth"
	"industrydata/httpapi"
)

func TestServeLimitFlags(t *testing.T) {
	defaults := httpTimeouts{readHeader: 10 * time.Second, read: time.Minute, write: time.Minute, idle: 2 * time.Minute}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    httpTimeouts
		wantErr string // in the usage error; "" for none
	}{
		{name: "defaults", want: defaults},
		{name: "flags", args: []string{"--read-header-timeout", "2s", "--read-timeout", "30s", "--write-timeout", "5m", "--idle-timeout", "1m"},
			want: httpTimeouts{readHeader: 2 * time.Second, read: 30 * time.Second, write: 5 * time.Minute, idle: time.Minute}},
		{name: "environment", env: map[string]string{"INDUSTRYDATA_READ_HEADER_TIMEOUT": "3s", "INDUSTRYDATA_READ_TIMEOUT": "4s",
			"INDUSTRYDATA_WRITE_TIMEOUT": "5s", "INDUSTRYDATA_IDLE_TIMEOUT": "6s"},
			want: httpTimeouts{readHeader: 3 * time.Second, read: 4 * time.Second, write: 5 * time.Second, idle: 6 * time.Second}},
		{name: "flag beats environment", args: []string{"--write-timeout", "7s"}, env: map[string]string{"INDUSTRYDATA_WRITE_TIMEOUT": "1s"},
			want: httpTimeouts{readHeader: 10 * time.Second, read: time.Minute, write: 7 * time.Second, idle: 2 * time.Minute}},
		{name: "zero read-header timeout", args: []string{"--read-header-timeout", "0"}, wantErr: "--read-header-timeout"},
		{name: "negative read timeout", args: []string{"--read-timeout", "-1s"}, wantErr: "--read-timeout"},
		{name: "zero write timeout", args: []string{"--write-timeout", "0s"}, wantErr: "--write-timeout"},
		{name: "zero idle timeout from environment", env: map[string]string{"INDUSTRYDATA_IDLE_TIMEOUT": "0s"}, wantErr: "--idle-timeout"},
		{name: "read timeout under the header timeout", args: []string{"--read-timeout", "5s"},
			want: httpTimeouts{readHeader: 10 * time.Second, read: 5 * time.Second, write: time.Minute, idle: 2 * time.Minute}},
		{name: "malformed duration", args: []string{"--write-timeout", "soon"}, wantErr: "write-timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := parseServeCase(t, tt.args, tt.env, tt.wantErr)
			if !ok {
				return
			}
			if c.timeouts != tt.want {
				t.Errorf("timeouts = %+v, want %+v", c.timeouts, tt.want)
			}
			srv := newHTTPServer(c.timeouts, http.NotFoundHandler(), newLogger(c, io.Discard))
			got := httpTimeouts{readHeader: srv.ReadHeaderTimeout, read: srv.ReadTimeout, write: srv.WriteTimeout, idle: srv.IdleTimeout}
			if got != tt.want || srv.MaxHeaderBytes != maxHeaderBytes {
				t.Errorf("server has %+v and MaxHeaderBytes %d, want %+v and %d", got, srv.MaxHeaderBytes, tt.want, maxHeaderBytes)
			}
		})
	}
}

// TestHeaderRoomForLongestURL: the longest URL the API accepts, beside the
// longest token, fits in the API's header limit; and a request one byte over
// either API limit fits in net/http's backstop, so that it reaches the
// handler, which answers in JSON.
func TestHeaderRoomForLongestURL(t *testing.T) {
	if auth.MaxTokenLength+len("Authorization: Bearer \r\n") > httpapi.DefaultMaxHeaderBytes/2 {
		t.Errorf("a token of %d bytes leaves too little of the %d header bytes", auth.MaxTokenLength, httpapi.DefaultMaxHeaderBytes)
	}
	if need := httpapi.DefaultMaxURLBytes + httpapi.DefaultMaxHeaderBytes + 1<<10; need > maxHeaderBytes {
		t.Errorf("a URL of %d bytes and headers just over %d need %d bytes; maxHeaderBytes is %d",
			httpapi.DefaultMaxURLBytes, httpapi.DefaultMaxHeaderBytes, need, maxHeaderBytes)
	}
}

// rawConn is a raw TCP client of a server on 127.0.0.1, whose closing by
// the server is seen by a reader goroutine.
type rawConn struct {
	net.Conn
	closed chan struct{} // closed once a read returns an error (EOF, reset)
	read   chan []byte   // what the server sent, as it came
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &rawConn{Conn: conn, closed: make(chan struct{}), read: make(chan []byte, 64)}
	go func() {
		defer close(c.closed)
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if n > 0 {
				select {
				case c.read <- append([]byte(nil), buf[:n]...):
				default:
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return c
}

// trickle writes s a byte at a time, one every interval, until the server
// closes the connection; it returns how long that took from start, or fails
// the test after limit.
func (c *rawConn) trickle(t *testing.T, s string, interval, limit time.Duration, start time.Time) time.Duration {
	t.Helper()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	giveUp := time.After(limit - time.Since(start))
	for i := 0; ; i++ {
		select {
		case <-c.closed:
			return time.Since(start)
		case <-giveUp:
			t.Fatalf("the server still had the connection after %v (%d bytes sent a byte at a time)", limit, i)
		case <-tick.C:
			if _, err := c.Write([]byte{s[i%len(s)]}); err != nil {
				// Reset by the server: closed as well.
				return time.Since(start)
			}
		}
	}
}

// TestSlowlorisDisconnected: a client that sends its headers a byte at a
// time, each byte well within the header timeout but the whole never done,
// is disconnected once the header timeout has passed, and the server goes
// on serving others.
func TestSlowlorisDisconnected(t *testing.T) {
	const headerTimeout = 300 * time.Millisecond
	s := startInProcess(t, "--read-header-timeout", headerTimeout.String())
	tests := []struct {
		name, prefix string // sent at once, before the trickle
	}{
		{"request line trickled", ""},
		{"headers trickled", "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"},
		{"second request on a kept-alive connection", "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /healthz HTTP/1.1\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialRaw(t, s.addr)
			start := time.Now()
			if _, err := io.WriteString(c, tt.prefix); err != nil {
				t.Fatal(err)
			}
			took := c.trickle(t, "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", headerTimeout/6, 2500*time.Millisecond, start)
			if took < headerTimeout-50*time.Millisecond {
				t.Errorf("disconnected after %v, before the header timeout %v", took, headerTimeout)
			}
		})
	}
	resp, err := http.Get("http://" + s.addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz after the slow clients: %d", resp.StatusCode)
	}
}

// TestSlowBodyRefused: a client that sends its headers at once and its body
// a byte at a time gets no more than the read timeout for the whole
// request: it is answered 400 (the body could not be read) or cut off.
func TestSlowBodyRefused(t *testing.T) {
	const readTimeout = 400 * time.Millisecond
	s := startInProcess(t, "--read-header-timeout", "200ms", "--read-timeout", readTimeout.String())
	api := newAPI(t, s.addr, s.dataDir)
	c := dialRaw(t, s.addr)
	start := time.Now()
	body := `{"statusDetail":"` + strings.Repeat("a", 200) + `"}`
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		operationsPath, api.token, len(body))
	took := c.trickle(t, body, 50*time.Millisecond, 2500*time.Millisecond, start)
	if took < readTimeout-50*time.Millisecond {
		t.Errorf("disconnected after %v, before the read timeout %v", took, readTimeout)
	}
	var got []byte
	for len(c.read) > 0 {
		got = append(got, <-c.read...)
	}
	if len(got) > 0 {
		resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(string(got))), nil)
		if err != nil || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("answer to a slow body: %v, %q", err, got)
		}
	}
	if status, data, err := api.do(http.MethodGet, operationsPath, ""); err != nil || strings.Contains(string(data), `"statusDetail":"a`) {
		t.Errorf("after a slow body: %d %s %v (want no operation created)", status, data, err)
	}
}

// TestIdleConnectionClosed: a kept-alive connection that sends nothing
// after its response is closed after the idle timeout.
func TestIdleConnectionClosed(t *testing.T) {
	const idle = 300 * time.Millisecond
	s := startInProcess(t, "--idle-timeout", idle.String())
	c := dialRaw(t, s.addr)
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case b := <-c.read:
		if !strings.HasPrefix(string(b), "HTTP/1.1 200") {
			t.Fatalf("answer %q", b)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no answer to GET /healthz")
	}
	answered := time.Now()
	select {
	case <-c.closed:
		if took := time.Since(answered); took < idle-50*time.Millisecond {
			t.Errorf("closed after %v, before the idle timeout %v", took, idle)
		}
	case <-time.After(2500 * time.Millisecond):
		t.Fatal("an idle connection is still open after 2.5s")
	}
}

// TestURLAndHeaderLimits goes through the real server: the longest URL, with
// the longest token beside it, reaches the API (a JSON answer); one byte
// more is a JSON 414; header fields past the API's limit are a JSON 431
// with a request-id, on every path; only past net/http's backstop
// (maxHeaderBytes) is the 431 net/http's own plain text.
func TestURLAndHeaderLimits(t *testing.T) {
	s := startInProcess(t)
	prefix := operationsPath + "/"
	longToken := "Bearer " + strings.Repeat("t", auth.MaxTokenLength)
	tests := []struct {
		name      string
		target    string
		headers   []string
		want      int
		wantCode  string // the Graph error code; "" when the answer is not ours
		wantPlain bool
	}{
		{"URL at the limit, longest token", prefix + strings.Repeat("a", httpapi.DefaultMaxURLBytes-len(prefix)),
			[]string{"Authorization", longToken}, http.StatusUnauthorized, "unauthenticated", false},
		{"URL one byte over", prefix + strings.Repeat("a", httpapi.DefaultMaxURLBytes-len(prefix)+1),
			nil, http.StatusRequestURITooLong, "invalidRequest", false},
		{"query over the limit", operationsPath + "?$filter=" + strings.Repeat("a", httpapi.DefaultMaxURLBytes),
			nil, http.StatusRequestURITooLong, "invalidRequest", false},
		{"headers at the limit", operationsPath, []string{"X-Junk", strings.Repeat("j", httpapi.DefaultMaxHeaderBytes-1<<10)},
			http.StatusUnauthorized, "unauthenticated", false},
		{"headers over the limit", "/healthz", []string{"X-Junk", strings.Repeat("j", httpapi.DefaultMaxHeaderBytes)},
			http.StatusRequestHeaderFieldsTooLarge, "invalidRequest", false},
		{"headers over the limit, with a token", operationsPath, []string{"Authorization", longToken, "X-Junk", strings.Repeat("j", httpapi.DefaultMaxHeaderBytes-auth.MaxTokenLength)},
			http.StatusRequestHeaderFieldsTooLarge, "invalidRequest", false},
		{"headers past the backstop", "/healthz", []string{"X-Junk", strings.Repeat("j", maxHeaderBytes+8<<10)},
			http.StatusRequestHeaderFieldsTooLarge, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, "http://"+s.addr+tt.target, nil)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i+1 < len(tt.headers); i += 2 {
				req.Header.Set(tt.headers[i], tt.headers[i+1])
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d: %.300s", resp.StatusCode, tt.want, data)
			}
			if tt.wantPlain {
				return
			}
			var env struct {
				Error struct {
					Code, Message string
					InnerError    map[string]string
				}
			}
			if err := json.Unmarshal(data, &env); err != nil || env.Error.Code != tt.wantCode {
				t.Fatalf("not a Graph error with code %s (%v): %.300s", tt.wantCode, err, data)
			}
			if id := resp.Header.Get("request-id"); id == "" || env.Error.InnerError["request-id"] != id {
				t.Errorf("request-id %q, innerError %v", id, env.Error.InnerError)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			if len(data) > 4<<10 {
				t.Errorf("error body of %d bytes echoes the request", len(data))
			}
		})
	}
}

// TestOversizedBodyRefusedUnread: a body declared larger than its route
// takes is refused at once, before a client that waits for 100 Continue
// uploads any of it.
func TestOversizedBodyRefusedUnread(t *testing.T) {
	s := startInProcess(t)
	api := newAPI(t, s.addr, s.dataDir)
	tests := []struct {
		name, target string
		length       int
		status       string // the status line's code
		text         string // in the error message
	}{
		{"entity body over 1 MiB", operationsPath, httpapi.MaxBodyBytes + 1, "413", "larger than the limit"},
		{"entity body of 1 GiB", operationsPath, 1 << 30, "413", "larger than the limit"},
		// An action that takes no parameters refuses any body as bad input.
		{"action body over its 1 KiB", "/beta/industryData/runs/start", 1025, "400", "no parameters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialRaw(t, s.addr)
			fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n",
				tt.target, api.token, tt.length)
			var got []byte
			deadline := time.After(2 * time.Second)
			for !strings.Contains(string(got), "}}}") {
				select {
				case b := <-c.read:
					got = append(got, b...)
				case <-c.closed:
					for len(c.read) > 0 {
						got = append(got, <-c.read...)
					}
					if !strings.Contains(string(got), "}}}") {
						t.Fatalf("closed with %q", got)
					}
				case <-deadline:
					t.Fatalf("no answer within 2s without the body; got %q", got)
				}
			}
			if !strings.HasPrefix(string(got), "HTTP/1.1 "+tt.status+" ") || !strings.Contains(string(got), tt.text) {
				t.Errorf("answer %q, want a %s saying %q (and no 100 Continue before it)", got, tt.status, tt.text)
			}
		})
	}
}

// parseServeCase parses serve's args (with a fresh --data-dir) and env as
// a table case: with wantErr set, it checks the parse fails with a usage
// error naming it and returns false; otherwise it fails on any error and
// returns the configuration.
func parseServeCase(t *testing.T, args []string, env map[string]string, wantErr string) (serveConfig, bool) {
	t.Helper()
	args = append([]string{"--data-dir", t.TempDir()}, args...)
	c, err := parseServeFlags(args, func(k string) string { return env[k] }, io.Discard)
	if wantErr != "" {
		var usage usageError
		if !errors.As(err, &usage) || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("parseServeFlags(%q) = %v, want a usage error naming %s", args, err, wantErr)
		}
		return c, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return c, true
}
