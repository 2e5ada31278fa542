// Package industrydata holds the domain of the service: the Graph entity types
// it serves, their enums, the error type every layer speaks, the principal a
// request acts for, and the Store interfaces the storage engines implement.
// It imports nothing but the standard library; every other package points here.
package industrydata

import "time"

// TenantID is the Entra tenant (the token's tid claim) that owns every entity.
type TenantID string

// Clock tells the time. Services take "now" once per transaction from it, so
// tests can freeze or step time.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock, in UTC.
type SystemClock struct{}

// Now returns the current UTC time.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// ClockFunc adapts a function to Clock.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }
