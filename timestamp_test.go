package industrydata

import (
	"testing"
	"time"
)

func TestTicksRoundTrip(t *testing.T) {
	for _, s := range []string{
		"0001-01-01T00:00:00Z",
		"1969-12-31T23:59:59.9999999Z",
		"1970-01-01T00:00:00Z",
		"2024-05-01T08:30:00.123Z",
		"9999-12-31T23:59:59.9999999Z",
	} {
		in, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		norm, ok := NormalizeTimestamp(in)
		if !ok {
			t.Fatalf("%s: out of range", s)
		}
		if got := FromTicks(Ticks(norm)); !got.Equal(norm) {
			t.Errorf("%s: round trip gave %s", s, got.Format(time.RFC3339Nano))
		}
	}
}

func TestTicksOrder(t *testing.T) {
	a := time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC)
	b := time.Date(1970, 1, 1, 0, 0, 0, 100, time.UTC)
	if Ticks(a) >= Ticks(b) {
		t.Errorf("ticks do not sort like times")
	}
}

func TestNormalizeTimestamp(t *testing.T) {
	in := time.Date(2024, 1, 2, 3, 4, 5, 123456789, time.FixedZone("x", 3600))
	got, ok := NormalizeTimestamp(in)
	if !ok || got.Location() != time.UTC || got.Nanosecond() != 123456700 {
		t.Errorf("got %v %v", got, ok)
	}
	if _, ok := NormalizeTimestamp(time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC)); ok {
		t.Errorf("year 0 accepted")
	}
}
