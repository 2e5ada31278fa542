package odata

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"time"

	"industrydata"
	"industrydata/schema"
)

// A $skiptoken is base64url (no padding: nothing to escape in a URL, no '{',
// '}' or space) of payload || mac:
//
//	payload = version(1) uvarint(len(values)) {tag value} varint(seq)
//	mac     = HMAC-SHA256(key, domain || len-prefixed tenant || len-prefixed
//	          Fingerprint || payload), first 16 bytes
//
// The MAC binds the token to the tenant and to the query's shape, so a token
// replayed in another tenant, with another $filter or $orderby, or altered in
// any bit is refused before its payload is read. The payload itself is not
// secret: it holds the sort-key values of the last entity of the previous
// page, which that page showed.

const (
	skipTokenVersion = 1
	macSize          = 16
	// maxSkipTokenLength bounds the text DecodeSkipToken looks at; a long
	// string key (a displayName) still fits.
	maxSkipTokenLength = 16 << 10
	skipTokenDomain    = "industrydata/skiptoken/v1\x00"
)

// Value tags of the payload.
const (
	tagNull   = 0
	tagString = 1 // String and Enum keys
	tagTime   = 2 // ticks of 100 ns since 0001-01-01 UTC
	tagBool   = 3
	tagInt64  = 4
)

// errSkipToken reveals nothing about why a token was refused: a client that
// guesses at the format learns nothing from the answer.
func errSkipToken() error {
	return industrydata.BadProperty("$skiptoken", "The $skiptoken is not valid for this request; follow @odata.nextLink as given.")
}

// EncodeSkipToken returns the $skiptoken continuing q after cursor c, bound
// to tenant with key (at least 32 random bytes, kept by the server). c.Values
// holds one value per q.OrderBy key, as schema Property.Get returns it
// (string, time.Time, bool, int64 or nil, matching the key's kind); anything
// else is a bug in the caller and panics.
func EncodeSkipToken(key []byte, tenant string, q *Query, c industrydata.Cursor) string {
	if len(c.Values) != len(q.OrderBy) {
		panic(fmt.Sprintf("odata: cursor has %d values for %d $orderby keys", len(c.Values), len(q.OrderBy)))
	}
	payload := []byte{skipTokenVersion}
	payload = binary.AppendUvarint(payload, uint64(len(c.Values)))
	for i, v := range c.Values {
		if tag := tagOf(v); tag != tagNull && tag != tagFor(q.OrderBy[i].Prop.Kind) {
			// Caught here rather than as a 400 on the next page.
			panic(fmt.Sprintf("odata: cursor value %T for $orderby key %s", v, q.OrderBy[i].Prop.Name))
		}
		switch v := v.(type) {
		case nil:
			payload = append(payload, tagNull)
		case string:
			payload = append(payload, tagString)
			payload = binary.AppendUvarint(payload, uint64(len(v)))
			payload = append(payload, v...)
		case time.Time:
			payload = append(payload, tagTime)
			payload = binary.AppendVarint(payload, industrydata.Ticks(v.UTC().Truncate(100*time.Nanosecond)))
		case bool:
			b := byte(0)
			if v {
				b = 1
			}
			payload = append(payload, tagBool, b)
		case int64:
			payload = append(payload, tagInt64)
			payload = binary.AppendVarint(payload, v)
		}
	}
	payload = binary.AppendVarint(payload, c.Seq)
	return base64.RawURLEncoding.EncodeToString(append(payload, skipTokenMAC(key, tenant, q, payload)...))
}

func skipTokenMAC(key []byte, tenant string, q *Query, payload []byte) []byte {
	m := hmac.New(sha256.New, key)
	fp := q.Fingerprint()
	msg := []byte(skipTokenDomain)
	msg = binary.AppendUvarint(msg, uint64(len(tenant)))
	msg = append(msg, tenant...)
	msg = binary.AppendUvarint(msg, uint64(len(fp)))
	msg = append(msg, fp...)
	m.Write(msg)
	m.Write(payload)
	return m.Sum(nil)[:macSize]
}

