//go:build !lean

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/moby/buildkit/client/connhelper"

	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/image"
	"github.com/gosh-sh/sign-cli/internal/buildkittest"
	"github.com/gosh-sh/sign-cli/keys"
)

// The end-to-end build tests of this package share one BuildKit daemon.
func TestMain(m *testing.M) { os.Exit(buildkittest.Main(m)) }

// seedGoshfile is the seeds' example goshfile with the local base image and
// its /bin/bash.
func seedGoshfile(syntax, base, script string) string {
	var b strings.Builder
	if syntax != "" {
		fmt.Fprintf(&b, "# syntax=%s\n\n", syntax)
	}
	fmt.Fprintf(&b, `apiVersion: 1
image: %s
steps:
  - name: print date
    run:
      command: ["/bin/bash"]
      args:
        - -c
        - >-
          %s
`, base, script)
	return b.String()
}

const seedScript = `(date +'%s %H:%M:%S %Z'; echo "Hi there") | tee /message.txt`

// buildContext writes a goshfile into a new context directory.
func buildContext(t *testing.T, goshfile string) string {
	t.Helper()
	return contextWith(t, "goshfile.yaml", goshfile)
}

// contextWith writes a build file into a new context directory.
func contextWith(t testing.TB, name, content string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// checkBuiltImage checks what the seeds' goshfile leaves in the pushed
// image: /message.txt and the labels.
func checkBuiltImage(t *testing.T, ref string, labels map[string]string) {
	t.Helper()
	img, err := buildkittest.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := buildkittest.ReadFile(img, "/message.txt")
	if err != nil {
		t.Fatalf("%s: %v", ref, err)
	}
	if !strings.HasSuffix(string(msg), "Hi there\n") || strings.Count(string(msg), "\n") != 2 {
		t.Errorf("/message.txt = %q, want a date line and \"Hi there\"", msg)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range labels {
		if got := cf.Config.Labels[k]; got != v {
			t.Errorf("label %s = %q, want %q (labels %v)", k, got, v, cf.Config.Labels)
		}
	}
}

// stepCached reads BuildKit's plain progress display: whether the vertex
// of the step named name came from the cache.
func stepCached(t *testing.T, progress, name string) bool {
	t.Helper()
	id := ""
	for _, line := range strings.Split(progress, "\n") {
		if n, rest, ok := strings.Cut(line, " "); ok && strings.HasPrefix(n, "#") && strings.HasSuffix(rest, "] "+name) {
			id = n
			break
		}
	}
	if id == "" {
		t.Fatalf("no step %q in the progress display:\n%s", name, progress)
	}
	return strings.Contains(progress, "\n"+id+" CACHED\n")
}

func manifestDigest(t *testing.T, ref string) string {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Head(r)
	if err != nil {
		t.Fatalf("HEAD %s: %v", ref, err)
	}
	return desc.Digest.String()
}

// TestBuildAndSign builds the seeds' goshfile on a real BuildKit daemon,
// in-process and through the frontend image, and checks what was pushed
// and signed.
func TestBuildAndSign(t *testing.T) {
	d := buildkittest.Shared(t)
	base := d.BaseImage(t)
	w := newWorld(t)
	signer, keyPath := w.keyFile("signer.json")
	pub := signer.Public().String()

	tests := []struct {
		name     string
		frontend bool
		args     []string
		// cached says whether the RUN step must come from BuildKit's cache
		// (the same step was built before), must not, or either.
		cached string
	}{
		{name: "in-process"},
		{name: "in-process/again", cached: "yes"},
		{name: "in-process/no-cache", args: []string{"--no-cache", "--platform", "linux/amd64"}, cached: "no"},
		{name: "frontend-image", frontend: true},
		{name: "frontend-image/no-cache", frontend: true, args: []string{"--no-cache"}, cached: "no"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := buildContext(t, seedGoshfile("", base, seedScript))
			ref := fmt.Sprintf("%s/built/app:%d", d.Registry.Host, i)
			args := []string{"build-and-sign", "--addr", d.Addr, "--secret-file", keyPath,
				"-t", ref, "--label", "org.example.team=builders", "-o", "json"}
			if tt.frontend {
				args = append(args, "--frontend-image", d.FrontendImage(t))
			}
			args = append(append(args, tt.args...), dir)
			start := time.Now()
			r := runCLI(t, w.env(), "", args...)
			if r.code != 0 {
				t.Fatalf("build-and-sign: exit %d\nstderr:\n%s\ndaemon log:\n%s", r.code, r.stderr, d.Log())
			}
			t.Logf("build-and-sign took %s", time.Since(start))
			lines := decodeLines[signedLine](t, r.stdout)
			if len(lines) != 1 {
				t.Fatalf("output %q", r.stdout)
			}
			got := lines[0]
			digest := manifestDigest(t, ref)
			if got.Digest != digest || got.Public != pub || got.Error != "" {
				t.Fatalf("signed %+v, want digest %s (pushed) by %s", got, digest, pub)
			}
			if want := d.Registry.Host + "/built/app@" + digest; got.Target != want {
				t.Errorf("target %s, want %s", got.Target, want)
			}
			// BuildKit's plain progress display went to standard error.
			if !strings.Contains(r.stderr, "#1 ") || !strings.Contains(r.stderr, "DONE") {
				t.Errorf("no build progress on stderr:\n%s", r.stderr)
			}
			switch cached := stepCached(t, r.stderr, "print date"); {
			case tt.cached == "yes" && !cached:
				t.Errorf("the step ran again; want it from the cache:\n%s", r.stderr)
			case tt.cached == "no" && cached:
				t.Errorf("a step came from the cache despite --no-cache:\n%s", r.stderr)
			}
			checkBuiltImage(t, ref, map[string]string{
				image.WalletPublicLabel: pub,
				"org.example.team":      "builders",
			})
			p, err := contract.NewProof(signer.Public().Ed25519(), digest)
			if err != nil {
				t.Fatal(err)
			}
			if got.Proof == nil || got.Proof.Address != p.Address().String() || got.Registry == nil {
				t.Fatalf("signed %+v, want the proof at %s and a registry signature", got, p.Address())
			}
			// check verifies the tag with the key from the image's label.
			env := w.env()
			delete(env, "WALLET_PUBLIC")
			c := runCLI(t, env, "", "check", "--source", "all", "--key-from-label", ref)
			if c.code != 0 || !strings.HasPrefix(c.stdout, "verified") {
				t.Fatalf("check: %+v", c)
			}
		})
	}
}

// TestBuildSyntaxLine builds with buildctl through the goshfile's
// `# syntax=` line (BuildKit's Dockerfile frontend hands the build to the
// frontend image), as the seeds do, then signs and checks the result.
func TestBuildSyntaxLine(t *testing.T) {
	d := buildkittest.Shared(t)
	base := d.BaseImage(t)
	frontend := d.FrontendImage(t)
	w := newWorld(t)
	signer, keyPath := w.keyFile("signer.json")
	pub := signer.Public().String()

	dir := buildContext(t, seedGoshfile(frontend, base, seedScript))
	ref := d.Registry.Host + "/syntax/app:1"
	meta := filepath.Join(t.TempDir(), "meta.json")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := d.Buildctl(ctx, "build", "--frontend", "dockerfile.v0",
		"--local", "context="+dir, "--local", "dockerfile="+dir,
		"--opt", "filename=goshfile.yaml",
		"--opt", "label:"+image.WalletPublicLabel+"="+pub,
		"--output", "type=image,name="+ref+",push=true,registry.insecure=true",
		"--metadata-file", meta)
	if err != nil {
		t.Fatalf("%v\n%s\ndaemon log:\n%s", err, out, d.Log())
	}
	checkBuiltImage(t, ref, map[string]string{image.WalletPublicLabel: pub})

	if r := runCLI(t, w.env(), "", "sign", "--secret-file", keyPath, ref); r.code != 0 {
		t.Fatalf("sign: %+v", r)
	}
	env := w.env()
	delete(env, "WALLET_PUBLIC")
	if r := runCLI(t, env, "", "check", "--source", "all", "--key-from-label", ref); r.code != 0 {
		t.Fatalf("check: %+v", r)
	}
}

// TestBuildAndSignFailedBuild: a failing step signs nothing, and the
// build's own error is the one line on standard error.
func TestBuildAndSignFailedBuild(t *testing.T) {
	d := buildkittest.Shared(t)
	base := d.BaseImage(t)
	w := newWorld(t)
	_, keyPath := w.keyFile("signer.json")

	for _, frontend := range []bool{false, true} {
		t.Run(fmt.Sprintf("frontend=%v", frontend), func(t *testing.T) {
			dir := buildContext(t, seedGoshfile("", base, "echo failing; exit 7"))
			ref := d.Registry.Host + "/failing/app:1"
			args := []string{"build-and-sign", "--addr", d.Addr, "--secret-file", keyPath, "-t", ref}
			if frontend {
				args = append(args, "--frontend-image", d.FrontendImage(t))
			}
			txs, puts := len(w.chain.Transactions()), len(d.Registry.ManifestPuts())
			r := runCLI(t, w.env(), "", append(args, dir)...)
			r.wantError(t, exitFailure, "exit code: 7")
			if n := len(w.chain.Transactions()); n != txs {
				t.Errorf("%d transactions after a failed build", n-txs)
			}
			if p := d.Registry.ManifestPuts()[puts:]; len(p) != 0 {
				t.Errorf("manifests pushed by a failed build: %v", p)
			}
			if strings.Contains(r.stdout, "signed") {
				t.Errorf("stdout after a failed build: %q", r.stdout)
			}
		})
	}
}

// fakeDocker puts a stand-in `docker` first on PATH. It records its
// arguments, one a line, in the returned file and then either writes the
// metadata file with digest or, when digest is empty, fails as buildx does.
func fakeDocker(t *testing.T, digest string) (argsFile string) {
	t.Helper()
	dir := t.TempDir()
	argsFile = filepath.Join(dir, "args")
	action := fmt.Sprintf(`printf '{"buildx.build.ref": "default/default/x", "containerimage.digest": "%s"}' "%s" > "$meta"`, digest, digest)
	if digest == "" {
		action = `echo '#5 ERROR: process "/bin/bash -c exit 7" did not complete successfully: exit code: 7' >&2
echo 'ERROR: failed to solve: process "/bin/bash -c exit 7" did not complete successfully: exit code: 7' >&2
exit 1`
	}
	script := fmt.Sprintf(`#!/bin/sh
printf '%%s\n' "$@" > %q
meta=
prev=
for a in "$@"; do
	if [ "$prev" = --metadata-file ]; then meta=$a; fi
	prev=$a
done
echo "#1 building with stand-in docker" >&2
%s
`, argsFile, action)
	if err := os.WriteFile(filepath.Join(dir, "docker"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return argsFile
}

func TestBuildAndSignDocker(t *testing.T) {
	w := newWorld(t)
	signer, keyPath := w.keyFile("signer.json")
	pub := signer.Public().String()
	// The stand-in reports the digest of an image that is really in the
	// registry, so that signing it works.
	ref, digest := w.image("team/app", nil)
	const frontend = "registry.example.com/goshfile-frontend:1"

	tests := []struct {
		name     string
		goshfile string
		args     []string
		// wantExtra are the arguments expected between the labels and the
		// context directory.
		wantExtra []string
		wantCode  int
	}{
		{name: "syntax line", goshfile: seedGoshfile(frontend, "base", seedScript)},
		{name: "frontend image", goshfile: seedGoshfile("", "base", seedScript),
			args: []string{"--frontend-image", frontend}, wantExtra: []string{"--build-arg", "BUILDKIT_SYNTAX=" + frontend}},
		{name: "options", goshfile: seedGoshfile(frontend, "base", seedScript),
			args:      []string{"--no-cache", "--platform", "linux/arm64", "--progress", "plain"},
			wantExtra: []string{"--no-cache", "--platform", "linux/arm64", "--progress", "plain"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			argsFile := fakeDocker(t, digest.String())
			dir := buildContext(t, tt.goshfile)
			args := append([]string{"build-and-sign", "--builder", "docker", "--secret-file", keyPath,
				"-t", ref, "--label", "org.example.b=2", "--label", "org.example.a=1", "-o", "json"}, tt.args...)
			r := runCLI(t, w.env(), "", append(args, dir)...)
			if r.code != 0 {
				t.Fatalf("build-and-sign: %+v", r)
			}
			if !strings.Contains(r.stderr, "stand-in docker") {
				t.Errorf("docker's progress not passed on: %q", r.stderr)
			}
			b, err := os.ReadFile(argsFile)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
			if len(got) < 5 {
				t.Fatalf("docker arguments %q", got)
			}
			meta := got[4]
			want := []string{"buildx", "build", "--push", "--metadata-file", meta,
				"-f", filepath.Join(dir, "goshfile.yaml"), "-t", ref,
				"--label", image.WalletPublicLabel + "=" + pub,
				"--label", "org.example.a=1", "--label", "org.example.b=2"}
			want = append(append(want, tt.wantExtra...), dir)
			if !slices.Equal(got, want) {
				t.Fatalf("docker arguments\n got %q\nwant %q", got, want)
			}
			if _, err := os.Stat(meta); err == nil {
				t.Errorf("metadata file %s left behind", meta)
			}
			line := decodeLines[signedLine](t, r.stdout)[0]
			repo, _, _ := strings.Cut(ref, ":latest")
			if line.Digest != digest.String() || line.Target != repo+"@"+digest.String() || line.Proof == nil || line.Registry == nil {
				t.Fatalf("signed %+v", line)
			}
			if c := runCLI(t, w.env(), "", "check", "--source", "all", pub, ref); c.code != 0 {
				t.Fatalf("check: %+v", c)
			}
		})
	}

	t.Run("failed build", func(t *testing.T) {
		fakeDocker(t, "")
		dir := buildContext(t, seedGoshfile(frontend, "base", "exit 7"))
		txs, pushes := len(w.chain.Transactions()), w.pushes()
		r := runCLI(t, w.env(), "", "build-and-sign", "--builder", "docker", "--secret-file", keyPath, "-t", w.regHost+"/failing/app:1", dir)
		r.wantError(t, exitFailure, "failed to solve", "exit code: 7")
		if len(w.chain.Transactions()) != txs || w.pushes() != pushes {
			t.Fatal("a failed build signed something")
		}
	})
	t.Run("no syntax line", func(t *testing.T) {
		argsFile := fakeDocker(t, digest.String())
		dir := buildContext(t, seedGoshfile("", "base", seedScript))
		r := runCLI(t, w.env(), "", "build-and-sign", "--builder", "docker", "--secret-file", keyPath, "-t", ref, dir)
		r.wantError(t, exitUsage, "syntax", "--frontend-image")
		if _, err := os.Stat(argsFile); err == nil {
			t.Fatal("docker ran without a frontend")
		}
	})
}

// TestBuildAndSignBadInput: every mistake is exit code 2 and one line, with
// no build started.
func TestBuildAndSignBadInput(t *testing.T) {
	dir := buildContext(t, seedGoshfile("", "base", seedScript))
	key, err := keys.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := keys.GenerateKey(nil)
	env := map[string]string{"WALLET_SECRET": key.SecretHex()}
	// An address nobody listens on: reaching BuildKit would be exit 3.
	addr := "unix://" + filepath.Join(t.TempDir(), "none.sock")
	invalid := buildContext(t, "apiVersion: 1\nimage: base\nsteps:\n  - name: x\n    rnu: {}\n")
	tests := []struct {
		name      string
		args      []string
		fragments []string
	}{
		{"invalid goshfile", []string{"-t", "127.0.0.1:5000/app:1", invalid}, []string{"goshfile.yaml", "5"}},
		{"tty progress without a terminal", []string{"-t", "127.0.0.1:5000/app:1", "--progress", "tty", dir}, []string{"--progress"}},
		{"no tag", []string{dir}, []string{"-t"}},
		{"digest tag", []string{"-t", "127.0.0.1:5000/app@sha256:" + strings.Repeat("a", 64), dir}, []string{"not a digest"}},
		{"bad tag", []string{"-t", "UPPER/Case:x", dir}, []string{"not an image reference"}},
		{"two contexts", []string{"-t", "127.0.0.1:5000/app:1", dir, dir}, []string{"at most one CONTEXT"}},
		{"missing context", []string{"-t", "127.0.0.1:5000/app:1", filepath.Join(dir, "nope")}, []string{"not a directory"}},
		{"missing goshfile", []string{"-t", "127.0.0.1:5000/app:1", "-f", filepath.Join(dir, "other.yaml"), dir}, []string{"other.yaml"}},
		{"bad label", []string{"-t", "127.0.0.1:5000/app:1", "--label", "novalue", dir}, []string{"key=value"}},
		{"wrong WALLET_PUBLIC label", []string{"-t", "127.0.0.1:5000/app:1", "--label", "WALLET_PUBLIC=" + other.Public().String(), dir}, []string{"WALLET_PUBLIC", "signer's public key"}},
		{"bad progress", []string{"-t", "127.0.0.1:5000/app:1", "--progress", "fancy", dir}, []string{"--progress"}},
		{"bad builder", []string{"-t", "127.0.0.1:5000/app:1", "--builder", "podman", dir}, []string{"--builder"}},
		{"addr with docker", []string{"-t", "127.0.0.1:5000/app:1", "--builder", "docker", "--addr", addr, dir}, []string{"--addr"}},
		{"nothing to do", []string{"-t", "127.0.0.1:5000/app:1", "--no-chain", "--no-registry", dir}, []string{"nothing to do"}},
		{"bad output", []string{"-t", "127.0.0.1:5000/app:1", "-o", "yaml", dir}, []string{"yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"build-and-sign", "--addr", addr, "--no-chain"}, tt.args...)
			if slices.Contains(tt.args, "--builder") {
				args = append([]string{"build-and-sign", "--no-chain"}, tt.args...)
			}
			r := runCLI(t, env, "", args...)
			r.wantError(t, exitUsage, tt.fragments...)
		})
	}
	t.Run("daemon unreachable", func(t *testing.T) {
		r := runCLI(t, env, "", "build-and-sign", "--addr", addr, "--no-chain", "-t", "127.0.0.1:5000/app:1", dir)
		r.wantError(t, exitFailure, "BuildKit", addr)
	})
	t.Run("BUILDKIT_HOST", func(t *testing.T) {
		env := map[string]string{"WALLET_SECRET": key.SecretHex(), "BUILDKIT_HOST": addr + ".env"}
		r := runCLI(t, env, "", "build-and-sign", "--no-chain", "-t", "127.0.0.1:5000/app:1", dir)
		r.wantError(t, exitFailure, "BuildKit", addr+".env")
	})
}

func TestSyntaxLine(t *testing.T) {
	tests := []struct {
		name, content, want string
	}{
		{"first line", "# syntax=reg/frontend:1\napiVersion: 1\n", "reg/frontend:1"},
		{"after comments and blanks", "\n# a goshfile\n#syntax = reg/frontend\n", "reg/frontend"},
		{"upper case", "# SYNTAX=reg/f\n", "reg/f"},
		{"after content", "apiVersion: 1\n# syntax=reg/f\n", ""},
		{"other directive", "# escape=`\n", ""},
		{"none", "apiVersion: 1\n", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "goshfile.yaml")
			if err := os.WriteFile(p, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := syntaxLine(p)
			if err != nil || got != tt.want {
				t.Fatalf("syntaxLine = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestBuildkitAddressSchemes: the connection helpers that build-and-sign
// imports understand their addresses, as buildctl's do.
func TestBuildkitAddressSchemes(t *testing.T) {
	tests := []struct {
		addr   string
		helper bool
	}{
		{"docker-container://buildkitd", true},
		{"podman-container://buildkitd", true},
		{"nerdctl-container://buildkitd", true},
		{"kube-pod://buildkitd-0?namespace=ci", true},
		{"ssh://builder@build.example.com", true},
		// BuildKit's client dials these itself.
		{"unix:///run/buildkit/buildkitd.sock", false},
		{"tcp://127.0.0.1:1234", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			h, err := connhelper.GetConnectionHelper(tt.addr)
			if err != nil {
				t.Fatal(err)
			}
			if (h != nil) != tt.helper {
				t.Fatalf("helper %v, want %v", h != nil, tt.helper)
			}
		})
	}
}
