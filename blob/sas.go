package blob

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"industrydata/auth"
)

// KeyFileName is the upload key's file inside the data directory.
const KeyFileName = "upload.key"

// LoadOrCreateKey returns the key that signs upload URLs, kept in
// <dataDir>/upload.key, creating it on first use exactly as the token
// signing key is (auth.LoadOrCreateKey): 32 random bytes, mode 0600, never
// replaced. A key of its own, so that replacing it voids the upload URLs
// handed out and nothing else. Every replica must share it.
func LoadOrCreateKey(dataDir string) ([]byte, error) {
	return auth.LoadOrCreateKeyFile(dataDir, KeyFileName,
		auth.KeyKind{What: "upload key", Loss: "upload URLs signed with the old key stop working"})
}

// The shared access signature's query parameters, named as Azure's service
// SAS names them, so clients and tools that look at a SAS URL (AzCopy
// checks se, for one) understand it.
const (
	paramVersion     = "sv"
	paramResource    = "sr"
	paramPermissions = "sp"
	paramExpiry      = "se"
	paramSignature   = "sig"
)

// Permissions a signature grants: read (properties), create, write,
// delete, list — what an upload needs, in Azure's letters and order.
const (
	permRead   = 'r'
	permCreate = 'c'
	permWrite  = 'w'
	permDelete = 'd'
	permList   = 'l'
	// uploadPermissions is what Sign grants.
	uploadPermissions = "rcwdl"
)

// sasVersion is the sv the signatures carry, and the x-ms-version answered
// to a request that names none.
const sasVersion = "2025-01-05"

// expiryLayout is how se is written: Azure's ISO 8601 in UTC, to the second.
const expiryLayout = "2006-01-02T15:04:05Z"

// ErrAuthentication is a signature that does not authorize the request:
// missing, malformed, tampered, for another container, or expired.
var ErrAuthentication = errors.New("authentication failed")

// Signer signs and verifies container URLs: an HMAC-SHA256, under a key of
// the data directory, over the container id, the expiry, the permissions
// and the SAS version. The URL carries no bearer token; the signature is
// the credential.
type Signer struct{ key []byte }

// NewSigner returns a Signer with key (at least 32 bytes).
func NewSigner(key []byte) (*Signer, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("blob: the upload key must be at least 32 bytes, it is %d", len(key))
	}
	return &Signer{key: append([]byte(nil), key...)}, nil
}

// Sign returns the query of a URL granting upload to container until
// expiry (truncated to the second, as se says).
func (s *Signer) Sign(containerID string, expiry time.Time) url.Values {
	q := url.Values{}
	q.Set(paramVersion, sasVersion)
	q.Set(paramResource, "c")
	q.Set(paramPermissions, uploadPermissions)
	q.Set(paramExpiry, expiry.UTC().Format(expiryLayout))
	q.Set(paramSignature, s.mac(containerID, q))
	return q
}

// mac is the signature of q's signed fields for container.
func (s *Signer) mac(containerID string, q url.Values) string {
	h := hmac.New(sha256.New, s.key)
	// Each field on a line of its own: none may hold a newline (Verify
	// refuses them), so no two field lists sign the same text.
	fmt.Fprintf(h, "industrydata-upload-v1\n%s\n%s\n%s\n%s\n%s", containerID,
		q.Get(paramVersion), q.Get(paramResource), q.Get(paramPermissions), q.Get(paramExpiry))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// Verify checks that q signs container for the permission perm at now,
// and returns the signed expiry. Any failure wraps ErrAuthentication with
// a message safe to show.
func (s *Signer) Verify(containerID string, q url.Values, perm byte, now time.Time) (time.Time, error) {
	for _, p := range []string{paramVersion, paramResource, paramPermissions, paramExpiry, paramSignature} {
		v := q[p]
		if len(v) != 1 || v[0] == "" {
			return time.Time{}, fmt.Errorf("%w: the signature parameter %s is missing or given more than once", ErrAuthentication, p)
		}
		if strings.ContainsAny(v[0], "\r\n") {
			return time.Time{}, fmt.Errorf("%w: the signature parameter %s is malformed", ErrAuthentication, p)
		}
	}
	got, err := base64.StdEncoding.DecodeString(q.Get(paramSignature))
	want, _ := base64.StdEncoding.DecodeString(s.mac(containerID, q))
	if err != nil || !hmac.Equal(got, want) {
		return time.Time{}, fmt.Errorf("%w: the signature does not match the container and the signed fields", ErrAuthentication)
	}
	expiry, err := time.Parse(expiryLayout, q.Get(paramExpiry))
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: the signed expiry is malformed", ErrAuthentication)
	}
	if !now.Before(expiry) {
		return time.Time{}, fmt.Errorf("%w: the signature expired at %s; the time is %s", ErrAuthentication,
			expiry.Format(expiryLayout), now.UTC().Format(expiryLayout))
	}
	if q.Get(paramResource) != "c" || !strings.ContainsRune(q.Get(paramPermissions), rune(perm)) {
		return time.Time{}, fmt.Errorf("%w: the signature does not grant this operation", ErrAuthentication)
	}
	return expiry, nil
}
