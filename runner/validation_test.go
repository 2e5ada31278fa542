package runner_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"industrydata"
	"industrydata/internal/rostergen"
	"industrydata/runner"
)

// startValidation uploads a generated roster of n users to a new data
// connector's container and queues its validation, as the service does.
func (f *fixture) startValidation(t *testing.T, n int) (op industrydata.Operation, connector string, files []industrydata.ValidatedFile) {
	t.Helper()
	ctx := t.Context()
	conn := industrydata.Resource{Set: "dataConnectors", ID: uuid.NewString(),
		Type: "microsoft.graph.industryData.azureDataLakeConnector", Doc: []byte(`{}`)}
	if err := f.store.CreateResource(ctx, tenant, industrydata.Actor{}, &conn, 0); err != nil {
		t.Fatal(err)
	}
	c, _, err := f.store.CurrentUploadContainer(ctx, tenant, conn.ID, time.Now(), time.Hour, false)
	if err != nil {
		t.Fatal(err)
	}
	var in industrydata.ValidationInput
	for _, file := range []struct {
		name  string
		write func(io.Writer, int) error
	}{{"orgs.csv", rostergen.WriteOrgs}, {"users.csv", rostergen.WriteUsers}} {
		r := rostergen.Reader(n, file.write)
		info, err := f.store.PutBlob(ctx, c.ID, file.name, r, industrydata.UploadLimits{}, industrydata.BlobProps{})
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		in.Files = append(in.Files, industrydata.ValidatedFile{Name: file.name, ContentID: info.ContentID, Size: info.Size})
	}
	op = industrydata.Operation{ID: uuid.NewString(), Type: industrydata.TypeFileValidateOperation,
		CreatedDateTime: time.Now(), Status: industrydata.OperationNotStarted}
	if err := f.store.StartValidation(ctx, tenant, industrydata.Actor{}, conn.ID, &op, in.Encode(), nil); err != nil {
		t.Fatal(err)
	}
	return op, conn.ID, in.Files
}

// waitOperationEnded runs a runner until the operation has ended (bounded).
func (f *fixture) waitOperationEnded(t *testing.T, cfg runner.Config, opID string) industrydata.Operation {
	t.Helper()
	cfg.Poll = 5 * time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		runner.New(cfg).Run(ctx)
	}()
	defer func() {
		cancel()
		<-done
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		op, err := f.store.GetOperation(t.Context(), tenant, opID)
		if err != nil {
			t.Fatal(err)
		}
		if op.Status == industrydata.OperationSucceeded || op.Status == industrydata.OperationFailed {
			return op
		}
		if time.Now().After(deadline) {
			t.Fatalf("validation %s still %s after 60s", opID, op.Status)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A validation's operation goes running before it ends, however quick
// the check (the heartbeat writes its first progress while the check
// starts), and the files are judged whole.
func TestValidationRunsThenSucceeds(t *testing.T) {
	f := newFixture(t)
	op, conn, files := f.startValidation(t, 3000)
	p := &progressStore{Store: f.store}
	got := f.waitOperationEnded(t, runner.Config{Store: p}, op.ID)
	if got.Status != industrydata.OperationSucceeded {
		t.Fatalf("validation %s; errors %+v", got.Status, got.Errors)
	}
	p.mu.Lock()
	details := p.details
	p.mu.Unlock()
	// The first is "Validating 2 files.", or the first file's name when
	// the check opened it before the heartbeat wrote.
	if len(details) == 0 || !strings.HasPrefix(details[0], "Validating ") {
		t.Errorf("progress %q; want the operation running first", details)
	}
	set, err := f.store.ValidatedFiles(t.Context(), tenant, conn)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(files, set); diff != "" {
		t.Errorf("validated set (-uploaded +set):\n%s", diff)
	}
}
