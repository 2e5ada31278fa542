// Package flowtest gives a test tenant an inbound flow whose data
// connector has validated files, the way the API does it (a source
// system, a year, an azureDataLakeConnector, an inboundFileFlow, the files
// uploaded to the connector's container and made its validated set), so
// that a run of runs/start imports them. Tests only.
package flowtest

import (
	"context"
	"io"
	"sort"
	"testing"
	"time"

	"industrydata"
	"industrydata/schema"
	"industrydata/service"
)

// Ready creates, through the service, an inbound flow named name for
// tenant, with its own source system, year and data connector, uploads
// files (name → content) to the connector's container and makes them its
// validated set, as a validation without errors would. It returns the
// flow's id; the flow is ready.
func Ready(tb testing.TB, st industrydata.Store, tenant industrydata.TenantID, name string, files map[string]io.Reader) string {
	tb.Helper()
	ctx := context.Background()
	t, err := service.New(st, industrydata.SystemClock{}, service.Options{}).Tenant(ctx, tenant, industrydata.Actor{})
	if err != nil {
		tb.Fatal(err)
	}
	source := create(tb, t, "sourceSystems", `{"displayName":"SIS of `+name+`"}`)
	year := create(tb, t, "years", `{"displayName":"2025-2026","startDate":"2025-08-01","endDate":"2026-07-31","year":{"code":"2026"}}`)
	connector := create(tb, t, "dataConnectors", `{"@odata.type":"#microsoft.graph.industryData.azureDataLakeConnector",`+
		`"displayName":"Connector of `+name+`","sourceSystem@odata.bind":"sourceSystems('`+source+`')"}`)
	flow := create(tb, t, "inboundFlows", `{"@odata.type":"#microsoft.graph.industryData.inboundFileFlow",`+
		`"displayName":"`+name+`","dataDomain":"educationRostering","effectiveDateTime":"2020-01-01T00:00:00Z",`+
		`"dataConnector@odata.bind":"dataConnectors('`+connector+`')","year@odata.bind":"years('`+year+`')"}`)
	Validate(tb, st, tenant, connector, files)
	return flow
}

// Validate uploads files to the tenant's data connector's container and
// makes them its validated set.
func Validate(tb testing.TB, st industrydata.Store, tenant industrydata.TenantID, connectorID string, files map[string]io.Reader) {
	tb.Helper()
	ctx := context.Background()
	c, _, err := st.CurrentUploadContainer(ctx, tenant, connectorID, time.Now(), time.Hour, false)
	if err != nil {
		tb.Fatal(err)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var set []industrydata.ValidatedFile
	for _, n := range names {
		info, err := st.PutBlob(ctx, c.ID, n, files[n], industrydata.UploadLimits{}, industrydata.BlobProps{})
		if err != nil {
			tb.Fatalf("upload %s: %v", n, err)
		}
		set = append(set, industrydata.ValidatedFile{Name: n, ContentID: info.ContentID, Size: info.Size})
	}
	if err := st.SetValidatedFiles(ctx, tenant, connectorID, set); err != nil {
		tb.Fatal(err)
	}
}

// ConnectorOf is the data connector of the tenant's flow.
func ConnectorOf(tb testing.TB, st industrydata.Store, tenant industrydata.TenantID, flowID string) string {
	tb.Helper()
	res, err := st.GetResource(context.Background(), tenant, "inboundFlows", flowID)
	if err != nil {
		tb.Fatal(err)
	}
	for _, ref := range res.Refs {
		if ref.Property == "dataConnector" {
			return ref.ID
		}
	}
	tb.Fatalf("flow %s has no data connector", flowID)
	return ""
}

func create(tb testing.TB, t *service.Tenant, set, body string) string {
	tb.Helper()
	b, err := schema.ParseBody([]byte(body))
	if err != nil {
		tb.Fatal(err)
	}
	e, err := t.Resources(set).Create(context.Background(), b)
	if err != nil {
		tb.Fatalf("create %s: %v", set, err)
	}
	return e.Meta().ID
}

// Roster is the files of a roster of users.csv and orgs.csv.
func Roster(users, orgs io.Reader) map[string]io.Reader {
	return map[string]io.Reader{industrydata.RosterUsers: users, industrydata.RosterOrgs: orgs}
}
