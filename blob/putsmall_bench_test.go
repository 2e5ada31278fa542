package blob_test

import (
	"bytes"
	"context"
	"testing"

	"industrydata/blob"
)

// BenchmarkSDKPutSmall is a small roster file (1.4 MB of users.csv) put
// through the Azure SDK and the handler, on a memory store: the request
// path's own cost, apart from the disk. (3.0 ms, 460 MB/s, here, where it
// took 4.0-4.5 ms before the store hashed and compressed a body's chunks
// side by side, in S2 for a body this small; a file of 1.7 MB through a
// file store and a separate server process takes 10-13 ms in
// TestUploadFigures, 15-25 ms before.)
func BenchmarkSDKPutSmall(b *testing.B) {
	e := newEnv(b, blob.Config{})
	s, err := e.handler.Session(context.Background(), tenantA, "c", e.srv.URL, false)
	if err != nil {
		b.Fatal(err)
	}
	cc := client(b, s.URL)
	data := bytes.Repeat([]byte("u-1,active,2024-05-01T00:00:00Z,true,org-1,student,ada,,Ada,Lovelace,,,ada@x.example,,,,09,\r\n"), 15000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := cc.NewBlockBlobClient("users.csv").UploadBuffer(context.Background(), data, nil); err != nil {
			b.Fatal(err)
		}
	}
}
