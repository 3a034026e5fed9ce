package cargo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
)

// MountPoint is where a build mounts the directory Prepare writes. Cargo
// reads .cargo/config.toml in every ancestor of its working directory, the
// root included, so a read-only mount there replaces crates.io for any
// build directory without touching CARGO_HOME.
const MountPoint = "/.cargo"

// SourceName is the name config.toml gives the local registry.
const SourceName = "sign-cli-locked"

// DefaultParallel is how many crates Prepare fetches at once.
const DefaultParallel = 8

// Preparer fetches the crates a lock pins and lays them out for a build
// with no network.
type Preparer struct {
	// Registry serves what the cache lacks; it is not asked for anything
	// when the cache holds every crate.
	Registry *Registry
	// Cache keeps what was fetched; nil for none.
	Cache *Cache
	// Parallel bounds the crates fetched at once; DefaultParallel when 0.
	Parallel int
	// MountPoint is where the build mounts the directory; the MountPoint
	// constant when empty. config.toml names the registry below it.
	MountPoint string
	// Progress, when set, is called after each crate is in place.
	Progress func(done, total int)
}

// Result counts what Prepare did.
type Result struct {
	Crates     int // crates laid out
	Downloaded int // .crate files fetched from the registry
	Cached     int // .crate files read from the cache
}

// Prepare writes dir, which must be missing or empty, as the .cargo
// directory of a locked build:
//
//	config.toml                 crates.io replaced by the local registry, net.offline
//	registry/index/...          the index line of each crate, at IndexPath
//	registry/NAME-VERSION.crate each crate, checked against its checksum
//
// holding exactly crates and nothing else. A crate whose bytes (or index
// line) do not have the lock's checksum stops everything with ErrChecksum.
func (p *Preparer) Prepare(ctx context.Context, crates []Crate, dir string) (Result, error) {
	crates, err := uniqueCrates(crates)
	if err != nil {
		return Result{}, err
	}
	if err := emptyDir(dir); err != nil {
		return Result{}, err
	}
	regDir := filepath.Join(dir, "registry")
	if err := os.MkdirAll(filepath.Join(regDir, "index"), 0o755); err != nil {
		return Result{}, err
	}

	parallel := p.Parallel
	if parallel <= 0 {
		parallel = DefaultParallel
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallel)
	var (
		mu      sync.Mutex
		res     = Result{Crates: len(crates)}
		lines   = map[string][]indexed{} // by index path
		indexes = map[string]func() (map[string][]byte, error){}
	)
	// Each crate's index file is read once, however many of its versions
	// the lock names.
	indexOf := func(name string) func() (map[string][]byte, error) {
		mu.Lock()
		defer mu.Unlock()
		f, ok := indexes[name]
		if !ok {
			f = sync.OnceValues(func() (map[string][]byte, error) {
				if p.Registry == nil {
					return nil, fmt.Errorf("crate %s is not in the cache and no registry is given", name)
				}
				return p.Registry.IndexLines(gctx, name)
			})
			indexes[name] = f
		}
		return f
	}
	for _, c := range crates {
		g.Go(func() error {
			line, err := p.indexLine(c, indexOf(c.Name))
			if err != nil {
				return err
			}
			data, downloaded, err := p.crate(gctx, c)
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(regDir, c.FileName()), data, 0o644); err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			if downloaded {
				res.Downloaded++
			} else {
				res.Cached++
			}
			path := IndexPath(c.Name)
			lines[path] = append(lines[path], indexed{c, line})
			if p.Progress != nil {
				p.Progress(res.Downloaded+res.Cached, res.Crates)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return Result{}, err
	}
	for path, ls := range lines {
		slices.SortFunc(ls, func(a, b indexed) int { return compareCrates(a.crate, b.crate) })
		var b bytes.Buffer
		for _, l := range ls {
			b.Write(l.line)
			b.WriteByte('\n')
		}
		file := filepath.Join(regDir, "index", filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return Result{}, err
		}
		if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
			return Result{}, err
		}
	}
	mount := p.MountPoint
	if mount == "" {
		mount = MountPoint
	}
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), ConfigTOML(mount+"/registry"), 0o644); err != nil {
		return Result{}, err
	}
	return res, nil
}

type indexed struct {
	crate Crate
	line  []byte
}

// ConfigTOML is the cargo configuration that replaces crates.io with the
// local registry at registryDir and keeps cargo off the network.
func ConfigTOML(registryDir string) []byte {
	return fmt.Appendf(nil, `# The crates Cargo.lock pins, each checked against its checksum.
[source.crates-io]
replace-with = %q

[source.%s]
local-registry = %q

[net]
offline = true
`, SourceName, SourceName, registryDir)
}

func (p *Preparer) indexLine(c Crate, index func() (map[string][]byte, error)) ([]byte, error) {
	if p.Cache != nil {
		if line, ok := p.Cache.IndexLine(c); ok {
			return line, nil
		}
	}
	lines, err := index()
	if err != nil {
		return nil, err
	}
	line, err := pickLine(lines, c)
	if err != nil {
		return nil, err
	}
	if p.Cache != nil {
		if err := p.Cache.PutIndexLine(c, line); err != nil {
			return nil, fmt.Errorf("caching the index line of %s: %w", c, err)
		}
	}
	return line, nil
}

// crate returns the checked bytes of c, and whether they were downloaded.
func (p *Preparer) crate(ctx context.Context, c Crate) ([]byte, bool, error) {
	if p.Cache != nil {
		if data, ok := p.Cache.Crate(c); ok {
			return data, false, nil
		}
	}
	if p.Registry == nil {
		return nil, false, fmt.Errorf("crate %s is not in the cache and no registry is given", c)
	}
	data, err := p.Registry.Download(ctx, c)
	if err != nil {
		return nil, false, err
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != c.Checksum {
		return nil, false, errorf(ErrChecksum, "crate %s: the registry sent a .crate with sha256 %s, Cargo.lock has %s", c, got, c.Checksum)
	}
	if p.Cache != nil {
		if err := p.Cache.PutCrate(c, data); err != nil {
			return nil, false, fmt.Errorf("caching %s: %w", c, err)
		}
	}
	return data, true, nil
}

// uniqueCrates checks the crates and drops repeats; one crate with two
// checksums is refused.
func uniqueCrates(crates []Crate) ([]Crate, error) {
	byID := map[string]Crate{}
	var out []Crate
	for _, c := range crates {
		if err := checkName(c.Name); err != nil {
			return nil, errorf(ErrInvalid, "%v", err)
		}
		if err := checkVersion(c.Version); err != nil {
			return nil, errorf(ErrInvalid, "crate %s: %v", c.Name, err)
		}
		if !isSHA256(c.Checksum) {
			return nil, errorf(ErrInvalid, "crate %s: checksum %q is not 64 lowercase hex digits", c, c.Checksum)
		}
		id := strings.ToLower(c.Name) + " " + c.Version
		if old, ok := byID[id]; ok {
			if old.Checksum != c.Checksum {
				return nil, errorf(ErrInvalid, "crate %s is pinned to both %s and %s", c, old.Checksum, c.Checksum)
			}
			continue
		}
		byID[id] = c
		out = append(out, c)
	}
	slices.SortFunc(out, compareCrates)
	return out, nil
}

// emptyDir makes dir, or checks that it is an empty directory.
func emptyDir(dir string) error {
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return err
	}
	if len(ents) > 0 {
		return errorf(ErrInvalid, "%s is not empty", dir)
	}
	return nil
}
