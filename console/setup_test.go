package console_test

import (
	"testing"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"industrydata/console"
	"industrydata/internal/servetest"
)

// Editing and deleting on the set-up page, a refused delete's reason shown
// with the set it concerns.
func TestSetupEditsAndDeletes(t *testing.T) {
	p := newPage(t)
	srv := servetest.Start(t, servetest.Options{Console: newHandler(t, console.Config{})})
	token := srv.Token(t, "")
	source := apiPost(t, srv, token, "sourceSystems", `{"displayName":"Old SIS","vendor":"Contoso"}`)
	apiPost(t, srv, token, "dataConnectors", `{"@odata.type":"#microsoft.graph.industryData.azureDataLakeConnector",`+
		`"displayName":"District CSV","sourceSystem@odata.bind":"sourceSystems('`+source+`')"}`)
	signIn(t, p, srv, token)
	p.waitText(t, "#sourceSystems-table", "Old SIS")

	// Every confirmation the page asks for is answered yes.
	dialogs := chromedp.Events(p.ctx, cdppage.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			go chromedp.Call(p.ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: true})
		}
	}()

	p.do(t, chromedp.Click(chromedp.CSS(`button[aria-label="Edit Old SIS"]`)))
	if got := eval[string](t, p, `document.activeElement.id`); got != "sourceSystems-displayName" {
		t.Errorf("the focus is on %q after Edit, want the form's first field", got)
	}
	if got := eval[string](t, p, `document.getElementById("sourceSystems-vendor").value`); got != "Contoso" {
		t.Errorf("the form holds the vendor %q", got)
	}
	p.do(t, chromedp.SetValue(chromedp.CSS("#sourceSystems-displayName"), "New SIS"), chromedp.Click(chromedp.CSS("#sourceSystems-submit")))
	p.waitText(t, "#sourceSystems-table", "New SIS")
	p.waitText(t, "#dataConnectors-table", "New SIS")

	p.do(t, chromedp.Click(chromedp.CSS(`button[aria-label="Delete New SIS"]`)))
	p.waitText(t, "#sourceSystems-form", "cannot be deleted")
	p.do(t, chromedp.Click(chromedp.CSS(`button[aria-label="Delete District CSV"]`)))
	p.waitText(t, "#dataConnectors-table", "No data connector yet.")
	p.do(t, chromedp.Click(chromedp.CSS(`button[aria-label="Delete New SIS"]`)))
	p.waitText(t, "#sourceSystems-table", "No source system yet.")
	if n := len(api[struct{ Value []any }](t, srv, token, "sourceSystems").Value); n != 0 {
		t.Errorf("%d source systems left", n)
	}
}
