package storetest

import (
	"bytes"
	"crypto/md5"
	"errors"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"industrydata"
)

// uploadTests check upload containers (industrydata.UploadStore): one
// valid container per connector, blobs committed whole or not at all,
// content immutable and tenant-bound, and the validated set.
var uploadTests = []test{
	{"the valid container is reused; expiry and reset make a new one", testUploadContainerReuse},
	{"a new container discards the old one's blobs and blocks", testUploadContainerDiscards},
	{"containers are found by id with their tenant", testUploadContainerByID},
	{"a blob round-trips byte for byte, with its MD5", testUploadPutBlob},
	{"blocks committed out of order make one blob in list order", testUploadBlocks},
	{"a block list naming an unknown block changes nothing", testUploadUnknownBlock},
	{"committed blocks are reused by a later block list", testUploadCommittedBlocks},
	{"a re-upload commits new content and keeps the old readable", testUploadReupload},
	{"concurrent uploads of one name leave one of them whole", testUploadConcurrentPuts},
	{"limits refuse and store nothing", testUploadLimits},
	{"a failed read stores nothing", testUploadFailedRead},
	{"another tenant's content is not found", testUploadTenantIsolation},
	{"delete removes the name, not the content", testUploadDelete},
	{"the validated set is replaced whole and outlives its container", testUploadValidatedSet},
	{"a connector's valid container is found without making one", testUploadContainerOf},
	{"a content's release racing a new reference to it fails neither", testUploadReleaseRacesReference},
}

func testUploadContainerOf(t *testing.T, s industrydata.Store) {
	_, err := s.UploadContainerOf(t.Context(), tenantA, connectorA, uploadT0)
	wantErrIs(t, "UploadContainerOf before any", err, industrydata.ErrNotFound)
	c, _ := currentContainer(t, s, tenantA, connectorA, uploadT0, false)
	got, err := s.UploadContainerOf(t.Context(), tenantA, connectorA, uploadT0.Add(time.Minute))
	if err != nil || got != c {
		t.Errorf("UploadContainerOf = %+v, %v; want %+v", got, err, c)
	}
	_, err = s.UploadContainerOf(t.Context(), tenantB, connectorA, uploadT0)
	wantErrIs(t, "UploadContainerOf in another tenant", err, industrydata.ErrNotFound)
	_, err = s.UploadContainerOf(t.Context(), tenantA, connectorA, c.Expires)
	wantErrIs(t, "UploadContainerOf once expired", err, industrydata.ErrNotFound)
	if _, err := s.GetUploadContainer(t.Context(), c.ID); err != nil {
		t.Errorf("looking made or discarded a container: %v", err)
	}
}

const connectorA = "c0ec7000-0000-4000-8000-00000000000a"

// randomBytes returns n bytes of deterministic noise (every byte value,
// NULs and invalid UTF-8 included), different for each seed.
func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 42))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

var uploadT0 = time.Date(2024, 5, 6, 7, 0, 0, 0, time.UTC)

func currentContainer(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, connector string, now time.Time, reset bool) (industrydata.UploadContainer, bool) {
	t.Helper()
	c, made, err := s.CurrentUploadContainer(t.Context(), tenant, connector, now, time.Hour, reset)
	if err != nil {
		t.Fatalf("CurrentUploadContainer: %v", err)
	}
	return c, made
}

func newContainer(t *testing.T, s industrydata.Store) industrydata.UploadContainer {
	t.Helper()
	c, _ := currentContainer(t, s, tenantA, newID(), uploadT0, false)
	return c
}

func putBlob(t *testing.T, s industrydata.Store, container, name string, data []byte) industrydata.BlobInfo {
	t.Helper()
	b, err := s.PutBlob(t.Context(), container, name, bytes.NewReader(data), industrydata.UploadLimits{}, industrydata.BlobProps{ContentType: "text/csv"})
	if err != nil {
		t.Fatalf("PutBlob(%s): %v", name, err)
	}
	if b.Size != int64(len(data)) || b.ContentID == "" || b.ETag == "" {
		t.Fatalf("PutBlob(%s) = %+v, want size %d, a content id and an ETag", name, b, len(data))
	}
	return b
}

func putBlock(t *testing.T, s industrydata.Store, container, name, id string, data []byte) {
	t.Helper()
	if _, err := s.PutBlock(t.Context(), container, name, id, bytes.NewReader(data), industrydata.UploadLimits{}); err != nil {
		t.Fatalf("PutBlock(%s, %s): %v", name, id, err)
	}
}

