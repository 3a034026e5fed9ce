//go:build !lean

package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"

	"github.com/gosh-sh/sign-cli/dockerbuild"
	"github.com/gosh-sh/sign-cli/internal/buildkittest"
	"github.com/gosh-sh/sign-cli/sbom"
)

// lockedGoshfile builds on base and records what the network looks like
// from a run step.
func lockedGoshfile(base string) string {
	return fmt.Sprintf(`apiVersion: 1
image: %s
steps:
  - name: network
    run:
      command: ["/bin/sh", "-c"]
      args: ["cat /proc/net/dev > /net.txt; ls / > /root.txt"]
`, base)
}

// pushLockedBase pushes the busybox base image, with marker as an extra
// file, to repo:tag in the daemon's registry.
func pushLockedBase(t testing.TB, d *buildkittest.Daemon, repoTag, marker string) string {
	t.Helper()
	files, err := buildkittest.BaseFiles()
	if err != nil {
		t.Skipf("base image files: %v", err)
	}
	files = append(files, buildkittest.File{Path: "/" + marker, Data: []byte(marker)})
	ref, err := d.Registry.PushImage(repoTag, files, v1.Config{Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}})
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// TestBuildAndSignLocked builds a goshfile locked to its SBOM on a real
// BuildKit daemon: the build uses the pinned image, run steps see no
// network, and what the SBOM does not pin, or a base whose tag has moved
// since the SBOM was made, is refused before anything is built, pushed or
// signed.
func TestBuildAndSignLocked(t *testing.T) {
	d := buildkittest.Shared(t)
	d.BaseImage(t) // skips without the base image's files
	w := newWorld(t)
	_, keyPath := w.keyFile("signer.json")

	base := pushLockedBase(t, d, "locked/base:1", "pinned")
	dir := buildContext(t, lockedGoshfile(base))
	sbomFile := filepath.Join(t.TempDir(), "sbom.spdx.json")
	if r := runCLI(t, nil, "", "sbom", "generate", "-o", sbomFile, dir); r.code != 0 {
		t.Fatalf("sbom generate: %+v", r)
	}
	build := func(ref string, extra ...string) result {
		args := []string{"build-and-sign", "--addr", d.Addr, "--secret-file", keyPath, "-t", ref, "-o", "json"}
		return runCLI(t, w.env(), "", append(append(args, extra...), dir)...)
	}

	ref := d.Registry.Host + "/locked/app:1"
	r := build(ref, "--sbom", sbomFile, "--locked")
	if r.code != 0 {
		t.Fatalf("locked build: exit %d\nstderr:\n%s\ndaemon log:\n%s", r.code, r.stderr, d.Log())
	}
	img, err := buildkittest.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	root, err := buildkittest.ReadFile(img, "/root.txt")
	if err != nil {
		t.Fatal(err)
	}
	names := strings.Fields(string(root))
	if !slices.Contains(names, "pinned") {
		t.Errorf("the locked build's base has %q; want the pinned image", names)
	}
	netDev, err := buildkittest.ReadFile(img, "/net.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(netDev), "\n")[2:] {
		if iface, _, ok := strings.Cut(strings.TrimSpace(line), ":"); ok && iface != "lo" {
			t.Errorf("a locked run step saw network interface %q:\n%s", iface, netDev)
		}
	}
	if !strings.Contains(r.stdout, `"digest"`) {
		t.Errorf("locked build signed nothing: %s", r.stdout)
	}

	// The tag moves after the SBOM was made: verify says so, and the locked
	// build refuses the stale SBOM.
	pushLockedBase(t, d, "locked/base:1", "moved")
	v := runCLI(t, nil, "", "sbom", "verify", "--sbom", sbomFile, dir)
	if v.code != exitNotVerified || !strings.HasPrefix(v.stdout, "~ ") || !strings.Contains(v.stdout, "locked/base") {
		t.Fatalf("sbom verify after the tag moved: %+v, want exit %d and the base changed", v, exitNotVerified)
	}
	wantStale(t, d, v.stdout, func() result { return build(d.Registry.Host+"/locked/stale:1", "--sbom", sbomFile, "--locked") })

	// Refused before building: nothing pushed, nothing signed.
	other := pushLockedBase(t, d, "locked/other:1", "other")
	unlocked := buildContext(t, lockedGoshfile(other))
	refusals := []struct {
		name      string
		args      []string
		fragments []string
	}{
		{"image not in the SBOM", []string{"--sbom", sbomFile, "--locked", "-f", filepath.Join(unlocked, "goshfile.yaml")}, []string{"goshfile.yaml:2:8", "locked/other:1", "not pinned"}},
		{"other platform", []string{"--sbom", sbomFile, "--locked", "--platform", "linux/arm64"}, []string{"other platforms"}},
		{"no SBOM", []string{"--locked"}, []string{"--sbom"}},
		{"SBOM without --locked", []string{"--sbom", sbomFile}, []string{"--locked"}},
		{"frontend image", []string{"--sbom", sbomFile, "--locked", "--frontend-image", "x/y:1"}, []string{"in-process"}},
		{"malformed SBOM", []string{"--sbom", filepath.Join(dir, "goshfile.yaml"), "--locked"}, []string{"SPDX"}},
	}
	for i, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			puts := len(d.Registry.ManifestPuts())
			r := build(fmt.Sprintf("%s/locked/refused:%d", d.Registry.Host, i), tt.args...)
			r.wantError(t, exitUsage, tt.fragments...)
			if r.stdout != "" {
				t.Errorf("refused build printed %q", r.stdout)
			}
			if got := d.Registry.ManifestPuts()[puts:]; len(got) != 0 {
				t.Errorf("refused build pushed %q", got)
			}
		})
	}
}

