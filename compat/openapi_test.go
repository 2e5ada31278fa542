package compat

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMetadataConvertsToOpenAPI converts the served /beta/$metadata with
// the OASIS converter (odata-openapi3, from npm) and fails on anything it
// reports: its only output on a clean conversion is the name of the file
// it writes, and it lists every problem it meets in the CSDL (and exits 0
// even on a missing source file), so any other output is a failure.
func TestMetadataConvertsToOpenAPI(t *testing.T) {
	requireNode(t)
	converter, err := filepath.Abs(filepath.Join(jsBin, "odata-openapi3"))
	if err != nil {
		t.Fatal(err)
	}
	s := startService(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "metadata.xml"), s.get(t, "/beta/$metadata"), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, converter, "--target", "openapi.json", "metadata.xml")
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("odata-openapi3: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	if got := strings.TrimSpace(stdout.String()); got != "openapi.json" || stderr.Len() > 0 {
		t.Fatalf("odata-openapi3 reported more than the file it wrote:\nstdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}

	raw, err := os.ReadFile(filepath.Join(dir, "openapi.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                     `json:"openapi"`
		Paths   map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("the OpenAPI description is not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi = %q, want 3.x", doc.OpenAPI)
	}
	for _, set := range []string{"operations", "processes", "runs", "referenceDefinitions", "sourceSystems",
		"years", "roleGroups", "dataConnectors", "inboundFlows"} {
		for _, prefix := range []string{"/industryData/", "/external/industryData/"} {
			if _, ok := doc.Paths[prefix+set]; !ok {
				t.Errorf("no path %s%s in the OpenAPI description", prefix, set)
			}
		}
	}
	// The bound actions and functions $metadata declares. getUploadSession
	// is bound to a derived type (azureDataLakeConnector), for which the
	// converter writes no path.
	for _, want := range []string{
		"/external/industryData/runs/microsoft.graph.industryData.start",
		"/external/industryData/runs/microsoft.graph.industryData.getStatistics()",
		"/external/industryData/runs/{id_2}/microsoft.graph.industryData.getStatistics()",
		"/external/industryData/dataConnectors/{id_2}/microsoft.graph.industryData.validate",
	} {
		if _, ok := doc.Paths[want]; !ok {
			t.Errorf("no path %s in the OpenAPI description", want)
		}
	}
}
