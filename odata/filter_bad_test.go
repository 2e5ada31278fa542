package odata_test

import (
	"strings"
	"testing"

	"industrydata/odata"
	"industrydata/schema"
)

// TestParseFilterRefused checks that each bad filter is a badRequest whose
// Target names the property at fault (or $filter) and whose message says
// what and where.
func TestParseFilterRefused(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		target string
		msg    []string
	}{
		// syntax, with positions
		{"empty", "", "$filter", []string{"empty"}},
		{"blank", "   ", "$filter", []string{"empty"}},
		{"unterminated string", "name eq 'abc", "$filter", []string{"position 8", "not closed"}},
		{"unexpected character", "name eq 'a' & flag", "$filter", []string{"position 12", "'&'"}},
		{"dollar name", "$it eq 'a'", "$filter", []string{"position 0", "'$'"}},
		{"missing right operand", "name eq", "$filter", []string{"position 7", "the end of the filter"}},
		{"missing operator", "name 'a'", "$filter", []string{"position 5", "'and', 'or'"}},
		{"upper-case operator", "name EQ 'a'", "$filter", []string{"position 5", "lower case: 'eq'"}},
		{"upper-case and", "flag AND optFlag", "$filter", []string{"lower case: 'and'"}},
		{"unsupported operator", "count add 1 eq 2", "$filter", []string{"'add' is not supported"}},
		{"unclosed parenthesis", "(name eq 'a'", "$filter", []string{"position 12", "')'"}},
		{"stray closing parenthesis", "name eq 'a')", "$filter", []string{"position 11"}},
		{"dangling and", "flag and", "$filter", []string{"position 8"}},
		{"chained comparison", "count eq 1 eq true", "$filter", []string{"position 11"}},
		{"position counts characters", "name eq 'é' &", "$filter", []string{"position 12"}},
		{"decimal number", "count eq 1.5", "count", []string{"'1.5'", "integers"}},
		{"date without time", "created eq 2024-05-01", "created", []string{"2024-05-01", "not a valid DateTimeOffset"}},
		{"date-time without offset", "created eq 2024-05-01T08:30:00", "created", []string{"offset"}},
		{"unencoded plus in offset", "created eq 2024-05-01T08:30:00 02:00", "created", []string{"%2B"}},
		{"date-time out of range", "created eq 0000-01-01T00:00:00Z", "created", []string{"not a valid DateTimeOffset"}},
		{"quoted date-time", "created eq '2024-05-01T08:30:00Z'", "created", []string{"without quotes"}},
		{"integer out of range", "count eq 9223372036854775808", "count", []string{"out of range"}},
		{"too long", "name eq '" + strings.Repeat("a", odata.MaxFilterLength) + "'", "$filter", []string{"longer than 2048"}},
		{"too deep", strings.Repeat("(", odata.MaxFilterDepth+1) + "flag" + strings.Repeat(")", odata.MaxFilterDepth+1), "$filter", []string{"more than 32 levels"}},
		{"invalid UTF-8", "name eq '\xff'", "$filter", []string{"UTF-8"}},
		// properties
		{"unknown property", "foo eq 'a'", "foo", []string{"'foo' is not a property of test.ns.widget."}},
		{"unknown property on the right", "'a' eq foo", "foo", []string{"'foo' is not a property"}},
		{"property names are case-sensitive", "Name eq 'a'", "Name", []string{"'Name' is not a property"}},
		{"navigation property", "parts eq null", "parts", []string{"navigation property"}},
		{"complex property", "blob eq null", "blob", []string{"complex type test.ns.blob"}},
		{"complex path", "blob/code eq 'x'", "blob", []string{"complex type"}},
		{"collection outside any", "tags eq 'x'", "tags", []string{"is a collection", "tags/any"}},
		{"any on a single value", "name/any()", "name", []string{"not a collection"}},
		{"all lambda", "tags/all(t:t eq 'x')", "$filter", []string{"'all' is not supported"}},
		// types
		{"string compared with a number", "name eq 5", "name", []string{"Edm.String", "the number 5"}},
		{"integer compared with a string", "count eq '5'", "count", []string{"Edm.Int64", "the string '5'"}},
		{"Boolean compared with a string", "flag eq 'true'", "flag", []string{"Edm.Boolean"}},
		{"date-time compared with a number", "created gt 5", "created", []string{"Edm.DateTimeOffset", "the number 5"}},
		{"enum member unknown", "status eq 'gone'", "status", []string{"'gone' is not a member of test.ns.widgetStatus", "active, retired, unknownFutureValue"}},
		{"enum qualified with another type", "status eq test.ns.issueKind'active'", "status", []string{"not test.ns.issueKind"}},
		{"enum compared with a number", "status eq 1", "status", []string{"test.ns.widgetStatus"}},
		{"enum member case-sensitive", "status eq 'Active'", "status", []string{"'Active' is not a member"}},
		{"gt on an enum", "status gt 'active'", "status", []string{"'gt' does not apply", "eq, ne or in"}},
		{"lt on a Boolean", "flag lt true", "flag", []string{"'lt' does not apply"}},
		{"null on a non-nullable", "name eq null", "name", []string{"never null"}},
		{"ne null on a non-nullable", "created ne null", "created", []string{"never null"}},
		{"gt null", "nick gt null", "nick", []string{"only by eq or ne"}},
		{"null in a non-nullable in", "name in ('a',null)", "name", []string{"never null"}},
		{"in with a wrong kind", "count in (1,'2')", "count", []string{"the string '2'"}},
		{"in with an unknown member", "status in ('active','gone')", "status", []string{"'gone' is not a member"}},
		{"empty in list", "name in ()", "$filter", []string{"empty"}},
		{"in without parentheses", "name in 'a'", "$filter", []string{"'(' after 'in'"}},
		{"in with a property in the list", "name in (nick)", "$filter", []string{"a literal"}},
		{"in on a literal", "'a' in ('a')", "$filter", []string{"left side of 'in'"}},
		{"lambda variable compared with null", "tags/any(t:t eq null)", "$filter", []string{"never null"}},
		// functions
		{"unknown function", "tolower(name) eq 'a'", "$filter", []string{"'tolower' is not supported"}},
		{"startswith on an enum", "startswith(status,'a')", "status", []string{"applies to String properties"}},
		{"contains on an integer", "contains(count,'1')", "count", []string{"Edm.Int64"}},
		{"function with arguments swapped", "startswith('a',name)", "$filter", []string{"property first"}},
		{"function with a number", "endswith(name,5)", "$filter", []string{"string literal"}},
		{"function with null", "contains(nick,null)", "$filter", []string{"string literal"}},
		{"function with one argument", "contains(name)", "$filter", []string{"','"}},
		{"function upper case", "StartsWith(name,'a')", "$filter", []string{"'StartsWith' is not supported"}},
		// conditions and operands
		{"bare string property", "name", "$filter", []string{"not a condition"}},
		{"bare literal", "true", "$filter", []string{"not a condition"}},
		{"two properties", "name eq nick", "$filter", []string{"two properties"}},
		{"two literals", "1 eq 1", "$filter", []string{"two literals"}},
		{"not of a string", "not name", "$filter", []string{"not a condition"}},
		{"not binds before eq", "not name eq 'a'", "$filter", []string{"not a condition"}},
		{"condition gt true", "(flag) eq true gt false", "$filter", []string{"position 15"}},
		{"condition compared by gt", "contains(name,'a') gt true", "$filter", []string{"only by eq or ne"}},
		{"condition compared with a string", "contains(name,'a') eq 'x'", "$filter", []string{"true or false"}},
		{"condition compared with a property", "contains(name,'a') eq flag", "$filter", []string{"compares a property with a literal"}},
		{"and with a string operand", "flag and name", "$filter", []string{"'name' is of type Edm.String, not a condition"}},
		// lambdas
		{"lambda variable reused", "tags/any(t:sizes/any(t:t eq 1))", "$filter", []string{"already in use"}},
		{"lambda variable keyword", "tags/any(not:true)", "$filter", []string{"cannot name a lambda variable"}},
		{"lambda without colon", "tags/any(t t eq 'x')", "$filter", []string{"':'"}},
		{"lambda variable out of scope", "tags/any(t:t eq 'x') and t eq 'y'", "t", []string{"'t' is not a property"}},
		{"lambda variable path", "tags/any(t:t/x eq 'y')", "$filter", []string{"paths below it"}},
		{"lambda over wrong kind", "sizes/any(s:s eq 'x')", "$filter", []string{"Edm.Int64"}},
		{"lambda enum member", "issues/any(i:i eq 'nope')", "$filter", []string{"'nope' is not a member of test.ns.issueKind"}},
		{"unclosed lambda", "tags/any(t:t eq 'x'", "$filter", []string{"close the any lambda"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := odata.ParseFilter(tt.in, widgetType)
			e := badRequest(t, err)
			if e.Target != tt.target {
				t.Errorf("Target = %q, want %q (message %q)", e.Target, tt.target, e.Message)
			}
			// Every refusal names $filter, whatever its Target: the request
			// may carry $orderby and $select too.
			checkMessage(t, e.Message, append(tt.msg, "$filter")...)
		})
	}
}

