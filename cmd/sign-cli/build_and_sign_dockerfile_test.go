//go:build !lean

package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/gosh-sh/sign-cli/image"
	"github.com/gosh-sh/sign-cli/internal/buildkittest"
)

// multiStageDockerfile has what a locked build must pin: an ARG in FROM,
// a stage built FROM another, the image tool in COPY --from (BuildKit
// expands no ARG there), and a stage the target does not reach. The final
// image records its base's files and what each stage wrote.
func multiStageDockerfile(tool string) string {
	return `ARG BASE
FROM ${BASE} AS build
RUN echo built > /built.txt

FROM build AS final
COPY --from=` + tool + ` /tool.txt /tool.txt
ARG MESSAGE=default
RUN echo "$MESSAGE" > /message.txt && ls / > /root.txt

FROM ${BASE} AS unused
RUN exit 9
`
}

// dockerfileContext writes a Dockerfile into a new context directory.
func dockerfileContext(t *testing.T, dockerfile string) string {
	t.Helper()
	return contextWith(t, "Dockerfile", dockerfile)
}

// dockerfileImages pushes the base (with marker as an extra file) and the
// tool image of multiStageDockerfile and returns their references.
func dockerfileImages(t testing.TB, d *buildkittest.Daemon, prefix, marker string) (base, tool string) {
	t.Helper()
	base = pushLockedBase(t, d, prefix+"/base:1", marker)
	ref, err := d.Registry.PushImage(prefix+"/tool:1", []buildkittest.File{{Path: "/tool.txt", Data: []byte("tool " + marker + "\n")}}, v1.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return base, ref
}

// readImageFile reads one file of a pushed image.
func readImageFile(t *testing.T, ref, path string) string {
	t.Helper()
	img, err := buildkittest.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	b, err := buildkittest.ReadFile(img, path)
	if err != nil {
		t.Fatalf("%s: %v", ref, err)
	}
	return string(b)
}

// TestBuildAndSignDockerfile builds a multi-stage Dockerfile in-process
// on a real BuildKit daemon, with build arguments, a target and labels,
// and checks what was pushed and signed.
func TestBuildAndSignDockerfile(t *testing.T) {
	d := buildkittest.Shared(t)
	d.BaseImage(t) // skips without the base image's files
	w := newWorld(t)
	signer, keyPath := w.keyFile("signer.json")
	pub := signer.Public().String()
	base, tool := dockerfileImages(t, d, "df", "base-marker")
	dir := dockerfileContext(t, multiStageDockerfile(tool))

	ref := d.Registry.Host + "/df/app:1"
	r := runCLI(t, w.env(), "", "build-and-sign", "--addr", d.Addr, "--secret-file", keyPath, "-t", ref, "-o", "json",
		"--build-arg", "BASE="+base, "--build-arg", "MESSAGE=hello",
		"--target", "final", "--label", "org.example.team=builders", "--progress", "plain", dir)
	if r.code != 0 {
		t.Fatalf("build-and-sign: exit %d\nstderr:\n%s\ndaemon log:\n%s", r.code, r.stderr, d.Log())
	}
	lines := decodeLines[signedLine](t, r.stdout)
	digest := manifestDigest(t, ref)
	if len(lines) != 1 || lines[0].Digest != digest || lines[0].Public != pub || lines[0].Proof == nil || lines[0].Registry == nil {
		t.Fatalf("signed %s, want digest %s (pushed) by %s on chain and in the registry", r.stdout, digest, pub)
	}
	for path, want := range map[string]string{"/built.txt": "built\n", "/tool.txt": "tool base-marker\n", "/message.txt": "hello\n"} {
		if got := readImageFile(t, ref, path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if root := strings.Fields(readImageFile(t, ref, "/root.txt")); !slices.Contains(root, "base-marker") {
		t.Errorf("the image's root %q lacks the base's files", root)
	}
	cf := configFile(t, ref)
	for k, v := range map[string]string{image.WalletPublicLabel: pub, "org.example.team": "builders"} {
		if got := cf.Config.Labels[k]; got != v {
			t.Errorf("label %s = %q, want %q", k, got, v)
		}
	}
	env := w.env()
	delete(env, "WALLET_PUBLIC")
	if c := runCLI(t, env, "", "check", "--source", "all", "--key-from-label", ref); c.code != 0 || !strings.HasPrefix(c.stdout, "verified") {
		t.Fatalf("check: %+v", c)
	}

	// Refused before the daemon is asked for anything.
	goshDir := buildContext(t, lockedGoshfile(base))
	refusals := []struct {
		name       string
		dockerfile string
		args       []string
		fragments  []string
	}{
		{"does not parse", "FROM " + base + "\nRUN --mount=type=nonsense true\n", nil, []string{"Dockerfile:2", "nonsense"}},
		{"unknown instruction", "FROM " + base + "\nFETCH x\n", nil, []string{"Dockerfile:2: unknown instruction: FETCH"}},
		{"unknown target", multiStageDockerfile(tool), []string{"--target", "nowhere", "--build-arg", "BASE=" + base}, []string{"nowhere"}},
		{"expansion in COPY --from", "FROM " + base + "\nARG X=" + tool + "\nCOPY --from=${X} /tool.txt /\n", nil, []string{"Dockerfile: variable expansion", "--from"}},
		{"bad build-arg", multiStageDockerfile(tool), []string{"--build-arg", "=x"}, []string{"NAME=VALUE"}},
		{"frontend image", multiStageDockerfile(tool), []string{"--frontend-image", "x/y:1"}, []string{"--frontend-image", "Dockerfile"}},
		{"build-arg for a goshfile", "", []string{"--build-arg", "A=b", "-f", filepath.Join(goshDir, "goshfile.yaml")}, []string{"goshfile"}},
	}
	for i, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			ctxDir := goshDir
			if tt.dockerfile != "" {
				ctxDir = dockerfileContext(t, tt.dockerfile)
			}
			puts := len(d.Registry.ManifestPuts())
			args := []string{"build-and-sign", "--addr", d.Addr, "--secret-file", keyPath, "-t", fmt.Sprintf("%s/df/refused:%d", d.Registry.Host, i)}
			r := runCLI(t, w.env(), "", append(append(args, tt.args...), ctxDir)...)
			r.wantError(t, exitUsage, tt.fragments...)
			if got := d.Registry.ManifestPuts()[puts:]; len(got) != 0 {
				t.Errorf("refused build pushed %q", got)
			}
		})
	}
}

