package schema

import (
	"bytes"
	"encoding/json"

	"industrydata"
)

// The audit log's changed properties are diffs of the Graph JSON of an
// entity, so they live here, beside that JSON, and every store computes
// them the same way.

// Audit returns the audit record of one entity's write, with its entity
// type, id, parent and changes filled in; the store adds the rest. before
// is the entity as it was and after as it is now, each a pointer to a
// domain entity (TypeOf): before is nil (untyped) for a created entity,
// after for a deleted one.
func Audit(action industrydata.AuditAction, before, after any) industrydata.AuditRecord {
	e := after
	if e == nil {
		e = before
	}
	t := TypeOf(e)
	id, _ := t.Property(t.KeyName()).Get(e).(string)
	return industrydata.AuditRecord{Action: action, EntityType: t.FullName(), EntityID: id,
		ParentID: parentOf(e), Changes: Changes(t, before, after)}
}

var jsonNull = json.RawMessage("null")

// Changes lists the properties of t, other than its key, whose Graph JSON
// differs between before and after, in t's property order. before nil (a
// create) lists every property after has a value for, with Old null; after
// nil (a delete) every property before had a value for, with New null.
func Changes(t *EntityType, before, after any) []industrydata.PropertyChange {
	changes := []industrydata.PropertyChange{}
	key := t.KeyName()
	for _, p := range t.AllProperties() {
		if p.Name == key || p.Get == nil {
			continue
		}
		oldJSON, newJSON := jsonNull, jsonNull
		if before != nil {
			oldJSON = appendValue(nil, p, p.Get(before))
		}
		if after != nil {
			newJSON = appendValue(nil, p, p.Get(after))
		}
		if bytes.Equal(oldJSON, newJSON) {
			continue // unchanged, or null on both sides of a create or delete
		}
		changes = append(changes, industrydata.PropertyChange{Property: p.Name, Old: oldJSON, New: newJSON})
	}
	return changes
}

// AppendChanges appends changes as a JSON array of
// {"property", "old", "new"} objects, the form stores keep them in. Old or
// New nil is written as null.
func AppendChanges(dst []byte, changes []industrydata.PropertyChange) []byte {
	dst = append(dst, '[')
	for i, c := range changes {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"property":`...)
		dst = AppendString(dst, c.Property)
		dst = append(dst, `,"old":`...)
		dst = appendRaw(dst, c.Old)
		dst = append(dst, `,"new":`...)
		dst = appendRaw(dst, c.New)
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

func appendRaw(dst []byte, v json.RawMessage) []byte {
	if len(v) == 0 {
		return append(dst, "null"...)
	}
	return append(dst, v...)
}

// ParseChanges reads what AppendChanges wrote.
func ParseChanges(data []byte) ([]industrydata.PropertyChange, error) {
	var raw []struct {
		Property string          `json:"property"`
		Old      json.RawMessage `json:"old"`
		New      json.RawMessage `json:"new"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	out := make([]industrydata.PropertyChange, len(raw))
	for i, r := range raw {
		out[i] = industrydata.PropertyChange{Property: r.Property, Old: orNull(r.Old), New: orNull(r.New)}
	}
	return out, nil
}

func orNull(v json.RawMessage) json.RawMessage {
	if len(v) == 0 {
		return jsonNull
	}
	return v
}
