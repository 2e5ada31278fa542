package main

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"industrydata/auth"
	"industrydata/httpapi"
)

// TestSecretsNeverLogged sends requests carrying tokens (valid, expired,
// forged, malformed), credentials of other schemes and secrets in query
// strings and paths through the real server logging at debug level, and
// checks that none of that text reaches the log (STYLE: never log tokens).
// Upload URLs' signatures are checked over a whole scenario in
// TestScenarioLogsNoSecrets.
func TestSecretsNeverLogged(t *testing.T) {
	s := startInProcess(t, "--log-level", "debug", "--access-log")
	key, err := auth.LoadOrCreateKey(s.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	mint := func(k []byte, req auth.TokenRequest) string {
		t.Helper()
		req.Tenant = testTenant
		if req.Expires == 0 {
			req.Expires = time.Hour
		}
		tok, err := auth.Mint(k, req)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	valid := mint(key, auth.TokenRequest{})
	readOnly := mint(key, auth.TokenRequest{Roles: []string{"IndustryData.ReadBasic.All"}})
	expired := mint(key, auth.TokenRequest{Now: time.Now().Add(-2 * time.Hour)})
	forged := mint([]byte(strings.Repeat("k", 32)), auth.TokenRequest{})
	tampered := valid[:len(valid)-4] + "AAAA"
	const queryMarker = "qs-marker-9f1c2e"
	basic := base64.StdEncoding.EncodeToString([]byte("admin:pw-marker-77d1"))

	// secrets is every text that must not be logged: whole tokens and
	// their signatures (the part that makes a token a credential).
	secrets := map[string]string{"query marker": queryMarker, "basic credentials": basic, "password": "pw-marker-77d1"}
	for name, tok := range map[string]string{"valid": valid, "read-only": readOnly, "expired": expired, "forged": forged, "tampered": tampered} {
		secrets[name+" token"] = tok
		secrets[name+" signature"] = tok[strings.LastIndex(tok, ".")+1:]
	}

	filter := url.QueryEscape("statusDetail eq '" + queryMarker + "'")
	tests := []struct {
		name, method, target, auth, body string
		want                             int
	}{
		{"valid token, list with a query", "GET", operationsPath + "?$filter=" + filter + "&$top=5", "Bearer " + valid, "", 200},
		{"valid token, create", "POST", operationsPath, "Bearer " + valid, `{"statusDetail":"made"}`, 201},
		{"valid token, bad query", "GET", operationsPath + "?$filter=" + url.QueryEscape(queryMarker+" eq 1"), "Bearer " + valid, "", 400},
		{"valid token, unknown option", "GET", operationsPath + "?access_token=" + valid, "Bearer " + valid, "", 400},
		{"valid token, missing entity", "GET", operationsPath + "/" + queryMarker, "Bearer " + valid, "", 404},
		{"valid token, no route", "GET", "/beta/industryData/" + queryMarker + "?x=" + queryMarker, "Bearer " + valid, "", 404},
		{"valid token, URL too long", "GET", operationsPath + "?$filter=" + queryMarker + strings.Repeat("a", httpapi.DefaultMaxURLBytes), "Bearer " + valid, "", 414},
		{"read-only token, write refused", "POST", operationsPath, "Bearer " + readOnly, `{"statusDetail":"x"}`, 403},
		{"expired token", "GET", operationsPath, "Bearer " + expired, "", 401},
		{"forged token", "GET", operationsPath, "Bearer " + forged, "", 401},
		{"tampered token", "GET", operationsPath + "?$filter=" + filter, "Bearer " + tampered, "", 401},
		{"token twice", "GET", operationsPath, "Bearer " + valid + " " + valid, "", 401},
		{"token in the query only", "GET", operationsPath + "?access_token=" + valid, "", "", 401},
		{"token as another scheme", "GET", operationsPath, "Token " + valid, "", 401},
		{"basic credentials", "GET", operationsPath, "Basic " + basic, "", 401},
		{"token on a health check", "GET", "/healthz?token=" + valid, "Bearer " + valid, "", 200},
		{"token on $metadata", "GET", "/beta/$metadata", "Bearer " + tampered, "", 200},
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for _, tt := range tests {
		var body io.Reader
		if tt.body != "" {
			body = strings.NewReader(tt.body)
		}
		req, err := http.NewRequest(tt.method, "http://"+s.addr+tt.target, body)
		if err != nil {
			t.Fatal(err)
		}
		if tt.auth != "" {
			req.Header.Set("Authorization", tt.auth)
		}
		if tt.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: status %d, want %d: %.300s", tt.name, resp.StatusCode, tt.want, data)
		}
	}

	// The access log has a line for every request (written once the
	// handler has returned, so perhaps just after the client has its
	// answer): the test looked where a token could leak.
	var logs string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		logs = s.log.String()
		n := strings.Count(logs, `"msg":"request"`)
		if n >= len(tests) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d access lines for %d requests; log:\n%s", n, len(tests), logs)
		}
	}
	for name, secret := range secrets {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains the %s", name)
		}
	}
	if t.Failed() {
		t.Logf("log:\n%s", logs)
	}
}
