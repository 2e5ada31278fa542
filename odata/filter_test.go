package odata_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"industrydata/odata"
	"industrydata/schema"
)

// TestParseFilterCanonical parses valid filters, checks their canonical
// text, and that the canonical text parses back to itself.
func TestParseFilterCanonical(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		// every comparison operator
		{"eq on a string", "name eq 'a'", "name eq 'a'"},
		{"ne on a string", "name ne 'a'", "name ne 'a'"},
		{"gt on a string", "name gt 'a'", "name gt 'a'"},
		{"ge on an integer", "count ge 5", "count ge 5"},
		{"lt on a date-time", "created lt 2024-05-01T08:30:00Z", "created lt 2024-05-01T08:30:00Z"},
		{"le on a date-time", "created le 2024-05-01T08:30:00Z", "created le 2024-05-01T08:30:00Z"},
		// literals
		{"string with doubled quote", "name eq 'it''s'", "name eq 'it''s'"},
		{"empty string", "name eq ''", "name eq ''"},
		{"unicode string", "name eq 'é中'", "name eq 'é中'"},
		{"string of keywords and punctuation", "name eq 'a and (b) or c/d:e'", "name eq 'a and (b) or c/d:e'"},
		{"negative integer", "count gt -5", "count gt -5"},
		{"integer with leading zeros", "count eq 007", "count eq 7"},
		{"minus zero", "count eq -0", "count eq 0"},
		{"largest Int64", "count le 9223372036854775807", "count le 9223372036854775807"},
		{"smallest Int64", "count ge -9223372036854775808", "count ge -9223372036854775808"},
		{"true", "flag eq true", "flag"},
		{"false", "flag eq false", "flag eq false"},
		{"null on a nullable string", "nick eq null", "nick eq null"},
		{"ne null on a nullable date-time", "ended ne null", "ended ne null"},
		{"null on a nullable Boolean", "optFlag eq null", "optFlag eq null"},
		{"null on a nullable integer", "optCount ne null", "optCount ne null"},
		{"date-time with a fraction", "created gt 2024-05-01T08:30:00.1234567Z", "created gt 2024-05-01T08:30:00.1234567Z"},
		{"date-time fraction truncated to 100 ns", "created gt 2024-05-01T08:30:00.123456789Z", "created gt 2024-05-01T08:30:00.1234567Z"},
		{"date-time trailing zeros dropped", "created gt 2024-05-01T08:30:00.500Z", "created gt 2024-05-01T08:30:00.5Z"},
		{"date-time with an offset in UTC", "created gt 2024-05-01T08:30:00+02:00", "created gt 2024-05-01T06:30:00Z"},
		{"date-time with a negative offset", "created gt 2024-05-01T23:30:00-01:00", "created gt 2024-05-02T00:30:00Z"},
		{"earliest date-time", "created ge 0001-01-01T00:00:00Z", "created ge 0001-01-01T00:00:00Z"},
		{"enum short", "status eq 'active'", "status eq 'active'"},
		{"enum qualified", "status eq test.ns.widgetStatus'retired'", "status eq 'retired'"},
		{"enum ne", "status ne 'unknownFutureValue'", "status ne 'unknownFutureValue'"},
		// normalization
		{"literal on the left eq", "'a' eq name", "name eq 'a'"},
		{"literal on the left gt flips", "5 gt count", "count lt 5"},
		{"literal on the left ge flips", "5 ge count", "count le 5"},
		{"literal on the left lt flips", "2024-05-01T08:30:00Z lt created", "created gt 2024-05-01T08:30:00Z"},
		{"literal on the left le flips", "'m' le name", "name ge 'm'"},
		{"null on the left", "null eq nick", "nick eq null"},
		{"bare Boolean", "flag", "flag"},
		{"bare Boolean negated", "not flag", "not flag"},
		{"condition eq true", "(name eq 'a') eq true", "name eq 'a'"},
		{"condition eq false", "(name eq 'a') eq false", "not (name eq 'a')"},
		{"condition ne true", "startswith(name,'a') ne true", "not startswith(name,'a')"},
		{"condition ne false", "false ne startswith(name,'a')", "startswith(name,'a')"},
		{"redundant parentheses", "((name eq 'a'))", "name eq 'a'"},
		{"parenthesized operand", "(name) eq 'a'", "name eq 'a'"},
		{"whitespace", "  name\teq\n'a'\r\nand  flag ", "name eq 'a' and flag"},
		{"no space around parentheses", "(name eq 'a')and(flag)", "name eq 'a' and flag"},
		// logic and precedence
		{"and", "name eq 'a' and count eq 1", "name eq 'a' and count eq 1"},
		{"or", "name eq 'a' or count eq 1", "name eq 'a' or count eq 1"},
		{"and binds tighter than or", "flag or name eq 'a' and count eq 1", "flag or name eq 'a' and count eq 1"},
		{"parentheses override precedence", "(flag or name eq 'a') and count eq 1", "(flag or name eq 'a') and count eq 1"},
		{"left-associative chain", "flag and optFlag and count eq 1", "flag and optFlag and count eq 1"},
		{"right grouping kept", "flag and (optFlag and count eq 1)", "flag and (optFlag and count eq 1)"},
		{"or of ands", "flag and optFlag or flag and count eq 1", "flag and optFlag or flag and count eq 1"},
		{"not of a comparison", "not (name eq 'a')", "not (name eq 'a')"},
		{"not of an or", "not (flag or optFlag)", "not (flag or optFlag)"},
		{"double not", "not not flag", "not not flag"},
		{"not of a function", "not contains(name,'x')", "not contains(name,'x')"},
		{"not and", "not flag and optFlag", "not flag and optFlag"},
		// in
		{"in strings", "name in ('a', 'b')", "name in ('a','b')"},
		{"in enums", "status in ('active',test.ns.widgetStatus'retired')", "status in ('active','retired')"},
		{"in one integer", "count in (1)", "count in (1)"},
		{"in date-times", "created in (2024-05-01T08:30:00Z,2024-05-02T08:30:00Z)", "created in (2024-05-01T08:30:00Z,2024-05-02T08:30:00Z)"},
		{"in with null on a nullable", "nick in ('a',null)", "nick in ('a',null)"},
		{"in Booleans", "flag in (true,false)", "flag in (true,false)"},
		{"not in", "not (name in ('a'))", "not (name in ('a'))"},
		// functions
		{"startswith", "startswith(name,'a')", "startswith(name,'a')"},
		{"endswith", "endswith( name , 'a' )", "endswith(name,'a')"},
		{"contains", "contains(nick,'it''s')", "contains(nick,'it''s')"},
		{"function eq true", "contains(name,'a') eq true", "contains(name,'a')"},
		{"function in logic", "startswith(name,'a') or endswith(name,'z')", "startswith(name,'a') or endswith(name,'z')"},
		// any
		{"any without predicate", "tags/any()", "tags/any()"},
		{"any over strings", "tags/any(t: t eq 'x')", "tags/any(t:t eq 'x')"},
		{"any over enums", "issues/any(i:i eq 'missingEmail')", "issues/any(i:i eq 'missingEmail')"},
		{"any over enums qualified", "issues/any(i:i eq test.ns.issueKind'duplicateId')", "issues/any(i:i eq 'duplicateId')"},
		{"any over Booleans bare", "checks/any(c:c)", "checks/any(c:c)"},
		{"any over Booleans negated", "checks/any(c:not c)", "checks/any(c:not c)"},
		{"any with in", "sizes/any(s:s in (1,2))", "sizes/any(s:s in (1,2))"},
		{"any with a function", "tags/any(t:startswith(t,'a'))", "tags/any(t:startswith(t,'a'))"},
		{"any with outer property", "tags/any(t:t eq 'x' and count gt 1)", "tags/any(t:t eq 'x' and count gt 1)"},
		{"any with a literal on the left", "sizes/any(s:3 lt s)", "sizes/any(s:s gt 3)"},
		{"nested any", "tags/any(t:issues/any(i:i eq 'missingEmail') and t ne 'x')", "tags/any(t:issues/any(i:i eq 'missingEmail') and t ne 'x')"},
		{"lambda variable shadows a property", "tags/any(name:name eq 'x')", "tags/any(name:name eq 'x')"},
		{"not any", "not tags/any()", "not tags/any()"},
		{"any eq false", "tags/any() eq false", "not tags/any()"},
		{"any over date-times", "stamps/any(s:s ge 2024-05-01T08:30:00Z)", "stamps/any(s:s ge 2024-05-01T08:30:00Z)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := odata.FilterString(mustFilter(t, tt.in, widgetType))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("String() of %q (-want +got):\n%s", tt.in, diff)
			}
			again := odata.FilterString(mustFilter(t, got, widgetType))
			if again != got {
				t.Errorf("canonical %q parses to %q", got, again)
			}
		})
	}
}

