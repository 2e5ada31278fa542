package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"industrydata/auth"
)

// The minted token lasts until it nears its hour, then is minted anew;
// a data directory without a key is refused rather than given one.
func TestMintedTokenRenews(t *testing.T) {
	dir := t.TempDir()
	if _, err := auth.LoadOrCreateKey(dir); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := &minted{dataDir: dir, tenant: testTenant, now: func() time.Time { return now }}
	first, err := m.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(mintedRenew - time.Second)
	if again, _ := m.Token(context.Background()); again != first {
		t.Error("the token changed before its renewal")
	}
	now = now.Add(time.Second)
	if renewed, _ := m.Token(context.Background()); renewed == first || renewed == "" {
		t.Error("the token was not renewed after mintedRenew")
	}

	empty := &minted{dataDir: t.TempDir(), tenant: testTenant, now: time.Now}
	var noKey noLocalKey
	if _, err := empty.Token(context.Background()); !errors.As(err, &noKey) {
		t.Errorf("a data directory without a key: %v, want noLocalKey", err)
	}
}
