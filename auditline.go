package industrydata

import (
	"encoding/json"
	"time"
)

// AuditLine is an AuditRecord as one JSON object, every key always
// present ("" when unknown): a line of `industrydata audit`'s export and
// of the cleanup's audit archive, which read alike.
type AuditLine struct {
	Seq        int64             `json:"seq"`
	Time       string            `json:"time"`
	Tenant     string            `json:"tenant"`
	Principal  string            `json:"principal"`
	App        string            `json:"app"`
	RequestID  string            `json:"requestId"`
	System     bool              `json:"system"`
	Action     string            `json:"action"`
	EntityType string            `json:"entityType"`
	EntityID   string            `json:"entityId"`
	ParentID   string            `json:"parentId"`
	Changes    []AuditLineChange `json:"changes"`
}

// AuditLineChange is a PropertyChange of an AuditLine.
type AuditLineChange struct {
	Property string          `json:"property"`
	Old      json.RawMessage `json:"old"`
	New      json.RawMessage `json:"new"`
}

// Line is r as an AuditLine.
func (r *AuditRecord) Line() AuditLine {
	line := AuditLine{Seq: r.Seq, Time: r.Time.UTC().Format(time.RFC3339Nano), Tenant: string(r.Tenant),
		Principal: r.Principal, App: r.App, RequestID: r.RequestID, System: r.System, Action: string(r.Action),
		EntityType: r.EntityType, EntityID: r.EntityID, ParentID: r.ParentID,
		Changes: make([]AuditLineChange, len(r.Changes))}
	for i, c := range r.Changes {
		line.Changes[i] = AuditLineChange(c)
	}
	return line
}
