package schema_test

import (
	"encoding/json"
	"math/rand"
	"strings"
	"testing"
	"testing/quick"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"industrydata"
	"industrydata/schema"
)

func TestAppendEntity(t *testing.T) {
	ist := time.FixedZone("IST", 5*3600+1800)
	fullOp := &industrydata.Operation{
		ID: "65ebabed-abed-65eb-edab-eb65edabeb65", Type: "microsoft.graph.longRunningOperation", ETag: "internal",
		CreatedDateTime:    utc("2024-05-01T08:30:00Z"),
		LastActionDateTime: ptr(time.Date(2024, 5, 1, 14, 0, 0, 123000000, ist)),
		Status:             industrydata.OperationRunning,
		StatusDetail:       ptr("half \"way\"\n"),
		ResourceLocation:   ptr("https://x/y?a=1&b=<2>"),
		Seq:                3,
	}
	bareOp := &industrydata.Operation{ID: "op2", CreatedDateTime: time.Date(2024, 5, 1, 8, 30, 0, 100, time.UTC), Status: industrydata.OperationNotStarted}
	proc := &industrydata.Process{ID: "p1", Type: industrydata.TypeUserReportRefreshProcess, ETag: "e1",
		DisplayName: "User report refresh", ReadinessStatus: industrydata.ReadinessDisabled, CreatedAt: utc("2024-01-01T00:00:00Z"), Seq: 1}
	failedRun := &industrydata.Run{ID: "r1", ETag: "x", ProcessID: "p1", DisplayName: "run 1",
		StartDateTime: utc("2024-05-01T08:00:00Z"), EndDateTime: ptr(utc("2024-05-01T08:05:00.5Z")),
		Status: industrydata.RunFailed, BlockingError: &industrydata.PublicError{Code: "rosterInvalid", Message: "bad \"row\"", Target: "users.csv"}}
	runningRun := &industrydata.Run{ID: "r2", DisplayName: "run 2", StartDateTime: utc("2024-05-01T09:00:00Z"), Status: industrydata.RunRunning}

	tests := []struct {
		name        string
		typ         *schema.EntityType
		entity      any
		sel         schema.Selection
		annotations []schema.Annotation
		want        string
	}{
		{
			name: "operation in seed property order with UTC timestamps",
			typ:  schema.LongRunningOperation, entity: fullOp,
			want: `{"@odata.type":"#microsoft.graph.longRunningOperation","id":"65ebabed-abed-65eb-edab-eb65edabeb65",` +
				`"createdDateTime":"2024-05-01T08:30:00Z","lastActionDateTime":"2024-05-01T08:30:00.123Z","status":"running",` +
				`"statusDetail":"half \"way\"\n","resourceLocation":"https://x/y?a=1&b=<2>"}`,
		},
		{
			name: "nil pointers written as null and fraction trimmed to 100ns",
			typ:  schema.LongRunningOperation, entity: bareOp,
			want: `{"@odata.type":"#microsoft.graph.longRunningOperation","id":"op2","createdDateTime":"2024-05-01T08:30:00.0000001Z",` +
				`"lastActionDateTime":null,"status":"notStarted","statusDetail":null,"resourceLocation":null}`,
		},
		{
			name: "annotations come first then @odata.type",
			typ:  schema.LongRunningOperation, entity: bareOp,
			annotations: []schema.Annotation{
				{Name: "@odata.context", Value: "https://localhost/beta/$metadata#industryData/operations/$entity"},
				{Name: "@odata.etag", Value: `W/"1"`},
			},
			sel: schema.Selection{"status": true},
			want: `{"@odata.context":"https://localhost/beta/$metadata#industryData/operations/$entity","@odata.etag":"W/\"1\"",` +
				`"@odata.type":"#microsoft.graph.longRunningOperation","id":"op2","status":"notStarted"}`,
		},
		{
			name: "selection keeps declaration order not selection order",
			typ:  schema.LongRunningOperation, entity: fullOp,
			sel: schema.Selection{"resourceLocation": true, "createdDateTime": true},
			want: `{"@odata.type":"#microsoft.graph.longRunningOperation","id":"65ebabed-abed-65eb-edab-eb65edabeb65",` +
				`"createdDateTime":"2024-05-01T08:30:00Z","resourceLocation":"https://x/y?a=1&b=<2>"}`,
		},
		{
			name: "id written even when the selection excludes it",
			typ:  schema.LongRunningOperation, entity: bareOp,
			sel:  schema.Selection{"id": false, "status": true},
			want: `{"@odata.type":"#microsoft.graph.longRunningOperation","id":"op2","status":"notStarted"}`,
		},
		{
			name: "empty selection writes only id",
			typ:  schema.LongRunningOperation, entity: bareOp, sel: schema.Selection{},
			want: `{"@odata.type":"#microsoft.graph.longRunningOperation","id":"op2"}`,
		},
		{
			name: "unknown names in the selection ignored",
			typ:  schema.LongRunningOperation, entity: bareOp, sel: schema.Selection{"nope": true, "runs": true},
			want: `{"@odata.type":"#microsoft.graph.longRunningOperation","id":"op2"}`,
		},
		{
			name: "process with inherited properties first",
			typ:  schema.UserReportRefreshProcess, entity: proc,
			want: `{"@odata.type":"#microsoft.graph.industryData.userReportRefreshProcess","id":"p1","eTag":"e1",` +
				`"displayName":"User report refresh","readinessStatus":"disabled"}`,
		},
		{
			name: "process selection of eTag",
			typ:  schema.UserReportRefreshProcess, entity: proc, sel: schema.Selection{"eTag": true},
			want: `{"@odata.type":"#microsoft.graph.industryData.userReportRefreshProcess","id":"p1","eTag":"e1"}`,
		},
		{
			name: "failed run with publicError complex value",
			typ:  schema.IndustryDataRun, entity: failedRun,
			want: `{"@odata.type":"#microsoft.graph.industryData.industryDataRun","id":"r1",` +
				`"blockingError":{"code":"rosterInvalid","message":"bad \"row\"","target":"users.csv","details":[],"innerError":null},` +
				`"displayName":"run 1","endDateTime":"2024-05-01T08:05:00.5Z","startDateTime":"2024-05-01T08:00:00Z","status":"failed"}`,
		},
		{
			name: "running run with null blockingError and endDateTime",
			typ:  schema.IndustryDataRun, entity: runningRun,
			want: `{"@odata.type":"#microsoft.graph.industryData.industryDataRun","id":"r2","blockingError":null,` +
				`"displayName":"run 2","endDateTime":null,"startDateTime":"2024-05-01T09:00:00Z","status":"running"}`,
		},
		{
			name: "escaping in ids and annotation values",
			typ:  schema.LongRunningOperation, entity: &industrydata.Operation{ID: "a\"b\\c\u2028\x01", Status: industrydata.OperationFailed},
			sel:         schema.Selection{},
			annotations: []schema.Annotation{{Name: "@odata.etag", Value: "\x00\u2029"}},
			want:        `{"@odata.etag":"\u0000\u2029","@odata.type":"#microsoft.graph.longRunningOperation","id":"a\"b\\c\u2028\u0001"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := schema.AppendEntity(nil, tt.typ, tt.entity, tt.sel, tt.annotations...)
			if !json.Valid(out) {
				t.Fatalf("output is not valid JSON: %s", out)
			}
			if diff := cmp.Diff(tt.want, string(out)); diff != "" {
				t.Errorf("raw bytes (-want +got):\n%s", diff)
			}
			var wantMap, gotMap map[string]any
			if err := json.Unmarshal([]byte(tt.want), &wantMap); err != nil {
				t.Fatalf("bad want: %v", err)
			}
			if err := json.Unmarshal(out, &gotMap); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if diff := cmp.Diff(wantMap, gotMap); diff != "" {
				t.Errorf("decoded (-want +got):\n%s", diff)
			}
			keys := topLevelKeys(t, out)
			n := len(tt.annotations)
			if len(keys) <= n+1 || keys[n] != "@odata.type" || keys[n+1] != "id" {
				t.Errorf("keys %q: want the %d annotations, then @odata.type, then id", keys, n)
			}
		})
	}
}

func TestAppendEntityPropertyOrder(t *testing.T) {
	tests := []struct {
		name   string
		typ    *schema.EntityType
		entity any
		want   []string
	}{
		{"operation properties in seed 003 order", schema.LongRunningOperation, &industrydata.Operation{},
			[]string{"@odata.type", "id", "createdDateTime", "lastActionDateTime", "status", "statusDetail", "resourceLocation"}},
		{"process properties inherited first", schema.UserReportRefreshProcess, &industrydata.Process{},
			[]string{"@odata.type", "id", "eTag", "displayName", "readinessStatus"}},
		{"run properties in declaration order", schema.IndustryDataRun, &industrydata.Run{},
			[]string{"@odata.type", "id", "blockingError", "displayName", "endDateTime", "startDateTime", "status"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := schema.AppendEntity(nil, tt.typ, tt.entity, nil)
			if diff := cmp.Diff(tt.want, topLevelKeys(t, out)); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendEntityAppends(t *testing.T) {
	dst := []byte(`[1,`)
	out := schema.AppendEntity(dst, schema.LongRunningOperation, &industrydata.Operation{ID: "x", Status: "running"}, schema.Selection{})
	out = append(out, ']')
	want := `[1,{"@odata.type":"#microsoft.graph.longRunningOperation","id":"x"}]`
	if diff := cmp.Diff(want, string(out)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// What AppendEntity writes, Bind reads back into the same entity.
func TestAppendEntityRoundTrip(t *testing.T) {
	op := &industrydata.Operation{
		ID: "op1", CreatedDateTime: utc("2024-05-01T08:30:00.1234567Z"),
		LastActionDateTime: ptr(utc("0001-01-01T00:00:00Z")), Status: industrydata.OperationUnknownFutureValue,
		StatusDetail: ptr("\u2028\x1f\"\\ 😀"), ResourceLocation: nil,
	}
	out := schema.AppendEntity(nil, schema.LongRunningOperation, op, nil,
		schema.Annotation{Name: "@odata.context", Value: "c"}, schema.Annotation{Name: "@odata.etag", Value: "e"})
	p, err := mustParse(t, string(out)).Bind(schema.LongRunningOperation)
	if err != nil {
		t.Fatalf("Bind(%s): %v", out, err)
	}
	got := &industrydata.Operation{ID: "op1"}
	p.Apply(got)
	if diff := cmp.Diff(op, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"id": "op1"}, p.ReadOnly); diff != "" {
		t.Errorf("ReadOnly (-want +got):\n%s", diff)
	}
}

func TestAppendTimestamp(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"whole seconds have no fraction", time.Date(2024, 5, 1, 8, 30, 0, 0, time.UTC), `"2024-05-01T08:30:00Z"`},
		{"milliseconds trimmed of zeros", time.Date(2024, 5, 1, 8, 30, 0, 120000000, time.UTC), `"2024-05-01T08:30:00.12Z"`},
		{"one tick", time.Date(2024, 5, 1, 8, 30, 0, 100, time.UTC), `"2024-05-01T08:30:00.0000001Z"`},
		{"offset converted to UTC with Z", time.Date(2024, 5, 1, 8, 30, 0, 0, time.FixedZone("", -7*3600)), `"2024-05-01T15:30:00Z"`},
		{"local zone converted to UTC", time.Date(2024, 5, 1, 8, 30, 0, 0, time.FixedZone("CEST", 2*3600)), `"2024-05-01T06:30:00Z"`},
		{"earliest", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), `"0001-01-01T00:00:00Z"`},
		{"latest", time.Date(9999, 12, 31, 23, 59, 59, 999999900, time.UTC), `"9999-12-31T23:59:59.9999999Z"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(schema.AppendTimestamp([]byte("x"), tt.in))
			if diff := cmp.Diff("x"+tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendString(t *testing.T) {
	var allControls strings.Builder
	var allControlsEscaped strings.Builder
	for c := 0; c < 0x20; c++ {
		allControls.WriteByte(byte(c))
		switch c {
		case '\n':
			allControlsEscaped.WriteString(`\n`)
		case '\r':
			allControlsEscaped.WriteString(`\r`)
		case '\t':
			allControlsEscaped.WriteString(`\t`)
		default:
			allControlsEscaped.WriteString(`\u00` + string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&0xf]))
		}
	}
	tests := []struct {
		name    string
		in      string
		want    string // decoded value
		wantRaw string // exact output, when the test pins it
	}{
		{name: "empty", in: "", want: "", wantRaw: `""`},
		{name: "plain ASCII passes through", in: "hello world", want: "hello world", wantRaw: `"hello world"`},
		{name: "quote and backslash escaped", in: `a"b\c`, want: `a"b\c`, wantRaw: `"a\"b\\c"`},
		{name: "slash not escaped", in: "a/b", want: "a/b", wantRaw: `"a/b"`},
		{name: "HTML characters kept", in: "<a href='x'>&</a>", want: "<a href='x'>&</a>"},
		{name: "every control character escaped", in: allControls.String(), want: allControls.String(), wantRaw: `"` + allControlsEscaped.String() + `"`},
		{name: "NUL escaped", in: "\x00", want: "\x00", wantRaw: `"\u0000"`},
		{name: "DEL kept", in: "\x7f", want: "\x7f"},
		{name: "line separator escaped", in: "a\u2028b", want: "a\u2028b", wantRaw: `"a\u2028b"`},
		{name: "paragraph separator escaped", in: "a\u2029b", want: "a\u2029b", wantRaw: `"a\u2029b"`},
		{name: "neighbours of the separators kept raw", in: "\u2027\u202a", want: "\u2027\u202a", wantRaw: "\"\u2027\u202a\""},
		{name: "multibyte UTF-8 kept raw", in: "é中😀", want: "é中😀", wantRaw: `"é中😀"`},
		{name: "emoji sequence kept", in: "👩‍👩‍👧‍👦🏳️‍🌈", want: "👩‍👩‍👧‍👦🏳️‍🌈"},
		{name: "literal U+FFFD kept raw", in: "\uFFFD", want: "\uFFFD", wantRaw: "\"\uFFFD\""},
		{name: "invalid byte becomes U+FFFD", in: "a\xffb", want: "a\uFFFDb", wantRaw: `"a\ufffdb"`},
		{name: "each invalid byte becomes one U+FFFD", in: "\xff\xfe", want: "\uFFFD\uFFFD", wantRaw: `"\ufffd\ufffd"`},
		{name: "truncated sequence replaced byte by byte", in: "\xe2\x82", want: "\uFFFD\uFFFD"},
		{name: "truncated sequence at the end", in: "ok\xf0\x9f\x98", want: "ok\uFFFD\uFFFD\uFFFD"},
		{name: "lone continuation byte", in: "\x80", want: "\uFFFD"},
		{name: "overlong encoding", in: "\xc0\xaf", want: "\uFFFD\uFFFD"},
		{name: "encoded surrogate", in: "\xed\xa0\x80", want: "\uFFFD\uFFFD\uFFFD"},
		{name: "beyond U+10FFFF", in: "\xf4\x90\x80\x80", want: "\uFFFD\uFFFD\uFFFD\uFFFD"},
		{name: "invalid byte between escapes", in: "\"\xff\n", want: "\"\uFFFD\n", wantRaw: `"\"\ufffd\n"`},
		{name: "long string", in: strings.Repeat("ab\"", 10000), want: strings.Repeat("ab\"", 10000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := schema.AppendString([]byte("prefix"), tt.in)
			if !strings.HasPrefix(string(out), "prefix") {
				t.Fatalf("dst not kept: %q", out)
			}
			out = out[len("prefix"):]
			if !json.Valid(out) {
				t.Fatalf("not valid JSON: %q", out)
			}
			if tt.wantRaw != "" {
				if diff := cmp.Diff(tt.wantRaw, string(out)); diff != "" {
					t.Errorf("raw (-want +got):\n%s", diff)
				}
			}
			if strings.ContainsAny(string(out), "\u2028\u2029") {
				t.Errorf("raw U+2028/U+2029 in output %q", out)
			}
			var got string
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("Unmarshal(%q): %v", out, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decoded (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(replaceInvalidPerByte(tt.in), got); diff != "" {
				t.Errorf("decoded differs from per-byte replacement (-want +got):\n%s", diff)
			}
		})
	}
}

// AppendString replaces every invalid byte, as encoding/json does;
// strings.ToValidUTF8 replaces a run of them once. The two agree only after
// the runs are counted.
func TestAppendStringReplacementSemantics(t *testing.T) {
	in := "a\xff\xfe\xfdb"
	var got string
	if err := json.Unmarshal(schema.AppendString(nil, in), &got); err != nil {
		t.Fatal(err)
	}
	if want := "a\uFFFD\uFFFD\uFFFDb"; got != want {
		t.Errorf("AppendString decoded to %q, want %q (one U+FFFD per invalid byte)", got, want)
	}
	if collapsed := strings.ToValidUTF8(in, "\uFFFD"); collapsed != "a\uFFFDb" {
		t.Errorf("ToValidUTF8 gave %q; the standard library changed", collapsed)
	}
	std, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var fromStd string
	if err := json.Unmarshal(std, &fromStd); err != nil {
		t.Fatal(err)
	}
	if fromStd != got {
		t.Errorf("encoding/json decodes to %q, AppendString to %q", fromStd, got)
	}
}

// collapseInvalid maps a string through AppendString's replacement and then
// squeezes runs of U+FFFD that came from adjacent invalid bytes, which is
// what strings.ToValidUTF8 produces.
func collapseInvalid(s string) string {
	var b strings.Builder
	prevInvalid := false
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		invalid := r == utf8.RuneError && n == 1
		if invalid && !prevInvalid {
			b.WriteRune(utf8.RuneError)
		} else if !invalid {
			b.WriteString(s[:n])
		}
		prevInvalid = invalid
		s = s[n:]
	}
	return b.String()
}

// Pieces random strings are built from: the bytes and sequences that need
// care, valid and not.
var trickyPieces = []string{
	"a", "Z", " ", "\"", "\\", "/", "\x00", "\x01", "\x08", "\t", "\n", "\x0c", "\r", "\x1f", "\x7f",
	"é", "中", "😀", "\u2028", "\u2029", "\uFFFD", "\uFEFF", "\U0010FFFF",
	"\x80", "\xbf", "\xc0", "\xc3", "\xe2", "\xe2\x80", "\xed\xa0\x80", "\xf0\x9f", "\xf4\x90\x80\x80", "\xfe", "\xff",
}

func randomTrickyString(r *rand.Rand) string {
	var b strings.Builder
	for n := r.Intn(24); n > 0; n-- {
		if r.Intn(4) == 0 {
			b.WriteByte(byte(r.Intn(256)))
		} else {
			b.WriteString(trickyPieces[r.Intn(len(trickyPieces))])
		}
	}
	return b.String()
}

func checkAppendString(s string) string {
	out := schema.AppendString(nil, s)
	if !json.Valid(out) {
		return "not valid JSON: " + string(out)
	}
	if strings.ContainsAny(string(out), "\u2028\u2029") {
		return "raw line separator in " + string(out)
	}
	var got string
	if err := json.Unmarshal(out, &got); err != nil {
		return err.Error()
	}
	if want := replaceInvalidPerByte(s); got != want {
		return "decoded " + strconvQuote(got) + ", want " + strconvQuote(want)
	}
	// encoding/json, an independent encoder, replaces the same way.
	std, _ := json.Marshal(s)
	var fromStd string
	if err := json.Unmarshal(std, &fromStd); err != nil || fromStd != got {
		return "decoded " + strconvQuote(got) + ", encoding/json gives " + strconvQuote(fromStd)
	}
	// The reference differs from strings.ToValidUTF8 only in replacing each
	// invalid byte of a run rather than the run once.
	if want := strings.ToValidUTF8(s, "\uFFFD"); collapseInvalid(s) != want {
		return "collapsed " + strconvQuote(collapseInvalid(s)) + ", ToValidUTF8 " + strconvQuote(want)
	}
	if utf8.ValidString(s) && got != s {
		return "valid input changed"
	}
	return ""
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

func TestAppendStringRandom(t *testing.T) {
	r := rand.New(rand.NewSource(20240501))
	for i := 0; i < 20000; i++ {
		s := randomTrickyString(r)
		if msg := checkAppendString(s); msg != "" {
			t.Fatalf("AppendString(%q): %s", s, msg)
		}
	}
}

func TestAppendStringQuick(t *testing.T) {
	cfg := &quick.Config{MaxCount: 5000, Rand: rand.New(rand.NewSource(1))}
	// Arbitrary bytes: mostly invalid UTF-8.
	if err := quick.Check(func(b []byte) bool { return checkAppendString(string(b)) == "" }, cfg); err != nil {
		t.Errorf("bytes: %v", err)
	}
	// Arbitrary runes: always valid UTF-8, so the string must come back unchanged.
	if err := quick.Check(func(s string) bool {
		var got string
		return json.Unmarshal(schema.AppendString(nil, s), &got) == nil && got == s
	}, cfg); err != nil {
		t.Errorf("strings: %v", err)
	}
}
