package image

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/gosh-sh/sign-cli/keys"
)

// cosignVersion is the cosign release the peer test runs against.
const cosignVersion = "v2.6.5"

// findCosign returns a cosign binary: $SIGN_CLI_COSIGN, the repository's
// .tools/bin, or PATH. When CI is set and none is there, it builds cosign
// from the Go module proxy into .tools/bin (two to three minutes).
func findCosign(t *testing.T) string {
	t.Helper()
	return findPeerTool(t, peerTool{
		name: "cosign",
		env:  "SIGN_CLI_COSIGN",
		install: func(toolsBin string) string {
			return fmt.Sprintf("GOBIN=%s go install github.com/sigstore/cosign/v2/cmd/cosign@%s", toolsBin, cosignVersion)
		},
		build: func(dir string) *exec.Cmd {
			cmd := exec.Command("go", "install", "github.com/sigstore/cosign/v2/cmd/cosign@"+cosignVersion)
			cmd.Env = append(os.Environ(), "GOBIN="+dir)
			return cmd
		},
	})
}

// peerTool is a verifier the peer tests run on what sign-cli writes.
type peerTool struct {
	name string // the binary's name, in .tools/bin and on PATH
	env  string // the variable that names a binary to use instead
	// install is the command line a developer runs to get the tool into
	// toolsBin.
	install func(toolsBin string) string
	// build is the command that builds the tool into dir, run from the
	// image package's directory.
	build func(dir string) *exec.Cmd
}

// findPeerTool returns the tool's binary: $tool.env, the repository's
// .tools/bin, or PATH. When CI is set and none is there, it builds the
// tool into .tools/bin; otherwise the test is skipped with the command
// that gets it.
func findPeerTool(t *testing.T, tool peerTool) string {
	t.Helper()
	if p := os.Getenv(tool.env); p != "" {
		return p
	}
	toolsBin, err := filepath.Abs(filepath.Join("..", ".tools", "bin"))
	if err != nil {
		t.Fatal(err)
	}
	local := filepath.Join(toolsBin, tool.name)
	if _, err := os.Stat(local); err == nil {
		return local
	}
	if p, err := exec.LookPath(tool.name); err == nil {
		return p
	}
	if os.Getenv("CI") == "" {
		t.Skipf("%s not found: run `%s` (or set CI=1 to have this test do it) to check what sign-cli writes against it", tool.name, tool.install(toolsBin))
	}
	if testing.Short() {
		t.Skipf("building %s is skipped in -short mode", tool.name)
	}
	t.Logf("building %s into %s", tool.name, toolsBin)
	// Build into a directory of our own and rename into place, so that
	// another test binary doing the same never sees half a file.
	if err := os.MkdirAll(toolsBin, 0o755); err != nil {
		t.Fatal(err)
	}
	tmp, err := os.MkdirTemp(toolsBin, "."+tool.name+"-build-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	if out, err := tool.build(tmp).CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", tool.name, err, out)
	}
	if err := os.Rename(filepath.Join(tmp, tool.name), local); err != nil {
		t.Fatal(err)
	}
	return local
}

