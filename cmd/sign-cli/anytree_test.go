//go:build !lean

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/anytree/anytreetest"
	"github.com/gosh-sh/sign-cli/internal/buildkittest"
)

// TestAnytreeBuild builds a repository the test makes, at a commit, served
// as file://: pushed and signed, the same digest twice, a stale SBOM and
// bad sources refused with nothing pushed.
func TestAnytreeBuild(t *testing.T) {
	d := buildkittest.Shared(t)
	d.BaseImage(t) // skips without the base image's files
	w := newWorld(t)
	_, keyPath := w.keyFile("signer.json")
	base := pushLockedBase(t, d, "anytree/base:1", "pinned")
	moved := pushLockedBase(t, d, "anytree/base:2", "other")

	repo := anytreetest.New(t)
	app := filepath.Join(repo.Dir, "app")
	tag := d.Registry.Host + "/anytree/app:1"
	files := map[string]string{
		"app/Gosh.yaml":     "goshfile: goshfile.yaml\ntag: " + tag + "\n",
		"app/goshfile.yaml": lockedGoshfile(base),
	}
	for name, content := range files {
		os.MkdirAll(filepath.Join(repo.Dir, filepath.Dir(name)), 0o755)
		os.WriteFile(filepath.Join(repo.Dir, name), []byte(content), 0o644)
	}
	if r := runCLI(t, nil, "", "sbom", "generate", "-o", filepath.Join(app, "sbom.spdx.json"), app); r.code != 0 {
		t.Fatalf("sbom generate: %+v", r)
	}
	c1 := repo.Commit(time.Unix(1700000000, 0), nil)
	// The next commit moves the base image and leaves the SBOM as it was.
	stale := repo.Commit(time.Unix(1700000100, 0), map[string]string{"app/goshfile.yaml": lockedGoshfile(moved)})
	badYAML := repo.Commit(time.Unix(1700000200, 0), map[string]string{"app/Gosh.yaml": "tag: " + tag + "\ninstall: [x]\n"})
	images := repo.Commit(time.Unix(1700000300, 0), map[string]string{"app/Gosh.yaml": "tag: " + tag + "\nimages:\n  base: " + repo.URL() + "#" + c1 + ":app\n"})

	env := w.env()
	env["XDG_CACHE_HOME"] = t.TempDir()
	build := func(extra ...string) result {
		args := append([]string{"anytree", "build", "--addr", d.Addr, "--secret-file", keyPath, "--progress", "plain"}, extra...)
		return runCLI(t, env, "", args...)
	}
	src := repo.URL() + "#" + c1 + ":app"
	r := build("-q", src)
	if r.code != 0 {
		t.Fatalf("anytree build: exit %d\nstderr:\n%s\ndaemon log:\n%s", r.code, r.stderr, d.Log())
	}
	digest := strings.TrimSpace(r.stdout)
	if !strings.HasPrefix(digest, "sha256:") || strings.Contains(digest, "\n") {
		t.Fatalf("-q printed %q, want the pushed digest alone", r.stdout)
	}
	img, err := buildkittest.Image(d.Registry.Host + "/anytree/app@" + digest)
	if err != nil {
		t.Fatal(err)
	}
	root, err := buildkittest.ReadFile(img, "/root.txt")
	if err != nil || !strings.Contains(string(root), "pinned") {
		t.Errorf("the image's base is not the pinned one: %q, %v", root, err)
	}
	cf, err := img.ConfigFile()
	if err != nil || cf.Created.Unix() != 1700000000 {
		t.Errorf("the image's time %v is not the commit's (%v)", cf.Created, err)
	}
	// Again, with no cache: the same digest.
	r = build("-q", "--no-cache", src)
	if r.code != 0 || strings.TrimSpace(r.stdout) != digest {
		t.Errorf("a second build gave %q (exit %d), want %s\n%s", r.stdout, r.code, digest, r.stderr)
	}
	// Without -q, signed as build-and-sign signs.
	r = build("-o", "json", src)
	if r.code != 0 || !strings.Contains(r.stdout, `"digest":"`+digest+`"`) {
		t.Errorf("anytree build -o json: %+v", r)
	}
	if ents, _ := os.ReadDir(filepath.Join(env["XDG_CACHE_HOME"], "sign-cli", "anytree")); len(ents) != 0 {
		t.Errorf("the clones were left behind: %v", ents)
	}

	refusals := []struct {
		name      string
		source    string
		fragments []string
	}{
		{"a stale SBOM", repo.URL() + "#" + stale + ":app", []string{"goshfile.yaml:2:8", "anytree/base:2", "not pinned"}},
		{"a Gosh.yaml error", repo.URL() + "#" + badYAML + ":app", []string{`Gosh.yaml:2:1: unknown field "install"`}},
		{"images the goshfile does not read", repo.URL() + "#" + images + ":app", []string{"images: base is built but the goshfile's image: does not name it"}},
		{"a commit that does not exist", repo.URL() + "#0123456789abcdef0123456789abcdef01234567:app", []string{"commit 0123456789abcdef0123456789abcdef01234567 is not in"}},
		{"a branch", repo.URL() + "#main:app", []string{`"main" is not a commit id`}},
		{"a directory that does not exist", repo.URL() + "#" + c1 + ":gone", []string{"has no directory gone"}},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			puts := len(d.Registry.ManifestPuts())
			pushes := w.pushes()
			r := build(tt.source)
			r.wantError(t, exitUsage, tt.fragments...)
			if r.stdout != "" || len(d.Registry.ManifestPuts()) != puts || w.pushes() != pushes {
				t.Errorf("a refused build pushed or printed %q", r.stdout)
			}
		})
	}
	build("file:///nonexistent/repo#"+c1).wantError(t, exitFailure, "cloning file:///nonexistent/repo")

	// A working directory without its SBOM: refused, and --dev writes it.
	work := t.TempDir()
	os.WriteFile(filepath.Join(work, "Gosh.yaml"), []byte(files["app/Gosh.yaml"]), 0o644)
	os.WriteFile(filepath.Join(work, "goshfile.yaml"), []byte(files["app/goshfile.yaml"]), 0o644)
	build(work).wantError(t, exitUsage, "sbom.spdx.json")
	if r := build("-q", "--dev", work); r.code != 0 || strings.TrimSpace(r.stdout) == "" {
		t.Fatalf("anytree build --dev: %+v", r)
	}
	written, err := os.ReadFile(filepath.Join(work, "sbom.spdx.json"))
	if err != nil || !strings.Contains(string(written), "repository_url="+d.Registry.Host+"/anytree/base&tag=1") {
		t.Errorf("--dev wrote no SBOM pinning the base (%v)", err)
	}
	if r := build("-q", work); r.code != 0 {
		t.Errorf("a locked build with the SBOM --dev wrote: %+v", r)
	}
}
