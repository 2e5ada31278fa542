package auth

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestLoadOrCreateKeyCreatesThenReuses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	key, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatalf("LoadOrCreateKey: %v", err)
	}
	if len(key) != 32 {
		t.Fatalf("key length = %d, want 32", len(key))
	}
	path := filepath.Join(dir, KeyFileName)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		if got := info.Mode().Perm(); got != 0o600 {
			t.Errorf("key file mode = %#o, want 0600", got)
		}
		dinfo, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := dinfo.Mode().Perm(); got != 0o700 {
			t.Errorf("data dir mode = %#o, want 0700", got)
		}
	}
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(text)); got != hex.EncodeToString(key) {
		t.Errorf("key file does not hold the hex of the key")
	}
	again, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatalf("second LoadOrCreateKey: %v", err)
	}
	if !bytes.Equal(key, again) {
		t.Errorf("second call returned a different key")
	}
	assertNoTempFiles(t, dir)
}

func TestLoadOrCreateKeyConcurrent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	const n = 8
	keys := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			keys[i], errs[i] = LoadOrCreateKey(dir)
		}()
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("goroutine %d: %v", i, errs[i])
		}
		if !bytes.Equal(keys[i], keys[0]) {
			t.Fatalf("goroutine %d got a different key than goroutine 0", i)
		}
	}
	onDisk, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(onDisk, keys[0]) {
		t.Errorf("the key on disk differs from the one handed out")
	}
	assertNoTempFiles(t, dir)
}

func TestLoadOrCreateKeyRefusesBadFiles(t *testing.T) {
	validHex := strings.Repeat("ab", 32) + "\n"
	tests := []struct {
		name    string
		setup   func(t *testing.T, path string)
		wantErr string
	}{
		{
			name:    "empty",
			setup:   func(t *testing.T, path string) { writeFile(t, path, "", 0o600) },
			wantErr: "is empty",
		},
		{
			name:    "whitespace only",
			setup:   func(t *testing.T, path string) { writeFile(t, path, " \n\t\n", 0o600) },
			wantErr: "is empty",
		},
		{
			name:    "not hex",
			setup:   func(t *testing.T, path string) { writeFile(t, path, strings.Repeat("zz", 32), 0o600) },
			wantErr: "malformed",
		},
		{
			name:    "odd hex",
			setup:   func(t *testing.T, path string) { writeFile(t, path, strings.Repeat("a", 65), 0o600) },
			wantErr: "malformed",
		},
		{
			name:    "too short",
			setup:   func(t *testing.T, path string) { writeFile(t, path, strings.Repeat("ab", 16), 0o600) },
			wantErr: "malformed",
		},
		{
			name: "unreadable (a directory)",
			setup: func(t *testing.T, path string) {
				if err := os.Mkdir(path, 0o700); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: "not a regular file",
		},
		{
			name:    "world readable",
			setup:   func(t *testing.T, path string) { writeFile(t, path, validHex, 0o644) },
			wantErr: "chmod 600",
		},
		{
			name:    "group readable",
			setup:   func(t *testing.T, path string) { writeFile(t, path, validHex, 0o640) },
			wantErr: "chmod 600",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && strings.Contains(tt.wantErr, "chmod") {
				t.Skip("no Unix permission bits on Windows")
			}
			dir := t.TempDir()
			path := filepath.Join(dir, KeyFileName)
			tt.setup(t, path)
			before, _ := os.ReadFile(path)
			key, err := LoadOrCreateKey(dir)
			if err == nil {
				t.Fatalf("LoadOrCreateKey succeeded, want an error containing %q", tt.wantErr)
			}
			if key != nil {
				t.Errorf("a key was returned with the error")
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the path %s", err, path)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(before, after) {
				t.Errorf("the key file was changed")
			}
			if strings.Contains(err.Error(), strings.TrimSpace(validHex)) {
				t.Errorf("the error reveals the key")
			}
		})
	}
}

func TestLoadOrCreateKeyReadsExisting(t *testing.T) {
	dir := t.TempDir()
	want := bytes.Repeat([]byte{0x5a}, 48)
	writeFile(t, filepath.Join(dir, KeyFileName), "  "+hex.EncodeToString(want)+"\r\n", 0o600)
	got, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("LoadOrCreateKey did not return the key in the file")
	}
}

func TestLoadOrCreateKeyEmptyDir(t *testing.T) {
	if _, err := LoadOrCreateKey(""); err == nil {
		t.Fatal("LoadOrCreateKey(\"\") succeeded")
	}
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // beat the umask
		t.Fatal(err)
	}
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != KeyFileName {
			t.Errorf("unexpected file %s left in the data dir", e.Name())
		}
	}
}