// wantStale runs a locked build whose SBOM pins a tag that has moved since
// (verifyOut is what sbom verify printed about it) and wants it refused:
// exit 1, the changes on standard error as verify prints them, a last line
// that says how to make the SBOM again, nothing pushed, nothing signed.
func wantStale(t *testing.T, d *buildkittest.Daemon, verifyOut string, build func() result) {
	t.Helper()
	puts := len(d.Registry.ManifestPuts())
	r := build()
	r.wantError(t, exitNotVerified, "is stale", "sign-cli sbom generate --force")
	for _, line := range strings.Split(strings.TrimSpace(verifyOut), "\n") {
		if strings.HasPrefix(line, "~ ") && !strings.Contains(r.stderr, line+"\n") {
			t.Errorf("the refused build's stderr lacks verify's line %q:\n%s", line, r.stderr)
		}
	}
	if r.stdout != "" {
		t.Errorf("the refused build printed %q", r.stdout)
	}
	if got := d.Registry.ManifestPuts()[puts:]; len(got) != 0 {
		t.Errorf("the refused build pushed %q", got)
	}
}

// TestRefusalNotesTheLocksVerdicts: on the daemon's side of a locked build
// the refusals are noted for the exit code, since the daemon's account of
// a failed build does not carry them: an image the lock does not pin, and
// an audit that refuses the LLB; an image it pins is no refusal.
func TestRefusalNotesTheLocksVerdicts(t *testing.T) {
	w := newWorld(t)
	ref, _ := w.image("locked/base", nil)
	other, _ := w.image("locked/other", nil)
	dir := contextWith(t, "Dockerfile", "FROM "+ref+"\n")
	sbomFile := filepath.Join(t.TempDir(), "sbom.spdx.json")
	if r := runCLI(t, nil, "", "sbom", "generate", "-o", sbomFile, dir); r.code != 0 {
		t.Fatalf("sbom generate: %+v", r)
	}
	data, err := os.ReadFile(sbomFile)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := sbom.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	lock, err := sbom.NewLock(doc)
	if err != nil {
		t.Fatal(err)
	}
	opt := sourceresolver.Opt{ImageOpt: &sourceresolver.ResolveImageOpt{Platform: &sbom.DefaultPlatform}}
	for _, tt := range []struct {
		name    string
		run     func(*refusal) error
		refused bool
	}{
		{"pinned image", func(r *refusal) error {
			_, _, _, err := r.resolver(lock, dockerbuild.StubResolver{}).ResolveImageConfig(t.Context(), ref, opt)
			return err
		}, false},
		{"image the SBOM lacks", func(r *refusal) error {
			_, _, _, err := r.resolver(lock, dockerbuild.StubResolver{}).ResolveImageConfig(t.Context(), other, opt)
			return err
		}, true},
		{"LLB the audit refuses", func(r *refusal) error {
			def, err := llb.Image(ref).Marshal(t.Context(), llb.LinuxAmd64)
			if err != nil {
				t.Fatal(err)
			}
			return r.audit(lock)(def, sbom.DefaultPlatform)
		}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var r refusal
			err := tt.run(&r)
			if !tt.refused && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if got := r.get(); (got != nil) != tt.refused || (tt.refused && got != err) {
				t.Fatalf("noted %v for %v, want refused=%v", got, err, tt.refused)
			}
			if tt.refused && !errors.Is(err, sbom.ErrNotLocked) {
				t.Errorf("refusal %v is not ErrNotLocked", err)
			}
		})
	}
}

