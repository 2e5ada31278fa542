package console_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"os"
	"path"
	"slices"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"industrydata/console"
	"industrydata/internal/rostergen"
	"industrydata/internal/servetest"
)

// blockLog records the Put Block requests the page makes, and fails the
// first one of a chosen block as a dropped connection would.
type blockLog struct {
	mu     sync.Mutex
	sent   []string // blob/block index, in order
	failed bool
}

func (l *blockLog) pause(u string, failName, failBlock string) (fail bool) {
	q, err := url.Parse(u)
	if err != nil {
		return false
	}
	id, _ := base64.StdEncoding.DecodeString(q.Query().Get("blockid"))
	entry := path.Base(q.Path) + "/" + string(id)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sent = append(l.sent, entry)
	if !l.failed && entry == failName+"/"+failBlock {
		l.failed = true
		return true
	}
	return false
}

// An upload cut by a network error goes on with the blocks that did not
// arrive, and only those.
func TestUploadResumesAfterANetworkError(t *testing.T) {
	p := newPage(t)
	srv := servetest.Start(t, servetest.Options{Console: newHandler(t, console.Config{})})
	token := srv.Token(t, "")
	source := apiPost(t, srv, token, "sourceSystems", `{"displayName":"SIS"}`)
	connector := apiPost(t, srv, token, "dataConnectors", `{"@odata.type":"#microsoft.graph.industryData.azureDataLakeConnector",`+
		`"displayName":"Big district","sourceSystem@odata.bind":"sourceSystems('`+source+`')"}`)

	// Enough users for users.csv to take three blocks of 1 MiB.
	orgs, users, err := rostergen.Files(t.TempDir(), 16000)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(users)
	if err != nil || st.Size() <= 2<<20 || st.Size() > 3<<20 {
		t.Fatalf("users.csv of %d bytes (%v): not three blocks", st.Size(), err)
	}

	signIn(t, p, srv, token)
	log := &blockLog{}
	paused := chromedp.Events(p.ctx, fetch.RequestPaused)
	p.do(t, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*comp=block&*"}}})
		return err
	}))
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			if log.pause(ev.Request.URL, "users.csv", "block-000001") {
				_, _ = chromedp.Call(p.ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonConnectionFailed})
			} else {
				_, _ = chromedp.Call(p.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
			}
		}
	}()

	p.do(t, chromedp.Navigate(srv.URL+"/#/upload"), chromedp.SetUploadFiles(chromedp.CSS("#upload-files"), []string{orgs, users}))
	p.waitText(t, "#upload-table", "users.csv")
	p.do(t, chromedp.Click(chromedp.CSS("#upload-start")))
	p.waitText(t, "#upload-problem", "Resume")
	p.waitText(t, "#upload-table", "The network connection failed; 1 of 3 blocks kept")
	p.check(t, "upload-interrupted")

	p.do(t, chromedp.Click(chromedp.CSS("#upload-start")))
	p.waitText(t, "#results", "Files read: orgs.csv, users.csv")

	log.mu.Lock()
	want := []string{"orgs.csv/block-000000", "users.csv/block-000000", "users.csv/block-000001", "users.csv/block-000001", "users.csv/block-000002"}
	if !slices.Equal(log.sent, want) {
		t.Errorf("Put Block requests %q, want %q", log.sent, want)
	}
	log.mu.Unlock()

	// The committed blob is the whole file.
	session := api[struct{ SessionURL string }](t, srv, token, "dataConnectors/"+connector+"/getUploadSession")
	u, err := url.Parse(session.SessionURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Path += "/users.csv"
	res, err := http.Head(u.String())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.ContentLength != st.Size() {
		t.Errorf("users.csv committed: %d, %d bytes, want %d", res.StatusCode, res.ContentLength, st.Size())
	}
}
