package signature

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrKeyFileExists is returned by WriteKeyFile when the file is already there
// and overwriting was not asked for.
var ErrKeyFileExists = errors.New("key file already exists")

// maxKeyFileSize bounds what ReadKeyFile reads: key files, seed phrases and
// hex secrets are all far below it.
const maxKeyFileSize = 64 << 10

// ReadKeyFile reads a file holding a key in any form ParseKey accepts (a key
// pair JSON as ever-cli writes it, a hex secret or a seed phrase).
func ReadKeyFile(path string) (Key, error) {
	f, err := os.Open(path)
	if err != nil {
		return Key{}, fmt.Errorf("reading key file: %w", err)
	}
	defer f.Close()
	buf, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return Key{}, fmt.Errorf("reading key file %s: %w", path, err)
	}
	n := len(buf)
	if n > maxKeyFileSize {
		return Key{}, fmt.Errorf("reading key file %s: %w: larger than %d bytes", path, ErrInvalidKey, maxKeyFileSize)
	}
	k, err := ParseKey(string(buf[:n]))
	clear(buf)
	if err != nil {
		return Key{}, fmt.Errorf("reading key file %s: %w", path, err)
	}
	return k, nil
}

// EncodeKeyFile returns the key pair JSON of k as ever-cli writes it
// (indented, public then secret, the secret as the 32-byte seed).
func EncodeKeyFile(k Key) ([]byte, error) {
	if !k.Valid() {
		return nil, fmt.Errorf("encoding key file: %w: no key", ErrInvalidKey)
	}
	b, err := json.MarshalIndent(keyFileJSON{Public: k.Public().String(), Secret: k.SecretHex()}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding key file: %w", err)
	}
	return append(b, '\n'), nil
}

// WriteKeyFile stores k at path as a key pair JSON readable by ever-cli, with
// mode 0600. The file is written beside its final name and renamed into
// place, so a reader never sees half a key. Unless overwrite is set, an
// existing file is left alone and ErrKeyFileExists returned.
func WriteKeyFile(path string, k Key, overwrite bool) error {
	data, err := EncodeKeyFile(k)
	if err != nil {
		return err
	}
	defer clear(data)
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if !overwrite {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("writing key file %s: %w", path, ErrKeyFileExists)
		}
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing key file %s: %w", path, err)
	}
	tmpName := tmp.Name()
	committed := false
	defer func() {
		if !committed {
			os.Remove(tmpName)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("writing key file %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing key file %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing key file %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing key file %s: %w", path, err)
	}
	if overwrite {
		if err := os.Rename(tmpName, path); err != nil {
			return fmt.Errorf("writing key file %s: %w", path, err)
		}
		committed = true
		return nil
	}
	// A hard link fails if the name exists, which closes the window between
	// the check above and the rename that a racing writer could use.
	if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("writing key file %s: %w", path, ErrKeyFileExists)
		}
		// Some file systems have no hard links: fall back to a rename, which
		// is still atomic for readers.
		if _, statErr := os.Lstat(path); statErr == nil {
			return fmt.Errorf("writing key file %s: %w", path, ErrKeyFileExists)
		}
		if err := os.Rename(tmpName, path); err != nil {
			return fmt.Errorf("writing key file %s: %w", path, err)
		}
		committed = true
		return nil
	}
	return nil // the deferred remove drops the temporary name
}
