package httpapi

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestLongResponseOutlivesReadTimeout serves, through withRequest on
// 127.0.0.1 with short timeouts, a response that streams for three times
// ReadTimeout and WriteTimeout. Renewing its write deadline as it goes (as
// the CSV download of a user report does), it is delivered whole: ReadTimeout
// bounds only the request (net/http clears the read deadline once the body
// has been read), and WriteTimeout only a response that stops making
// progress. One that does not renew its write deadline is cut. The renewal
// reaches the connection only because withRequest's statuswriter.Writer unwraps
// to it.
func TestLongResponseOutlivesReadTimeout(t *testing.T) {
	const (
		timeout = 100 * time.Millisecond
		chunks  = 6 // one every timeout/2: the whole takes 3 timeouts
	)
	stream := func(renew bool) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, err := io.ReadAll(r.Body); err != nil {
				http.Error(w, "body", http.StatusBadRequest)
				return
			}
			rc := http.NewResponseController(w)
			for i := range chunks {
				if r.Context().Err() != nil {
					panic(http.ErrAbortHandler) // as reports.go gives up midway
				}
				if renew {
					_ = rc.SetWriteDeadline(time.Now().Add(timeout))
				}
				fmt.Fprintf(w, "chunk %d\n", i)
				_ = rc.Flush()
				time.Sleep(timeout / 2)
			}
		})
	}
	discard := slog.New(slog.DiscardHandler)
	tests := []struct {
		name     string
		handler  http.Handler
		method   string
		body     string
		complete bool
	}{
		{"GET through withRequest", withRequest(discard, false, stream(true)), "GET", "", true},
		{"POST with a body through withRequest", withRequest(discard, false, stream(true)), "POST", `{"a":1}`, true},
		{"GET not renewing its write deadline", withRequest(discard, false, stream(false)), "GET", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			srv := &http.Server{Handler: tt.handler, ReadHeaderTimeout: timeout, ReadTimeout: timeout, WriteTimeout: timeout}
			go func() { _ = srv.Serve(ln) }()
			t.Cleanup(func() { srv.Close() })

			req, err := http.NewRequest(tt.method, "http://"+ln.Addr().String()+"/", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			client := &http.Client{Timeout: 5 * time.Second}
			resp, err := client.Do(req)
			var got []byte
			if err == nil {
				got, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			whole := err == nil && strings.Count(string(got), "chunk") == chunks
			if whole != tt.complete {
				t.Errorf("delivered whole: %v, want %v (err %v, body %q)", whole, tt.complete, err, got)
			}
		})
	}
}
