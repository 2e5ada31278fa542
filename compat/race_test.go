//go:build race

package compat

// raceFlags build the service with the race detector when the tests run
// with it: the official clients' requests then check the service for data
// races too, and the build reuses the packages `go test -race` compiled.
var raceFlags = []string{"-race"}