func readContent(t *testing.T, s industrydata.Store, tenant industrydata.TenantID, id string) []byte {
	t.Helper()
	rc, err := s.OpenContent(t.Context(), tenant, id)
	if err != nil {
		t.Fatalf("OpenContent(%s): %v", id, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read content %s: %v", id, err)
	}
	return b
}

func testUploadContainerReuse(t *testing.T, s industrydata.Store) {
	c1, made := currentContainer(t, s, tenantA, connectorA, uploadT0, false)
	if !made || c1.ID == "" || c1.Tenant != tenantA || c1.ConnectorID != connectorA || !c1.Expires.Equal(uploadT0.Add(time.Hour)) {
		t.Fatalf("first container = %+v, %v", c1, made)
	}
	c2, made := currentContainer(t, s, tenantA, connectorA, uploadT0.Add(59*time.Minute), false)
	if made || c2 != c1 {
		t.Fatalf("within its hour: got %+v, %v; want %+v again", c2, made, c1)
	}
	c3, made := currentContainer(t, s, tenantA, connectorA, uploadT0.Add(time.Hour), false)
	if !made || c3.ID == c1.ID {
		t.Fatalf("at expiry: got %+v, %v; want a new container", c3, made)
	}
	c4, made := currentContainer(t, s, tenantA, connectorA, uploadT0.Add(time.Hour), true)
	if !made || c4.ID == c3.ID {
		t.Fatalf("reset: got %+v, %v; want a new container", c4, made)
	}
	other, _ := currentContainer(t, s, tenantB, connectorA, uploadT0, false)
	if other.ID == c4.ID {
		t.Fatal("another tenant's connector of the same id shares the container")
	}
}

func testUploadContainerDiscards(t *testing.T, s industrydata.Store) {
	c1, _ := currentContainer(t, s, tenantA, connectorA, uploadT0, false)
	b := putBlob(t, s, c1.ID, "users.csv", []byte("a,b\n"))
	putBlock(t, s, c1.ID, "orgs.csv", "YQ==", []byte("x"))
	currentContainer(t, s, tenantA, connectorA, uploadT0, true)
	_, err := s.GetUploadContainer(t.Context(), c1.ID)
	wantErrIs(t, "GetUploadContainer of the discarded container", err, industrydata.ErrNotFound)
	_, err = s.ListBlobs(t.Context(), c1.ID)
	wantErrIs(t, "ListBlobs of the discarded container", err, industrydata.ErrNotFound)
	_, err = s.OpenContent(t.Context(), tenantA, b.ContentID)
	wantErrIs(t, "OpenContent of a discarded blob", err, industrydata.ErrNotFound)
	_, err = s.PutBlob(t.Context(), c1.ID, "users.csv", bytes.NewReader(nil), industrydata.UploadLimits{}, industrydata.BlobProps{})
	wantErrIs(t, "PutBlob to the discarded container", err, industrydata.ErrNotFound)
	_, err = s.CommitBlockList(t.Context(), c1.ID, "orgs.csv", []industrydata.BlockRef{{ID: "YQ=="}}, industrydata.UploadLimits{}, industrydata.BlobProps{})
	wantErrIs(t, "CommitBlockList in the discarded container", err, industrydata.ErrNotFound)
}

func testUploadContainerByID(t *testing.T, s industrydata.Store) {
	c, _ := currentContainer(t, s, tenantB, connectorA, uploadT0, false)
	got, err := s.GetUploadContainer(t.Context(), c.ID)
	if err != nil || got != c {
		t.Fatalf("GetUploadContainer = %+v, %v; want %+v", got, err, c)
	}
	_, err = s.GetUploadContainer(t.Context(), newID())
	wantErrIs(t, "GetUploadContainer of an unknown id", err, industrydata.ErrNotFound)
}

func testUploadPutBlob(t *testing.T, s industrydata.Store) {
	c := newContainer(t, s)
	data := randomBytes(5<<20+123, 1)
	b := putBlob(t, s, c.ID, "users.csv", data)
	sum := md5.Sum(data)
	if !bytes.Equal(b.Props.ContentMD5, sum[:]) || b.Props.ContentType != "text/csv" {
		t.Fatalf("props = %+v, want the content's MD5 and the type given", b.Props)
	}
	got, err := s.GetBlob(t.Context(), c.ID, "users.csv")
	if err != nil || got.ContentID != b.ContentID || got.ETag != b.ETag || !bytes.Equal(got.Props.ContentMD5, sum[:]) || !got.LastModified.Equal(b.LastModified) {
		t.Fatalf("GetBlob = %+v, %v; want %+v", got, err, b)
	}
	if !bytes.Equal(readContent(t, s, tenantA, b.ContentID), data) {
		t.Fatal("content differs from what was put")
	}
	// Sizes on either side of a store's first read (SQLite reads 4 MiB
	// before it knows whether a body fits one transaction).
	for _, n := range []int{1, 1<<20 + 3, 4 << 20, 4<<20 + 1} {
		d := randomBytes(n, 2)
		got := putBlob(t, s, c.ID, "classes.csv", d)
		sum := md5.Sum(d)
		if got.Size != int64(n) || !bytes.Equal(got.Props.ContentMD5, sum[:]) || !bytes.Equal(readContent(t, s, tenantA, got.ContentID), d) {
			t.Fatalf("a blob of %d bytes: %+v, read back differently", n, got)
		}
	}
	if err := s.DeleteBlob(t.Context(), c.ID, "classes.csv"); err != nil {
		t.Fatal(err)
	}
	empty := putBlob(t, s, c.ID, "orgs.csv", nil)
	if len(readContent(t, s, tenantA, empty.ContentID)) != 0 {
		t.Fatal("an empty blob reads back bytes")
	}
	list, err := s.ListBlobs(t.Context(), c.ID)
	if err != nil || len(list) != 2 || list[0].Name != "orgs.csv" || list[1].Name != "users.csv" {
		t.Fatalf("ListBlobs = %+v, %v; want orgs.csv and users.csv", list, err)
	}
	_, err = s.GetBlob(t.Context(), c.ID, "classes.csv")
	wantErrIs(t, "GetBlob of a name never put", err, industrydata.ErrNotFound)
}

func testUploadBlocks(t *testing.T, s industrydata.Store) {
	c := newContainer(t, s)
	parts := [][]byte{randomBytes(3<<20, 2), randomBytes(1, 3), randomBytes(2<<20+7, 4)}
	ids := []string{"MDAw", "MDAx", "MDAy"}
	for _, i := range []int{2, 0, 1} {
		putBlock(t, s, c.ID, "enrollments.csv", ids[i], parts[i])
	}
	if _, err := s.GetBlob(t.Context(), c.ID, "enrollments.csv"); !errors.Is(err, industrydata.ErrNotFound) {
		t.Fatalf("uncommitted blocks are a blob already: %v", err)
	}
	b, err := s.CommitBlockList(t.Context(), c.ID, "enrollments.csv", []industrydata.BlockRef{{ID: ids[0]}, {ID: ids[1], From: industrydata.BlockUncommitted}, {ID: ids[2]}},
		industrydata.UploadLimits{}, industrydata.BlobProps{ContentType: "text/csv"})
	if err != nil {
		t.Fatalf("CommitBlockList: %v", err)
	}
	want := bytes.Join(parts, nil)
	if b.Size != int64(len(want)) || !bytes.Equal(readContent(t, s, tenantA, b.ContentID), want) {
		t.Fatalf("committed blob of %d bytes does not read back as the blocks in list order", b.Size)
	}
	// The uncommitted blocks are gone with the commit.
	_, err = s.CommitBlockList(t.Context(), c.ID, "enrollments.csv", []industrydata.BlockRef{{ID: ids[0], From: industrydata.BlockUncommitted}}, industrydata.UploadLimits{}, industrydata.BlobProps{})
	wantErrIs(t, "committing a block already committed as uncommitted", err, industrydata.ErrInvalidBlockList)
}

func testUploadUnknownBlock(t *testing.T, s industrydata.Store) {
	c := newContainer(t, s)
	old := putBlob(t, s, c.ID, "users.csv", []byte("old"))
	putBlock(t, s, c.ID, "users.csv", "MDAw", []byte("new"))
	putBlock(t, s, c.ID, "orgs.csv", "MDAx", []byte("other blob"))
	for _, list := range [][]industrydata.BlockRef{
		{{ID: "MDAw"}, {ID: "bmV2ZXI="}},
		{{ID: "MDAx"}}, // a block of another blob
		{{ID: "MDAw", From: industrydata.BlockCommitted}},
	} {
		_, err := s.CommitBlockList(t.Context(), c.ID, "users.csv", list, industrydata.UploadLimits{}, industrydata.BlobProps{})
		wantErrIs(t, "CommitBlockList", err, industrydata.ErrInvalidBlockList)
	}
	got, err := s.GetBlob(t.Context(), c.ID, "users.csv")
	if err != nil || got.ContentID != old.ContentID {
		t.Fatalf("after failed commits, GetBlob = %+v, %v; want the old content", got, err)
	}
	// The uncommitted block is still there to commit.
	if _, err := s.CommitBlockList(t.Context(), c.ID, "users.csv", []industrydata.BlockRef{{ID: "MDAw"}}, industrydata.UploadLimits{}, industrydata.BlobProps{}); err != nil {
		t.Fatalf("CommitBlockList after the failures: %v", err)
	}
}

func testUploadCommittedBlocks(t *testing.T, s industrydata.Store) {
	c := newContainer(t, s)
	putBlock(t, s, c.ID, "users.csv", "MDAw", []byte("head,"))
	putBlock(t, s, c.ID, "users.csv", "MDAx", []byte("tail"))
	if _, err := s.CommitBlockList(t.Context(), c.ID, "users.csv", []industrydata.BlockRef{{ID: "MDAw"}, {ID: "MDAx"}}, industrydata.UploadLimits{}, industrydata.BlobProps{}); err != nil {
		t.Fatal(err)
	}
	putBlock(t, s, c.ID, "users.csv", "MDAx", []byte("TAIL"))
	b, err := s.CommitBlockList(t.Context(), c.ID, "users.csv", []industrydata.BlockRef{
		{ID: "MDAw", From: industrydata.BlockCommitted}, {ID: "MDAx", From: industrydata.BlockLatest}, {ID: "MDAw", From: industrydata.BlockCommitted},
	}, industrydata.UploadLimits{}, industrydata.BlobProps{})
	if err != nil {
		t.Fatalf("CommitBlockList reusing committed blocks: %v", err)
	}
	if got := string(readContent(t, s, tenantA, b.ContentID)); got != "head,TAILhead," {
		t.Fatalf("content = %q, want %q", got, "head,TAILhead,")
	}
}

func testUploadReupload(t *testing.T, s industrydata.Store) {
	c := newContainer(t, s)
	first := putBlob(t, s, c.ID, "users.csv", []byte("first"))
	second := putBlob(t, s, c.ID, "users.csv", []byte("second"))
	if second.ContentID == first.ContentID || second.ETag == first.ETag || !second.Created.Equal(first.Created) {
		t.Fatalf("re-upload = %+v after %+v: want new content and ETag, the same creation time", second, first)
	}
	if got := string(readContent(t, s, tenantA, first.ContentID)); got != "first" {
		t.Fatalf("superseded content = %q, want it unchanged", got)
	}
	if got := string(readContent(t, s, tenantA, second.ContentID)); got != "second" {
		t.Fatalf("current content = %q", got)
	}
}

func testUploadConcurrentPuts(t *testing.T, s industrydata.Store) {
	c := newContainer(t, s)
	a, b := bytes.Repeat([]byte("a"), 6<<20), bytes.Repeat([]byte("b"), 6<<20)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			data := a
			if i%2 == 1 {
				data = b
			}
			if i < 2 {
				_, errs[i] = s.PutBlob(t.Context(), c.ID, "users.csv", bytes.NewReader(data), industrydata.UploadLimits{}, industrydata.BlobProps{})
				return
			}
			// Two block uploads of one blob, each with ids of its own: the
			// first commit drops the other's uncommitted blocks.
			ids := []string{string(rune('A'+i)) + "0", string(rune('A'+i)) + "1"}
			half := len(data) / 2
			for j, part := range [][]byte{data[:half], data[half:]} {
				if _, errs[i] = s.PutBlock(t.Context(), c.ID, "users.csv", ids[j], bytes.NewReader(part), industrydata.UploadLimits{}); errs[i] != nil {
					return
				}
			}
			_, errs[i] = s.CommitBlockList(t.Context(), c.ID, "users.csv", []industrydata.BlockRef{{ID: ids[0]}, {ID: ids[1]}}, industrydata.UploadLimits{}, industrydata.BlobProps{})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil && !errors.Is(err, industrydata.ErrInvalidBlockList) {
			t.Errorf("upload %d: %v", i, err)
		}
	}
	got, err := s.GetBlob(t.Context(), c.ID, "users.csv")
	if err != nil {
		t.Fatal(err)
	}
	content := readContent(t, s, tenantA, got.ContentID)
	if !bytes.Equal(content, a) && !bytes.Equal(content, b) {
		t.Fatalf("the blob is a mix of the uploads (%d bytes)", len(content))
	}
}

