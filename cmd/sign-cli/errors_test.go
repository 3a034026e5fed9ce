package main

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gosh-sh/sign-cli/cargo/cargotest"
)

// TestErrorsNameEachThingOnce runs the failure paths of every command and
// requires that no error line names the same thing (an image reference, an
// address, a path, a URL, a digest) twice: each layer adds only what it
// knows, and the caller, which chose the thing, is the one that names it.
func TestErrorsNameEachThingOnce(t *testing.T) {
	w := newWorld(t)
	ref, _ := w.image("errors/app", nil)
	missing := w.regHost + "/errors/none:v1"
	down := "127.0.0.1:1/app:v1"
	downURL := "http://127.0.0.1:1/graphql"
	signer, keyPath := w.keyFile("signer.json")
	pub := signer.Public().String()
	digest := "sha256:" + strings.Repeat("ab", 32)

	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badKey := write("bad.json", "{}\n")
	nokey := filepath.Join(dir, "none.json")
	badMessage := write("message.json", `{"format":"sign-cli/deploy-message/v1"}`)
	buildDir := filepath.Join(dir, "build")
	if err := os.Mkdir(buildDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(buildDir, "goshfile.yaml"), []byte("apiVersion: 1\nimage: scratch\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Dockerfiles: one that does not parse, and one locked to the SBOM of
	// another.
	badDockerfile := filepath.Join(dir, "bad")
	lockedDockerfile := filepath.Join(dir, "locked")
	for d, content := range map[string]string{badDockerfile: "FROM " + ref + "\nFETCH x\n", lockedDockerfile: "FROM " + ref + "\n"} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "Dockerfile"), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	dockerSBOM := filepath.Join(dir, "sbom.spdx.json")
	if r := runCLI(t, nil, "", "sbom", "generate", "-o", dockerSBOM, lockedDockerfile); r.code != 0 {
		t.Fatalf("sbom generate: %+v", r)
	}
	if err := os.WriteFile(filepath.Join(lockedDockerfile, "Dockerfile"), []byte("FROM "+missing+"\nRUN --network=host true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A context whose Cargo.lock names a crate, for a registry that is down.
	cargoDir := filepath.Join(dir, "cargo")
	if err := os.Mkdir(cargoDir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(cargoDir, "goshfile.yaml"), []byte("apiVersion: 1\nimage: scratch\n"), 0o600)
	os.WriteFile(filepath.Join(cargoDir, "Cargo.lock"), []byte(cargotest.Lock(3, "app", nil, cargotest.NewCrate("leaf", "1.0.0"))), 0o600)
	msgFile := filepath.Join(dir, "deploy.json")
	if r := runCLI(t, nil, "", "sign", "--offline", "--secret-file", keyPath, "--message-out", msgFile, digest); r.code != 0 {
		t.Fatalf("making a message file: %+v", r)
	}

	env := w.env()
	downEnv := map[string]string{"SIGN_CLI_NETWORK": downURL, "WALLET_PUBLIC": pub, "WALLET": w.chain.GiverAddress, "WALLET_SECRET": w.giver.SecretHex()}
	noWallet := map[string]string{"SIGN_CLI_NETWORK": w.chain.URL, "WALLET": "0:" + strings.Repeat("1", 64), "WALLET_SECRET": w.giver.SecretHex()}

	failPush := func() { w.reg.Fail(-1, http.StatusInternalServerError, http.MethodPut, "/manifests/") }
	denySignatures := func() { w.reg.Fail(-1, http.StatusForbidden, "", ".sig") }
	failChain := func() { w.chain.FailRequests(-1, http.StatusBadGateway) }
	tests := []struct {
		name string
		env  map[string]string
		args []string
		arm  func() // a fault, switched off after the case
	}{
		{"digest: unreachable registry", nil, []string{"digest", down}, nil},
		{"digest: missing image", nil, []string{"digest", missing}, nil},
		{"addr: bad key file", nil, []string{"addr", "--secret-file", badKey, digest}, nil},
		{"pubkey: missing key file", nil, []string{"pubkey", "--secret-file", nokey}, nil},
		{"pubkey: bad key file", nil, []string{"pubkey", "--secret-file", badKey}, nil},
		{"keygen: existing file", nil, []string{"keygen", "--out", keyPath}, nil},
		{"sign: unreachable registry", env, []string{"sign", "--secret-file", keyPath, "--no-chain", down}, nil},
		{"sign: missing image", env, []string{"sign", "--secret-file", keyPath, missing}, nil},
		{"sign: unreachable endpoint", downEnv, []string{"sign", "--secret-file", keyPath, "--no-registry", "--timeout", "20s", digest}, nil},
		{"sign: bad key file", env, []string{"sign", "--secret-file", badKey, ref}, nil},
		{"sign: missing key file", env, []string{"sign", "--secret-file", nokey, ref}, nil},
		{"sign: unknown wallet", noWallet, []string{"sign", "--secret-file", keyPath, "--no-registry", digest}, nil},
		{"sign: existing message file", nil, []string{"sign", "--offline", "--secret-file", keyPath, "--message-out", msgFile, digest}, nil},
		{"check: unreachable endpoint", downEnv, []string{"check", pub, digest}, nil},
		{"check: unreachable registry", downEnv, []string{"check", "--source", "registry", pub, down}, nil},
		{"check: two unreachable targets", downEnv, []string{"check", "--source", "all", pub, down, strings.Replace(down, "v1", "v2", 1)}, nil},
		{"check: missing image", env, []string{"check", "--source", "registry", pub, missing}, nil},
		{"check: missing image, json", env, []string{"check", "-o", "json", "--source", "registry", pub, missing, ref}, nil},
		{"check: no label", env, []string{"check", "--source", "registry", "--key-from-label", ref}, nil},
		{"check: not signed", env, []string{"check", "--source", "all", pub, ref}, nil},
		{"check: not signed, json", env, []string{"check", "-o", "json", "--source", "all", pub, ref}, nil},
		{"check: missing public key file", env, []string{"check", "--public", nokey + ".pem", ref}, nil},
		{"check: missing targets file", env, []string{"check", "--from-file", nokey, pub}, nil},
		{"send: missing file", env, []string{"send", nokey}, nil},
		{"send: bad message file", env, []string{"send", badMessage}, nil},
		{"send: unreachable endpoint", downEnv, []string{"send", "--timeout", "20s", msgFile}, nil},
		{"build-and-sign: missing context", env, []string{"build-and-sign", "--secret-file", keyPath, "-t", down, filepath.Join(dir, "none")}, nil},
		{"build-and-sign: unreachable daemon", env, []string{"build-and-sign", "--secret-file", keyPath, "--addr", "unix://" + filepath.Join(dir, "buildkitd.sock"), "-t", down, buildDir}, nil},
		{"build-and-sign: Dockerfile that does not parse", env, []string{"build-and-sign", "--secret-file", keyPath, "-t", down, badDockerfile}, nil},
		{"build-and-sign: Dockerfile not locked", env, []string{"build-and-sign", "--secret-file", keyPath, "--sbom", dockerSBOM, "--locked", "-t", down, lockedDockerfile}, nil},
		{"sbom generate: unreachable cargo registry", env, []string{"sbom", "generate", "--cargo-registry", "http://127.0.0.1:1/index/", cargoDir}, nil},
		{"anytree build: missing repository", env, []string{"anytree", "build", "--secret-file", keyPath, "file://" + filepath.Join(dir, "none") + "#0123abcd:app"}, nil},
		{"anytree build: missing directory", env, []string{"anytree", "build", "--secret-file", keyPath, filepath.Join(dir, "none")}, nil},
		{"devnet: state directory in a file", nil, []string{"devnet", "--state-dir", filepath.Join(badKey, "state")}, nil},
		{"sign: registry refuses the push", env, []string{"sign", "--secret-file", keyPath, "--no-chain", ref}, failPush},
		{"sign: endpoint failing", env, []string{"sign", "--secret-file", keyPath, "--no-registry", "--timeout", "20s", digest}, failChain},
		{"check: registry denies", env, []string{"check", "--source", "registry", pub, ref}, denySignatures},
		{"check: endpoint failing", env, []string{"check", pub, digest}, failChain},
		{"send: endpoint failing", env, []string{"send", "--timeout", "20s", msgFile}, failChain},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.arm != nil {
				tc.arm()
				defer w.chain.ResetFaults()
				defer w.reg.ResetFaults()
			}
			r := runCLI(t, tc.env, "", tc.args...)
			if r.code == exitOK {
				t.Fatalf("exit code 0, want a failure: %+v", r)
			}
			n := 0
			for _, line := range strings.Split(r.stderr+r.stdout, "\n") {
				if !isErrorLine(line) {
					continue
				}
				n++
				if thing := namedTwice(line); thing != "" {
					t.Errorf("%q is named twice in %q", thing, line)
				}
			}
			if n == 0 {
				t.Fatalf("no error line: %+v", r)
			}
		})
	}
}

// isErrorLine tells the lines that say why something failed: the one line
// on standard error, check's ERROR lines and the error fields of JSON lines.
func isErrorLine(line string) bool {
	return strings.HasPrefix(line, "sign-cli: ") || strings.HasPrefix(line, "ERROR ") || strings.HasPrefix(line, "NOT VERIFIED ") ||
		strings.Contains(line, `"error":`) || strings.Contains(line, `"reason":`)
}

// things are what an error line names: URLs, image references and paths
// (anything with a slash), account addresses and digests, abbreviated or
// not.
var (
	thingSeparators = regexp.MustCompile(`[\s"'(),;]+`)
	thingPattern    = regexp.MustCompile(`/|^-?\d+:[0-9a-f]{6}|^sha256:[0-9a-f]{6}`)
)

// namedTwice returns a thing the line names more than once, or "". A
// reference with a digest also names the reference without it.
func namedTwice(line string) string {
	seen := map[string]bool{}
	for _, tok := range thingSeparators.Split(line, -1) {
		tok = strings.TrimRight(tok, ":.")
		if !thingPattern.MatchString(tok) {
			continue
		}
		names := []string{tok}
		if before, _, ok := strings.Cut(tok, "@"); ok && strings.Contains(before, "/") {
			names = append(names, before)
		}
		for _, n := range names {
			if seen[n] {
				return n
			}
			seen[n] = true
		}
	}
	return ""
}

// TestNamedTwice keeps the test above able to fail.
func TestNamedTwice(t *testing.T) {
	tests := []struct{ line, want string }{
		{`sign-cli: 127.0.0.1:1/app:v1: resolving 127.0.0.1:1/app:v1: registry unreachable`, "127.0.0.1:1/app:v1"},
		{`sign-cli: sending request to http://h/graphql: Post "http://h/graphql": refused`, "http://h/graphql"},
		{`sign-cli: proof 0:abcdef01: reading account 0:abcdef01: gone`, "0:abcdef01"},
		{`ERROR         r/a:1@sha256:abcdef0123: resolving r/a:1: unknown`, "r/a:1"},
		{`sign-cli: r/a:1: resolving: Get "https://r/v2/": refused; Get "http://r/v2/": refused`, ""},
		{`sign-cli: --secret-file: open /x/y: no such file or directory`, ""},
	}
	for _, tc := range tests {
		if got := namedTwice(tc.line); got != tc.want {
			t.Errorf("namedTwice(%q) = %q, want %q", tc.line, got, tc.want)
		}
	}
}
