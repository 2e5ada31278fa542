package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"industrydata"
	"industrydata/internal/rostergen"
)

// slowContent makes a child's validations read their files slowly, so that
// a signal sent once one shows progress lands in its middle.
type slowContent struct{ io.ReadCloser }

func (s slowContent) Read(p []byte) (int, error) {
	time.Sleep(20 * time.Millisecond)
	return s.ReadCloser.Read(p[:min(len(p), 32<<10)])
}

func (s slowStore) OpenContent(ctx context.Context, tenant industrydata.TenantID, id string) (io.ReadCloser, error) {
	rc, err := s.Store.OpenContent(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	return slowContent{rc}, nil
}

// created POSTs body to path and returns the new entity's id.
func (c *apiClient) created(t *testing.T, path, body string) string {
	t.Helper()
	status, data, err := c.do(http.MethodPost, path, body)
	var e struct {
		ID string `json:"id"`
	}
	if err != nil || status != http.StatusCreated || json.Unmarshal(data, &e) != nil {
		t.Fatalf("POST %s: %d %s %v", path, status, data, err)
	}
	return e.ID
}

// connectorSession creates a source system and a data connector under
// base, and returns the connector and the Azure SDK's client of its upload
// session, made from the sessionUrl exactly as getUploadSession returned it.
func (c *apiClient) connectorSession(t *testing.T, base string) (string, *container.Client) {
	t.Helper()
	ss := c.created(t, base+"/sourceSystems", `{"displayName":"SIS"}`)
	conn := c.created(t, base+"/dataConnectors", `{"@odata.type":"#microsoft.graph.industryData.azureDataLakeConnector",
		"displayName":"CSV drop","sourceSystem@odata.bind":"`+c.base+base+`/sourceSystems('`+ss+`')"}`)
	status, data, err := c.do(http.MethodGet, base+"/dataConnectors/"+conn+
		"/microsoft.graph.industryData.azureDataLakeConnector/microsoft.graph.industryData.getUploadSession(resetSession=false)", "")
	var session struct {
		SessionURL string `json:"sessionUrl"`
	}
	if err != nil || status != 200 || json.Unmarshal(data, &session) != nil || session.SessionURL == "" {
		t.Fatalf("getUploadSession: %d %s %v", status, data, err)
	}
	cc, err := container.NewClientWithNoCredential(session.SessionURL, &container.ClientOptions{
		ClientOptions: policy.ClientOptions{Retry: policy.RetryOptions{MaxRetries: -1}}})
	if err != nil {
		t.Fatal(err)
	}
	return conn, cc
}

// validate POSTs the connector's validate under base and returns the path
// of the operation its Location names.
func (c *apiClient) validate(t *testing.T, base, conn string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.base+base+"/dataConnectors/"+conn+"/validate", nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusAccepted || err != nil {
		t.Fatalf("validate: %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Path
}

// A school's roster the published Graph way, against a real server: the
// Azure SDK for Go uploads to the sessionUrl exactly as getUploadSession
// returned it (users.csv large enough to go in blocks, in parallel), and
// the validation, killed with -9 in its middle, is resumed by the next
// server and ends with the connector's validated set.
func TestRosterUploadAndValidationSurviveKillNine(t *testing.T) {
	dir := t.TempDir()
	env := []string{slowRunsEnv + "=1"}
	srv := startChildWith(t, env, "--addr", "127.0.0.1:0", "--data-dir", dir, "--lease-ttl", "1s")
	api := newAPI(t, srv.addr, dir)
	const base = "/beta/external/industryData"
	conn, cc := api.connectorSession(t, base)
	upload := func(name string, n int, write func(io.Writer, int) error) {
		var buf bytes.Buffer
		if err := write(&buf, n); err != nil {
			t.Fatal(err)
		}
		_, err := cc.NewBlockBlobClient(name).UploadBuffer(t.Context(), buf.Bytes(),
			&blockblob.UploadBufferOptions{BlockSize: 1 << 20, Concurrency: 4})
		if err != nil {
			t.Fatalf("upload %s (%d bytes): %v", name, buf.Len(), err)
		}
	}
	upload("users.csv", rosterUsers, rostergen.WriteUsers)
	upload("orgs.csv", rosterUsers, rostergen.WriteOrgs)
	var names []string
	pager := cc.NewListBlobsFlatPager(nil)
	for pager.More() {
		page, err := pager.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range page.Segment.BlobItems {
			names = append(names, *b.Name)
		}
	}
	if strings.Join(names, ",") != "orgs.csv,users.csv" {
		t.Fatalf("List Blobs: %v", names)
	}

	opPath := api.validate(t, base, conn)
	api.waitOperation(t, opPath, srv, func(op fullOperation) bool {
		return op.Status == "running" && strings.HasPrefix(op.detail(), "Validating users.csv")
	})
	srv2, api2 := killAndRestart(t, srv, env, dir)
	op := api2.waitOperation(t, opPath, srv2, ended)
	if op.Status != "succeeded" {
		t.Fatalf("validation after the kill: %+v; log:\n%s", op, srv2.log)
	}
	if !strings.Contains(srv2.log.String(), "resuming a validation whose worker stopped") {
		t.Errorf("the next server did not resume the validation; log:\n%s", srv2.log)
	}
	status, data, err := api2.do(http.MethodGet, opPath, "")
	if err != nil || status != 200 || !strings.Contains(string(data), `"validatedFiles":["orgs.csv","users.csv"]`) {
		t.Errorf("the operation's validatedFiles: %d %s %v", status, data, err)
	}
}
