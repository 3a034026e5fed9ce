package keys

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/gosh-sh/sign-cli/internal/atomicfile"
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
	if err := atomicfile.Write(path, data, 0o600, overwrite); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("writing key file %s: %w", path, ErrKeyFileExists)
		}
		return fmt.Errorf("writing key file %s: %w", path, err)
	}
	return nil
}
