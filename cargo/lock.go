package cargo

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/gosh-sh/sign-cli/internal/hexstr"
)

// MaxLockSize bounds a Cargo.lock; one of a workspace with thousands of
// crates is a few hundred KiB.
const MaxLockSize = 16 << 20

// Sources Cargo.lock writes for crates.io: the git index, and the sparse
// index newer cargo releases use.
const (
	CratesIOGit    = "registry+https://github.com/rust-lang/crates.io-index"
	CratesIOSparse = "sparse+https://index.crates.io/"
)

// Lock is a parsed Cargo.lock.
type Lock struct {
	// Version is the lock file's format version, 3 or 4.
	Version  int
	Packages []Package
}

// Package is one [[package]] of a Cargo.lock.
type Package struct {
	Name     string
	Version  string
	Source   string // empty for the workspace's own packages
	Checksum string // hex SHA-256 of the .crate, for registry crates
	// Dependencies as Cargo.lock writes them: "name", "name version" or
	// "name version (source)".
	Dependencies []string
}

// Crate is a registry crate the lock pins: the unit that is fetched,
// cached, checked and laid out.
type Crate struct {
	Name     string
	Version  string
	Checksum string // hex SHA-256 of the .crate file
}

func (c Crate) String() string { return c.Name + " " + c.Version }

// FileName is the crate's file name in a registry's download and in a
// local registry: NAME-VERSION.crate.
func (c Crate) FileName() string { return c.Name + "-" + c.Version + ".crate" }

// ParseLock reads a Cargo.lock of format version 3 or 4. Names, versions
// and checksums are checked here, since they become file names and URL
// paths later. Errors do not name the file: the caller knows its name.
func ParseLock(data []byte) (*Lock, error) {
	if len(data) > MaxLockSize {
		return nil, errorf(ErrInvalid, "larger than %d MiB", MaxLockSize>>20)
	}
	var f struct {
		Version int `toml:"version"`
		Package []struct {
			Name         string   `toml:"name"`
			Version      string   `toml:"version"`
			Source       string   `toml:"source"`
			Checksum     string   `toml:"checksum"`
			Dependencies []string `toml:"dependencies"`
		} `toml:"package"`
	}
	dec := toml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&f); err != nil {
		return nil, errorf(ErrInvalid, "not TOML: %s", oneLine(err.Error()))
	}
	switch f.Version {
	case 3, 4:
	case 0:
		return nil, errorf(ErrInvalid, "no version field (a version 1 or 2 lock): versions 3 and 4 are read; regenerate it with cargo 1.53 or later")
	default:
		return nil, errorf(ErrInvalid, "version %d: expected 3 or 4", f.Version)
	}
	l := &Lock{Version: f.Version}
	seen := map[string]bool{}
	for i, p := range f.Package {
		if err := checkName(p.Name); err != nil {
			return nil, errorf(ErrInvalid, "package %d: %v", i+1, err)
		}
		if err := checkVersion(p.Version); err != nil {
			return nil, errorf(ErrInvalid, "package %s: %v", p.Name, err)
		}
		if p.Checksum != "" && !isSHA256(p.Checksum) {
			return nil, errorf(ErrInvalid, "package %s %s: checksum %q is not 64 lowercase hex digits", p.Name, p.Version, p.Checksum)
		}
		id := p.Name + " " + p.Version + " " + p.Source
		if seen[id] {
			return nil, errorf(ErrInvalid, "%s %s is listed twice", p.Name, p.Version)
		}
		seen[id] = true
		l.Packages = append(l.Packages, Package{
			Name: p.Name, Version: p.Version, Source: p.Source, Checksum: p.Checksum,
			Dependencies: p.Dependencies,
		})
	}
	return l, nil
}

// IsCratesIO reports whether a Cargo.lock source is crates.io.
func IsCratesIO(source string) bool {
	return source == CratesIOGit || source == CratesIOSparse
}

