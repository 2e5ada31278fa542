package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"industrydata"
)

// testUploadReleaseRacesReference races the release of a content's last
// reference (its container gone, the release deletes it) with a new
// reference to it, from another connector's validated set, many times.
// Either the new reference wins and the content stays, or the release
// does and the new set finds the content gone; neither write fails
// otherwise.
func testUploadReleaseRacesReference(t *testing.T, s industrydata.Store) {
	ctx := t.Context()
	won, lost := 0, 0
	for round := range 30 {
		from, to := newID(), newID()
		c, _ := currentContainer(t, s, tenantA, from, uploadT0, false)
		b := putBlob(t, s, c.ID, "users.csv", []byte(fmt.Sprint("users of round ", round)))
		set := []industrydata.ValidatedFile{{Name: "users.csv", ContentID: b.ContentID, Size: b.Size}}
		if err := s.SetValidatedFiles(ctx, tenantA, from, set); err != nil {
			t.Fatal(err)
		}
		currentContainer(t, s, tenantA, from, uploadT0, true) // only the set keeps the content now

		var release, reference error
		start := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() { <-start; release = s.SetValidatedFiles(ctx, tenantA, from, nil) })
		wg.Go(func() { <-start; reference = s.SetValidatedFiles(ctx, tenantA, to, set) })
		close(start)
		wg.Wait()
		if release != nil {
			t.Fatalf("round %d: the release failed: %v", round, release)
		}
		got, err := s.ValidatedFiles(ctx, tenantA, to)
		switch {
		case err != nil:
			t.Fatal(err)
		case reference == nil:
			won++
			if len(got) != 1 || string(readContent(t, s, tenantA, b.ContentID)) != fmt.Sprint("users of round ", round) {
				t.Fatalf("round %d: the new reference won, but the set is %+v and its content changed", round, got)
			}
		case errors.Is(reference, industrydata.ErrNotFound):
			lost++
			_, err := s.OpenContent(ctx, tenantA, b.ContentID)
			wantErrIs(t, fmt.Sprint("round ", round, ": the released content"), err, industrydata.ErrNotFound)
			if len(got) != 0 {
				t.Fatalf("round %d: a set that failed is %+v", round, got)
			}
		default:
			t.Fatalf("round %d: the new reference failed: %v", round, reference)
		}
	}
	t.Logf("the new reference won %d rounds and found the content gone in %d", won, lost)
}
