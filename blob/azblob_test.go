package blob_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"industrydata"
	"industrydata/blob"
	"industrydata/httpapi"
	"industrydata/store/sqlite"
)

const (
	tenantA    industrydata.TenantID = "00000000-0000-0000-0000-00000000000a"
	connectorA                       = "c0ec7000-0000-4000-8000-00000000000a"
	connectorB                       = "c0ec7000-0000-4000-8000-00000000000b"
)

// fakeClock is a clock the test steps; it starts at t0.
type fakeClock struct{ ns atomic.Int64 }

var t0 = time.Date(2024, 9, 1, 6, 0, 0, 0, time.UTC)

func newClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(t0.UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// env is a blob endpoint on a loopback server, over an in-memory store.
type env struct {
	store   *sqlite.Store
	clock   *fakeClock
	handler *blob.Handler
	srv     *httptest.Server
	// wrap, when set, sees every request before the handler.
	wrap atomic.Pointer[func(w http.ResponseWriter, r *http.Request, next http.Handler)]
}

func newEnv(t testing.TB, cfg blob.Config) *env {
	t.Helper()
	e := &env{clock: newClock()}
	var err error
	e.store, err = sqlite.Open(t.Context(), sqlite.Config{Memory: true, Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.store.Close() })
	signer, err := blob.NewSigner(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Store, cfg.Signer, cfg.Clock = e.store, signer, e.clock
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = time.Hour
	}
	e.handler = blob.NewHandler(cfg)
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f := e.wrap.Load(); f != nil {
			(*f)(w, r, e.handler)
			return
		}
		e.handler.ServeHTTP(w, r)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

// session returns the connector's session as the service hands it out.
func (e *env) session(t *testing.T, connector string, reset bool) industrydata.UploadSession {
	t.Helper()
	s, err := e.handler.Session(t.Context(), tenantA, connector, e.srv.URL, reset)
	if err != nil {
		t.Fatalf("Session: %v", err)
	}
	return s
}

// client is the SDK's container client of url, without retries, so that
// a refused request fails at once.
func client(t testing.TB, url string) *container.Client {
	t.Helper()
	c, err := container.NewClientWithNoCredential(url, &container.ClientOptions{
		ClientOptions: policy.ClientOptions{Retry: policy.RetryOptions{MaxRetries: -1}},
	})
	if err != nil {
		t.Fatalf("NewClientWithNoCredential(%s): %v", url, err)
	}
	return c
}

func noise(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 9))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func (e *env) content(t *testing.T, id string) []byte {
	t.Helper()
	rc, err := e.store.OpenContent(t.Context(), tenantA, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	// The reader tells its size, which readers size their tables by.
	if s, ok := rc.(interface{ Size() int64 }); !ok || s.Size() != int64(len(b)) {
		t.Errorf("content %s: %d bytes, reader's Size %v", id, len(b), s)
	}
	return b
}

// TestSDKUpload drives the endpoint with the official Azure SDK for Go,
// pointed at the sessionUrl exactly as returned.
func TestSDKUpload(t *testing.T) {
	e := newEnv(t, blob.Config{})
	s := e.session(t, connectorA, false)
	if !strings.HasPrefix(s.URL, e.srv.URL+"/uploads/"+s.ContainerID+"?") {
		t.Fatalf("session URL %s is not under the server's /uploads/{containerId}", s.URL)
	}
	cc := client(t, s.URL)
	ctx := t.Context()

	// A small file, in one Put Blob.
	users := []byte("sourcedId,status,username\n1,active,ada\n")
	up, err := cc.NewBlockBlobClient("users.csv").UploadBuffer(ctx, users, nil)
	if err != nil {
		t.Fatalf("UploadBuffer(users.csv): %v", err)
	}
	sum := md5.Sum(users)
	if !bytes.Equal(up.ContentMD5, sum[:]) || up.ETag == nil || up.LastModified == nil {
		t.Fatalf("UploadBuffer answered MD5 %x, ETag %v, Last-Modified %v", up.ContentMD5, up.ETag, up.LastModified)
	}

	// A large file, in blocks of 2 MiB staged four at a time: the first
	// four Put Blocks are held until all four are in flight, proving the
	// endpoint takes them in parallel.
	var arrived sync.WaitGroup
	arrived.Add(4)
	var blocks atomic.Int32
	wrap := func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.URL.Query().Get("comp") == "block" {
			if blocks.Add(1) <= 4 {
				arrived.Done()
				arrived.Wait()
			}
		}
		next.ServeHTTP(w, r)
	}
	e.wrap.Store(&wrap)
	enrollments := noise(20<<20+321, 1)
	_, err = cc.NewBlockBlobClient("enrollments.csv").UploadStream(ctx, bytes.NewReader(enrollments),
		&blockblob.UploadStreamOptions{BlockSize: 2 << 20, Concurrency: 4})
	if err != nil {
		t.Fatalf("UploadStream(enrollments.csv): %v", err)
	}
	e.wrap.Store(nil)
	if n := blocks.Load(); n != 11 {
		t.Errorf("the SDK staged %d blocks, want 11 of 2 MiB", n)
	}

	// List the container.
	sizes := map[string]int64{}
	pager := cc.NewListBlobsFlatPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("list blobs: %v", err)
		}
		for _, b := range page.Segment.BlobItems {
			sizes[*b.Name] = *b.Properties.ContentLength
		}
	}
	if len(sizes) != 2 || sizes["users.csv"] != int64(len(users)) || sizes["enrollments.csv"] != int64(len(enrollments)) {
		t.Fatalf("listed %v", sizes)
	}

	// Properties, and the bytes as stored.
	props, err := cc.NewBlobClient("enrollments.csv").GetProperties(ctx, nil)
	if err != nil {
		t.Fatalf("GetProperties: %v", err)
	}
	if *props.ContentLength != int64(len(enrollments)) || *props.BlobType != "BlockBlob" {
		t.Fatalf("properties: length %d, type %s", *props.ContentLength, *props.BlobType)
	}
	info, err := e.store.GetBlob(ctx, s.ContainerID, "enrollments.csv")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(e.content(t, info.ContentID), enrollments) {
		t.Fatal("enrollments.csv as stored differs from what the SDK uploaded")
	}
	props, err = cc.NewBlobClient("users.csv").GetProperties(ctx, nil)
	if err != nil || !bytes.Equal(props.ContentMD5, sum[:]) {
		t.Fatalf("GetProperties(users.csv): MD5 %x, %v", props.ContentMD5, err)
	}

	// Delete.
	if _, err := cc.NewBlobClient("users.csv").Delete(ctx, nil); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	_, err = cc.NewBlobClient("users.csv").GetProperties(ctx, nil)
	wantCode(t, err, http.StatusNotFound, bloberror.BlobNotFound)
}