// DecodeSkipToken verifies token for tenant and q and returns the cursor it
// carries. Any failure — another tenant, another $filter or $orderby, a
// truncated, altered or made-up token — is the same badRequest.
func DecodeSkipToken(key []byte, tenant string, q *Query, token string) (industrydata.Cursor, error) {
	if token == "" || len(token) > maxSkipTokenLength {
		return industrydata.Cursor{}, errSkipToken()
	}
	for i := 0; i < len(token); i++ {
		// The decoder would skip \r and \n; refuse them so that one token
		// has exactly one spelling.
		if c := token[i]; !isIdentPart(c) && c != '-' {
			return industrydata.Cursor{}, errSkipToken()
		}
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(raw) < 1+macSize {
		return industrydata.Cursor{}, errSkipToken()
	}
	payload, mac := raw[:len(raw)-macSize], raw[len(raw)-macSize:]
	if !hmac.Equal(mac, skipTokenMAC(key, tenant, q, payload)) {
		return industrydata.Cursor{}, errSkipToken()
	}
	// The MAC proves the payload is ours, but it is read as carefully as
	// input: a token of another version or a bug must not panic.
	c, ok := readPayload(payload, q.OrderBy)
	if !ok {
		return industrydata.Cursor{}, errSkipToken()
	}
	return c, nil
}

// payloadReader reads the payload's fields, remembering the first failure.
type payloadReader struct {
	b  []byte
	ok bool
}

func (r *payloadReader) byte() byte {
	if len(r.b) == 0 {
		r.ok = false
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *payloadReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.ok = false
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *payloadReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.ok = false
		return 0
	}
	r.b = r.b[n:]
	return v
}

func readPayload(payload []byte, keys []OrderKey) (industrydata.Cursor, bool) {
	r := &payloadReader{b: payload, ok: true}
	if r.byte() != skipTokenVersion || r.uvarint() != uint64(len(keys)) || !r.ok {
		return industrydata.Cursor{}, false
	}
	var c industrydata.Cursor
	if len(keys) > 0 {
		c.Values = make([]any, len(keys))
	}
	for i, k := range keys {
		tag := r.byte()
		if tag != tagNull && tag != tagFor(k.Prop.Kind) {
			return industrydata.Cursor{}, false
		}
		switch tag {
		case tagString:
			n := r.uvarint()
			if !r.ok || n > uint64(len(r.b)) {
				return industrydata.Cursor{}, false
			}
			c.Values[i] = string(r.b[:n])
			r.b = r.b[n:]
		case tagTime:
			t := industrydata.FromTicks(r.varint())
			if _, inRange := industrydata.NormalizeTimestamp(t); !inRange {
				return industrydata.Cursor{}, false
			}
			c.Values[i] = t
		case tagBool:
			b := r.byte()
			if b > 1 {
				return industrydata.Cursor{}, false
			}
			c.Values[i] = b == 1
		case tagInt64:
			c.Values[i] = r.varint()
		}
	}
	c.Seq = r.varint()
	if !r.ok || len(r.b) != 0 {
		return industrydata.Cursor{}, false
	}
	return c, true
}

// tagOf is the payload tag of a cursor value, 0xff for none.
func tagOf(v any) byte {
	switch v.(type) {
	case nil:
		return tagNull
	case string:
		return tagString
	case time.Time:
		return tagTime
	case bool:
		return tagBool
	case int64:
		return tagInt64
	}
	return 0xff
}

// tagFor is the payload tag of a sort key of the given kind.
func tagFor(k schema.Kind) byte {
	switch k {
	case schema.String, schema.Enum, schema.Date:
		return tagString
	case schema.DateTimeOffset:
		return tagTime
	case schema.Boolean:
		return tagBool
	case schema.Int64, schema.Int32:
		return tagInt64
	}
	return 0xfe // no value matches it
}