// TestLockedBuildChecksTagsFirst: the tags a locked build's SBOM pins are
// checked before the daemon is asked (there is none here), so a stale SBOM
// is exit 1 and a registry that fails exit 3, whatever the daemon. An
// image the Dockerfile pins by digest alone is not asked about.
func TestLockedBuildChecksTagsFirst(t *testing.T) {
	tests := []struct {
		name   string
		byTag  bool // FROM the tag, else FROM the digest
		change func(w *world, repo string)
		code   int
		stderr []string // fragments of standard error
	}{
		{"tag moved", true, func(w *world, repo string) { w.image(repo, map[string]string{"moved": "1"}) },
			exitNotVerified, []string{"\n~ pkg:oci/base?", "is stale", "sbom generate --force"}},
		{"tag deleted", true, func(w *world, repo string) {
			req, _ := http.NewRequest(http.MethodDelete, w.reg.URL+"/v2/"+repo+"/manifests/latest", nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode/100 != 2 {
				t.Fatalf("deleting %s: %v %v", repo, resp, err)
			}
			resp.Body.Close()
		}, exitNotVerified, []string{"\n- pkg:oci/base?", "is stale"}},
		{"registry fails", true, func(w *world, _ string) {
			w.reg.Fail(-1, http.StatusServiceUnavailable, http.MethodGet, "/manifests/")
		}, exitFailure, []string{"checking the tags", "UNAVAILABLE"}},
		{"pinned by digest, tag moved", false, func(w *world, repo string) { w.image(repo, map[string]string{"moved": "1"}) },
			exitFailure, []string{"with BuildKit at"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			_, keyPath := w.keyFile("signer.json")
			ref, d := w.image("tags/base", nil)
			from := ref
			if !tt.byTag {
				from = strings.TrimSuffix(ref, ":latest") + "@" + d.String()
			}
			dir := contextWith(t, "Dockerfile", "FROM "+from+"\n")
			sbomFile := filepath.Join(t.TempDir(), "sbom.spdx.json")
			if r := runCLI(t, nil, "", "sbom", "generate", "-o", sbomFile, dir); r.code != 0 {
				t.Fatalf("sbom generate: %+v", r)
			}
			tt.change(w, "tags/base")
			puts := len(w.reg.ManifestPuts())
			r := runCLI(t, w.env(), "", "build-and-sign", "--addr", "unix://"+filepath.Join(t.TempDir(), "no-daemon.sock"),
				"--secret-file", keyPath, "-t", w.reg.Host+"/tags/app:1", "--sbom", sbomFile, "--locked", dir)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, tt.code, r.stderr)
			}
			for _, f := range tt.stderr {
				if !strings.Contains(r.stderr, f) {
					t.Errorf("stderr lacks %q:\n%s", f, r.stderr)
				}
			}
			if r.stdout != "" {
				t.Errorf("printed %q", r.stdout)
			}
			if got := w.reg.ManifestPuts()[puts:]; len(got) != 0 {
				t.Errorf("pushed %q", got)
			}
		})
	}
}
