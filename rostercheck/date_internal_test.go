package rostercheck

import (
	"testing"
	"time"
)

// isDate must accept exactly what time.Parse(time.DateOnly, s) accepts.
func TestIsDateAgreesWithTimeParse(t *testing.T) {
	cases := []string{
		"2024-02-29", "2023-02-29", "2000-02-29", "1900-02-29", "2024-04-30", "2024-04-31",
		"2024-12-31", "2024-13-01", "2024-00-10", "2024-01-00", "0000-01-01", "9999-12-31",
		"2024-1-01", "2024-01-1", "24-01-01", "2024/01/01", "2024-01-01 ", " 2024-01-01",
		"2024-01-01T00:00:00Z", "", "abcd-ef-gh", "2024-0a-01", "+024-01-01", "-024-01-01",
		"２０２４-01-01", "2024-01-32", "2024-06-31", "2024-07-31",
	}
	for _, s := range cases {
		_, err := time.Parse(time.DateOnly, s)
		if got, want := isDate(s), err == nil; got != want {
			t.Errorf("isDate(%q) = %v, time.Parse says %v", s, got, want)
		}
	}
}

func FuzzIsDate(f *testing.F) {
	f.Add("2024-02-29")
	f.Add("2023-02-29")
	f.Add("2024-1x-01")
	f.Fuzz(func(t *testing.T, s string) {
		_, err := time.Parse(time.DateOnly, s)
		if got, want := isDate(s), err == nil; got != want {
			t.Errorf("isDate(%q) = %v, time.Parse says %v", s, got, want)
		}
	})
}
