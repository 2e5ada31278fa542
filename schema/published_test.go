package schema_test

// The served CSDL against Microsoft's published declarations of the same
// types (testdata/published_industrydata.xml, copied from the published
// metadata): TestPublishedTypesServed fails for every published type the
// service does not declare; TestPublishedDeclarationsMatch names every
// difference in a type it does declare.

import (
	"encoding/xml"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"industrydata/schema"
)

// absentNavigation lists the published navigations this service does not
// serve, on purpose; any other missing navigation is a failure.
var absentNavigation = map[string]string{
	// Outbound provisioning (flow sets and their flows) is not part of
	// this service.
	"microsoft.graph.industryData.industryDataRoot/outboundProvisioningFlowSets": "outbound provisioning is not served",
	// A run's activities (industryDataRunActivity and its derived types)
	// are not modelled: a run here runs one process, not a set of flows.
	"microsoft.graph.industryData.industryDataRun/activities": "run activities are not served",
	// /external serves only industryData; Graph's other workloads under it
	// are not this service's.
	"microsoft.graph.externalConnectors.external/connections":          "Graph connectors are not served",
	"microsoft.graph.externalConnectors.external/authorizationSystems": "authorization systems are not served",
}

// ownEnumMembers lists members the service declares beyond the published
// ones, with the reason.
var ownEnumMembers = map[string]string{
	// Seed 000's member, accepted and returned as sent (SPEC §2); the
	// published enum put disabled at its value.
	"microsoft.graph.industryData.readinessStatus/deleted": "seed 000",
}

// The reader's view of a CSDL document, enough to compare declarations.
type (
	pubDoc struct {
		Schemas []pubSchema `xml:"DataServices>Schema"`
	}
	pubSchema struct {
		Namespace string    `xml:"Namespace,attr"`
		Enums     []pubEnum `xml:"EnumType"`
		Complex   []pubType `xml:"ComplexType"`
		Entities  []pubType `xml:"EntityType"`
	}
	pubEnum struct {
		Name    string `xml:"Name,attr"`
		Members []struct {
			Name  string `xml:"Name,attr"`
			Value string `xml:"Value,attr"`
		} `xml:"Member"`
	}
	pubType struct {
		Name       string    `xml:"Name,attr"`
		BaseType   string    `xml:"BaseType,attr"`
		Abstract   string    `xml:"Abstract,attr"`
		Properties []pubProp `xml:"Property"`
		Navigation []pubNav  `xml:"NavigationProperty"`
	}
	pubProp struct {
		Name     string `xml:"Name,attr"`
		Type     string `xml:"Type,attr"`
		Nullable string `xml:"Nullable,attr"`
	}
	pubNav struct {
		Name           string `xml:"Name,attr"`
		Type           string `xml:"Type,attr"`
		ContainsTarget string `xml:"ContainsTarget,attr"`
	}
)

// declarations is a document's types by full name: "enum", "complex" or
// "entity" and the declaration.
type declarations struct {
	kind  map[string]string
	enums map[string]pubEnum
	types map[string]pubType
	order []string
}

func readDeclarations(t *testing.T, data []byte) declarations {
	t.Helper()
	var doc pubDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("parse CSDL: %v", err)
	}
	d := declarations{kind: map[string]string{}, enums: map[string]pubEnum{}, types: map[string]pubType{}}
	add := func(name, kind string) {
		if d.kind[name] != "" {
			t.Errorf("%s declared twice", name)
		}
		d.kind[name] = kind
		d.order = append(d.order, name)
	}
	for _, s := range doc.Schemas {
		for _, e := range s.Enums {
			add(s.Namespace+"."+e.Name, "enum")
			d.enums[s.Namespace+"."+e.Name] = e
		}
		for _, c := range s.Complex {
			add(s.Namespace+"."+c.Name, "complex")
			d.types[s.Namespace+"."+c.Name] = c
		}
		for _, e := range s.Entities {
			add(s.Namespace+"."+e.Name, "entity")
			d.types[s.Namespace+"."+e.Name] = e
		}
	}
	return d
}

func published(t *testing.T) declarations {
	t.Helper()
	data, err := os.ReadFile("testdata/published_industrydata.xml")
	if err != nil {
		t.Fatal(err)
	}
	return readDeclarations(t, data)
}