func testUploadLimits(t *testing.T, s industrydata.Store) {
	c := newContainer(t, s)
	lim := industrydata.UploadLimits{MaxBlobBytes: 10, MaxBlockBytes: 4, MaxBlocks: 3}
	_, err := s.PutBlob(t.Context(), c.ID, "users.csv", bytes.NewReader(make([]byte, 11)), lim, industrydata.BlobProps{})
	wantErrIs(t, "PutBlob over the limit", err, industrydata.ErrTooLarge)
	if b, err := s.PutBlob(t.Context(), c.ID, "users.csv", bytes.NewReader(make([]byte, 10)), lim, industrydata.BlobProps{}); err != nil || b.Size != 10 {
		t.Fatalf("PutBlob at the limit: %+v, %v", b, err)
	}
	_, err = s.PutBlock(t.Context(), c.ID, "orgs.csv", "MDAw", bytes.NewReader(make([]byte, 5)), lim)
	wantErrIs(t, "PutBlock over the block limit", err, industrydata.ErrTooLarge)
	for _, id := range []string{"MDAw", "MDAx", "MDAy"} {
		if _, err := s.PutBlock(t.Context(), c.ID, "orgs.csv", id, bytes.NewReader(make([]byte, 3)), lim); err != nil {
			t.Fatalf("PutBlock %s: %v", id, err)
		}
	}
	_, err = s.PutBlock(t.Context(), c.ID, "orgs.csv", "MDAz", bytes.NewReader(make([]byte, 1)), lim)
	wantErrIs(t, "a fourth uncommitted block", err, industrydata.ErrTooManyBlocks)
	// Replacing a block is no new block; 3+3+4 bytes are within 10.
	if _, err := s.PutBlock(t.Context(), c.ID, "orgs.csv", "MDAy", bytes.NewReader(make([]byte, 4)), lim); err != nil {
		t.Fatalf("replacing a block: %v", err)
	}
	refs := []industrydata.BlockRef{{ID: "MDAw"}, {ID: "MDAx"}, {ID: "MDAy"}, {ID: "MDAw"}}
	_, err = s.CommitBlockList(t.Context(), c.ID, "orgs.csv", refs, lim, industrydata.BlobProps{})
	wantErrIs(t, "a block list longer than MaxBlocks", err, industrydata.ErrTooManyBlocks)
	lim.MaxBlobBytes = 9
	_, err = s.CommitBlockList(t.Context(), c.ID, "orgs.csv", refs[:3], lim, industrydata.BlobProps{})
	wantErrIs(t, "a block list over MaxBlobBytes", err, industrydata.ErrTooLarge)
	if _, err := s.GetBlob(t.Context(), c.ID, "orgs.csv"); !errors.Is(err, industrydata.ErrNotFound) {
		t.Fatalf("a refused commit left a blob: %v", err)
	}
}

