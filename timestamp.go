package industrydata

import "time"

// Edm.DateTimeOffset spans years 1 to 9999 at a resolution of 100 ns (one
// tick). Stores keep timestamps as ticks since 0001-01-01T00:00:00Z in a
// 64-bit integer: it sorts, compares and round-trips on every engine.
const tick = 100 * time.Nanosecond

var (
	minTimestamp = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTimestamp = time.Date(9999, 12, 31, 23, 59, 59, 999999900, time.UTC)
	// unixEpochTicks is the tick count of 1970-01-01T00:00:00Z.
	unixEpochTicks = int64(62135596800) * int64(time.Second/tick)
)

// NormalizeTimestamp returns t in UTC truncated to a whole tick, and false
// when t lies outside the range of Edm.DateTimeOffset.
func NormalizeTimestamp(t time.Time) (time.Time, bool) {
	t = t.UTC().Truncate(tick)
	if t.Before(minTimestamp) || t.After(maxTimestamp) {
		return time.Time{}, false
	}
	return t, true
}

// Ticks converts a normalized timestamp to its stored form.
func Ticks(t time.Time) int64 {
	secs := t.Unix() // exact for every year in range
	return secs*int64(time.Second/tick) + int64(t.Nanosecond())/int64(tick) + unixEpochTicks
}

// FromTicks converts a stored tick count back to a UTC time.
func FromTicks(ticks int64) time.Time {
	rel := ticks - unixEpochTicks
	perSec := int64(time.Second / tick)
	secs, rem := rel/perSec, rel%perSec
	if rem < 0 {
		secs--
		rem += perSec
	}
	return time.Unix(secs, rem*int64(tick)).UTC()
}

// Now in the domain is always normalized: callers take it from a Clock and
// pass it through NormalizeTimestamp before storing.
