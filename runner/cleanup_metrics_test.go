package runner_test

import (
	"io"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"industrydata"
	"industrydata/metrics"
)

func TestCleanerMetricsAreScraped(t *testing.T) {
	s, _ := storeWithOperations(t, 5, cleanupNow.Add(-31*24*time.Hour))
	reg := metrics.New()
	c := cleaner(s, industrydata.Retention{Operations: 30 * 24 * time.Hour})
	c.Metrics = reg.Cleanup()
	if _, err := c.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	reg.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	text := string(body)
	for _, want := range []string{
		`industrydata_cleanup_rows_removed_total{kind="operations"} 5`,
		`industrydata_cleanup_bytes_removed_total{kind="operations"} 0`,
		`industrydata_cleanup_duration_seconds_count 1`,
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("scrape has no %q", want)
		}
	}
	// Every operation went: none is the oldest. The audit records of
	// their creation stay, written now.
	if strings.Contains(text, `industrydata_cleanup_oldest_kept_timestamp_seconds{kind="operations"}`) {
		t.Error("the oldest operation kept is reported, but none is")
	}
	m := regexp.MustCompile(`industrydata_cleanup_oldest_kept_timestamp_seconds\{kind="audit"\} (\S+)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("scrape has no oldest audit record:\n%s", text)
	}
	secs, err := strconv.ParseFloat(m[1], 64)
	if at := time.Unix(int64(secs), 0); err != nil || time.Since(at) > time.Minute || time.Since(at) < -time.Minute {
		t.Errorf("oldest audit record kept at %s (%v), want about now", m[1], err)
	}
}
