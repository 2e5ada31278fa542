package httpapi_test

import (
	"strconv"
	"strings"
	"testing"

	"industrydata"
)

// The import surface's rows of the permission walk (SPEC §7): each set's
// routes, written out here independently of routes.go, and the permissions
// that grant them.

const (
	azureConnector = "microsoft.graph.industryData.azureDataLakeConnector"
	fileFlow       = "microsoft.graph.industryData.inboundFileFlow"
)

// setKeys are the route keys of one set: reads and writes, with the
// type-cast segments of cast and the navigation segments navs (read with
// the permission of their target's set, so listed apart).
func setKeys(set, cast string) (reads, writes []string) {
	base := "/industryData/" + set
	reads = []string{"GET " + base, "GET " + base + "/$count", "GET " + base + "/{id}"}
	writes = []string{"POST " + base, "PATCH " + base + "/{id}", "DELETE " + base + "/{id}"}
	if cast != "" {
		reads = append(reads, "GET "+base+"/"+cast, "GET "+base+"/"+cast+"/$count", "GET "+base+"/{id}/"+cast)
		writes = append(writes, "PATCH "+base+"/{id}/"+cast)
	}
	return reads, writes
}

// importSurfaceGrants is SPEC §7's rows for the import surface: each Read
// permission reads its sets, each ReadWrite reads and writes them; a
// navigation segment reads its target's set.
func importSurfaceGrants() map[industrydata.Permission][]string {
	refReads, refWrites := setKeys("referenceDefinitions", "")
	rgReads, rgWrites := setKeys("roleGroups", "")
	ssReads, ssWrites := setKeys("sourceSystems", "")
	yReads, yWrites := setKeys("years", "")
	dcReads, dcWrites := setKeys("dataConnectors", azureConnector)
	fReads, fWrites := setKeys("inboundFlows", fileFlow)
	ssReads = append(ssReads, "GET /industryData/dataConnectors/{id}/sourceSystem")
	yReads = append(yReads, "GET /industryData/inboundFlows/{id}/year")
	dcReads = append(dcReads, "GET /industryData/inboundFlows/{id}/dataConnector")
	cat := func(lists ...[]string) []string {
		var out []string
		for _, l := range lists {
			out = append(out, l...)
		}
		return out
	}
	return map[industrydata.Permission][]string{
		industrydata.PermReferenceDefinitionRead:      cat(refReads, rgReads),
		industrydata.PermReferenceDefinitionReadWrite: cat(refReads, rgReads, refWrites, rgWrites),
		industrydata.PermSourceSystemRead:             ssReads,
		industrydata.PermSourceSystemReadWrite:        cat(ssReads, ssWrites),
		industrydata.PermTimePeriodRead:               yReads,
		industrydata.PermTimePeriodReadWrite:          cat(yReads, yWrites),
		industrydata.PermDataConnectorRead:            dcReads,
		industrydata.PermDataConnectorReadWrite:       cat(dcReads, dcWrites, connectorActionKeys),
		// Upload sessions and validation only.
		industrydata.PermDataConnectorUpload:  connectorActionKeys,
		industrydata.PermInboundFlowRead:      fReads,
		industrydata.PermInboundFlowReadWrite: cat(fReads, fWrites),
	}
}

// connectorActionKeys are a data connector's upload session and validation.
var connectorActionKeys = []string{
	"GET /industryData/dataConnectors/{id}/{function}",
	"POST /industryData/dataConnectors/{id}/{function}",
	"GET /industryData/dataConnectors/{id}/" + azureConnector + "/{function}",
	"POST /industryData/dataConnectors/{id}/" + azureConnector + "/{function}",
	"POST /industryData/dataConnectors/{id}/validate",
	"POST /industryData/dataConnectors/{id}/microsoft.graph.industryData.validate",
}

// importSurfaceIDs are tenant A's entities the walk's requests address.
type importSurfaceIDs struct{ ss, year, conn, flow, roleGroup string }

func newImportSurfaceIDs(h *harness) importSurfaceIDs {
	var ids importSurfaceIDs
	ids.ss, ids.year, ids.conn, ids.flow = h.importSurface()
	ids.roleGroup = h.must(201, request{method: "POST", path: idPrefix + "roleGroups", body: `{"displayName":"Staff","roles":[{"code":"teacher"}]}`}).str("id")
	return ids
}

