package sbom

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/spdx/tools-golang/spdx"

	"github.com/gosh-sh/sign-cli/cargo"
	"github.com/gosh-sh/sign-cli/cargo/cargotest"
)

// crateWorld is a Dockerfile build whose context has a Cargo.lock pinning
// two versions of one crate and a crate that depends on one of them.
type crateWorld struct {
	reg                      *testRegistry
	crates                   *cargotest.Registry
	leaf1, leaf2, leaf3, mid cargotest.Crate
	base                     string // the base image's digest
}

func newCrateWorld(t *testing.T) *crateWorld {
	w := &crateWorld{
		reg:   newTestRegistry(t),
		leaf1: cargotest.NewCrate("leaf", "1.0.0"),
		leaf2: cargotest.NewCrate("leaf", "2.0.0"),
		leaf3: cargotest.NewCrate("leaf", "3.0.0"),
	}
	w.mid = cargotest.NewCrate("mid", "0.3.1", cargotest.Dep{Name: "leaf", Version: "2.0.0"})
	w.crates = cargotest.NewRegistry(t, w.leaf1, w.leaf2, w.leaf3, w.mid)
	w.base = w.reg.push(t, "base:1").String()
	return w
}

// lock is a Cargo.lock of the workspace package app depending on deps.
func (w *crateWorld) lock(deps []cargotest.Dep, crates ...cargotest.Crate) string {
	return cargotest.Lock(3, "app", deps, crates...)
}

func (w *crateWorld) defaultLock() string {
	return w.lock([]cargotest.Dep{{Name: "leaf", Version: "1.0.0"}, {Name: "mid", Version: "0.3.1"}}, w.leaf1, w.leaf2, w.mid)
}

