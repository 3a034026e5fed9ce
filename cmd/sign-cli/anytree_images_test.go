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

// TestAnytreeImages builds an image whose base is built first from a
// second source named under images: the base's identity is recorded in the
// SBOM by --dev and held to it by the locked build; a base whose content
// changed and a cycle of images are refused.
func TestAnytreeImages(t *testing.T) {
	d := buildkittest.Shared(t)
	d.BaseImage(t)
	w := newWorld(t)
	_, keyPath := w.keyFile("signer.json")
	busybox := pushLockedBase(t, d, "tree/busybox:1", "busybox")
	host := d.Registry.Host

	baseRepo := anytreetest.New(t)
	write := func(dir string, files map[string]string) {
		for name, content := range files {
			p := filepath.Join(dir, filepath.FromSlash(name))
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	baseGoshfile := func(word string) string {
		return "apiVersion: 1\nimage: " + busybox + "\nsteps:\n  - run:\n      command: [/bin/sh, -c, 'echo " + word + " > /base.txt']\n"
	}
	write(baseRepo.Dir, map[string]string{
		"base/Gosh.yaml":     "goshfile: goshfile.yaml\ntag: " + host + "/tree/base:1\n",
		"base/goshfile.yaml": baseGoshfile("first"),
	})
	if r := runCLI(t, nil, "", "sbom", "generate", "-o", filepath.Join(baseRepo.Dir, "base", "sbom.spdx.json"), filepath.Join(baseRepo.Dir, "base")); r.code != 0 {
		t.Fatalf("sbom generate: %+v", r)
	}
	b1 := baseRepo.Commit(time.Unix(1700000000, 0), nil)
	b2 := baseRepo.Commit(time.Unix(1700000100, 0), map[string]string{"base/goshfile.yaml": baseGoshfile("second")})

	env := w.env()
	env["XDG_CACHE_HOME"] = t.TempDir()
	build := func(args ...string) result {
		return runCLI(t, env, "", append([]string{"anytree", "build", "--addr", d.Addr, "--secret-file", keyPath, "--progress", "plain"}, args...)...)
	}

	appRepo := anytreetest.New(t)
	appGosh := func(commit string) string {
		return "goshfile: goshfile.yaml\ntag: " + host + "/tree/app:1\nimages:\n  base: " + baseRepo.URL() + "#" + commit + ":base\n"
	}
	write(appRepo.Dir, map[string]string{
		"app/Gosh.yaml":     appGosh(b1),
		"app/goshfile.yaml": "apiVersion: 1\nimage: base\nsteps:\n  - run:\n      command: [/bin/sh, -c, 'cp /base.txt /from-base.txt']\n",
	})
	// --dev on the working directory: the base is built, the app's SBOM
	// written with the base's identity.
	if r := build("-q", "--dev", filepath.Join(appRepo.Dir, "app")); r.code != 0 {
		t.Fatalf("anytree build --dev: exit %d\n%s\ndaemon log:\n%s", r.code, r.stderr, d.Log())
	}
	sbomText, _ := os.ReadFile(filepath.Join(appRepo.Dir, "app", "sbom.spdx.json"))
	if !strings.Contains(string(sbomText), `"comment": "built:base=sha256:`) {
		t.Fatalf("the SBOM records no identity of the base:\n%s", sbomText)
	}
	a1 := appRepo.Commit(time.Unix(1700000200, 0), nil)

	r := build("-q", appRepo.URL()+"#"+a1+":app")
	if r.code != 0 {
		t.Fatalf("anytree build: exit %d\n%s", r.code, r.stderr)
	}
	digest := strings.TrimSpace(r.stdout)
	img, err := buildkittest.Image(host + "/tree/app@" + digest)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := buildkittest.ReadFile(img, "/from-base.txt"); err != nil || strings.TrimSpace(string(got)) != "first" {
		t.Errorf("the app's base is not the base built at %s: %q, %v", b1, got, err)
	}

	// A Dockerfile reads the base built first as the build context base.
	write(appRepo.Dir, map[string]string{
		"dapp/Gosh.yaml":  "dockerfile: {path: Dockerfile}\ntag: " + host + "/tree/dapp:1\nimages:\n  base: " + baseRepo.URL() + "#" + b1 + ":base\n",
		"dapp/Dockerfile": "FROM base\nRUN cp /base.txt /from-base.txt\n",
	})
	if r := build("-q", "--dev", filepath.Join(appRepo.Dir, "dapp")); r.code != 0 {
		t.Fatalf("anytree build --dev of a Dockerfile: exit %d\n%s", r.code, r.stderr)
	}
	ad := appRepo.Commit(time.Unix(1700000250, 0), nil)
	r = build("-q", appRepo.URL()+"#"+ad+":dapp")
	if r.code != 0 {
		t.Fatalf("anytree build of a Dockerfile: exit %d\n%s", r.code, r.stderr)
	}
	dimg, err := buildkittest.Image(host + "/tree/dapp@" + strings.TrimSpace(r.stdout))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := buildkittest.ReadFile(dimg, "/from-base.txt"); err != nil || strings.TrimSpace(string(got)) != "first" {
		t.Errorf("the Dockerfile's base is not the base built at %s: %q, %v", b1, got, err)
	}

	// The app's next commit builds the base at a commit whose content
	// differs, with the SBOM of the first: refused, nothing pushed.
	a2 := appRepo.Commit(time.Unix(1700000300, 0), map[string]string{"app/Gosh.yaml": appGosh(b2)})
	puts := len(d.Registry.ManifestPuts())
	r = build(appRepo.URL() + "#" + a2 + ":app")
	r.wantError(t, exitNotVerified, "image base built from "+baseRepo.URL()+"#"+b2+":base is sha256:", "the SBOM records sha256:")
	for _, put := range d.Registry.ManifestPuts()[puts:] {
		if !strings.HasPrefix(put, "tree/base:") {
			t.Errorf("a refused app pushed %q; want the base (and its signature) alone", put)
		}
	}

	// A cycle (branches, so --dev) builds nothing.
	cyc := anytreetest.New(t)
	cyc.Commit(time.Unix(1700000000, 0), map[string]string{
		"x/Gosh.yaml": "tag: " + host + "/tree/x:1\nimages:\n  y: " + cyc.URL() + "#main:y\n",
		"y/Gosh.yaml": "tag: " + host + "/tree/y:1\nimages:\n  x: " + cyc.URL() + "#main:x\n",
	})
	puts = len(d.Registry.ManifestPuts())
	r = build("--dev", cyc.URL()+"#main:x")
	r.wantError(t, exitUsage, "a cycle of images: "+cyc.URL()+"#", ":x -> "+cyc.URL()+"#", ":y -> ")
	if got := d.Registry.ManifestPuts()[puts:]; len(got) != 0 {
		t.Errorf("a cycle pushed %q", got)
	}
}