func testUploadFailedRead(t *testing.T, s industrydata.Store) {
	c := newContainer(t, s)
	boom := errors.New("client went away")
	r := io.MultiReader(bytes.NewReader(make([]byte, 5<<20)), iotest.ErrReader(boom))
	_, err := s.PutBlob(t.Context(), c.ID, "users.csv", r, industrydata.UploadLimits{}, industrydata.BlobProps{})
	wantErrIs(t, "PutBlob of a failing reader", err, boom)
	_, err = s.PutBlock(t.Context(), c.ID, "users.csv", "MDAw", iotest.ErrReader(boom), industrydata.UploadLimits{})
	wantErrIs(t, "PutBlock of a failing reader", err, boom)
	_, err = s.GetBlob(t.Context(), c.ID, "users.csv")
	wantErrIs(t, "GetBlob after failed puts", err, industrydata.ErrNotFound)
	_, err = s.CommitBlockList(t.Context(), c.ID, "users.csv", []industrydata.BlockRef{{ID: "MDAw"}}, industrydata.UploadLimits{}, industrydata.BlobProps{})
	wantErrIs(t, "committing a block whose read failed", err, industrydata.ErrInvalidBlockList)
}

func testUploadTenantIsolation(t *testing.T, s industrydata.Store) {
	c := newContainer(t, s)
	b := putBlob(t, s, c.ID, "users.csv", []byte("secret"))
	_, err := s.OpenContent(t.Context(), tenantB, b.ContentID)
	wantErrIs(t, "OpenContent by another tenant", err, industrydata.ErrNotFound)
	err = s.SetValidatedFiles(t.Context(), tenantB, connectorA, []industrydata.ValidatedFile{{Name: "users.csv", ContentID: b.ContentID}})
	wantErrIs(t, "SetValidatedFiles of another tenant's content", err, industrydata.ErrNotFound)
}

