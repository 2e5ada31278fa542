package httpapi_test

import (
	"fmt"
	"slices"
	"strings"
)

// The hostile requests of TestHostileRequests: payloads crossed with the
// routes they can reach. The payloads are in hostile_bodies_test.go (request
// bodies), hostile_queries_test.go (query strings and headers) and
// hostile_targets_test.go (ids, methods, paths); this file crosses them.

// hostileCases builds the whole table: payload × route.
func hostileCases() []hostileCase {
	var cases []hostileCase
	add := func(c hostileCase) { cases = append(cases, c) }

	// Bodies.
	for _, r := range bodyRoutes {
		for _, p := range genericBodies() {
			names := p.names
			if names == "$str" {
				names = r.str()
			}
			want := []int{400}
			if names == tooLarge {
				want = []int{413} // SPEC §6: requestEntityTooLarge
			}
			add(hostileCase{name: r.name + ": " + p.name, method: r.method, target: r.target, body: p.body(r),
				headers: r.headers, want: want, names: names})
		}
		for _, typ := range badODataTypes(r) {
			add(hostileCase{name: r.name + ": @odata.type " + clipName(typ), method: r.method, target: r.target,
				body: r.with(`"@odata.type":`+typ, "@odata.type"), headers: r.headers, want: []int{400}, names: "@odata.type"})
		}
		for _, prop := range writable(r) {
			for _, v := range typeConfusion {
				add(hostileCase{name: r.name + ": " + prop.name + " " + v.name, method: r.method, target: r.target,
					body: r.with(`"`+prop.name+`":`+v.value, prop.name), headers: r.headers, want: []int{400}, names: prop.name})
			}
			if !prop.nullable {
				add(hostileCase{name: r.name + ": " + prop.name + " null", method: r.method, target: r.target,
					body: r.with(`"`+prop.name+`":null`, prop.name), headers: r.headers, want: []int{400}, names: prop.name})
			}
			if prop.str {
				continue
			}
			for _, v := range stringConfusion {
				add(hostileCase{name: r.name + ": " + prop.name + " " + v.name, method: r.method, target: r.target,
					body: r.with(`"`+prop.name+`":"`+v.value+`"`, prop.name), headers: r.headers, want: []int{400}, names: prop.name})
			}
		}
		if !r.shape.eTag {
			add(hostileCase{name: r.name + ": eTag on an entity without one", method: r.method, target: r.target,
				body: r.with(`"eTag":"x"`), want: []int{400}, names: "eTag"})
		} else if r.method == "PATCH" {
			add(hostileCase{name: r.name + ": eTag with SQL", method: r.method, target: r.target,
				body: r.with(`"eTag":"' OR 1=1 --"`), want: []int{412}})
			add(hostileCase{name: r.name + ": no eTag anywhere", method: r.method, target: r.target,
				body: r.valid(), want: []int{400}, names: "eTag"})
		}
	}

	// @odata.bind: a navigation's target named by a URL that is not one
	// of the caller's entities of the right set.
	for _, bind := range []string{
		"sourceSystems/../operations/{op}", "sourceSystems/%2e%2e/operations/{op}", "sourceSystems%2F{ss}",
		"sourceSystems('{opB}')", "operations('{op}')", "sourceSystems('{ss}')/vendor", "sourceSystems('{ss}'')",
		"sourceSystems(%22{ss}%22)", "sourceSystems({ss})", "//evil.example/sourceSystems/{ss}", "javascript:alert(1)",
		"sourceSystems/{ss}?$expand=x", "sourceSystems/{ss}#x", "sourceSystems/' OR 1=1 --", "sourceSystems/%00",
		"sourceSystems/" + strings.Repeat("a", 100<<10),
	} {
		add(hostileCase{name: "POST dataConnector: bind " + clipName(bind), method: "POST", target: "/beta/industryData/dataConnectors",
			body: `{"@odata.type":"#microsoft.graph.industryData.azureDataLakeConnector","displayName":"x","sourceSystem@odata.bind":"` + bind + `"}`,
			want: []int{400}, names: "sourceSystem"})
	}

	// Ids.
	for _, r := range idRoutes {
		for _, id := range hostileIDs {
			v := id.id
			if v == "{other}" {
				v = r.other
			}
			add(hostileCase{name: r.name + ": id " + id.name, method: r.method, target: fmt.Sprintf(r.pattern, v),
				body: r.body, headers: r.headers, want: []int{400, 404}})
		}
	}
	for _, p := range hostilePaths {
		body := ""
		if p.method == "PATCH" {
			body = `{"statusDetail":"changed","displayName":"changed","readinessStatus":"notReady"}`
		}
		add(hostileCase{name: "path " + p.name, method: p.method, target: p.target, body: body,
			headers: []string{"If-Match", "*"}, want: []int{400, 404, 405}})
	}

	// Query strings.
	for _, r := range queryRoutes {
		for _, q := range hostileQueries {
			c := hostileCase{name: r.name + ": " + q.name, method: r.method, target: r.target + "?" + q.query,
				body: r.body, headers: r.headers, want: []int{400}, names: q.names, bigEcho: q.bigEcho}
			if r.list && q.listOK {
				c.want, c.names = []int{200, 400}, ""
			}
			if !r.list && q.names != "" && q.names != "query" && !strings.HasPrefix(q.names, "$") {
				c.names = "" // an unknown option on a single entity: named, but not checked here
			}
			add(c)
		}
	}

	// Headers. (The process PATCH carries the current eTag in its body, so
	// that a header is what it fails on.)
	for _, r := range headerRoutes {
		write := r.method != "GET"
		for _, p := range hostileHeaders {
			if p.writes && r.body == "" {
				continue
			}
			if r.method == "POST" && (strings.HasPrefix(p.name, "If-Match") || p.name == "Authorization tenant B") {
				continue // a create has no precondition, and tenant B may create
			}
			headers := append(slices.Clone(r.headers), p.headers...)
			c := hostileCase{name: r.name + ": " + p.name, method: r.method, target: r.target, body: r.body,
				headers: headers, want: p.want, notIn: p.notIn}
			switch {
			case write && !p.refuses:
				c.headers = append(c.headers, "If-Match", `"stale"`)
				if r.method == "POST" {
					continue // a create has no precondition to fail
				}
				c.want = []int{412}
			case write && p.want != nil && p.want[0] == 200:
				c.want = []int{403}
			case write:
				// p.want, or any 4xx
			case p.refuses && p.want == nil:
				c.want = []int{200}
			case p.want == nil:
				c.want = []int{200}
			}
			if !write && p.name == "Authorization tenant B" && r.list {
				c.want = []int{200}
			}
			if !write && p.name == "Authorization tenant B" {
				c.notIn = "keep"
			}
			add(c)
		}
	}

	// Methods.
	for _, p := range methodPaths {
		for _, m := range wrongMethods {
			add(hostileCase{name: p.name + ": method " + clipName(m), method: m, target: p.target,
				body:    `{"statusDetail":"changed","displayName":"changed","readinessStatus":"notReady"}`,
				headers: []string{"If-Match", "*"}, want: []int{400, 404, 405}})
		}
	}
	for _, p := range []struct{ method, target string }{
		{"POST", "/beta/industryData/operations/{op}"},
		{"PATCH", "/beta/industryData/operations"},
		{"DELETE", "/beta/industryData/operations"},
		{"DELETE", "/beta/industryData/processes"},
		{"POST", "/beta/industryData/processes/{proc}"},
		{"DELETE", "/beta/industryData/processes/{proc}" + urrpCast},
		{"DELETE", "/beta/industryData"},
		{"PATCH", "/beta/industryData"},
		{"DELETE", "/beta/$metadata"},
	} {
		add(hostileCase{name: p.method + " " + p.target, method: p.method, target: p.target,
			body: `{"statusDetail":"changed"}`, headers: []string{"If-Match", "*"}, want: []int{405}})
	}
	// Batches.
	cases = append(cases, hostileBatches()...)
	return cases
}

// clipName keeps a case name readable.
func clipName(s string) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
