//go:build !race

package compat

// raceFlags: without -race, the service is built without it too.
var raceFlags []string
