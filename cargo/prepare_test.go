package cargo_test

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gosh-sh/sign-cli/cargo"
	"github.com/gosh-sh/sign-cli/cargo/cargotest"
)

// world is a registry holding two versions of one crate, a crate that
// depends on one of them, and crates the lock does not name.
type world struct {
	leaf1, leaf2, mid, unused, leaf3 cargotest.Crate
	reg                              *cargotest.Registry
	lock                             *cargo.Lock
}

func newWorld(t *testing.T) *world {
	w := &world{
		leaf1:  cargotest.NewCrate("leaf", "1.0.0"),
		leaf2:  cargotest.NewCrate("leaf", "2.0.0"),
		leaf3:  cargotest.NewCrate("leaf", "3.0.0"),
		unused: cargotest.NewCrate("unused", "0.1.0"),
	}
	w.mid = cargotest.NewCrate("mid", "0.3.1", cargotest.Dep{Name: "leaf", Version: "2.0.0"})
	w.reg = cargotest.NewRegistry(t, w.leaf1, w.leaf2, w.leaf3, w.mid, w.unused)
	text := cargotest.Lock(3, "app", []cargotest.Dep{{Name: "leaf", Version: "1.0.0"}, {Name: "mid", Version: "0.3.1"}}, w.leaf1, w.leaf2, w.mid)
	l, err := cargo.ParseLock([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	w.lock = l
	return w
}

func (w *world) crates(t testing.TB) []cargo.Crate {
	cs, err := w.lock.Crates()
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func (w *world) preparer(t testing.TB, cache *cargo.Cache) *cargo.Preparer {
	reg, err := cargo.NewRegistry(w.reg.URL, cargo.RegistryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return &cargo.Preparer{Registry: reg, Cache: cache}
}

// tree lists the files under dir with their contents.
func tree(t testing.TB, dir string) map[string]string {
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestPrepareFetchesExactlyTheLockedCrates(t *testing.T) {
	w := newWorld(t)
	cache := &cargo.Cache{Dir: t.TempDir()}
	dir := filepath.Join(t.TempDir(), "cargo")
	var progress []int
	p := w.preparer(t, cache)
	p.Progress = func(done, total int) {
		if total != 3 {
			t.Errorf("progress total %d, want 3", total)
		}
		progress = append(progress, done)
	}
	res, err := p.Prepare(context.Background(), w.crates(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	if res != (cargo.Result{Crates: 3, Downloaded: 3}) {
		t.Errorf("result %+v, want 3 crates downloaded", res)
	}
	if !slices.Equal(progress, []int{1, 2, 3}) {
		t.Errorf("progress %v, want 1, 2, 3", progress)
	}

	got := w.reg.Requests()
	slices.Sort(got)
	want := []string{
		cargotest.DownloadPath(w.leaf1),
		cargotest.DownloadPath(w.leaf2),
		cargotest.DownloadPath(w.mid),
		"/index/3/m/mid",
		"/index/config.json",
		"/index/le/af/leaf", // once for both versions
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("requests\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The local registry holds what the lock names and nothing else.
	files := tree(t, dir)
	wantFiles := map[string]string{
		"config.toml":               string(cargo.ConfigTOML("/.cargo/registry")),
		"registry/leaf-1.0.0.crate": string(w.leaf1.Data),
		"registry/leaf-2.0.0.crate": string(w.leaf2.Data),
		"registry/mid-0.3.1.crate":  string(w.mid.Data),
		"registry/index/le/af/leaf": string(w.leaf1.IndexLine()) + "\n" + string(w.leaf2.IndexLine()) + "\n",
		"registry/index/3/m/mid":    string(w.mid.IndexLine()) + "\n",
	}
	for name, data := range wantFiles {
		if files[name] != data {
			t.Errorf("%s:\n%.200q\nwant\n%.200q", name, files[name], data)
		}
	}
	for name := range files {
		if _, ok := wantFiles[name]; !ok {
			t.Errorf("unexpected file %s", name)
		}
	}
	if !strings.Contains(files["config.toml"], `replace-with = "sign-cli-locked"`) || !strings.Contains(files["config.toml"], "offline = true") {
		t.Errorf("config.toml does not replace crates.io offline:\n%s", files["config.toml"])
	}

	// Warm: the cache answers everything and the registry is not asked.
	w.reg.Reset()
	res, err = w.preparer(t, cache).Prepare(context.Background(), w.crates(t), filepath.Join(t.TempDir(), "again"))
	if err != nil {
		t.Fatal(err)
	}
	if res != (cargo.Result{Crates: 3, Cached: 3}) {
		t.Errorf("warm result %+v, want 3 crates from the cache", res)
	}
	if reqs := w.reg.Requests(); len(reqs) != 0 {
		t.Errorf("warm cache made requests %v", reqs)
	}
}

func TestPrepareRefusesAFlippedByte(t *testing.T) {
	w := newWorld(t)
	tampered := slices.Clone(w.leaf2.Data)
	tampered[len(tampered)/2] ^= 1
	w.reg.Override(cargotest.DownloadPath(w.leaf2), http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		rw.Write(tampered)
	}))
	cache := &cargo.Cache{Dir: t.TempDir()}
	dir := filepath.Join(t.TempDir(), "cargo")
	_, err := w.preparer(t, cache).Prepare(context.Background(), w.crates(t), dir)
	if !errors.Is(err, cargo.ErrChecksum) {
		t.Fatalf("error %v, want ErrChecksum", err)
	}
	for _, s := range []string{"crate leaf 2.0.0", w.leaf2.Checksum, cargotest.Sum(tampered)} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not name %s", err, s)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "registry", "leaf-2.0.0.crate")); err == nil {
		t.Error("the tampered crate was laid out")
	}
	// Nor was it cached: a later run with an honest registry fetches it.
	if _, ok := cache.Crate(w.leaf2.Locked()); ok {
		t.Error("the tampered crate was cached")
	}
}

func TestPrepareRefusesHostileAnswers(t *testing.T) {
	huge := http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		// No Content-Length: the limit must hold while reading.
		chunk := make([]byte, 1<<20)
		for i := 0; i <= cargo.MaxCrateSize>>20; i++ {
			if _, err := rw.Write(chunk); err != nil {
				return
			}
		}
	})
	body := func(status int, s string) http.Handler {
		return http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
			rw.WriteHeader(status)
			rw.Write([]byte(s))
		})
	}
	w0 := newWorld(t)
	otherLine := strings.Replace(string(w0.leaf1.IndexLine()), w0.leaf1.Checksum, w0.leaf3.Checksum, 1)
	tests := []struct {
		name    string
		path    string
		handler http.Handler
		err     string
		kind    error
	}{{
		name: "a crate larger than allowed", path: "/api/v1/crates/mid/0.3.1/download", handler: huge,
		err: "answer of more than the 67108864 bytes allowed", kind: cargo.ErrRegistry,
	}, {
		name: "a server error", path: "/api/v1/crates/mid/0.3.1/download", handler: body(502, "bad gateway"),
		err: "/api/v1/crates/mid/0.3.1/download: 502 Bad Gateway", kind: cargo.ErrRegistry,
	}, {
		name: "a crate not in the index", path: "/index/3/m/mid", handler: body(404, ""),
		err: "/index/3/m/mid: not found", kind: cargo.ErrRegistry,
	}, {
		name: "an index that is not one", path: "/index/3/m/mid", handler: body(200, "<html>"),
		err: "/index/3/m/mid line 1: not an index entry", kind: cargo.ErrRegistry,
	}, {
		name: "an index without the version", path: "/index/3/m/mid", handler: body(200, `{"name":"mid","vers":"0.3.0","cksum":"00"}`),
		err: "crate mid: the registry's index has no version 0.3.1", kind: cargo.ErrRegistry,
	}, {
		name: "an index line with another checksum", path: "/index/le/af/leaf", handler: body(200, otherLine+"\n"+string(w0.leaf2.IndexLine())),
		err: "crate leaf 1.0.0: the registry's index has checksum " + w0.leaf3.Checksum + ", Cargo.lock has " + w0.leaf1.Checksum, kind: cargo.ErrChecksum,
	}, {
		name: "a configuration that is not one", path: "/index/config.json", handler: body(200, "[]"),
		err: "config.json: not a sparse index configuration", kind: cargo.ErrRegistry,
	}, {
		name: "a download URL off loopback over plain HTTP", path: "/index/config.json", handler: body(200, `{"dl":"http://crates.example.com/dl"}`),
		err: "plain HTTP is used only on loopback", kind: cargo.ErrRegistry,
	}, {
		name: "a download URL that is not HTTP", path: "/index/config.json", handler: body(200, `{"dl":"file:///etc"}`),
		err: `dl "file:///etc" is not an http(s) URL`, kind: cargo.ErrRegistry,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.reg.Override(tt.path, tt.handler)
			_, err := w.preparer(t, nil).Prepare(context.Background(), w.crates(t), t.TempDir())
			wantError(t, err, tt.err, tt.kind)
		})
	}
}

func TestNewRegistry(t *testing.T) {
	tests := []struct{ url, want, err string }{
		{"", "https://index.crates.io/", ""},
		{"sparse+https://index.crates.io/", "https://index.crates.io/", ""},
		{"https://mirror.example.com/index", "https://mirror.example.com/index/", ""},
		{"http://127.0.0.1:8080/index/", "http://127.0.0.1:8080/index/", ""},
		{"http://mirror.example.com/", "", "plain HTTP is used only on loopback"},
		{"ftp://mirror.example.com/", "", "expected the https:// URL of a sparse index"},
		{"index.crates.io", "", "expected the https:// URL of a sparse index"},
	}
	for _, tt := range tests {
		r, err := cargo.NewRegistry(tt.url, cargo.RegistryOptions{})
		if tt.err != "" {
			wantError(t, err, tt.err, cargo.ErrInvalid)
			continue
		}
		if err != nil || r.URL() != tt.want {
			t.Errorf("NewRegistry(%q) = %v, %v; want %s", tt.url, r, err, tt.want)
		}
	}
}

func TestCacheRejectsDamagedFiles(t *testing.T) {
	w := newWorld(t)
	cache := &cargo.Cache{Dir: t.TempDir()}
	if _, err := w.preparer(t, cache).Prepare(context.Background(), w.crates(t), t.TempDir()); err != nil {
		t.Fatal(err)
	}
	// Damage every cached file: each is a miss and is fetched again.
	err := filepath.WalkDir(cache.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		return os.WriteFile(path, []byte(`{"name":"x"}`), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	w.reg.Reset()
	res, err := w.preparer(t, cache).Prepare(context.Background(), w.crates(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if res.Downloaded != 3 || len(w.reg.Requests()) != 6 {
		t.Errorf("result %+v, requests %v; want everything fetched again", res, w.reg.Requests())
	}
}

func TestPrepareNeedsAnEmptyDirectory(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "stale.crate"), nil, 0o644)
	_, err := w.preparer(t, nil).Prepare(context.Background(), w.crates(t), dir)
	if !errors.Is(err, cargo.ErrInvalid) || !strings.Contains(err.Error(), "is not empty") {
		t.Fatalf("error %v, want a directory that is not empty refused", err)
	}
}
