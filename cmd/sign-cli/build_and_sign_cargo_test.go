//go:build !lean

package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gosh-sh/sign-cli/cargo/cargotest"
	"github.com/gosh-sh/sign-cli/internal/buildkittest"
)

// cargoGoshfile copies the context to /src and builds it with cargo, with
// the crates prepared for the build mounted at /.cargo.
func cargoGoshfile(image string) string {
	return fmt.Sprintf(`apiVersion: 1
image: %s
workdir: /src
steps:
  - copy: {src: ., dest: /src/}
  - name: cargo build
    cargo: true
    run:
      command: [cargo, build, --locked, --offline]
  - run:
      command: [/bin/sh, -c, "ls target/debug/deps > /deps.txt"]
`, image)
}

// TestBuildAndSignCargo builds a Rust library crate offline on a real
// BuildKit daemon with Debian's cargo: its dependencies are the crates the
// SBOM pins, fetched from a loopback sparse registry (exactly those), laid
// out as a local registry and mounted read-only; a run step has no network.
// A tampered crate is refused before anything is built, pushed or signed.
func TestBuildAndSignCargo(t *testing.T) {
	d := buildkittest.Shared(t)
	rust := d.RustImage(t) // skips without Debian's cargo
	w := newWorld(t)
	_, keyPath := w.keyFile("signer.json")

	leaf1 := cargotest.NewCrate("leaf", "1.0.0")
	leaf2 := cargotest.NewCrate("leaf", "2.0.0")
	mid := cargotest.NewCrate("mid", "0.3.1", cargotest.Dep{Name: "leaf", Version: "2.0.0"})
	unused := cargotest.NewCrate("unused", "0.1.0")
	crates := cargotest.NewRegistry(t, leaf1, leaf2, mid, unused)

	dir := buildContext(t, cargoGoshfile(rust))
	files := map[string]string{
		"Cargo.toml": "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2018\"\n\n[dependencies]\nleaf = \"1.0.0\"\nmid = \"0.3.1\"\n",
		"src/lib.rs": "pub fn app() -> u32 {\n    leaf::leaf() + mid::mid()\n}\n",
		// Debian's cargo reads version 3.
		"Cargo.lock": cargotest.Lock(3, "app", []cargotest.Dep{{Name: "leaf", Version: "1.0.0"}, {Name: "mid", Version: "0.3.1"}}, leaf1, leaf2, mid),
	}
	for name, content := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sbomFile := filepath.Join(t.TempDir(), "sbom.spdx.json")
	if r := runCLI(t, nil, "", "sbom", "generate", "--cargo-registry", crates.URL, "-o", sbomFile, dir); r.code != 0 {
		t.Fatalf("sbom generate: %+v", r)
	}
	env := w.env()
	env["XDG_CACHE_HOME"] = t.TempDir()
	build := func(ref string) result {
		return runCLI(t, env, "", "build-and-sign", "--addr", d.Addr, "--secret-file", keyPath, "-t", ref, "-o", "json",
			"--sbom", sbomFile, "--locked", "--cargo-registry", crates.URL, "--progress", "plain", dir)
	}

	crates.Reset()
	ref := d.Registry.Host + "/cargo/app:1"
	r := build(ref)
	if r.code != 0 {
		t.Fatalf("locked cargo build: exit %d\nstderr:\n%s\ndaemon log:\n%s", r.code, r.stderr, d.Log())
	}
	if !strings.Contains(r.stdout, `"digest"`) {
		t.Errorf("the build signed nothing: %s", r.stdout)
	}
	for _, frag := range []string{"preparing crates: 3/3", "prepared 3 crates (3 downloaded, 0 from the cache)"} {
		if !strings.Contains(r.stderr, frag) {
			t.Errorf("stderr lacks %q", frag)
		}
	}
	got := crates.Requests()
	slices.Sort(got)
	want := []string{
		cargotest.DownloadPath(leaf1), cargotest.DownloadPath(leaf2), cargotest.DownloadPath(mid),
		"/index/3/m/mid", "/index/config.json", "/index/le/af/leaf",
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("the build fetched\n%s\nwant exactly the locked crates\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	img, err := buildkittest.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	deps, err := buildkittest.ReadFile(img, "/deps.txt")
	if err != nil {
		t.Fatal(err)
	}
	var rlibs []string
	for _, f := range strings.Fields(string(deps)) {
		if name, _, ok := strings.Cut(f, "-"); ok && strings.HasSuffix(f, ".rlib") {
			rlibs = append(rlibs, name)
		}
	}
	slices.Sort(rlibs)
	if want := []string{"libapp", "libleaf", "libleaf", "libmid"}; !slices.Equal(rlibs, want) {
		t.Errorf("cargo built %v, want %v (both versions of leaf):\n%s", rlibs, want, deps)
	}
	lock, err := buildkittest.ReadFile(img, "/src/Cargo.lock")
	if err != nil || string(lock) != files["Cargo.lock"] {
		t.Errorf("cargo changed Cargo.lock (%v):\n%s", err, lock)
	}

	// The same crates read by a Dockerfile, as the named context gosh-cargo.
	dockerfile := filepath.Join(dir, "Dockerfile")
	os.WriteFile(dockerfile, []byte("FROM "+rust+"\nWORKDIR /src\nCOPY . /src/\n"+
		"RUN --mount=type=bind,from=gosh-cargo,target=/.cargo cargo build --locked --offline && ls target/debug/deps > /deps.txt\n"), 0o644)
	dockerSBOM := filepath.Join(t.TempDir(), "docker.spdx.json")
	if r := runCLI(t, nil, "", "sbom", "generate", "-f", dockerfile, "--cargo-registry", crates.URL, "-o", dockerSBOM, dir); r.code != 0 {
		t.Fatalf("sbom generate of the Dockerfile: %+v", r)
	}
	crates.Reset()
	dref := d.Registry.Host + "/cargo/docker:1"
	r = runCLI(t, env, "", "build-and-sign", "--addr", d.Addr, "--secret-file", keyPath, "-t", dref, "-o", "json",
		"-f", dockerfile, "--sbom", dockerSBOM, "--locked", "--cargo-registry", crates.URL, "--progress", "plain", dir)
	if r.code != 0 {
		t.Fatalf("locked Dockerfile cargo build: exit %d\nstderr:\n%s\ndaemon log:\n%s", r.code, r.stderr, d.Log())
	}
	if !strings.Contains(r.stderr, "prepared 3 crates (0 downloaded, 3 from the cache)") || len(crates.Requests()) != 0 {
		t.Errorf("the second build did not take the crates from the cache: requests %v", crates.Requests())
	}
	if img, err := buildkittest.Image(dref); err != nil {
		t.Error(err)
	} else if deps, err := buildkittest.ReadFile(img, "/deps.txt"); err != nil || strings.Count(string(deps), ".rlib") != 4 {
		t.Errorf("the Dockerfile build's cargo built %q (%v), want four libraries", deps, err)
	}

	// A registry that serves a tampered crate: refused, nothing pushed or
	// signed. The cache holds the honest crates, so it is emptied first.
	env["XDG_CACHE_HOME"] = t.TempDir()
	tampered := slices.Clone(mid.Data)
	tampered[len(tampered)/3] ^= 1
	crates.Override(cargotest.DownloadPath(mid), http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { rw.Write(tampered) }))
	puts := len(d.Registry.ManifestPuts())
	pushes := w.pushes()
	r = build(d.Registry.Host + "/cargo/tampered:1")
	r.wantError(t, exitFailure, "crate mid 0.3.1", mid.Checksum, cargotest.Sum(tampered))
	if r.stdout != "" || len(d.Registry.ManifestPuts()) != puts || w.pushes() != pushes {
		t.Errorf("a refused build pushed or printed something: %q", r.stdout)
	}
}
