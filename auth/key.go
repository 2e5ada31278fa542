package auth

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// KeyFileName is the name of the local signing key inside the data directory.
const KeyFileName = "signing.key"

const (
	// keySize is the number of random bytes a generated key has.
	keySize = 32
	// minKeySize and maxKeySize bound a key read from disk (an operator may
	// put a longer key of their own there).
	minKeySize = 32
	maxKeySize = 1024
	// loserWait bounds how long a process that lost the creation race waits
	// for the winner's key to appear complete (only on file systems without
	// hard links, where the winner writes the file in place).
	loserWait = 2 * time.Second
)

// LoadOrCreateKey returns the local HS256 signing key kept in
// <dataDir>/signing.key as hex text.
//
// The first call generates 32 random bytes and writes them with mode 0600,
// creating dataDir with mode 0700 if it is missing. The file appears
// atomically and is never replaced: when two processes start at once, one
// creates the key and the other reads it, so both end up with the same key.
// A key file that is unreadable, empty or malformed is an error naming its
// path; so is one that its group or others may read (the error says to
// chmod 600 it). The key itself is never part of an error.
func LoadOrCreateKey(dataDir string) ([]byte, error) {
	return LoadOrCreateKeyFile(dataDir, KeyFileName, KeyKind{What: "signing key", Loss: "tokens signed with the old key stop working"})
}

// KeyKind names a key file's key in errors: what it is, and what replacing
// it breaks.
type KeyKind struct{ What, Loss string }

// LoadOrCreateKeyFile is LoadOrCreateKey for another key of the data
// directory, kept in the file name; kind names it in errors.
func LoadOrCreateKeyFile(dataDir, name string, kind KeyKind) ([]byte, error) {
	if dataDir == "" {
		return nil, errors.New("auth: the data directory is not set")
	}
	path := filepath.Join(dataDir, name)
	key, err := readKey(path, kind)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("auth: creating the data directory %s: %w", dataDir, err)
	}
	key = make([]byte, keySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("auth: generating a %s: %w", kind.What, err)
	}
	created, err := createKeyFile(dataDir, path, key, kind)
	if err != nil {
		return nil, err
	}
	if created {
		return key, nil
	}
	// Another process (or goroutine) won the race: use its key.
	return readKeyPatiently(path, kind)
}

// readKey reads and checks the key file at path. A missing file is an error
// satisfying errors.Is(err, fs.ErrNotExist).
func readKey(path string, kind KeyKind) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("auth: the %s file %s cannot be read: %w", kind.What, path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("auth: the %s file %s cannot be read: %w", kind.What, path, err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("auth: the %s file %s is not a regular file", kind.What, path)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("auth: the %s file %s is accessible to other users (mode %#o); run 'chmod 600 %s'", kind.What, path, info.Mode().Perm(), path)
	}
	// Hex text of the largest accepted key plus some whitespace.
	data, err := io.ReadAll(io.LimitReader(f, 2*maxKeySize+64))
	if err != nil {
		return nil, fmt.Errorf("auth: the %s file %s cannot be read: %w", kind.What, path, err)
	}
	return parseKey(path, data, kind)
}

// parseKey decodes the hex text of a key file.
func parseKey(path string, data []byte, kind KeyKind) ([]byte, error) {
	text := bytes.TrimSpace(data)
	if len(text) == 0 {
		return nil, fmt.Errorf("auth: the %s file %s is empty; remove it to generate a new key (%s)", kind.What, path, kind.Loss)
	}
	key := make([]byte, hex.DecodedLen(len(text)))
	if _, err := hex.Decode(key, text); err != nil {
		return nil, fmt.Errorf("auth: the %s file %s is malformed: it must hold one hex-encoded key", kind.What, path)
	}
	if len(key) < minKeySize || len(key) > maxKeySize {
		return nil, fmt.Errorf("auth: the %s file %s is malformed: the key must be %d to %d bytes, it is %d", kind.What, path, minKeySize, maxKeySize, len(key))
	}
	return key, nil
}

// readKeyPatiently reads the key another process has just created. On file
// systems where the file is created in place, it may still be empty for a
// moment, so an empty file is retried for a short while.
func readKeyPatiently(path string, kind KeyKind) ([]byte, error) {
	deadline := time.Now().Add(loserWait)
	for {
		key, err := readKey(path, kind)
		if err == nil || time.Now().After(deadline) {
			return key, err
		}
		info, statErr := os.Stat(path)
		if statErr != nil || info.Size() != 0 {
			return key, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// createKeyFile writes key to path unless path exists. It writes a
// temporary file first and hard-links it into place, which fails if path
// exists, so readers never see a partial file. Where hard links are not
// supported it falls back to creating path with O_EXCL. It reports whether
// this call created the file.
func createKeyFile(dir, path string, key []byte, kind KeyKind) (bool, error) {
	text := []byte(hex.EncodeToString(key) + "\n")
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return false, fmt.Errorf("auth: creating the %s file in %s: %w", kind.What, dir, err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName)
	if err := writeAndSync(tmp, text); err != nil {
		return false, fmt.Errorf("auth: writing the %s file %s: %w", kind.What, tmpName, err)
	}
	// os.CreateTemp uses 0600 already; be explicit in case of an odd umask
	// or platform.
	if err := os.Chmod(tmpName, 0o600); err != nil {
		return false, fmt.Errorf("auth: writing the %s file %s: %w", kind.What, tmpName, err)
	}
	err = os.Link(tmpName, path)
	switch {
	case err == nil:
		syncDir(dir)
		return true, nil
	case errors.Is(err, fs.ErrExist):
		return false, nil
	}
	// No hard links here (some network or FUSE file systems): create the
	// file exclusively and write it in place.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		return false, fmt.Errorf("auth: creating the %s file %s: %w", kind.What, path, err)
	}
	if err := writeAndSync(f, text); err != nil {
		os.Remove(path)
		return false, fmt.Errorf("auth: writing the %s file %s: %w", kind.What, path, err)
	}
	syncDir(dir)
	return true, nil
}

// writeAndSync writes data to f, flushes it to disk and closes f.
func writeAndSync(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes a new directory entry durable, where the platform allows.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
