package blob_test

import (
	"industrydata"

	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"industrydata/blob"
)

// do sends one raw request to the session's container (blobName "" for
// the container itself), with extra query parameters and headers.
func (e *env) do(t *testing.T, s industrydata.UploadSession, method, blobName, extraQuery string, body []byte, hdr map[string]string) *http.Response {
	t.Helper()
	u, _ := url.Parse(s.URL)
	if blobName != "" {
		u.Path += "/" + blobName
	}
	if extraQuery != "" {
		u.RawQuery += "&" + extraQuery
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, u.String(), rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

type azureError struct {
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// wantError checks an Azure error answer: status, x-ms-error-code, the
// XML body with the same code and a message ending in the request id and
// time, and the common headers.
func wantError(t *testing.T, resp *http.Response, status int, code string) {
	t.Helper()
	if resp.StatusCode != status || resp.Header.Get("x-ms-error-code") != code {
		t.Fatalf("got %d %s, want %d %s", resp.StatusCode, resp.Header.Get("x-ms-error-code"), status, code)
	}
	id := resp.Header.Get("x-ms-request-id")
	if id == "" || resp.Header.Get("x-ms-version") == "" || resp.Header.Get("Date") == "" {
		t.Fatalf("missing x-ms-request-id, x-ms-version or Date: %v", resp.Header)
	}
	if resp.Request.Method == http.MethodHead {
		return
	}
	raw, _ := io.ReadAll(resp.Body)
	if !bytes.HasPrefix(raw, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) || resp.Header.Get("Content-Type") != "application/xml" {
		t.Fatalf("body %q is not an XML document", raw)
	}
	var e azureError
	if err := xml.Unmarshal(raw, &e); err != nil || e.Code != code || !strings.Contains(e.Message, "\nRequestId:"+id+"\nTime:") {
		t.Fatalf("error body %q: %v", raw, err)
	}
}

func md5b64(b []byte) string {
	s := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

var blockBlob = map[string]string{"x-ms-blob-type": "BlockBlob"}

func TestRawErrors(t *testing.T) {
	e := newEnv(t, blob.Config{MaxBlobBytes: 1 << 20, MaxBlockBytes: 1000, MaxBlocks: 3})
	s := e.session(t, connectorA, false)

	t.Run("put blob without x-ms-blob-type", func(t *testing.T) {
		wantError(t, e.do(t, s, "PUT", "users.csv", "", []byte("x"), nil), 400, "MissingRequiredHeader")
	})
	t.Run("page blob", func(t *testing.T) {
		wantError(t, e.do(t, s, "PUT", "users.csv", "", []byte("x"), map[string]string{"x-ms-blob-type": "PageBlob"}), 400, "InvalidHeaderValue")
	})
	t.Run("Content-MD5 mismatch commits nothing", func(t *testing.T) {
		h := map[string]string{"x-ms-blob-type": "BlockBlob", "Content-MD5": md5b64([]byte("other"))}
		wantError(t, e.do(t, s, "PUT", "users.csv", "", []byte("x"), h), 400, "Md5Mismatch")
		wantError(t, e.do(t, s, "HEAD", "users.csv", "", nil, nil), 404, "BlobNotFound")
	})
	t.Run("malformed Content-MD5", func(t *testing.T) {
		h := map[string]string{"x-ms-blob-type": "BlockBlob", "Content-MD5": "abc"}
		wantError(t, e.do(t, s, "PUT", "users.csv", "", []byte("x"), h), 400, "InvalidMd5")
	})
	t.Run("blob over the limit", func(t *testing.T) {
		wantError(t, e.do(t, s, "PUT", "users.csv", "", make([]byte, 1<<20+1), blockBlob), 413, "RequestBodyTooLarge")
	})
	t.Run("block over the limit", func(t *testing.T) {
		wantError(t, e.do(t, s, "PUT", "users.csv", "comp=block&blockid=MDAw", make([]byte, 1001), nil), 413, "RequestBodyTooLarge")
	})
	t.Run("block id not base64", func(t *testing.T) {
		wantError(t, e.do(t, s, "PUT", "users.csv", "comp=block&blockid=%21%21", []byte("x"), nil), 400, "InvalidQueryParameterValue")
	})
	t.Run("block id over 64 bytes", func(t *testing.T) {
		id := url.QueryEscape(base64.StdEncoding.EncodeToString(make([]byte, 65)))
		wantError(t, e.do(t, s, "PUT", "users.csv", "comp=block&blockid="+id, []byte("x"), nil), 400, "InvalidBlobOrBlock")
	})
	t.Run("block list naming blocks never uploaded", func(t *testing.T) {
		if r := e.do(t, s, "PUT", "orgs.csv", "comp=block&blockid=MDAw", []byte("a"), nil); r.StatusCode != 201 {
			t.Fatalf("Put Block: %d", r.StatusCode)
		}
		list := `<?xml version="1.0" encoding="utf-8"?><BlockList><Latest>MDAw</Latest><Uncommitted>MDAx</Uncommitted></BlockList>`
		wantError(t, e.do(t, s, "PUT", "orgs.csv", "comp=blocklist", []byte(list), nil), 400, "InvalidBlockList")
		wantError(t, e.do(t, s, "HEAD", "orgs.csv", "", nil, nil), 404, "BlobNotFound")
	})
	t.Run("block list too long", func(t *testing.T) {
		list := "<BlockList>" + strings.Repeat("<Latest>MDAw</Latest>", 4) + "</BlockList>"
		wantError(t, e.do(t, s, "PUT", "orgs.csv", "comp=blocklist", []byte(list), nil), 400, "BlockListTooLong")
	})
	t.Run("block list not XML", func(t *testing.T) {
		wantError(t, e.do(t, s, "PUT", "orgs.csv", "comp=blocklist", []byte("<BlockList><Latest>"), nil), 400, "InvalidXmlDocument")
		wantError(t, e.do(t, s, "PUT", "orgs.csv", "comp=blocklist", []byte("<Other/>"), nil), 400, "InvalidXmlDocument")
	})
	t.Run("bad blob names", func(t *testing.T) {
		for _, name := range []string{"notes.txt", "Users.csv", "dir/users.csv"} {
			wantError(t, e.do(t, s, "PUT", name, "", []byte("x"), blockBlob), 400, "InvalidResourceName")
		}
	})
	t.Run("unsupported operations", func(t *testing.T) {
		wantError(t, e.do(t, s, "POST", "users.csv", "", []byte("x"), nil), 405, "UnsupportedHttpVerb")
		wantError(t, e.do(t, s, "PUT", "users.csv", "comp=appendblock", []byte("x"), nil), 400, "InvalidQueryParameterValue")
	})
	t.Run("HEAD errors have headers only", func(t *testing.T) {
		wantError(t, e.do(t, s, "HEAD", "classes.csv", "", nil, nil), 404, "BlobNotFound")
	})
	t.Run("a reset container is gone", func(t *testing.T) {
		old := e.session(t, connectorB, false)
		e.session(t, connectorB, true)
		wantError(t, e.do(t, old, "PUT", "users.csv", "", []byte("x"), blockBlob), 404, "ContainerNotFound")
	})
	t.Run("signature errors", func(t *testing.T) {
		u, _ := url.Parse(s.URL)
		q := u.Query()
		q.Set("sp", "rcwdl")
		q.Set("sig", base64.StdEncoding.EncodeToString(make([]byte, 32)))
		u.RawQuery = q.Encode()
		bad := industrydata.UploadSession{URL: u.String()}
		wantError(t, e.do(t, bad, "PUT", "users.csv", "", []byte("x"), blockBlob), 403, "AuthenticationFailed")
		u.RawQuery = ""
		wantError(t, e.do(t, industrydata.UploadSession{URL: u.String()}, "GET", "", "restype=container&comp=list", nil, nil), 403, "AuthenticationFailed")
	})
}

func TestRawSuccess(t *testing.T) {
	e := newEnv(t, blob.Config{})
	s := e.session(t, connectorA, false)
	data := []byte("a,b\n1,2\n")
	h := map[string]string{"x-ms-blob-type": "BlockBlob", "Content-MD5": md5b64(data), "x-ms-blob-content-type": "text/csv",
		"x-ms-version": "2023-11-03", "x-ms-client-request-id": "abc"}
	r := e.do(t, s, "PUT", "users.csv", "", data, h)
	if r.StatusCode != 201 || r.Header.Get("ETag") == "" || r.Header.Get("Last-Modified") != e.clock.Now().Format(http.TimeFormat) ||
		r.Header.Get("Content-MD5") != md5b64(data) || r.Header.Get("x-ms-version") != "2023-11-03" || r.Header.Get("x-ms-client-request-id") != "abc" {
		t.Fatalf("Put Blob: %d %v", r.StatusCode, r.Header)
	}
	etag := r.Header.Get("ETag")

	// Blocks out of order, committed in list order.
	for _, b := range []struct{ id, data string }{{"MDAx", "world"}, {"MDAw", "hello "}} {
		if r := e.do(t, s, "PUT", "orgs.csv", "comp=block&blockid="+b.id, []byte(b.data), map[string]string{"Content-MD5": md5b64([]byte(b.data))}); r.StatusCode != 201 {
			t.Fatalf("Put Block %s: %d", b.id, r.StatusCode)
		}
	}
	list := `<?xml version="1.0" encoding="utf-8"?><BlockList><Uncommitted>MDAw</Uncommitted><Latest>MDAx</Latest></BlockList>`
	if r := e.do(t, s, "PUT", "orgs.csv", "comp=blocklist", []byte(list), map[string]string{"x-ms-blob-content-type": "text/csv"}); r.StatusCode != 201 {
		t.Fatalf("Put Block List: %d", r.StatusCode)
	}
	r = e.do(t, s, "HEAD", "orgs.csv", "", nil, nil)
	if r.StatusCode != 200 || r.ContentLength != 11 || r.Header.Get("Content-Type") != "text/csv" || r.Header.Get("x-ms-blob-type") != "BlockBlob" {
		t.Fatalf("Get Blob Properties: %d %v", r.StatusCode, r.Header)
	}

	r = e.do(t, s, "GET", "", "restype=container&comp=list", nil, nil)
	raw, _ := io.ReadAll(r.Body)
	var res struct {
		ContainerName string `xml:"ContainerName,attr"`
		Blobs         []struct {
			Name  string `xml:"Name"`
			Props struct {
				Etag   string `xml:"Etag"`
				Length int64  `xml:"Content-Length"`
				MD5    string `xml:"Content-MD5"`
			} `xml:"Properties"`
		} `xml:"Blobs>Blob"`
	}
	if err := xml.Unmarshal(raw, &res); err != nil || r.StatusCode != 200 || res.ContainerName != s.ContainerID || len(res.Blobs) != 2 ||
		res.Blobs[0].Name != "orgs.csv" || res.Blobs[1].Name != "users.csv" || `"`+res.Blobs[1].Props.Etag+`"` != etag ||
		res.Blobs[1].Props.MD5 != md5b64(data) || res.Blobs[0].Props.Length != 11 {
		t.Fatalf("List Blobs: %d %s (%v)", r.StatusCode, raw, err)
	}

	if r := e.do(t, s, "DELETE", "orgs.csv", "", nil, nil); r.StatusCode != 202 {
		t.Fatalf("Delete Blob: %d", r.StatusCode)
	}
	wantError(t, e.do(t, s, "DELETE", "orgs.csv", "", nil, nil), 404, "BlobNotFound")
}

func TestSigner(t *testing.T) {
	key := bytes.Repeat([]byte{1}, 32)
	s, _ := blob.NewSigner(key)
	other, _ := blob.NewSigner(bytes.Repeat([]byte{2}, 32))
	const id = "5f0c6b1e-0000-4000-8000-000000000001"
	exp := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	q := s.Sign(id, exp)
	now := exp.Add(-time.Minute)
	if got, err := s.Verify(id, q, 'c', now); err != nil || !got.Equal(exp) {
		t.Fatalf("Verify = %v, %v", got, err)
	}
	for name, err := range map[string]error{
		"other container": verr(s.Verify("5f0c6b1e-0000-4000-8000-000000000002", q, 'c', now)),
		"other key":       verr(other.Verify(id, q, 'c', now)),
		"at expiry":       verr(s.Verify(id, q, 'c', exp)),
		"no permission":   verr(s.Verify(id, q, 'x', now)),
	} {
		if err == nil || !strings.Contains(err.Error(), "authentication failed") {
			t.Errorf("%s: %v, want an authentication error", name, err)
		}
	}
	if _, err := blob.NewSigner(key[:31]); err == nil {
		t.Error("NewSigner accepted a 31-byte key")
	}
	dir := t.TempDir()
	k1, err := blob.LoadOrCreateKey(dir)
	k2, err2 := blob.LoadOrCreateKey(dir)
	if err != nil || err2 != nil || !bytes.Equal(k1, k2) || len(k1) != 32 {
		t.Fatalf("LoadOrCreateKey: %v %v", err, err2)
	}
}

func verr(_ time.Time, err error) error { return err }