// importSurfaceCases is a valid request for each import-surface route.
func importSurfaceCases(t *testing.T) map[string]routeCase {
	out := map[string]routeCase{}
	in := func(method, path, body string, headers ...string) func(*permEnv, string) walkRequest {
		return func(e *permEnv, prefix string) walkRequest {
			ids := e.surface
			r := strings.NewReplacer("{ss}", ids.ss, "{year}", ids.year, "{conn}", ids.conn, "{flow}", ids.flow, "{rg}", ids.roleGroup)
			return walkRequest{request{method: method, path: prefix + r.Replace(path), body: r.Replace(body), headers: headers}, tenantA}
		}
	}
	// fresh creates an entity of set for a DELETE to consume.
	fresh := func(set, body string) func(*permEnv, string) walkRequest {
		return func(e *permEnv, prefix string) walkRequest {
			id := e.h.must(201, request{method: "POST", path: idPrefix + set, body: body}).str("id")
			return walkRequest{request{method: "DELETE", path: prefix + "/industryData/" + set + "/" + id}, tenantA}
		}
	}
	sets := []struct {
		set, id, cast, create, patch string
	}{
		{"referenceDefinitions", "RefRole-teacher", "", `{"referenceType":"RefRace","code":"walk{n}"}`, `{"sortIndex":7}`},
		{"roleGroups", "{rg}", "", `{"displayName":"g","roles":[{"code":"student"}]}`, `{"displayName":"walked"}`},
		{"sourceSystems", "{ss}", "", `{"displayName":"walk"}`, `{"displayName":"walked"}`},
		{"years", "{year}", "", `{"displayName":"y","startDate":"2024-09-01","endDate":"2025-06-30","year":{"code":"2025"}}`, `{"displayName":"walked"}`},
		{"dataConnectors", "{conn}", azureConnector, `{"@odata.type":"#` + azureConnector + `","displayName":"c","sourceSystem@odata.bind":"sourceSystems/{ss}"}`, `{"displayName":"walked"}`},
		{"inboundFlows", "{flow}", fileFlow, `{"@odata.type":"#` + fileFlow + `","displayName":"f","dataDomain":"educationRostering","effectiveDateTime":"2024-09-01T00:00:00Z","dataConnector@odata.bind":"dataConnectors/{conn}","year@odata.bind":"years/{year}"}`, `{"displayName":"walked"}`},
	}
	n := 0
	for _, s := range sets {
		base := "/industryData/" + s.set
		create := func(e *permEnv, prefix string) walkRequest {
			n++
			body := strings.ReplaceAll(s.create, "{n}", strconv.Itoa(n))
			return in("POST", base, body)(e, prefix)
		}
		out["GET "+base] = routeCase{200, in("GET", base, "")}
		out["GET "+base+"/$count"] = routeCase{200, in("GET", base+"/$count", "")}
		out["GET "+base+"/{id}"] = routeCase{200, in("GET", base+"/"+s.id, "")}
		out["POST "+base] = routeCase{201, create}
		out["PATCH "+base+"/{id}"] = routeCase{200, in("PATCH", base+"/"+s.id, s.patch)}
		if s.set == "referenceDefinitions" {
			out["DELETE "+base+"/{id}"] = routeCase{204, func(e *permEnv, prefix string) walkRequest {
				created := create(e, "/beta")
				id := e.h.must(201, created.request).str("id")
				return walkRequest{request{method: "DELETE", path: prefix + base + "/" + id}, tenantA}
			}}
		} else {
			out["DELETE "+base+"/{id}"] = routeCase{204, func(e *permEnv, prefix string) walkRequest {
				body := strings.NewReplacer("{ss}", e.surface.ss, "{year}", e.surface.year, "{conn}", e.surface.conn).Replace(s.create)
				return fresh(s.set, body)(e, prefix)
			}}
		}
		if s.cast != "" {
			out["GET "+base+"/"+s.cast] = routeCase{200, in("GET", base+"/"+s.cast, "")}
			out["GET "+base+"/"+s.cast+"/$count"] = routeCase{200, in("GET", base+"/"+s.cast+"/$count", "")}
			out["GET "+base+"/{id}/"+s.cast] = routeCase{200, in("GET", base+"/"+s.id+"/"+s.cast, "")}
			out["PATCH "+base+"/{id}/"+s.cast] = routeCase{200, in("PATCH", base+"/"+s.id+"/"+s.cast, s.patch)}
		}
	}
	for _, k := range connectorActionKeys {
		method, path, _ := strings.Cut(k, " ")
		if strings.HasSuffix(path, "validate") {
			// One validation of a connector at a time: each gets its own.
			out[k] = routeCase{202, func(e *permEnv, prefix string) walkRequest {
				conn := e.h.must(201, request{method: "POST", path: idPrefix + "dataConnectors", body: `{"@odata.type":"#` + azureConnector +
					`","displayName":"c","sourceSystem@odata.bind":"sourceSystems/` + e.surface.ss + `"}`}).str("id")
				return walkRequest{request{method: method, path: prefix + strings.ReplaceAll(path, "{id}", conn)}, tenantA}
			}}
			continue
		}
		path = strings.ReplaceAll(path, "{function}", "getUploadSession()")
		out[k] = routeCase{200, in(method, strings.ReplaceAll(path, "{id}", "{conn}"), "")}
	}
	out["GET /industryData/dataConnectors/{id}/sourceSystem"] = routeCase{200, in("GET", "/industryData/dataConnectors/{conn}/sourceSystem", "")}
	out["GET /industryData/inboundFlows/{id}/year"] = routeCase{200, in("GET", "/industryData/inboundFlows/{flow}/year", "")}
	out["GET /industryData/inboundFlows/{id}/dataConnector"] = routeCase{200, in("GET", "/industryData/inboundFlows/{flow}/dataConnector", "")}
	return out
}
