package sqlite

import (
	"strings"
	"testing"

	"industrydata/store/internal/sqlq"
)

// Every resource statement is an index lookup or range scan, and none
// sorts: a scan's sort would hold every document of the set at once, and
// a delete finds a referrer in one lookup however many resources there are.
func TestResourceQueryPlansUseIndexes(t *testing.T) {
	s := openMemory(t)
	tests := []struct {
		name  string
		query string
		args  int
		want  []string // steps of the plan
	}{
		{"get", qGetResource, 3, []string{
			"SEARCH r USING INDEX sqlite_autoindex_resources_1 (tenant=? AND set_name=? AND id=?)",
			"SEARCH f USING INDEX resource_refs_from (tenant=? AND from_set=? AND from_id=?)"}},
		{"scan", qScanResources, 2, []string{
			"SEARCH r USING INDEX resources_tenant_set_seq (tenant=? AND set_name=?)",
			"SEARCH f USING INDEX resource_refs_from (tenant=? AND from_set=? AND from_id=?)"}},
		{"count", qCountResources, 2, []string{"USING COVERING INDEX"}},
		{"exists", qResourceExists, 3, []string{"USING COVERING INDEX sqlite_autoindex_resources_1 (tenant=? AND set_name=? AND id=?)"}},
		{"referrer", qReferrer, 5, []string{"SEARCH resource_refs USING INDEX resource_refs_to (tenant=? AND to_set=? AND to_id=?)"}},
		{"delete refs", qDeleteRefs, 3, []string{"SEARCH resource_refs USING INDEX resource_refs_from (tenant=? AND from_set=? AND from_id=?)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := sqlq.Statement{SQL: tc.query, Args: make([]any, tc.args)}
			p := plan(t, s, st)
			for _, w := range tc.want {
				if !strings.Contains(p, w) {
					t.Errorf("plan of %s\n%s\nwant %q", tc.query, p, w)
				}
			}
			if strings.Contains(p, "TEMP B-TREE") {
				t.Errorf("plan of %s\n%s\nwant no sort", tc.query, p)
			}
		})
	}
}
