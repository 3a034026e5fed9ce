package cargo

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/gosh-sh/sign-cli/internal/atomicfile"
)

// Cache keeps .crate files by their SHA-256, and the index line of each,
// so that preparing the same crates again reads no network at all. Every
// file is written atomically and checked again when read: a file that no
// longer hashes to its name, or an index line that is not the crate's, is
// a miss and is replaced.
type Cache struct {
	Dir string
}

// DefaultCache is the cache in the user's cache directory:
// $XDG_CACHE_HOME/sign-cli/cargo, else ~/.cache/sign-cli/cargo.
func DefaultCache() (*Cache, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return nil, err
	}
	return &Cache{Dir: filepath.Join(dir, "sign-cli", "cargo")}, nil
}

func (c *Cache) cratePath(sum string) string {
	return filepath.Join(c.Dir, "sha256", sum[:2], sum+".crate")
}

func (c *Cache) linePath(sum string) string {
	return filepath.Join(c.Dir, "sha256", sum[:2], sum+".index.json")
}

// Crate returns the cached .crate of cr, if the cache holds one that hashes
// to cr.Checksum.
func (c *Cache) Crate(cr Crate) ([]byte, bool) {
	data, err := os.ReadFile(c.cratePath(cr.Checksum))
	if err != nil {
		return nil, false
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != cr.Checksum {
		return nil, false
	}
	return data, true
}

// IndexLine returns the cached index line of cr, if it is cr's.
func (c *Cache) IndexLine(cr Crate) ([]byte, bool) {
	line, err := os.ReadFile(c.linePath(cr.Checksum))
	if err != nil || !json.Valid(line) {
		return nil, false
	}
	if _, err := checkIndexLine(line, cr); err != nil {
		return nil, false
	}
	return line, true
}

// PutCrate stores data, which the caller has checked hashes to
// cr.Checksum.
func (c *Cache) PutCrate(cr Crate, data []byte) error {
	return c.put(c.cratePath(cr.Checksum), data)
}

// PutIndexLine stores the index line of cr.
func (c *Cache) PutIndexLine(cr Crate, line []byte) error {
	return c.put(c.linePath(cr.Checksum), line)
}

func (c *Cache) put(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	// Replacing is right: the names are content addresses, and a file is
	// only put after the one there failed its check.
	return atomicfile.Write(path, data, 0o644, true)
}
