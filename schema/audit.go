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

// ResourceChanges lists what a write changed in a resource, as Changes
// does for typed entities: every top-level member of the documents whose
// JSON differs (in after's member order, then before's), then every
// navigation reference whose target changed, its value the target's id.
// before nil is a create, after nil a delete. A document that is not a JSON
// object contributes no members.
func ResourceChanges(before, after *industrydata.Resource) []industrydata.PropertyChange {
	var oldDoc, newDoc []rawMember
	var oldRefs, newRefs []industrydata.Ref
	if before != nil {
		oldDoc, oldRefs = rawMembers(before.Doc), before.Refs
	}
	if after != nil {
		newDoc, newRefs = rawMembers(after.Doc), after.Refs
	}
	changes := []industrydata.PropertyChange{}
	add := func(name string, oldJSON, newJSON json.RawMessage) {
		if !bytes.Equal(oldJSON, newJSON) {
			changes = append(changes, industrydata.PropertyChange{Property: name, Old: oldJSON, New: newJSON})
		}
	}
	for _, m := range newDoc {
		add(m.name, orNull(findRaw(oldDoc, m.name)), m.value)
	}
	for _, m := range oldDoc {
		if findRaw(newDoc, m.name) == nil {
			add(m.name, m.value, jsonNull)
		}
	}
	// A property's value is its target's id, or the ids in order when it
	// refers more than once (a navigation inside a collection).
	refJSON := func(refs []industrydata.Ref, property string) json.RawMessage {
		var ids []string
		for _, r := range refs {
			if r.Property == property {
				ids = append(ids, r.ID)
			}
		}
		switch len(ids) {
		case 0:
			return jsonNull
		case 1:
			return AppendString(nil, ids[0])
		}
		out := []byte{'['}
		for i, id := range ids {
			if i > 0 {
				out = append(out, ',')
			}
			out = AppendString(out, id)
		}
		return append(out, ']')
	}
	seen := map[string]bool{}
	for _, refs := range [][]industrydata.Ref{newRefs, oldRefs} {
		for _, r := range refs {
			if !seen[r.Property] {
				seen[r.Property] = true
				add(r.Property, refJSON(oldRefs, r.Property), refJSON(newRefs, r.Property))
			}
		}
	}
	return changes
}

type rawMember struct {
	name  string
	value json.RawMessage
}

// rawMembers splits a JSON object into its members, in order, values
// compacted so that equal values compare equal.
func rawMembers(doc []byte) []rawMember {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var out []rawMember
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return out
		}
		var buf bytes.Buffer
		if json.Compact(&buf, v) == nil {
			v = buf.Bytes()
		}
		out = append(out, rawMember{name: tok.(string), value: v})
	}
	return out
}

func findRaw(ms []rawMember, name string) json.RawMessage {
	for _, m := range ms {
		if m.name == name {
			return m.value
		}
	}
	return nil
}
