package main

import (
	"encoding/json"
	"net/http"
	"testing"
)

// The ceiling answers the seed's POST and the phases' PATCH and GET by id
// as industrydata does: the operation's JSON, the PATCH's change in it.
func TestCeilingAnswersLikeTheServer(t *testing.T) {
	s, err := startCeiling(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer s.stop()
	if s.ids, err = seed(t.Context(), s, 20); err != nil {
		t.Fatal(err)
	}
	id := s.ids[7]
	body, err := do(t.Context(), s, http.MethodPatch, operationsURL(s)+"/"+id, []byte(`{"status":"running","statusDetail":"tick 1"}`))
	if err != nil {
		t.Fatal(err)
	}
	var op map[string]any
	if err := json.Unmarshal(body, &op); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"id": id, "status": "running", "statusDetail": "tick 1",
		"@odata.type": "#microsoft.graph.longRunningOperation", "resourceLocation": nil} {
		if op[k] != want {
			t.Errorf("%s = %v, want %v", k, op[k], want)
		}
	}
	got, err := do(t.Context(), s, http.MethodGet, operationsURL(s)+"/"+id, nil)
	if err != nil || string(got) != string(body) {
		t.Errorf("GET after PATCH: %s, %v; want %s", got, err, body)
	}
	if _, err := do(t.Context(), s, http.MethodGet, operationsURL(s)+"/nothing", nil); err == nil {
		t.Error("GET of an unknown id succeeded")
	}
}
