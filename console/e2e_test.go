package console_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"industrydata/console"
	"industrydata/internal/servetest"
)

// api reads the service as the console's user, to hold what the page shows
// against what the API says.
func api[T any](t *testing.T, srv *servetest.Server, token, path string) T {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/beta/industryData/"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	var v T
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// apiPost creates an entity of set through the API and answers its id.
func apiPost(t *testing.T, srv *servetest.Server, token, path, body string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/beta/industryData/"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var v struct{ ID string }
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil || res.StatusCode >= 300 {
		t.Fatalf("POST %s: %d (%v)", path, res.StatusCode, err)
	}
	return v.ID
}

// signIn pastes token into the sign-in page and waits for the set-up page.
func signIn(t *testing.T, p *page, srv *servetest.Server, token string) {
	t.Helper()
	p.do(t, chromedp.Navigate(srv.URL+"/"),
		chromedp.SetValue(chromedp.CSS("#token"), token), chromedp.Click(chromedp.CSS("form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#sourceSystems-form")))
}

type bar struct {
	Label string
	Value int
}

// bars reads a chart's bars as the page drew them.
func bars(t *testing.T, p *page, chart string) []bar {
	t.Helper()
	return eval[[]bar](t, p, `[...document.querySelectorAll("#`+chart+` .bar")].map((g) => ({label: g.dataset.label, value: Number(g.dataset.value)}))`)
}

// The whole walk of a school through the console, in a real browser against
// a real server: sign in with a local token, set up a connector and a flow,
// upload the sample roster through the page, see its warnings, run, read
// the report, filter it, download it; axe-core checks every page.
func TestConsoleInTheBrowser(t *testing.T) {
	p := newPage(t)
	srv := servetest.Start(t, servetest.Options{Console: newHandler(t, console.Config{})})
	token := srv.Token(t, "")

	// An unusable token sends the user back to sign-in, saying why.
	p.do(t, chromedp.Navigate(srv.URL+"/"))
	p.check(t, "sign-in")
	p.do(t, chromedp.SetValue(chromedp.CSS("#token"), "not-a-token"), chromedp.Click(chromedp.CSS("form button[type=submit]")))
	p.waitText(t, "#sign-in-problem", "The token was not accepted")

	p.do(t, chromedp.SetValue(chromedp.CSS("#token"), token), chromedp.Click(chromedp.CSS("form button[type=submit]")))
	p.waitText(t, "#sourceSystems-table", "No source system yet")
	if got := eval[string](t, p, `sessionStorage.getItem("industrydata.token")`); got != token {
		t.Fatal("the token is not in the tab's session storage")
	}
	if got := eval[string](t, p, `document.cookie`); got != "" {
		t.Errorf("cookies %q: the console sets none", got)
	}

	// Set-up, with an error of the API beside the field it names.
	p.do(t, chromedp.SendKeys(chromedp.CSS("#sourceSystems-displayName"), "District SIS"),
		chromedp.SendKeys(chromedp.CSS("#sourceSystems-vendor"), "Contoso"),
		chromedp.Click(chromedp.CSS("#sourceSystems-submit")))
	p.waitText(t, "#sourceSystems-table", "District SIS")
	fillYear := func(code string) {
		js := `for (const [k, v] of Object.entries({displayName: "2025-2026", startDate: "2025-08-01", endDate: "2026-07-31", year: "` + code + `"}))
			document.getElementById("years-" + k).value = v; true`
		eval[bool](t, p, js)
		p.do(t, chromedp.Click(chromedp.CSS("#years-submit")))
	}
	fillYear("1999")
	p.waitText(t, "#years-year-error", "is not a code of RefAcademicYear")
	if got := eval[string](t, p, `document.getElementById("years-year").getAttribute("aria-invalid")`); got != "true" {
		t.Errorf("the year code's field is not marked invalid: aria-invalid %q", got)
	}
	fillYear("2026")
	p.waitText(t, "#years-table", "2025-08-01 to 2026-07-31")
	if got := eval[string](t, p, `document.getElementById("years-year-error").textContent`); got != "" {
		t.Errorf("the error stays after the fix: %q", got)
	}
	firstOption := func(sel string) string {
		return eval[string](t, p, `document.querySelector("`+sel+`").options[1].value`)
	}
	p.do(t, chromedp.SendKeys(chromedp.CSS("#dataConnectors-displayName"), "District CSV"))
	p.choose(t, "#dataConnectors-sourceSystem", firstOption("#dataConnectors-sourceSystem"))
	p.do(t, chromedp.Click(chromedp.CSS("#dataConnectors-submit")))
	p.waitText(t, "#dataConnectors-table", "District CSV")
	p.do(t, chromedp.SendKeys(chromedp.CSS("#inboundFlows-displayName"), "Rostering"))
	p.choose(t, "#inboundFlows-dataConnector", firstOption("#inboundFlows-dataConnector"))
	p.choose(t, "#inboundFlows-year", firstOption("#inboundFlows-year"))
	eval[bool](t, p, `document.getElementById("inboundFlows-effectiveDateTime").value = "2020-01-01"; true`)
	p.do(t, chromedp.Click(chromedp.CSS("#inboundFlows-submit")))
	p.waitText(t, "#inboundFlows-table", "notReady")
	p.check(t, "setup")

	// Upload the sample roster through the file input; it validates with 7
	// warnings.
	files, err := filepath.Glob("../testdata/roster/*.csv")
	if err != nil || len(files) != 6 {
		t.Fatalf("the sample roster: %v (%v)", files, err)
	}
	for i, f := range files {
		if files[i], err = filepath.Abs(f); err != nil {
			t.Fatal(err)
		}
	}
	p.do(t, chromedp.Navigate(srv.URL+"/#/upload"), chromedp.WaitVisible(chromedp.CSS("#upload-drop")))
	eval[bool](t, p, `(() => { const dt = new DataTransfer();
		dt.items.add(new File(["sourcedId\n"], "orgs.csv")); dt.items.add(new File(["hello"], "notes.txt"));
		document.getElementById("upload-drop").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
		return true; })()`)
	p.waitText(t, "#upload-table", "orgs.csv")
	if got := p.text(t, "#upload-table tbody"); strings.Contains(got, "notes.txt") {
		t.Errorf("a file that is not CSV was taken: %q", got)
	}
	p.do(t, chromedp.SetUploadFiles(chromedp.CSS("#upload-files"), files))
	p.waitText(t, "#upload-table", "users.csv")
	p.do(t, chromedp.Click(chromedp.CSS("#upload-start")))
	p.waitText(t, "#results-summary", "0 errors, 7 warnings")
	if got := eval[int](t, p, `document.querySelectorAll("#upload-table progress[value='2'][max='2']").length`); got != len(files) {
		t.Errorf("%d of %d progress bars are full", got, len(files))
	}
	if got := p.text(t, "#results-counts"); !strings.Contains(got, "duplicateUsername: 2") {
		t.Errorf("counts per code: %q", got)
	}
	p.do(t, chromedp.Click(chromedp.CSS(`#results-table th:nth-child(3) button`)), chromedp.Click(chromedp.CSS(`#results-table th:nth-child(3) button`)))
	if got := eval[string](t, p, `document.querySelector("#results-table th:nth-child(3)").getAttribute("aria-sort")`); got != "descending" {
		t.Errorf("the line column sorted twice is %q, want descending", got)
	}
	if got := eval[[]int](t, p, `[...document.querySelectorAll("#results-table tbody tr td:nth-child(3)")].map((td) => Number(td.textContent))`); !slices.IsSortedFunc(got, func(a, b int) int { return b - a }) || len(got) != 7 {
		t.Errorf("lines sorted descending: %v", got)
	}
	p.choose(t, "#results-code", "duplicateUsername")
	p.waitText(t, "#results-shown", "Showing 2 of 7 problems.")
	p.check(t, "upload")

	// Start a run and watch it finish.
	p.do(t, chromedp.Navigate(srv.URL+"/#/runs"), chromedp.Click(chromedp.CSS("#run-start")))
	p.do(t, chromedp.WaitVisible(chromedp.CSS("#live-report")))
	p.waitText(t, "#live-status", "completedWithErrors")
	p.waitText(t, "#live-detail", "Checked 296 of 296 users; 7 with issues.")
	p.do(t, chromedp.Click(chromedp.CSS("#past details summary")))
	p.waitText(t, "#past details", "1088 active of 1092")
	p.check(t, "runs")

	// The report's charts say what the API says.
	p.do(t, chromedp.Click(chromedp.CSS("#live-report")), chromedp.WaitVisible(chromedp.CSS("#chart-roles")))
	type collection struct {
		Value []struct {
			ID     string
			Status string
		}
	}
	runs := api[collection](t, srv, token, "runs")
	stats := api[struct {
		InboundTotals struct{ People int }
	}](t, srv, token, "runs/"+runs.Value[0].ID+"/getStatistics()")
	processes := api[collection](t, srv, token, "processes")
	report := api[struct {
		Summary struct {
			ActiveUsers, InactiveUsers int
			UsersByRole                []struct {
				Role  string
				Count int
			}
			UsersByOrg []struct {
				OrgName string
				Count   int
			}
		}
	}](t, srv, token, "processes/"+processes.Value[0].ID+"/runs/"+runs.Value[0].ID+"/userReport")
	active := bars(t, p, "chart-active")
	if want := []bar{{"active", stats.InboundTotals.People}, {"inactive", report.Summary.InactiveUsers}}; !cmp.Equal(active, want) {
		t.Errorf("active and inactive (-statistics +chart):\n%s", cmp.Diff(want, active))
	}
	var roles, orgs []bar
	for _, r := range report.Summary.UsersByRole {
		roles = append(roles, bar{r.Role, r.Count})
	}
	for _, o := range report.Summary.UsersByOrg {
		orgs = append(orgs, bar{o.OrgName, o.Count})
	}
	if got := bars(t, p, "chart-roles"); !cmp.Equal(got, roles) {
		t.Errorf("people by role (-API +chart):\n%s", cmp.Diff(roles, got))
	}
	if got := bars(t, p, "chart-orgs"); !cmp.Equal(got, orgs) {
		t.Errorf("people by org (-API +chart):\n%s", cmp.Diff(orgs, got))
	}
	issues := bars(t, p, "chart-issues")
	if i := slices.IndexFunc(issues, func(b bar) bool { return b.Label == "duplicateUsername" }); i < 0 || issues[i].Value != 2 {
		t.Errorf("issues by code: %v", issues)
	}
	p.waitText(t, "#entries-shown", "Showing 1–25 of 296 people.")
	p.check(t, "report")
	p.do(t, chromedp.Click(chromedp.CSS("#entries-next")))
	p.waitText(t, "#entries-shown", "Showing 26–50 of 296 people.")

	// Filter by an issue and download what is shown.
	p.choose(t, "#report-issue", "duplicateUsername")
	p.waitText(t, "#entries-shown", "Showing 1–2 of 2 people.")
	rows, err := csv.NewReader(strings.NewReader(string(p.download(t, "#report-csv", "userReport-")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][0] != "sourcedId" || rows[1][5] != "duplicateUsername" || rows[2][5] != "duplicateUsername" {
		t.Errorf("the CSV of the filtered report: %q", rows)
	}

	// The operations: the validation's and the run's, finished.
	p.do(t, chromedp.Navigate(srv.URL+"/#/operations"))
	p.waitText(t, "#operations-table", "Imported 1 of 1 inbound flows")
	p.waitText(t, "#operations-table", "7 warnings")
	p.check(t, "operations")
	p.do(t, chromedp.Click(chromedp.CSS(`#operations-table a[href^="#/validation/"]`)))
	p.waitText(t, "#results-summary", "0 errors, 7 warnings")
	p.check(t, "validation")

	// A token the service refuses (an expired one) sends the user back
	// to sign-in, saying why.
	eval[bool](t, p, `sessionStorage.setItem("industrydata.token", "expired"); true`)
	p.do(t, chromedp.Navigate(srv.URL+"/#/runs"))
	p.waitText(t, "#main", "Your sign-in has expired or was refused")
	p.do(t, chromedp.SetValue(chromedp.CSS("#token"), token), chromedp.Click(chromedp.CSS("form button[type=submit]")))
	p.waitText(t, "#past", "completedWithErrors")

	// Signing out clears the token.
	p.do(t, chromedp.Click(chromedp.CSS("#sign-out")), chromedp.WaitVisible(chromedp.CSS("#token")))
	if n := eval[int](t, p, `sessionStorage.length`); n != 0 {
		t.Errorf("%d items left in session storage after sign-out", n)
	}
}