// configFile is the config of a pushed image.
func configFile(t *testing.T, ref string) *v1.ConfigFile {
	t.Helper()
	img, err := buildkittest.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	return cf
}

// diffIDs are the uncompressed layer digests of a pushed image.
func diffIDs(t *testing.T, ref string) []string {
	t.Helper()
	var out []string
	for _, d := range configFile(t, ref).RootFS.DiffIDs {
		out = append(out, d.String())
	}
	return out
}

// lockedDockerfile pushes the images of multiStageDockerfile under prefix,
// writes it into a context and generates its SBOM, for its final stage
// with the base as build argument (buildArgs).
func lockedDockerfile(t testing.TB, d *buildkittest.Daemon, prefix string) (base, tool, dir string, buildArgs []string, sbomFile string) {
	t.Helper()
	base, tool = dockerfileImages(t, d, prefix, "pinned")
	dir = contextWith(t, "Dockerfile", multiStageDockerfile(tool))
	buildArgs = []string{"--build-arg", "BASE=" + base, "--target", "final"}
	sbomFile = filepath.Join(t.TempDir(), "sbom.spdx.json")
	if r := runCLI(t, nil, "", append(append([]string{"sbom", "generate", "-o", sbomFile}, buildArgs...), dir)...); r.code != 0 {
		t.Fatalf("sbom generate: %+v", r)
	}
	return base, tool, dir, buildArgs, sbomFile
}