// TestParseFilterBounds checks the limits are inclusive.
func TestParseFilterBounds(t *testing.T) {
	t.Run("longest filter accepted", func(t *testing.T) {
		s := "name eq '" + strings.Repeat("a", odata.MaxFilterLength-10) + "'"
		mustFilter(t, s, widgetType)
	})
	t.Run("deepest nesting accepted", func(t *testing.T) {
		s := strings.Repeat("(", odata.MaxFilterDepth) + "flag" + strings.Repeat(")", odata.MaxFilterDepth)
		mustFilter(t, s, widgetType)
	})
	t.Run("long flat chain accepted", func(t *testing.T) {
		s := "flag" + strings.Repeat(" or flag", 200)
		mustFilter(t, s, widgetType)
	})
	t.Run("long not chain accepted", func(t *testing.T) {
		s := strings.Repeat("not ", 400) + "flag"
		mustFilter(t, s, widgetType)
	})
	t.Run("nested functions count", func(t *testing.T) {
		s := strings.Repeat("(", odata.MaxFilterDepth) + "startswith(name,'a')" + strings.Repeat(")", odata.MaxFilterDepth)
		_, err := odata.ParseFilter(s, widgetType)
		checkMessage(t, badRequest(t, err).Message, "more than 32 levels")
	})
	t.Run("model type name in messages", func(t *testing.T) {
		_, err := odata.ParseFilter("foo eq 1", schema.LongRunningOperation)
		checkMessage(t, badRequest(t, err).Message, "'foo' is not a property of microsoft.graph.longRunningOperation.")
	})
}