// Crates returns the registry crates the lock pins, sorted by name and
// version. In locked mode every dependency must be a crates.io crate with a
// checksum or one of the workspace's own packages (no source: its files
// come with the build context); anything else, a git dependency first of
// all, is ErrNotLocked naming it.
func (l *Lock) Crates() ([]Crate, error) {
	var out []Crate
	for _, p := range l.Packages {
		switch {
		case p.Source == "":
			continue
		case strings.HasPrefix(p.Source, "git+"):
			return nil, fmt.Errorf("%w: %s %s is a git dependency (%s); a locked build takes registry crates only", ErrNotLocked, p.Name, p.Version, p.Source)
		case strings.HasPrefix(p.Source, "path+"):
			return nil, fmt.Errorf("%w: %s %s is a path dependency (%s); a locked build takes registry crates only", ErrNotLocked, p.Name, p.Version, p.Source)
		case !IsCratesIO(p.Source):
			return nil, fmt.Errorf("%w: %s %s comes from %s; a locked build takes crates.io crates only", ErrNotLocked, p.Name, p.Version, p.Source)
		case p.Checksum == "":
			return nil, fmt.Errorf("%w: %s %s has no checksum", ErrNotLocked, p.Name, p.Version)
		}
		out = append(out, Crate{Name: p.Name, Version: p.Version, Checksum: p.Checksum})
	}
	slices.SortFunc(out, compareCrates)
	return out, nil
}

func compareCrates(a, b Crate) int {
	if c := strings.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	return strings.Compare(a.Version, b.Version)
}

// Edge is one dependency Cargo.lock records on a registry crate. From is
// nil when a package of the workspace itself depends on To.
type Edge struct {
	From *Crate
	To   Crate
}

// Edges returns the dependencies on registry crates, each once, sorted:
// those of the workspace's own packages (From nil) and those between
// crates. Call Crates first: Edges assumes every sourced package is a
// registry crate.
func (l *Lock) Edges() ([]Edge, error) {
	crate := func(p *Package) *Crate {
		if p.Source == "" {
			return nil
		}
		return &Crate{Name: p.Name, Version: p.Version, Checksum: p.Checksum}
	}
	seen := map[string]bool{}
	var out []Edge
	for i := range l.Packages {
		p := &l.Packages[i]
		for _, d := range p.Dependencies {
			to, err := l.resolve(d)
			if err != nil {
				return nil, fmt.Errorf("%w: %s %s depends on %q: %v", ErrInvalid, p.Name, p.Version, d, err)
			}
			if to.Source == "" {
				continue
			}
			e := Edge{From: crate(p), To: *crate(to)}
			if k := e.String(); !seen[k] {
				seen[k] = true
				out = append(out, e)
			}
		}
	}
	slices.SortFunc(out, func(a, b Edge) int { return strings.Compare(a.String(), b.String()) })
	return out, nil
}

func (e Edge) String() string {
	from := "(workspace)"
	if e.From != nil {
		from = e.From.String()
	}
	return from + " -> " + e.To.String()
}

// resolve finds the package a dependency entry names: by name when only
// one version is locked, otherwise by name and version (and source).
func (l *Lock) resolve(dep string) (*Package, error) {
	name, rest, _ := strings.Cut(dep, " ")
	version, source, _ := strings.Cut(rest, " ")
	source = strings.TrimSuffix(strings.TrimPrefix(source, "("), ")")
	var found *Package
	for i := range l.Packages {
		p := &l.Packages[i]
		if p.Name != name || (version != "" && p.Version != version) || (source != "" && p.Source != source) {
			continue
		}
		if found != nil {
			return nil, fmt.Errorf("it matches several packages")
		}
		found = p
	}
	if found == nil {
		return nil, fmt.Errorf("no such package")
	}
	return found, nil
}

// checkName accepts what crates.io accepts as a crate name: ASCII letters,
// digits, '-' and '_', at most 64 of them. Anything else could escape the
// directories the name becomes part of.
func checkName(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("crate name %q: expected 1 to 64 characters", name)
	}
	for _, c := range []byte(name) {
		if !isAlnum(c) && c != '-' && c != '_' {
			return fmt.Errorf("crate name %q: expected ASCII letters, digits, '-' and '_'", name)
		}
	}
	return nil
}

// checkVersion accepts the characters of a semantic version with
// pre-release and build parts.
func checkVersion(v string) error {
	if v == "" || len(v) > 128 || !isAlnum(v[0]) {
		return fmt.Errorf("version %q: expected a semantic version", v)
	}
	for _, c := range []byte(v) {
		if !isAlnum(c) && c != '.' && c != '-' && c != '+' {
			return fmt.Errorf("version %q: expected a semantic version", v)
		}
	}
	return nil
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isSHA256(s string) bool { return len(s) == 64 && hexstr.IsLower(s) }

// oneLine keeps an error from a parser on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