func TestPublishedTypesServed(t *testing.T) {
	pub, served := published(t), readDeclarations(t, schema.CSDL())
	var missing []string
	for _, name := range pub.order {
		if served.kind[name] == "" {
			missing = append(missing, pub.kind[name]+" "+name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("the CSDL does not declare %d published types:\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
	// The other way round: a served type is either published (and so in
	// the fixture) or marked as this service's own.
	own := map[string]bool{}
	for _, e := range schema.EnumTypes {
		own[e.FullName()] = e.Own
	}
	for _, c := range schema.ComplexTypes {
		own[c.FullName()] = c.Own
	}
	for _, e := range schema.EntityTypes {
		own[e.FullName()] = e.Own
	}
	for _, name := range served.order {
		switch {
		case own[name] && pub.kind[name] != "":
			t.Errorf("%s is marked Own but Microsoft publishes it", name)
		case !own[name] && pub.kind[name] == "":
			t.Errorf("%s is neither in the published fixture nor marked Own", name)
		}
	}
}

func TestPublishedDeclarationsMatch(t *testing.T) {
	pub, served := published(t), readDeclarations(t, schema.CSDL())
	var diffs []string
	diff := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	for _, name := range pub.order {
		kind := served.kind[name]
		if kind == "" {
			continue // TestPublishedTypesServed reports it
		}
		if kind != pub.kind[name] {
			diff("%s: published %s, served %s", name, pub.kind[name], kind)
			continue
		}
		if kind == "enum" {
			compareEnum(name, pub.enums[name], served.enums[name], diff)
			continue
		}
		compareType(name, pub.types[name], served.types[name], served, diff)
	}
	if len(diffs) > 0 {
		t.Errorf("the CSDL differs from the published declarations in %d ways:\n  %s", len(diffs), strings.Join(diffs, "\n  "))
	}
}

func compareEnum(name string, pub, served pubEnum, diff func(string, ...any)) {
	values := func(e pubEnum) map[string]string {
		m := map[string]string{}
		for _, x := range e.Members {
			m[x.Name] = x.Value
		}
		return m
	}
	p, s := values(pub), values(served)
	for _, m := range pub.Members {
		switch v, ok := s[m.Name]; {
		case !ok:
			diff("%s/%s: published with value %s, not served", name, m.Name, m.Value)
		case v != m.Value:
			diff("%s/%s: published value %s, served %s", name, m.Name, m.Value, v)
		}
	}
	for _, m := range served.Members {
		if _, ok := p[m.Name]; !ok && ownEnumMembers[name+"/"+m.Name] == "" {
			diff("%s/%s: served with value %s, not published", name, m.Name, m.Value)
		}
	}
}

func compareType(name string, pub, served pubType, all declarations, diff func(string, ...any)) {
	if pub.BaseType != served.BaseType {
		diff("%s: published base type %q, served %q", name, pub.BaseType, served.BaseType)
	}
	if (pub.Abstract == "true") != (served.Abstract == "true") {
		diff("%s: published Abstract=%q, served %q", name, pub.Abstract, served.Abstract)
	}
	nullable := func(p pubProp) bool { return p.Nullable != "false" }
	for _, p := range pub.Properties {
		i := slices.IndexFunc(served.Properties, func(s pubProp) bool { return s.Name == p.Name })
		if i < 0 {
			diff("%s.%s: published %s, not served", name, p.Name, p.Type)
			continue
		}
		s := served.Properties[i]
		if s.Type != p.Type {
			diff("%s.%s: published type %s, served %s", name, p.Name, p.Type, s.Type)
		}
		if nullable(s) != nullable(p) {
			diff("%s.%s: published nullable=%t, served nullable=%t", name, p.Name, nullable(p), nullable(s))
		}
	}
	for _, s := range served.Properties {
		if !slices.ContainsFunc(pub.Properties, func(p pubProp) bool { return p.Name == s.Name }) {
			diff("%s.%s: served (%s), not published", name, s.Name, s.Type)
		}
	}
	for _, n := range pub.Navigation {
		i := slices.IndexFunc(served.Navigation, func(s pubNav) bool { return s.Name == n.Name })
		if i < 0 {
			target := strings.TrimSuffix(strings.TrimPrefix(n.Type, "Collection("), ")")
			// A navigation to a published type not served yet waits for
			// the type (TestPublishedTypesServed names it).
			if absentNavigation[name+"/"+n.Name] == "" && !(all.kind[target] == "" && isFixtureNamespace(target)) {
				diff("%s/%s: published navigation %s, not served", name, n.Name, n.Type)
			}
			continue
		}
		s := served.Navigation[i]
		if s.Type != n.Type {
			diff("%s/%s: published navigation type %s, served %s", name, n.Name, n.Type, s.Type)
		}
		if (s.ContainsTarget == "true") != (n.ContainsTarget == "true") {
			diff("%s/%s: published ContainsTarget=%q, served %q", name, n.Name, n.ContainsTarget, s.ContainsTarget)
		}
	}
}

// isFixtureNamespace reports whether name is in the industryData namespace,
// whose published types the service is adding.
func isFixtureNamespace(name string) bool {
	return strings.HasPrefix(name, "microsoft.graph.industryData.")
}