// TestCosignVerifiesOurSignatures runs `cosign verify --key` on signatures
// this package wrote: it must accept them with the signer's key and the
// right annotations, and reject other keys, other annotations and a
// signature copied onto another image.
func TestCosignVerifiesOurSignatures(t *testing.T) {
	cosign := findCosign(t)
	ctx := t.Context()
	reg := newTestRegistry(t)
	signed := reg.pushImage(t, "peer/app:v1", nil)
	other := reg.pushImage(t, "peer/app:other", nil)
	unsigned := reg.pushImage(t, "peer/app:unsigned", nil)
	r := fastRegistry()
	alice, bob, carol := mustKey(t, 'a'), mustKey(t, 'b'), mustKey(t, 'c')
	for _, k := range []keys.Key{alice, bob} {
		if _, err := r.WriteSignature(ctx, reg.target(t, "peer/app:v1"), k, map[string]string{"env": "prod"}); err != nil {
			t.Fatal(err)
		}
	}
	// Copy the .sig onto the other image: cosign must see the digest claim
	// does not match.
	repo, _ := name.NewRepository(reg.host + "/peer/app")
	copyArtifact(t, SignatureTag(repo, signed), SignatureTag(repo, other))
	keyFile := pemFiles(t)
	tests := []struct {
		name     string
		image    string
		key      keys.Key
		args     []string
		verified bool
		exitCode int // when not verified
	}{
		{"first signer", "peer/app@" + signed.String(), alice, nil, true, 0},
		{"second signer", "peer/app@" + signed.String(), bob, nil, true, 0},
		{"by tag", "peer/app:v1", alice, nil, true, 0},
		{"annotation matches", "peer/app@" + signed.String(), alice, []string{"-a", "env=prod"}, true, 0},
		{"annotation differs", "peer/app@" + signed.String(), alice, []string{"-a", "env=dev"}, false, 12},
		{"another key", "peer/app@" + signed.String(), carol, nil, false, 12},
		{"signature copied onto another image", "peer/app@" + other.String(), alice, nil, false, 12},
		{"no signatures", "peer/app@" + unsigned.String(), alice, nil, false, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"verify", "--key", keyFile(tt.key), "--insecure-ignore-tlog=true", "--allow-http-registry=true", "--output", "json"}, tt.args...)
			args = append(args, reg.host+"/"+tt.image)
			stdout, stderr, err := runCosign(ctx, t, cosign, keyFile(tt.key), args)
			var exitErr *exec.ExitError
			if err != nil && !errors.As(err, &exitErr) {
				t.Fatalf("running cosign: %v", err)
			}
			if got := err == nil; got != tt.verified {
				t.Fatalf("cosign verified=%v, want %v\nstdout: %s\nstderr: %s", got, tt.verified, stdout.String(), stderr.String())
			}
			if !tt.verified {
				// 12: no signature matched the key or the claims; 10: no
				// signatures. Anything else (network, trust root) would
				// mean the test proved nothing.
				if code := exitErr.ExitCode(); code != tt.exitCode {
					t.Fatalf("cosign exit code %d, want %d\nstderr: %s", code, tt.exitCode, stderr.String())
				}
				return
			}
			var payloads []SimpleSigning
			if err := json.Unmarshal(stdout.Bytes(), &payloads); err != nil || len(payloads) == 0 {
				t.Fatalf("cosign output %q: %v", stdout.String(), err)
			}
			if d := payloads[0].Critical.Image.DockerManifestDigest; d != signed.String() {
				t.Errorf("cosign reports digest %s", d)
			}
			if !strings.Contains(stderr.String(), "The signatures were verified against the specified public key") {
				t.Logf("cosign stderr: %s", stderr.String())
			}
		})
	}
}

// runCosign runs cosign offline, in a home of its own, and returns what it
// printed. anyFile is a readable file, given as the Rekor public key: it
// keeps cosign from fetching the public trust root when the transparency log
// is ignored.
func runCosign(ctx context.Context, t *testing.T, cosign, anyFile string, args []string) (stdout, stderr *bytes.Buffer, err error) {
	t.Helper()
	cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cctx, cosign, args...)
	home := t.TempDir()
	cmd.Env = append(os.Environ(),
		"HOME="+home,
		"TUF_ROOT="+filepath.Join(home, "tuf"),
		"SIGSTORE_REKOR_PUBLIC_KEY="+anyFile,
		"DOCKER_CONFIG="+filepath.Join(home, "docker"),
	)
	stdout, stderr = new(bytes.Buffer), new(bytes.Buffer)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	return stdout, stderr, cmd.Run()
}

// copyArtifact copies the artifact at from to the tag to, as an attacker
// moving a signature onto another image would.
func copyArtifact(t *testing.T, from, to name.Tag) {
	t.Helper()
	img, err := remote.Image(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(to, img); err != nil {
		t.Fatal(err)
	}
}

// pemFiles returns a function that writes a key's public PEM file, for
// cosign --key, and returns its path.
func pemFiles(t *testing.T) func(keys.Key) string {
	dir := t.TempDir()
	return func(k keys.Key) string {
		p := filepath.Join(dir, k.Public().String()[:8]+".pem")
		if err := os.WriteFile(p, k.Public().PEM(), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
}
