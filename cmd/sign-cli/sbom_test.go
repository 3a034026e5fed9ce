package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/gosh-sh/sign-cli/internal/registrytest"
)

// sbomWorld is a registry on loopback and a build context.
type sbomWorld struct {
	host string
	dir  string
}

func newSBOMWorld(t *testing.T, files map[string]string) *sbomWorld {
	reg := registrytest.New(t)
	w := &sbomWorld{host: reg.Host, dir: t.TempDir()}
	for n, content := range files {
		if err := os.WriteFile(filepath.Join(w.dir, n), []byte(strings.ReplaceAll(content, "REG", w.host)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// push stores a new image at repo:tag and returns its digest.
func (w *sbomWorld) push(t *testing.T, repoTag string) string {
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(w.host+"/"+repoTag, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	return d.String()
}

func TestSBOMGenerateAndVerify(t *testing.T) {
	w := newSBOMWorld(t, map[string]string{
		"Dockerfile": "ARG TAG=1\nFROM REG/tool:1 AS build\nFROM REG/base:${TAG}\nCOPY --from=build /x /x\n",
	})
	base := w.push(t, "base:1")
	w.push(t, "tool:1")
	env := map[string]string{"SOURCE_DATE_EPOCH": "1700000000"}

	r1 := runCLI(t, env, "", "sbom", "generate", w.dir)
	r2 := runCLI(t, env, "", "sbom", "generate", w.dir)
	if r1.code != 0 || r1.stdout == "" {
		t.Fatalf("generate: %+v", r1)
	}
	if r1.stdout != r2.stdout {
		t.Fatalf("two generations differ")
	}
	for _, frag := range []string{`"created": "2023-11-14T22:13:20Z"`, strings.TrimPrefix(base, "sha256:"), `"comment": "file=Dockerfile"`} {
		if !strings.Contains(r1.stdout, frag) {
			t.Errorf("SBOM lacks %s", frag)
		}
	}

	out := filepath.Join(t.TempDir(), "sbom.spdx.json")
	if r := runCLI(t, env, "", "sbom", "generate", "-o", out, w.dir); r.code != 0 || r.stdout != "" {
		t.Fatalf("generate -o: %+v", r)
	}
	if got, _ := os.ReadFile(out); string(got) != r1.stdout {
		t.Errorf("-o wrote other bytes than standard output")
	}
	runCLI(t, env, "", "sbom", "generate", "-o", out, w.dir).wantError(t, exitUsage, out, "--force")
	if r := runCLI(t, env, "", "sbom", "generate", "-o", out, "--force", w.dir); r.code != 0 {
		t.Fatalf("generate --force: %+v", r)
	}

	if r := runCLI(t, nil, "", "sbom", "verify", "--sbom", out, w.dir); r.code != 0 || r.stdout != "" {
		t.Fatalf("verify, nothing changed: %+v", r)
	}
	r := runCLI(t, nil, "", "sbom", "verify", "--sbom", out, "--platform", "linux/arm64", w.dir)
	r.wantError(t, exitUsage, "other platforms", "linux/amd64")

	// Another build argument reads another image.
	w.push(t, "base:2")
	r = runCLI(t, nil, "", "sbom", "verify", "--sbom", out, "--build-arg", "TAG=2", w.dir)
	if r.code != exitNotVerified || !strings.Contains(r.stdout, "- pkg:oci/base?") || !strings.Contains(r.stdout, "+ pkg:oci/base?") {
		t.Fatalf("verify with TAG=2: %+v", r)
	}

	// The tag moves: verify fails and names the old and new digests.
	moved := w.push(t, "base:1")
	r = runCLI(t, nil, "", "sbom", "verify", "--sbom", out, w.dir)
	want := "~ pkg:oci/base?arch=amd64&repository_url=" + w.host + "/base&tag=1 (DESCENDANT_OF): " + base + " -> " + moved + "\n"
	if r.code != exitNotVerified || r.stdout != want {
		t.Fatalf("verify after base:1 moved: code %d, stdout %q, want %q", r.code, r.stdout, want)
	}

	// The tag is deleted: not verified either, as a locked build sees it.
	ref, err := name.ParseReference(w.host+"/base:1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Delete(ref); err != nil {
		t.Fatalf("deleting base:1: %v", err)
	}
	r = runCLI(t, nil, "", "sbom", "verify", "--sbom", out, w.dir)
	want = "- pkg:oci/base?arch=amd64&repository_url=" + w.host + "/base&tag=1 " + base + " (DESCENDANT_OF)\n"
	if r.code != exitNotVerified || r.stdout != want {
		t.Fatalf("verify after base:1 was deleted: %+v, want exit 1 and %q", r, want)
	}
}

func TestSBOMErrors(t *testing.T) {
	w := newSBOMWorld(t, map[string]string{
		"Dockerfile":        "FROM REG/base:1\n",
		"bad.Dockerfile":    "FROM REG/base:1\nNOPE\n",
		"down.Dockerfile":   "FROM 127.0.0.1:1/base:1\n",
		"absent.Dockerfile": "FROM REG/absent:1\n",
		"goshfile.yaml":     "apiVersion: 1\nimage: REG/base:1\n",
		"not-spdx.json":     `{"spdxVersion": "SPDX-2.3"}`,
	})
	w.push(t, "base:1")
	f := func(n string) string { return filepath.Join(w.dir, n) }
	tests := []struct {
		name      string
		args      []string
		code      int
		fragments []string
	}{
		{"no context", []string{"sbom", "generate"}, exitUsage, []string{"build context"}},
		{"context not a directory", []string{"sbom", "generate", f("Dockerfile")}, exitUsage, []string{"not a directory"}},
		{"bad Dockerfile", []string{"sbom", "generate", "-f", f("bad.Dockerfile"), w.dir}, exitUsage, []string{"bad.Dockerfile"}},
		{"missing image", []string{"sbom", "generate", "-f", f("absent.Dockerfile"), w.dir}, exitUsage, []string{"absent:1", "not found"}},
		{"registry down", []string{"sbom", "generate", "-f", f("down.Dockerfile"), w.dir}, exitFailure, []string{"127.0.0.1:1"}},
		{"bad platform", []string{"sbom", "generate", "--platform", "linux/", w.dir}, exitUsage, []string{"--platform"}},
		{"bad build-arg", []string{"sbom", "generate", "--build-arg", "X", w.dir}, exitUsage, []string{"--build-arg"}},
		{"build-arg to a goshfile", []string{"sbom", "generate", "--build-arg", "X=1", w.dir}, exitUsage, []string{"goshfile"}},
		{"force without -o", []string{"sbom", "generate", "--force", w.dir}, exitUsage, []string{"--force"}},
		{"verify without --sbom", []string{"sbom", "verify", w.dir}, exitUsage, []string{"--sbom"}},
		{"verify malformed SBOM", []string{"sbom", "verify", "--sbom", f("not-spdx.json"), w.dir}, exitUsage, []string{"not-spdx.json"}},
		{"verify a Dockerfile as SBOM", []string{"sbom", "verify", "--sbom", f("Dockerfile"), w.dir}, exitUsage, []string{"SPDX"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, nil, "", tt.args...)
			r.wantError(t, tt.code, tt.fragments...)
		})
	}
	runCLI(t, map[string]string{"SOURCE_DATE_EPOCH": "yesterday"}, "", "sbom", "generate", w.dir).wantError(t, exitUsage, "SOURCE_DATE_EPOCH")
}