// TestBuildAndSignDockerfileLocked builds a multi-stage Dockerfile locked
// to its SBOM on a real BuildKit daemon: the image starts from exactly the
// pinned base's layers; once the base's tag has moved, sbom verify reports
// it and the locked build refuses the stale SBOM; what the SBOM does not
// allow is refused before anything is built; a run step cannot reach the
// network.
func TestBuildAndSignDockerfileLocked(t *testing.T) {
	d := buildkittest.Shared(t)
	d.BaseImage(t) // skips without the base image's files
	w := newWorld(t)
	_, keyPath := w.keyFile("signer.json")
	base, tool, dir, buildArgs, sbomFile := lockedDockerfile(t, d, "dflock")
	pinnedBase := base + "@" + manifestDigest(t, base)
	build := func(ref, dir string, extra ...string) result {
		args := []string{"build-and-sign", "--addr", d.Addr, "--secret-file", keyPath, "-t", ref, "-o", "json", "--progress", "plain"}
		return runCLI(t, w.env(), "", append(append(append(args, buildArgs...), extra...), dir)...)
	}
	locked := []string{"--sbom", sbomFile, "--locked"}

	ref := d.Registry.Host + "/dflock/app:1"
	if r := build(ref, dir, locked...); r.code != 0 {
		t.Fatalf("locked build: exit %d\nstderr:\n%s\ndaemon log:\n%s", r.code, r.stderr, d.Log())
	}
	want := diffIDs(t, pinnedBase)
	if got := diffIDs(t, ref); len(got) <= len(want) || !slices.Equal(got[:len(want)], want) {
		t.Errorf("the locked image's layers %q do not start with the pinned base's %q", got, want)
	}
	if root := strings.Fields(readImageFile(t, ref, "/root.txt")); !slices.Contains(root, "pinned") {
		t.Errorf("the locked image's root %q; want the pinned base's files", root)
	}
	if got := readImageFile(t, ref, "/tool.txt"); got != "tool pinned\n" {
		t.Errorf("/tool.txt = %q, want the pinned tool image's", got)
	}

	// The base's tag moves: verify says so, and the locked build refuses the
	// stale SBOM before anything is built, pushed or signed.
	pushLockedBase(t, d, "dflock/base:1", "moved")
	v := runCLI(t, nil, "", append(append([]string{"sbom", "verify", "--sbom", sbomFile}, buildArgs...), dir)...)
	if v.code != exitNotVerified || !strings.HasPrefix(v.stdout, "~ ") || !strings.Contains(v.stdout, "dflock/base") {
		t.Fatalf("sbom verify after the tag moved: %+v, want exit %d and the base changed", v, exitNotVerified)
	}
	wantStale(t, d, v.stdout, func() result { return build(d.Registry.Host+"/dflock/stale:1", dir, locked...) })

	// Refused before building: nothing pushed, nothing signed.
	other := pushLockedBase(t, d, "dflock/other:1", "other")
	refusals := []struct {
		name       string
		dockerfile string
		args       []string
		fragments  []string
	}{
		{"FROM an image the SBOM lacks", "ARG BASE\nFROM " + other + " AS final\n", nil, []string{"Dockerfile:2: image " + other + " is not pinned for linux/amd64 by the SBOM"}},
		{"ARG in FROM set to another image", multiStageDockerfile(tool), []string{"--build-arg", "BASE=" + other}, []string{"Dockerfile:2:", "dflock/other:1 is not pinned"}},
		{"COPY --from an image the SBOM lacks", "ARG BASE\nFROM ${BASE} AS final\nCOPY --from=" + other + " /pinned /x\n", nil, []string{"Dockerfile:3:", "dflock/other:1 is not pinned"}},
		{"RUN --network=host", "ARG BASE\nFROM ${BASE} AS final\nRUN --network=host true\n", nil, []string{"Dockerfile:3: RUN --network=host"}},
		{"cache mount", "ARG BASE\nFROM ${BASE} AS final\nRUN --mount=type=cache,target=/c true\n", nil, []string{"Dockerfile:3: cache mount at /c"}},
		{"ADD of a URL", "ARG BASE\nFROM ${BASE} AS final\nADD http://" + d.Registry.Host + "/v2/ /v2\n", nil, []string{"Dockerfile:3: ADD http://", "not pinned by a checksum"}},
	}
	for i, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			puts := len(d.Registry.ManifestPuts())
			extra := append(append([]string{}, locked...), tt.args...)
			r := build(fmt.Sprintf("%s/dflock/refused:%d", d.Registry.Host, i), dockerfileContext(t, tt.dockerfile), extra...)
			r.wantError(t, exitUsage, tt.fragments...)
			if r.stdout != "" {
				t.Errorf("refused build printed %q", r.stdout)
			}
			if got := d.Registry.ManifestPuts()[puts:]; len(got) != 0 {
				t.Errorf("refused build pushed %q", got)
			}
		})
	}

	// A run step that reaches the registry on loopback: it does without
	// --locked, and cannot with it.
	fetch := "ARG BASE\nFROM ${BASE} AS final\nRUN wget -q -O /v2.json http://" + d.Registry.Host + "/v2/\n"
	gen := filepath.Join(t.TempDir(), "fetch.spdx.json")
	fetchDir := dockerfileContext(t, fetch)
	if r := runCLI(t, nil, "", append(append([]string{"sbom", "generate", "-o", gen}, buildArgs...), fetchDir)...); r.code != 0 {
		t.Fatalf("sbom generate: %+v", r)
	}
	if r := build(d.Registry.Host+"/dflock/fetch:open", fetchDir); r.code != 0 {
		t.Fatalf("the unlocked build could not fetch (so the locked one proves nothing): exit %d\n%s", r.code, r.stderr)
	}
	puts := len(d.Registry.ManifestPuts())
	r := build(d.Registry.Host+"/dflock/fetch:locked", fetchDir, "--sbom", gen, "--locked")
	r.wantError(t, exitFailure, "wget")
	if got := d.Registry.ManifestPuts()[puts:]; len(got) != 0 {
		t.Errorf("the failed locked build pushed %q", got)
	}
}