// wantCode fails unless err is the SDK's response error with status and code.
func wantCode(t *testing.T, err error, status int, code bloberror.Code) {
	t.Helper()
	var re *azcore.ResponseError
	if !errors.As(err, &re) || re.StatusCode != status || !bloberror.HasCode(err, code) {
		t.Fatalf("got %v, want %d %s", err, status, code)
	}
}

// TestSDKRefused: what the SDK sees of a URL that does not authorize it,
// and of a file name that is not a OneRoster file.
func TestSDKRefused(t *testing.T) {
	e := newEnv(t, blob.Config{})
	a := e.session(t, connectorA, false)
	b := e.session(t, connectorB, false)
	ua, _ := url.Parse(a.URL)
	ub, _ := url.Parse(b.URL)
	tampered := *ua
	q := ua.Query()
	q.Set("se", "2099-01-01T00:00:00Z")
	tampered.RawQuery = q.Encode()
	missing := *ua
	q = ua.Query()
	q.Del("sig")
	missing.RawQuery = q.Encode()
	foreign := *ua
	foreign.RawQuery = ub.RawQuery

	data := []byte("x\n")
	for name, u := range map[string]string{"tampered": tampered.String(), "missing sig": missing.String(), "foreign": foreign.String()} {
		_, err := client(t, u).NewBlockBlobClient("users.csv").UploadBuffer(t.Context(), data, nil)
		t.Run(name, func(t *testing.T) { wantCode(t, err, http.StatusForbidden, bloberror.AuthenticationFailed) })
	}
	_, err := client(t, a.URL).NewBlockBlobClient("notes.txt").UploadBuffer(t.Context(), data, nil)
	wantCode(t, err, http.StatusBadRequest, bloberror.InvalidResourceName)

	e.clock.Advance(time.Hour)
	_, err = client(t, a.URL).NewBlockBlobClient("users.csv").UploadBuffer(t.Context(), data, nil)
	wantCode(t, err, http.StatusForbidden, bloberror.AuthenticationFailed)
}

// TestSDKConcurrentUploads: two clients uploading one blob at once in
// blocks leave one file whole; the other may be refused (its blocks went
// with the first commit), never mixed in.
func TestSDKConcurrentUploads(t *testing.T) {
	e := newEnv(t, blob.Config{})
	s := e.session(t, connectorA, false)
	files := [][]byte{noise(6<<20, 2), noise(6<<20, 3)}
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = client(t, s.URL).NewBlockBlobClient("orgs.csv").UploadStream(context.WithoutCancel(t.Context()),
				bytes.NewReader(f), &blockblob.UploadStreamOptions{BlockSize: 1 << 20, Concurrency: 4})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			wantCode(t, err, http.StatusBadRequest, bloberror.InvalidBlockList)
		}
	}
	if ok == 0 {
		t.Fatal("neither upload succeeded")
	}
	info, err := e.store.GetBlob(t.Context(), s.ContainerID, "orgs.csv")
	if err != nil {
		t.Fatal(err)
	}
	got := e.content(t, info.ContentID)
	if !bytes.Equal(got, files[0]) && !bytes.Equal(got, files[1]) {
		t.Fatal("orgs.csv is a mix of the two uploads")
	}
}

// TestMountedInHTTPAPI: the whole service's handler serves the containers
// under /uploads/ without a token, and everything else as before.
func TestMountedInHTTPAPI(t *testing.T) {
	e := newEnv(t, blob.Config{})
	full := httpapi.NewHandler(httpapi.Config{Blob: e.handler})
	srv := httptest.NewServer(full)
	t.Cleanup(srv.Close)
	s, err := e.handler.Session(t.Context(), tenantA, connectorA, srv.URL, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client(t, s.URL).NewBlockBlobClient("users.csv").UploadBuffer(t.Context(), []byte("a\n"), nil); err != nil {
		t.Fatalf("upload through the service's handler: %v", err)
	}
	resp, err := srv.Client().Get(srv.URL + "/beta/industryData/operations")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a Graph request without a token: %d, want 401", resp.StatusCode)
	}
}