// TestParseFilterTree checks the shape the parser builds: precedence,
// associativity and normalization.
func TestParseFilterTree(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"and before or", "flag or optFlag and count eq 1",
			"(or (eq flag true:bool) (and (eq optFlag true:bool) (eq count 1:int64)))"},
		{"or is left-associative", "flag or optFlag or count eq 1",
			"(or (or (eq flag true:bool) (eq optFlag true:bool)) (eq count 1:int64))"},
		{"parentheses group", "(flag or optFlag) and count eq 1",
			"(and (or (eq flag true:bool) (eq optFlag true:bool)) (eq count 1:int64))"},
		{"not binds to its operand only", "not flag and optFlag",
			"(and (not (eq flag true:bool)) (eq optFlag true:bool))"},
		{"comparison binds tighter than and", "count eq 1 and name eq 'a'",
			"(and (eq count 1:int64) (eq name 'a':string))"},
		{"literal left is flipped", "5 gt count", "(lt count 5:int64)"},
		{"null literal keeps the kind", "nick eq null", "(eq nick null:<nil>)"},
		{"date-time literal is a time", "created eq 2024-05-01T08:30:00Z", "(eq created 2024-05-01T08:30:00Z:time.Time)"},
		{"enum literal is a string", "status eq test.ns.widgetStatus'active'", "(eq status 'active':string)"},
		{"in list", "count in (1,2)", "(in count 1:int64 2:int64)"},
		{"call", "contains(name,'x')", "(contains name 'x':string)"},
		{"condition eq false", "contains(name,'x') eq false", "(not (contains name 'x':string))"},
		{"any with variable", "issues/any(i:i ne 'duplicateId')", "(any issues i (ne $i 'duplicateId':string))"},
		{"any bare Boolean variable", "checks/any(c:c)", "(any checks c (eq $c true:bool))"},
		{"empty any", "tags/any()", "(any tags)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tree(mustFilter(t, tt.in, widgetType))); diff != "" {
				t.Errorf("tree of %q (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// TestParseFilterLiteralValues checks the typed values literals carry.
func TestParseFilterLiteralValues(t *testing.T) {
	tests := []struct {
		name string
		in   string
		kind schema.Kind
		want any
	}{
		{"string", "name eq 'it''s'", schema.String, "it's"},
		{"enum", "status eq 'retired'", schema.Enum, "retired"},
		{"time at 100 ns in UTC", "created eq 2024-05-01T10:30:00.1234567+02:00", schema.DateTimeOffset, utc("2024-05-01T08:30:00.1234567Z")},
		{"true", "flag eq true", schema.Boolean, true},
		{"false", "flag eq false", schema.Boolean, false},
		{"int64", "count eq -42", schema.Int64, int64(-42)},
		{"null has the property's kind", "ended eq null", schema.DateTimeOffset, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, ok := mustFilter(t, tt.in, widgetType).(*odata.Binary)
			if !ok {
				t.Fatalf("not a Binary")
			}
			lit := b.Right.(*odata.Literal)
			if lit.Kind != tt.kind {
				t.Errorf("Kind = %v, want %v", lit.Kind, tt.kind)
			}
			if want, ok := tt.want.(time.Time); ok {
				got, _ := lit.Value.(time.Time)
				if !got.Equal(want) || got.Location() != time.UTC {
					t.Errorf("Value = %v, want %v in UTC", lit.Value, want)
				}
				return
			}
			if diff := cmp.Diff(tt.want, lit.Value); diff != "" {
				t.Errorf("Value (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseFilterModel runs filters against the real model's types.
func TestParseFilterModel(t *testing.T) {
	tests := []struct {
		name string
		typ  *schema.EntityType
		in   string
		want string
	}{
		{"operation status", schema.LongRunningOperation, "status eq 'running'", "status eq 'running'"},
		{"operation status qualified", schema.LongRunningOperation,
			"status eq microsoft.graph.longRunningOperationStatus'succeeded'", "status eq 'succeeded'"},
		{"operation inherited id", schema.LongRunningOperation, "id eq 'x'", "id eq 'x'"},
		{"operation nullable time", schema.LongRunningOperation,
			"lastActionDateTime eq null or lastActionDateTime ge 2024-05-01T00:00:00Z",
			"lastActionDateTime eq null or lastActionDateTime ge 2024-05-01T00:00:00Z"},
		{"process readiness", schema.Process,
			"readinessStatus in ('ready', microsoft.graph.industryData.readinessStatus'notReady')",
			"readinessStatus in ('ready','notReady')"},
		{"process display name", schema.UserReportRefreshProcess, "startswith(displayName,'User')", "startswith(displayName,'User')"},
		{"run status", schema.IndustryDataRun, "status ne 'failed' and endDateTime eq null", "status ne 'failed' and endDateTime eq null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := odata.FilterString(mustFilter(t, tt.in, tt.typ))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
