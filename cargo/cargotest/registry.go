// Package cargotest serves crates that tests make from a sparse registry on
// loopback (cargo's sparse protocol, as crates.io's index serves it), and
// logs every request, so that tests can tell exactly what was fetched.
package cargotest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/cargo"
)

// Dep is a normal dependency of a crate, written as "^VERSION".
type Dep struct {
	Name, Version string
}

// Crate is a crate the test made: its .crate bytes and their checksum.
type Crate struct {
	Name, Version string
	Deps          []Dep
	Data          []byte
	Checksum      string
}

// Locked is the crate as the cargo package pins it.
func (c Crate) Locked() cargo.Crate {
	return cargo.Crate{Name: c.Name, Version: c.Version, Checksum: c.Checksum}
}

// NewCrate makes a library crate that cargo builds: a Cargo.toml naming
// deps and a src/lib.rs whose function calls one function of each.
func NewCrate(name, version string, deps ...Dep) Crate {
	var toml, lib strings.Builder
	fmt.Fprintf(&toml, "[package]\nname = %q\nversion = %q\nedition = \"2018\"\n\n[dependencies]\n", name, version)
	fmt.Fprintf(&lib, "pub fn %s() -> u32 {\n    1", ident(name))
	for _, d := range deps {
		fmt.Fprintf(&toml, "%s = %q\n", d.Name, "^"+d.Version)
		fmt.Fprintf(&lib, " + %s::%s()", ident(d.Name), ident(d.Name))
	}
	lib.WriteString("\n}\n")
	data := MakeCrate(name, version, map[string]string{
		"Cargo.toml": toml.String(),
		"src/lib.rs": lib.String(),
	})
	sum := sha256.Sum256(data)
	return Crate{Name: name, Version: version, Deps: deps, Data: data, Checksum: hex.EncodeToString(sum[:])}
}

func ident(name string) string { return strings.ReplaceAll(name, "-", "_") }

// MakeCrate is a .crate file: a gzipped tar of NAME-VERSION/FILE, with
// fixed times and modes so that the same files give the same bytes.
func MakeCrate(name, version string, files map[string]string) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	tw := tar.NewWriter(zw)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		body := files[n]
		tw.WriteHeader(&tar.Header{
			Name:     name + "-" + version + "/" + n,
			Mode:     0o644,
			Size:     int64(len(body)),
			ModTime:  time.Unix(0, 0),
			Typeflag: tar.TypeReg,
			Format:   tar.FormatUSTAR,
		})
		tw.Write([]byte(body))
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

// IndexLine is the crate's line in a sparse index.
func (c Crate) IndexLine() []byte {
	type dep struct {
		Name            string   `json:"name"`
		Req             string   `json:"req"`
		Features        []string `json:"features"`
		Optional        bool     `json:"optional"`
		DefaultFeatures bool     `json:"default_features"`
		Target          *string  `json:"target"`
		Kind            string   `json:"kind"`
	}
	deps := []dep{}
	for _, d := range c.Deps {
		deps = append(deps, dep{Name: d.Name, Req: "^" + d.Version, Features: []string{}, DefaultFeatures: true, Kind: "normal"})
	}
	line, _ := json.Marshal(struct {
		Name     string              `json:"name"`
		Vers     string              `json:"vers"`
		Deps     []dep               `json:"deps"`
		Cksum    string              `json:"cksum"`
		Features map[string][]string `json:"features"`
		Yanked   bool                `json:"yanked"`
	}{c.Name, c.Version, deps, c.Checksum, map[string][]string{}, false})
	return line
}

// Registry is a sparse registry on loopback.
type Registry struct {
	// URL is the index URL, ending in a slash.
	URL string

	mu        sync.Mutex
	crates    []Crate
	overrides map[string]http.Handler
	requests  []string
}

// NewRegistry serves crates until the test ends: config.json, the index
// files, and downloads under /api/v1/crates/NAME/VERSION/download (the dl
// of config.json has no markers, as crates.io's has none).
func NewRegistry(t testing.TB, crates ...Crate) *Registry {
	t.Helper()
	r := &Registry{crates: crates, overrides: map[string]http.Handler{}}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(srv.Close)
	r.URL = srv.URL + "/index/"
	return r
}

// Override serves h at path (such as "/index/config.json" or a download
// path) instead of the registry's own answer.
func (r *Registry) Override(path string, h http.Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.overrides[path] = h
}

// DownloadPath is the path the registry serves c's .crate at.
func DownloadPath(c Crate) string {
	return "/api/v1/crates/" + c.Name + "/" + c.Version + "/download"
}

// Requests lists the paths asked for, in order.
func (r *Registry) Requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.requests)
}

// Reset forgets the requests made so far.
func (r *Registry) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = nil
}

func (r *Registry) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.requests = append(r.requests, req.URL.Path)
	h := r.overrides[req.URL.Path]
	crates := r.crates
	r.mu.Unlock()
	if h != nil {
		h.ServeHTTP(w, req)
		return
	}
	path := req.URL.Path
	if path == "/index/config.json" {
		fmt.Fprintf(w, `{"dl": "http://%s/api/v1/crates"}`, req.Host)
		return
	}
	if idx, ok := strings.CutPrefix(path, "/index/"); ok {
		var lines [][]byte
		for _, c := range crates {
			if cargo.IndexPath(c.Name) == idx {
				lines = append(lines, c.IndexLine())
			}
		}
		if len(lines) == 0 {
			http.NotFound(w, req)
			return
		}
		w.Write(append(bytes.Join(lines, []byte("\n")), '\n'))
		return
	}
	for _, c := range crates {
		if path == DownloadPath(c) {
			w.Write(c.Data)
			return
		}
	}
	http.NotFound(w, req)
}

// Lock is a Cargo.lock of format version (3 or 4) for a workspace package
// root 0.1.0 depending on deps, with every crate from crates.io. A
// dependency is written "NAME VERSION" where the lock has several versions
// of NAME, as cargo writes it.
func Lock(version int, root string, deps []Dep, crates ...Crate) string {
	count := map[string]int{}
	for _, c := range crates {
		count[c.Name]++
	}
	depList := func(ds []Dep) string {
		if len(ds) == 0 {
			return ""
		}
		var items []string
		for _, d := range ds {
			item := d.Name
			if count[d.Name] > 1 {
				item += " " + d.Version
			}
			items = append(items, fmt.Sprintf(" %q,\n", item))
		}
		sort.Strings(items)
		return "dependencies = [\n" + strings.Join(items, "") + "]\n"
	}
	type entry struct{ name, version, text string }
	entries := []entry{{root, "0.1.0", fmt.Sprintf("[[package]]\nname = %q\nversion = \"0.1.0\"\n%s", root, depList(deps))}}
	for _, c := range crates {
		entries = append(entries, entry{c.Name, c.Version, fmt.Sprintf("[[package]]\nname = %q\nversion = %q\nsource = %q\nchecksum = %q\n%s",
			c.Name, c.Version, cargo.CratesIOGit, c.Checksum, depList(c.Deps))})
	}
	sort.Slice(entries, func(i, j int) bool {
		if entries[i].name != entries[j].name {
			return entries[i].name < entries[j].name
		}
		return entries[i].version < entries[j].version
	})
	var b strings.Builder
	fmt.Fprintf(&b, "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = %d\n", version)
	for _, e := range entries {
		b.WriteString("\n" + e.text)
	}
	return b.String()
}

// Sum is the hex SHA-256 of data, as Cargo.lock writes checksums.
func Sum(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