func testUploadDelete(t *testing.T, s industrydata.Store) {
	c := newContainer(t, s)
	b := putBlob(t, s, c.ID, "users.csv", []byte("x"))
	if err := s.DeleteBlob(t.Context(), c.ID, "users.csv"); err != nil {
		t.Fatalf("DeleteBlob: %v", err)
	}
	wantErrIs(t, "DeleteBlob again", s.DeleteBlob(t.Context(), c.ID, "users.csv"), industrydata.ErrNotFound)
	_, err := s.GetBlob(t.Context(), c.ID, "users.csv")
	wantErrIs(t, "GetBlob after delete", err, industrydata.ErrNotFound)
	if got := string(readContent(t, s, tenantA, b.ContentID)); got != "x" {
		t.Fatalf("content after delete = %q", got)
	}
}

func testUploadValidatedSet(t *testing.T, s industrydata.Store) {
	c1, _ := currentContainer(t, s, tenantA, connectorA, uploadT0, false)
	if files, err := s.ValidatedFiles(t.Context(), tenantA, connectorA); err != nil || len(files) != 0 {
		t.Fatalf("ValidatedFiles before any = %+v, %v; want none", files, err)
	}
	u := putBlob(t, s, c1.ID, "users.csv", []byte("users"))
	o := putBlob(t, s, c1.ID, "orgs.csv", []byte("orgs"))
	set := []industrydata.ValidatedFile{{Name: "users.csv", ContentID: u.ContentID, Size: 5}, {Name: "orgs.csv", ContentID: o.ContentID, Size: 4}}
	if err := s.SetValidatedFiles(t.Context(), tenantA, connectorA, set); err != nil {
		t.Fatalf("SetValidatedFiles: %v", err)
	}
	// A set naming an unknown content changes nothing.
	bad := []industrydata.ValidatedFile{{Name: "users.csv", ContentID: newID()}}
	wantErrIs(t, "SetValidatedFiles of an unknown content", s.SetValidatedFiles(t.Context(), tenantA, connectorA, bad), industrydata.ErrNotFound)
	got, err := s.ValidatedFiles(t.Context(), tenantA, connectorA)
	if err != nil || len(got) != 2 || got[0] != set[1] || got[1] != set[0] {
		t.Fatalf("ValidatedFiles = %+v, %v; want %+v by name", got, err, set)
	}
	// The set outlives its container.
	c2, _ := currentContainer(t, s, tenantA, connectorA, uploadT0, true)
	if string(readContent(t, s, tenantA, u.ContentID)) != "users" || string(readContent(t, s, tenantA, o.ContentID)) != "orgs" {
		t.Fatal("validated content changed after its container was discarded")
	}
	// Replacing the set releases what only it kept.
	n := putBlob(t, s, c2.ID, "users.csv", []byte("new users"))
	if err := s.SetValidatedFiles(t.Context(), tenantA, connectorA, []industrydata.ValidatedFile{{Name: "users.csv", ContentID: n.ContentID}}); err != nil {
		t.Fatal(err)
	}
	_, err = s.OpenContent(t.Context(), tenantA, o.ContentID)
	wantErrIs(t, "content only the old set kept", err, industrydata.ErrNotFound)
	got, err = s.ValidatedFiles(t.Context(), tenantA, connectorA)
	if err != nil || len(got) != 1 || got[0].ContentID != n.ContentID || got[0].Size != 9 {
		t.Fatalf("ValidatedFiles after replace = %+v, %v", got, err)
	}
	if err := s.SetValidatedFiles(t.Context(), tenantA, connectorA, nil); err != nil {
		t.Fatal(err)
	}
	if string(readContent(t, s, tenantA, n.ContentID)) != "new users" {
		t.Fatal("content of a live container went with the validated set")
	}
}
