package sqlite

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"industrydata"
	"industrydata/store/internal/chunk"
	"industrydata/store/internal/sqlcore"
	"industrydata/store/internal/zblob"
)

// csvLike is n bytes of roster-like text: compressible, as uploads are.
func csvLike(n int) []byte {
	r := rand.New(rand.NewPCG(3, 4))
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString("u-")
		b.WriteString(string(rune('a' + r.IntN(26))))
		b.WriteString(",active,2024-05-01T00:00:00Z,true,org-1,student,")
		for range 8 {
			b.WriteByte(byte('a' + r.IntN(26)))
		}
		b.WriteString(",,Ada,Lovelace,,,x@example.org,,,,09,\r\n")
	}
	return b.Bytes()[:n]
}

func uploadContainer(t *testing.T, s *Store) industrydata.UploadContainer {
	t.Helper()
	c, _, err := s.CurrentUploadContainer(t.Context(), tenant, "conn", time.Now(), time.Hour, false)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func readAllContent(t *testing.T, s *Store, id string) ([]byte, error) {
	t.Helper()
	r, err := s.OpenContent(t.Context(), tenant, id)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	return io.ReadAll(r)
}

// chunksPerWrite is how many chunks of a body the upload store writes in
// one transaction.
const chunksPerWrite = 4

// countRows counts the rows of a table of the store.
func countRows(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.reader.QueryRowContext(t.Context(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A Put Blob shorter than a group of chunks is one commit (one fsync); a
// longer one a commit a group, the last with the blob (a body of exactly a
// group is not known to have ended until the next read, so it is staged).
// Either reads back whole.
func TestPutBlobCommitsOncePerGroup(t *testing.T) {
	s := openFile(t)
	c := uploadContainer(t, s)
	group := chunk.Size * chunksPerWrite
	for _, tc := range []struct {
		size, commits int
	}{
		{0, 1}, {1, 1}, {chunk.Size + 3, 1}, {group - 1, 1}, {group, 2}, {group + 1, 2}, {2*group + chunk.Size/2, 3},
	} {
		data := csvLike(tc.size)
		commits := s.batches.Load()
		info, err := s.PutBlob(t.Context(), c.ID, "users.csv", bytes.NewReader(data), industrydata.UploadLimits{}, industrydata.BlobProps{})
		if err != nil {
			t.Fatal(err)
		}
		if n := s.batches.Load() - commits; n != int64(tc.commits) {
			t.Errorf("Put Blob of %d bytes: %d commits, want %d", tc.size, n, tc.commits)
		}
		got, err := readAllContent(t, s, info.ContentID)
		if err != nil || !bytes.Equal(got, data) || info.Size != int64(len(data)) {
			t.Errorf("Put Blob of %d bytes read back %d bytes (size %d), %v", tc.size, len(got), info.Size, err)
		}
	}
}

// failingReader fails after its data.
type failingReader struct{ r io.Reader }

var errBrokenUpload = errors.New("connection reset")

func (f failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if errors.Is(err, io.EOF) {
		return n, errBrokenUpload
	}
	return n, err
}

// A body that fails after groups were staged, or is too large, leaves no
// piece or chunk behind, and a Put Block the same.
func TestFailedPutLeavesNothingStaged(t *testing.T) {
	s := openFile(t)
	c := uploadContainer(t, s)
	big := csvLike(2*chunk.Size*chunksPerWrite + 5)
	_, err := s.PutBlob(t.Context(), c.ID, "users.csv", failingReader{bytes.NewReader(big)}, industrydata.UploadLimits{}, industrydata.BlobProps{})
	if !errors.Is(err, errBrokenUpload) {
		t.Fatalf("Put Blob of a broken body: %v", err)
	}
	_, err = s.PutBlob(t.Context(), c.ID, "users.csv", bytes.NewReader(big), industrydata.UploadLimits{MaxBlobBytes: int64(len(big) - 1)}, industrydata.BlobProps{})
	if !errors.Is(err, industrydata.ErrTooLarge) {
		t.Fatalf("Put Blob of a body over the limit: %v", err)
	}
	_, err = s.PutBlock(t.Context(), c.ID, "users.csv", "YmxvY2sx", failingReader{bytes.NewReader(big)}, industrydata.UploadLimits{})
	if !errors.Is(err, errBrokenUpload) {
		t.Fatalf("Put Block of a broken body: %v", err)
	}
	if p, k := countRows(t, s, "upload_pieces"), countRows(t, s, "upload_chunks"); p != 0 || k != 0 {
		t.Errorf("%d pieces and %d chunks left behind", p, k)
	}
}

// A content reads whole whichever codec each of its chunks has, and a
// chunk whose bytes changed is an error, not other bytes.
func TestContentChunksOfEitherCodec(t *testing.T) {
	s := openFile(t)
	c := uploadContainer(t, s)
	data := csvLike(chunk.Size + 1000)
	info, err := s.PutBlob(t.Context(), c.ID, "users.csv", bytes.NewReader(data), industrydata.UploadLimits{}, industrydata.BlobProps{})
	if err != nil {
		t.Fatal(err)
	}
	setChunk := func(n int, blob []byte) {
		t.Helper()
		err := s.write(t.Context(), func(tx sqlcore.Tx) error {
			_, err := tx.Exec(`UPDATE upload_chunks SET data = ? WHERE n = ?`, blob, n)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	setChunk(0, zblob.Compress(nil, data[:chunk.Size]))
	if got, err := readAllContent(t, s, info.ContentID); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("a zstd chunk then an S2 one: read %d of %d bytes, %v", len(got), len(data), err)
	}
	corrupt := chunk.Compress(nil, data[:chunk.Size], true)
	corrupt[len(corrupt)/2] ^= 0x40
	setChunk(0, corrupt)
	if _, err := readAllContent(t, s, info.ContentID); err == nil {
		t.Fatal("a corrupt chunk read without error")
	}
}

// onlyReader hides what its reader says of its length.
type onlyReader struct{ io.Reader }

// A Put Blob its reader says is shorter than 32 MiB, or a Put Block
// shorter than a group, is stored in S2 chunks; a longer one, or one of
// unknown length, in zstd chunks.
func TestCodecBySize(t *testing.T) {
	s := openFile(t)
	c := uploadContainer(t, s)
	group := chunk.Size * chunksPerWrite
	put := func(r io.Reader) (industrydata.BlobInfo, error) {
		return s.PutBlob(t.Context(), c.ID, "users.csv", r, industrydata.UploadLimits{}, industrydata.BlobProps{})
	}
	putBlock := func(r io.Reader) (industrydata.BlobInfo, error) {
		if _, err := s.PutBlock(t.Context(), c.ID, "users.csv", "YmxvY2sx", r, industrydata.UploadLimits{}); err != nil {
			return industrydata.BlobInfo{}, err
		}
		return s.CommitBlockList(t.Context(), c.ID, "users.csv", []industrydata.BlockRef{{ID: "YmxvY2sx", From: industrydata.BlockLatest}},
			industrydata.UploadLimits{}, industrydata.BlobProps{})
	}
	for _, tc := range []struct {
		put  func(io.Reader) (industrydata.BlobInfo, error)
		body func([]byte) io.Reader
		size int
		s2   bool
	}{
		{put, func(b []byte) io.Reader { return bytes.NewReader(b) }, chunk.Size + 1, true},
		{put, func(b []byte) io.Reader { return bytes.NewReader(b) }, group + 1, true},
		{put, func(b []byte) io.Reader { return bytes.NewReader(b) }, 32<<20 + 1, false},
		{put, func(b []byte) io.Reader { return onlyReader{bytes.NewReader(b)} }, 1000, false},
		{putBlock, func(b []byte) io.Reader { return bytes.NewReader(b) }, group - 1, true},
		{putBlock, func(b []byte) io.Reader { return bytes.NewReader(b) }, group + 1, false},
	} {
		data := csvLike(tc.size)
		info, err := tc.put(tc.body(data))
		if err != nil {
			t.Fatal(err)
		}
		var s2n, n int
		err = s.reader.QueryRowContext(t.Context(), `SELECT count(*), coalesce(sum(substr(k.data, 1, 10) = ?), 0)
			FROM upload_chunks k JOIN upload_content_pieces cp ON cp.piece = k.piece
			JOIN upload_contents c ON c.seq = cp.content WHERE c.id = ?`, chunk.Compress(nil, nil, true)[:10], info.ContentID).Scan(&n, &s2n)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{true: n, false: 0}[tc.s2]; n == 0 || s2n != want {
			t.Errorf("%d bytes (%T): %d of %d chunks S2, want %d", tc.size, tc.body(nil), s2n, n, want)
		}
		if got, err := readAllContent(t, s, info.ContentID); err != nil || !bytes.Equal(got, data) {
			t.Errorf("%d bytes: read back %d, %v", tc.size, len(got), err)
		}
	}
}
