package httpapi

// TableRoute is one entry of the route table as the external tests see it:
// its method and its path below the version prefix. Its permissions stay
// unexported on purpose: permissions_test.go states what SPEC §7 grants
// independently of routes.go.
type TableRoute struct {
	Method, Path string
}

// RouteTable lists the route table, in registration order.
func RouteTable() []TableRoute {
	var out []TableRoute
	for _, rt := range (&api{}).routeTable() {
		out = append(out, TableRoute{Method: rt.method, Path: rt.path})
	}
	return out
}

// Prefixes are the path prefixes every table route is registered under.
func Prefixes() []string { return append([]string(nil), prefixes...) }

// PrefixesOf are the path prefixes the table route with path is
// registered under.
func PrefixesOf(path string) []string { return prefixesOf(path) }