func (w *crateWorld) generate(t *testing.T, lock string) (*spdx.Document, error) {
	t.Helper()
	reg, err := cargo.NewRegistry(w.crates.URL, cargo.RegistryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return w.reg.generate(t, "Dockerfile", "FROM REG/base:1\nRUN cargo build --locked\n", func(o *Options) {
		if lock != "" {
			o.CargoLock = []byte(lock)
			o.CargoLockName = "Cargo.lock"
		}
		o.CargoRegistry = reg
	})
}

func TestGenerateCargo(t *testing.T) {
	w := newCrateWorld(t)
	doc, err := w.generate(t, w.defaultLock())
	if err != nil {
		t.Fatal(err)
	}
	dl := strings.TrimSuffix(w.crates.URL, "/index/") + "/api/v1/crates/"
	byPurl := map[string]*spdx.Package{}
	for _, p := range doc.Packages[1:] {
		byPurl[packagePurl(p)] = p
	}
	for _, c := range []cargotest.Crate{w.leaf1, w.leaf2, w.mid} {
		p := byPurl["pkg:cargo/"+c.Name+"@"+c.Version]
		if p == nil {
			t.Fatalf("no package for %s %s", c.Name, c.Version)
		}
		if p.PackageName != c.Name || p.PackageVersion != c.Version || len(p.PackageChecksums) != 1 ||
			p.PackageChecksums[0].Value != c.Checksum || p.PackageChecksums[0].Algorithm != "SHA256" {
			t.Errorf("package %s: name %q, version %q, checksums %v", c.Name, p.PackageName, p.PackageVersion, p.PackageChecksums)
		}
		if want := dl + c.Name + "/" + c.Version + "/download"; p.PackageDownloadLocation != want {
			t.Errorf("package %s: download location %q, want %q", c.Name, p.PackageDownloadLocation, want)
		}
	}
	if _, ok := byPurl["pkg:cargo/leaf@3.0.0"]; ok {
		t.Error("a crate the lock does not name is recorded")
	}
	got := w.reg.summary(t, doc)
	want := []string{
		"pkg:cargo/leaf@1.0.0 sha256:" + w.leaf1.Checksum + " (DEPENDS_ON)",
		"pkg:cargo/leaf@2.0.0 sha256:" + w.leaf2.Checksum,
		"pkg:cargo/mid@0.3.1 DEPENDS_ON pkg:cargo/leaf@2.0.0",
		"pkg:cargo/mid@0.3.1 sha256:" + w.mid.Checksum + " (DEPENDS_ON)",
		"pkg:oci/base?arch=amd64&repository_url=REG/base&tag=1 " + w.base + " (DESCENDANT_OF)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("entries\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The document reads back, and the same inputs give the same bytes.
	b1, err := Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Read(bytes.NewReader(b1)); err != nil {
		t.Fatalf("Read refuses the document: %v", err)
	}
	doc2, err := w.generate(t, w.defaultLock())
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := Marshal(doc2)
	if !bytes.Equal(b1, b2) {
		t.Error("two SBOMs of the same build differ")
	}
	if !strings.Contains(string(b1), `"comment": "cargo-lock=Cargo.lock"`) {
		t.Error("the root does not record the Cargo.lock")
	}
	// Without the lock, another namespace.
	doc3, err := w.generate(t, "")
	if err != nil {
		t.Fatal(err)
	}
	if doc3.DocumentNamespace == doc.DocumentNamespace {
		t.Error("the crates do not change the namespace")
	}
}

func TestVerifyCargo(t *testing.T) {
	w := newCrateWorld(t)
	doc, err := w.generate(t, w.defaultLock())
	if err != nil {
		t.Fatal(err)
	}
	lock, err := NewLock(doc)
	if err != nil {
		t.Fatal(err)
	}
	if got := lock.Crates(); len(got) != 3 || got[0] != w.leaf1.Locked() || got[1] != w.leaf2.Locked() || got[2] != w.mid.Locked() {
		t.Errorf("Lock.Crates() = %v", got)
	}
	flipped := w.leaf2
	flipped.Checksum = w.leaf3.Checksum
	sum := func(c cargotest.Crate) string { return "sha256:" + c.Checksum }
	tests := []struct {
		name string
		lock string
		diff []string
	}{{
		name: "the same lock",
		lock: w.defaultLock(),
	}, {
		name: "a crate with another checksum",
		lock: w.lock([]cargotest.Dep{{Name: "leaf", Version: "1.0.0"}, {Name: "mid", Version: "0.3.1"}}, w.leaf1, flipped, w.mid),
		diff: []string{"~ pkg:cargo/leaf@2.0.0: " + sum(w.leaf2) + " -> " + sum(w.leaf3)},
	}, {
		name: "another version",
		lock: w.lock([]cargotest.Dep{{Name: "leaf", Version: "3.0.0"}, {Name: "mid", Version: "0.3.1"}}, w.leaf3, w.leaf2, w.mid),
		diff: []string{
			"- pkg:cargo/leaf@1.0.0 " + sum(w.leaf1) + " (DEPENDS_ON)",
			"+ pkg:cargo/leaf@3.0.0 " + sum(w.leaf3) + " (DEPENDS_ON)",
		},
	}, {
		name: "a crate gone",
		lock: w.lock([]cargotest.Dep{{Name: "leaf", Version: "1.0.0"}}, w.leaf1),
		diff: []string{
			"- pkg:cargo/leaf@2.0.0 " + sum(w.leaf2),
			"- pkg:cargo/mid@0.3.1 DEPENDS_ON pkg:cargo/leaf@2.0.0",
			"- pkg:cargo/mid@0.3.1 " + sum(w.mid) + " (DEPENDS_ON)",
		},
	}, {
		name: "a dependency between crates added",
		lock: strings.Replace(w.defaultLock(), "checksum = \""+w.leaf1.Checksum+"\"\n", "checksum = \""+w.leaf1.Checksum+"\"\ndependencies = [\n \"mid\",\n]\n", 1),
		diff: []string{"+ pkg:cargo/leaf@1.0.0 DEPENDS_ON pkg:cargo/mid@0.3.1"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check, err := lock.CheckCargo("Cargo.lock", []byte(tt.lock))
			if err != nil {
				t.Fatal(err)
			}
			reg, _ := cargo.NewRegistry(w.crates.URL, cargo.RegistryOptions{})
			opt := Options{
				Filename: "Dockerfile", Name: "app", Resolver: w.reg.resolver(),
				Data:      []byte("FROM " + w.reg.host + "/base:1\nRUN cargo build --locked\n"),
				CargoLock: []byte(tt.lock), CargoLockName: "Cargo.lock", CargoRegistry: reg,
			}
			_, verify, err := Verify(context.Background(), opt, doc)
			if err != nil {
				t.Fatal(err)
			}
			// The lock check and verify agree, and say what changed.
			for what, d := range map[string]*Difference{"CheckCargo": check, "Verify": verify} {
				got := strings.Split(strings.TrimSpace(d.String()), "\n")
				if d.Empty() {
					got = nil
				}
				if !slices.Equal(got, tt.diff) {
					t.Errorf("%s:\n%s\nwant\n%s", what, strings.Join(got, "\n"), strings.Join(tt.diff, "\n"))
				}
			}
		})
	}

	// A build without its Cargo.lock reads none of the crates.
	fresh, err := w.generate(t, "")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Diff(doc, fresh)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Removed) != 4 || len(d.Added) != 0 || len(d.Changed) != 0 {
		t.Errorf("without the Cargo.lock:\n%s", d)
	}
}

func TestGenerateCargoRefuses(t *testing.T) {
	w := newCrateWorld(t)
	git := w.defaultLock() + "\n[[package]]\nname = \"gitdep\"\nversion = \"0.1.0\"\nsource = \"git+https://example.com/gitdep.git#0123456789abcdef\"\n"
	tests := []struct {
		name     string
		lock     string
		override string // a registry path that answers 500
		err      string
		kind     error
	}{{
		name: "a git dependency",
		lock: git,
		err:  "not locked by the SBOM: Cargo.lock: gitdep 0.1.0 is a git dependency (git+https://example.com/gitdep.git#0123456789abcdef); a locked build takes registry crates only",
		kind: ErrNotLocked,
	}, {
		name: "not a Cargo.lock",
		lock: "version = 3\n[[package]\n",
		err:  "Cargo.lock: not TOML",
		kind: ErrInvalid,
	}, {
		name:     "a registry that fails",
		lock:     w.defaultLock(),
		override: "/index/config.json",
		err:      "/index/config.json: 500 Internal Server Error",
		kind:     ErrResolve,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.override != "" {
				w.crates.Override(tt.override, http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
					rw.WriteHeader(500)
				}))
			}
			_, err := w.generate(t, tt.lock)
			if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, tt.kind) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %v, want one line containing %q that is %v", err, tt.err, tt.kind)
			}
		})
	}
	// The lock check refuses the same Cargo.lock.
	doc, err := w.generate(t, "")
	if err != nil {
		t.Fatal(err)
	}
	lock, err := NewLock(doc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.CheckCargo("Cargo.lock", []byte(git)); !errors.Is(err, ErrNotLocked) || !strings.Contains(err.Error(), "gitdep 0.1.0 is a git dependency") {
		t.Errorf("CheckCargo of a git dependency: %v", err)
	}
}
