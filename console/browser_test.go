package console_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's chromium, which .ci/run installs.
const chromiumPath = "/usr/bin/chromium"

// axePath is axe-core as `npm ci --prefix console/e2e` installs it.
const axePath = "e2e/node_modules/axe-core/axe.min.js"

// ScreenshotsEnv names the directory the browser tests write a screenshot
// of each page to; without it, a directory under the system's temporary
// directory (the test logs which).
const ScreenshotsEnv = "INDUSTRYDATA_CONSOLE_SCREENSHOTS"

// need fails the test under CI=true and skips it elsewhere when a program
// the browser tests use is missing.
func need(t *testing.T, file, what string) {
	t.Helper()
	if _, err := os.Stat(file); err == nil {
		return
	}
	msg := fmt.Sprintf("%s is missing (%s): .ci/run installs it", file, what)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// page is a headless chromium tab, the directory its screenshots go to,
// and the one its downloads go to.
type page struct {
	ctx         context.Context
	axe         string
	screenshots string
	downloads   string
}

// newPage starts chromium with a fresh profile; it ends with the test.
func newPage(t *testing.T) *page {
	t.Helper()
	need(t, chromiumPath, "Debian's chromium package")
	need(t, axePath, "axe-core, npm ci --prefix console/e2e")
	axe, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatal(err)
	}
	shots := os.Getenv(ScreenshotsEnv)
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "industrydata-console-screenshots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", shots)

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	// The first call starts the browser, whose life is its context's: the
	// test's deadline goes on the calls after it.
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancel := context.WithTimeout(browserCtx, 2*time.Minute)
	t.Cleanup(cancel)
	p := &page{ctx: ctx, axe: string(axe), screenshots: shots, downloads: t.TempDir()}
	p.do(t, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: p.downloads, EventsEnabled: &[]bool{true}[0],
		})
		return err
	}))
	return p
}

func (p *page) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// text is the text of the first element sel matches, once it is visible.
func (p *page) text(t *testing.T, sel string) string {
	t.Helper()
	p.do(t, chromedp.WaitVisible(chromedp.CSS(sel)))
	s, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// eval runs a JavaScript expression and answers its value.
func eval[T any](t *testing.T, p *page, expr string) T {
	t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// choose picks value in the select sel as a user does: the page hears the
// change.
func (p *page) choose(t *testing.T, sel, value string) {
	t.Helper()
	js := fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.value = %q;
		el.dispatchEvent(new Event("change", {bubbles: true})); return el.value; })()`, sel, value)
	if got := eval[string](t, p, js); got != value {
		t.Fatalf("%s has no option %q", sel, value)
	}
}

// waitText waits until sel's text contains want.
func (p *page) waitText(t *testing.T, sel, want string) {
	t.Helper()
	js := fmt.Sprintf(`(document.querySelector(%q)?.textContent || "").includes(%q)`, sel, want)
	_, err := chromedp.Run(p.ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(50*time.Millisecond)))
	// A navigation still under way replaces the document being polled: poll
	// the new one.
	for err != nil && p.ctx.Err() == nil && strings.Contains(err.Error(), "Cannot find context with specified id") {
		_, err = chromedp.Run(p.ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(50*time.Millisecond)))
	}
	if err != nil {
		got, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q)?.textContent || "(none)"`, sel)))
		if png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100)); err == nil {
			_ = os.WriteFile(filepath.Join(p.screenshots, "failed.png"), png, 0o644)
		}
		t.Fatalf("%s never said %q; it says %q (%v); the page is in failed.png", sel, want, got, err)
	}
}

// check runs axe-core on the page as it is and fails on any serious or
// critical violation; then it saves a screenshot named name.
func (p *page) check(t *testing.T, name string) {
	t.Helper()
	run := `(async () => { if (!window.axe) { ` + p.axe + ` }
		const r = await axe.run(document, {resultTypes: ["violations"]});
		return r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" "))})); })()`
	type violation struct {
		ID, Impact, Help string
		Nodes            []string
	}
	for _, v := range eval[[]violation](t, p, run) {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("%s: axe %s violation %s (%s) at %s", name, v.Impact, v.ID, v.Help, strings.Join(v.Nodes, "; "))
		}
	}
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.screenshots, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// download clicks sel and answers the file the browser saves, whose name
// starts with prefix.
func (p *page) download(t *testing.T, sel, prefix string) []byte {
	t.Helper()
	progress := chromedp.Events(p.ctx, browser.DownloadProgress)
	p.do(t, chromedp.Click(chromedp.CSS(sel)))
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("waiting for the download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			break
		}
	}
	matches, err := filepath.Glob(filepath.Join(p.downloads, prefix+"*"))
	if err != nil || len(matches) != 1 {
		t.Fatalf("downloads named %s*: %v (%v)", prefix, matches, err)
	}
	b, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	return b
}
