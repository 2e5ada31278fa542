package console_test

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"industrydata/console"
	"industrydata/internal/servetest"
)

// identityProvider is the part of an OpenID provider a public client with
// PKCE meets: the discovery document, the authorization endpoint (which
// signs the user in at once) and the token endpoint, which checks the code
// verifier against the challenge as RFC 7636 says. Its CORS headers are
// those a provider serving browser clients sends.
type identityProvider struct {
	*httptest.Server
	clientID string

	mu        sync.Mutex
	token     string                // the access token it issues
	grants    map[string]url.Values // code → the authorization request
	exchanged int
	refusals  []string
}

func newIdentityProvider(t *testing.T, clientID string) *identityProvider {
	idp := &identityProvider{clientID: clientID, grants: map[string]url.Values{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{
			"issuer": idp.URL, "authorization_endpoint": idp.URL + "/authorize", "token_endpoint": idp.URL + "/token",
		})
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("response_type") != "code" || q.Get("client_id") != idp.clientID || q.Get("code_challenge_method") != "S256" ||
			len(q.Get("code_challenge")) != 43 || q.Get("state") == "" || q.Get("redirect_uri") == "" {
			idp.refuse("authorization request " + q.Encode())
			http.Error(w, "bad authorization request", http.StatusBadRequest)
			return
		}
		code := rand.Text()
		idp.mu.Lock()
		idp.grants[code] = q
		idp.mu.Unlock()
		back, _ := url.Parse(q.Get("redirect_uri"))
		back.RawQuery = url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Content-Type", "application/json")
		if err := r.ParseForm(); err != nil {
			http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
			return
		}
		idp.mu.Lock()
		grant, ok := idp.grants[r.PostForm.Get("code")]
		delete(idp.grants, r.PostForm.Get("code"))
		idp.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if !ok || r.PostForm.Get("grant_type") != "authorization_code" || r.PostForm.Get("client_id") != idp.clientID ||
			r.PostForm.Get("redirect_uri") != grant.Get("redirect_uri") ||
			base64.RawURLEncoding.EncodeToString(sum[:]) != grant.Get("code_challenge") {
			idp.refuse("token request " + r.PostForm.Encode())
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		idp.mu.Lock()
		idp.exchanged++
		token := idp.token
		idp.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]any{"access_token": token, "token_type": "Bearer", "expires_in": 3600})
	})
	idp.Server = httptest.NewServer(mux)
	t.Cleanup(idp.Close)
	return idp
}

func (idp *identityProvider) refuse(what string) {
	idp.mu.Lock()
	defer idp.mu.Unlock()
	idp.refusals = append(idp.refusals, what)
}

// Sign-in with an identity provider: authorization code with PKCE, the
// code exchanged from the browser, the token kept in session storage.
func TestSignInWithTheIdentityProvider(t *testing.T) {
	p := newPage(t)
	idp := newIdentityProvider(t, "console-test")
	srv := servetest.Start(t, servetest.Options{Console: newHandler(t, console.Config{OIDCIssuer: idp.URL, ClientID: idp.clientID})})
	// The provider's access token is one the server accepts: how the server
	// verifies a provider's tokens is package auth's, tested there.
	token := srv.Token(t, "")
	idp.mu.Lock()
	idp.token = token
	idp.mu.Unlock()

	p.do(t, chromedp.Navigate(srv.URL+"/"), chromedp.Click(chromedp.CSS("#sign-in-oidc")),
		chromedp.WaitVisible(chromedp.CSS("#sourceSystems-form")))
	if got := eval[string](t, p, `location.href`); got != srv.URL+"/#/setup" {
		t.Errorf("after sign-in the page is at %s: the code must leave the address bar", got)
	}
	if got := eval[string](t, p, `sessionStorage.getItem("industrydata.token")`); got != token {
		t.Error("the provider's token is not the one in session storage")
	}
	if got := eval[int](t, p, `sessionStorage.length`); got != 1 {
		t.Errorf("%d items in session storage: the sign-in's state and verifier must go once used", got)
	}
	idp.mu.Lock()
	if idp.exchanged != 1 || len(idp.refusals) > 0 {
		t.Errorf("%d codes exchanged; refused: %q", idp.exchanged, idp.refusals)
	}
	idp.mu.Unlock()

	// An answer this tab did not ask for, and a refusal of the provider.
	p.do(t, chromedp.Click(chromedp.CSS("#sign-out")), chromedp.Navigate(srv.URL+"/?code=stolen&state=forged"))
	p.waitText(t, "#main", "does not belong to a sign-in this tab started")
	p.do(t, chromedp.Navigate(srv.URL+"/?error=access_denied&error_description=The+user+cancelled"))
	p.waitText(t, "#main", "The identity provider refused the sign-in: The user cancelled.")
	p.check(t, "sign-in-provider")
	idp.mu.Lock()
	if idp.exchanged != 1 {
		t.Errorf("%d codes exchanged: a forged answer reached the token endpoint", idp.exchanged)
	}
	idp.mu.Unlock()
}
