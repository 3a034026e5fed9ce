package main

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/everos/everostest"
	"github.com/gosh-sh/sign-cli/everos/everostest/nekotonexec"
	"github.com/gosh-sh/sign-cli/internal/nekoton"
	"github.com/gosh-sh/sign-cli/signature"
)

// world is a devnet for one test: the emulator with the devnet's executor
// and a funded giver, and an in-memory registry counting its writes.
type world struct {
	t        testing.TB
	chain    *devnetChain
	registry *httptest.Server
	regHost  string
	giver    signature.Key
	pushes   atomic.Int64 // manifest PUTs
	dir      string
}

// executors are the devnet's two ways of running transactions: the
// contracts' rules in Go, and Everscale's executor (nekoton-wasm). The
// end-to-end suite runs in both; the nekoton mode is skipped with a message
// without Node.js and nekoton-wasm, and fails then when CI is set.
var executors = []string{executorGo, executorNekoton}

// newWorld is a world on the Go rules with the real clock.
func newWorld(t testing.TB) *world { return newWorldWith(t, executorGo, nil) }

// newWorldWith is a world whose transactions run on the named executor,
// with clk as the chain's clock (nil: the real one).
func newWorldWith(t testing.TB, executor string, clk everostest.Clock) *world {
	t.Helper()
	w := &world{t: t, dir: t.TempDir()}
	var err error
	if w.giver, err = signature.GenerateKey(nil); err != nil {
		t.Fatal(err)
	}
	o := &devnetOptions{listen: "127.0.0.1:0", executor: executor, clock: clk}
	if executor == executorNekoton {
		// One Node.js process serves every world of the test binary.
		o.exec = nekotonexec.New(nekoton.Start(t))
	}
	if w.chain, err = startDevnetChain(o, w.giver); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.chain.Close)
	reg := registry.New(registry.Logger(nilLogger()))
	w.registry = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/") {
			w.pushes.Add(1)
		}
		reg.ServeHTTP(rw, r)
	}))
	t.Cleanup(w.registry.Close)
	w.regHost = strings.TrimPrefix(w.registry.URL, "http://")
	return w
}

// env is the environment a user of this devnet would have.
func (w *world) env() map[string]string {
	return map[string]string{
		"SIGN_CLI_NETWORK": w.chain.URL,
		"WALLET":           w.chain.GiverAddress,
		"WALLET_PUBLIC":    w.giver.Public().String(),
		"WALLET_SECRET":    w.giver.SecretHex(),
	}
}

// image pushes a random image, optionally labelled, and returns its
// reference by tag and its digest.
func (w *world) image(repo string, labels map[string]string) (string, v1.Hash) {
	w.t.Helper()
	img, err := random.Image(256, 1)
	if err != nil {
		w.t.Fatal(err)
	}
	if labels != nil {
		cfg, _ := img.ConfigFile()
		cfg = cfg.DeepCopy()
		cfg.Config.Labels = labels
		if img, err = mutate.ConfigFile(img, cfg); err != nil {
			w.t.Fatal(err)
		}
	}
	ref := w.regHost + "/" + repo + ":latest"
	r, err := name.ParseReference(ref)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		w.t.Fatal(err)
	}
	d, _ := img.Digest()
	return ref, d
}

// keyFile writes a new key to a file and returns the key and the path.
func (w *world) keyFile(name string) (signature.Key, string) {
	w.t.Helper()
	k, err := signature.GenerateKey(nil)
	if err != nil {
		w.t.Fatal(err)
	}
	path := filepath.Join(w.dir, name)
	if err := signature.WriteKeyFile(path, k, false); err != nil {
		w.t.Fatal(err)
	}
	return k, path
}

// proofTransactions counts the transactions that made the account at addr
// active: the deployments of a proof.
func (w *world) proofTransactions(addr string) int {
	n := 0
	for _, tx := range w.chain.Transactions() {
		if tx.Account == addr && !tx.Aborted && tx.OrigStatus != everos.Active && tx.EndStatus == everos.Active {
			n++
		}
	}
	return n
}

// inBothModes runs f as one subtest per executor, each on a world of its
// own.
func inBothModes(t *testing.T, f func(t *testing.T, w *world)) {
	for _, ex := range executors {
		t.Run(ex, func(t *testing.T) { f(t, newWorldWith(t, ex, nil)) })
	}
}

func nilLogger() *log.Logger { return log.New(io.Discard, "", 0) }

func decodeLines[T any](t testing.TB, out string) []T {
	t.Helper()
	var res []T
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var v T
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("output line %q: %v", line, err)
		}
		res = append(res, v)
	}
	return res
}

type signedLine struct {
	Target   string `json:"target"`
	Digest   string `json:"digest"`
	Public   string `json:"public"`
	Proof    *signature.Deployment
	Registry *registryJSON
	Error    string
}

func TestSignAndCheck(t *testing.T) { inBothModes(t, testSignAndCheck) }

func testSignAndCheck(t *testing.T, w *world) {
	ref, digest := w.image("team/app", nil)
	signer, keyPath := w.keyFile("signer.json")

	r := runCLI(t, w.env(), "", "sign", "--secret-file", keyPath, "-o", "json", ref)
	if r.code != 0 {
		t.Fatalf("sign: %+v", r)
	}
	lines := decodeLines[signedLine](t, r.stdout)
	if len(lines) != 1 || lines[0].Digest != digest.String() || lines[0].Public != signer.Public().String() {
		t.Fatalf("sign output %+v", lines)
	}
	got := lines[0]
	p, _ := contract.NewProof(signer.Public().Ed25519(), digest.String())
	if got.Proof == nil || got.Proof.Address != p.Address().String() || got.Proof.Transaction == "" || got.Proof.AlreadyDeployed {
		t.Fatalf("proof %+v, want a new deployment at %s", got.Proof, p.Address())
	}
	if got.Registry == nil || got.Registry.AlreadyPresent || got.Registry.Signatures != 1 {
		t.Fatalf("registry %+v", got.Registry)
	}
	if !strings.Contains(r.stderr, "deploying proof") || !strings.Contains(r.stderr, "funding proof") {
		t.Errorf("no progress on stderr: %q", r.stderr)
	}
	// addr computes the same address offline.
	if a := runCLI(t, nil, "", "addr", signer.Public().String(), digest.String()); strings.TrimSpace(a.stdout) != p.Address().String() {
		t.Fatalf("addr = %q, want %s", a.stdout, p.Address())
	}

	// Signing again deploys nothing and pushes nothing.
	pushes := w.pushes.Load()
	r = runCLI(t, w.env(), "", "sign", "--secret-file", keyPath, "-o", "json", ref)
	again := decodeLines[signedLine](t, r.stdout)[0]
	if r.code != 0 || !again.Proof.AlreadyDeployed || !again.Registry.AlreadyPresent {
		t.Fatalf("second sign: %+v %+v", r, again)
	}
	if w.pushes.Load() != pushes {
		t.Fatalf("second sign pushed %d manifests", w.pushes.Load()-pushes)
	}
	if n := w.proofTransactions(p.Address().String()); n != 1 {
		t.Fatalf("%d constructor transactions, want 1", n)
	}

	for _, src := range []string{"chain", "registry", "all"} {
		t.Run("verified/"+src, func(t *testing.T) {
			r := runCLI(t, w.env(), "", "check", "--source", src, signer.Public().String(), ref)
			if r.code != 0 || !strings.HasPrefix(r.stdout, "verified") {
				t.Fatalf("check: %+v", r)
			}
			r = runCLI(t, w.env(), "", "check", "--source", src, "--public", signer.Public().String(), ref+"@"+digest.String())
			if r.code != 0 {
				t.Fatalf("check by digest reference: %+v", r)
			}
		})
		t.Run("other key/"+src, func(t *testing.T) {
			other, _ := signature.GenerateKey(nil)
			r := runCLI(t, w.env(), "", "check", "--source", src, other.Public().String(), ref)
			if r.code != exitNotVerified || !strings.HasPrefix(r.stdout, "NOT VERIFIED") {
				t.Fatalf("check with another key: %+v", r)
			}
		})
	}
	// A bare digest checks on chain without any registry.
	r = runCLI(t, w.env(), "", "check", signer.Public().String(), digest.String())
	if r.code != 0 {
		t.Fatalf("check of a bare digest: %+v", r)
	}
}

func TestSignSeedForms(t *testing.T) { inBothModes(t, testSignSeedForms) }

func testSignSeedForms(t *testing.T, w *world) {
	ref, digest := w.image("seed/app", nil)
	signer, _ := signature.GenerateKey(nil)
	// sign -n NETWORK -g WALLET -s WALLET_SECRET SIGNER_SECRET IMAGE_SHA, on a bare digest.
	env := map[string]string{}
	r := runCLI(t, env, "", "sign", "-n", w.chain.URL, "-g", w.chain.GiverAddress, "-s", w.giver.SecretHex(), "--no-registry", signer.SecretHex(), digest.String())
	if r.code != 0 {
		t.Fatalf("seed sign: %+v", r)
	}
	if !strings.Contains(r.stderr, "visible to other users") {
		t.Errorf("no warning about secrets on the command line: %q", r.stderr)
	}
	// check -n NETWORK WALLET_PUBLIC IMAGE_SHA
	r = runCLI(t, env, "", "check", "-n", w.chain.URL, signer.Public().String(), digest.String())
	if r.code != 0 {
		t.Fatalf("seed check: %+v", r)
	}
	// With only $WALLET_SECRET, the wallet's key signs.
	r = runCLI(t, w.env(), "", "sign", "--no-registry", ref)
	if r.code != 0 {
		t.Fatalf("sign with the wallet's key: %+v", r)
	}
	r = runCLI(t, w.env(), "", "check", w.giver.Public().String(), ref)
	if r.code != 0 {
		t.Fatalf("check of the wallet's signature: %+v", r)
	}
}

func TestCheckKeyFromLabel(t *testing.T) { inBothModes(t, testCheckKeyFromLabel) }

func testCheckKeyFromLabel(t *testing.T, w *world) {
	signer, keyPath := w.keyFile("signer.json")
	ref, _ := w.image("labelled/app", map[string]string{signature.WalletPublicLabel: signer.Public().String()})
	if r := runCLI(t, w.env(), "", "sign", "--secret-file", keyPath, ref); r.code != 0 {
		t.Fatalf("sign: %+v", r)
	}
	env := w.env()
	delete(env, "WALLET_PUBLIC")
	r := runCLI(t, env, "", "check", "--source", "all", ref)
	if r.code != 0 {
		t.Fatalf("check by label: %+v", r)
	}
	if !strings.Contains(r.stderr, "warning") || !strings.Contains(r.stderr, signer.Public().String()) {
		t.Fatalf("no warning naming the label's key: %q", r.stderr)
	}
}

func TestOfflineSignAndSend(t *testing.T) { inBothModes(t, testOfflineSignAndSend) }

func testOfflineSignAndSend(t *testing.T, w *world) {
	_, digest := w.image("offline/app", nil)
	signer, keyPath := w.keyFile("signer.json")
	msgPath := filepath.Join(w.dir, "deploy.json")
	// No network at all while signing.
	r := runCLI(t, nil, "", "sign", "--offline", "--secret-file", keyPath, "--message-out", msgPath, "--expire", "10m", digest.String())
	if r.code != 0 {
		t.Fatalf("offline sign: %+v", r)
	}
	data, err := os.ReadFile(msgPath)
	if err != nil || strings.Contains(string(data), signer.SecretHex()) {
		t.Fatalf("message file: %v (holds the secret: %v)", err, strings.Contains(string(data), signer.SecretHex()))
	}
	// send needs the wallet, not the signer's key.
	r = runCLI(t, w.env(), "", "send", msgPath)
	if r.code != 0 || !strings.Contains(r.stdout, "deployed in transaction") {
		t.Fatalf("send: %+v", r)
	}
	r = runCLI(t, w.env(), "", "send", msgPath)
	if r.code != 0 || !strings.Contains(r.stdout, "already deployed") {
		t.Fatalf("second send: %+v", r)
	}
	if r := runCLI(t, w.env(), "", "check", signer.Public().String(), digest.String()); r.code != 0 {
		t.Fatalf("check after send: %+v", r)
	}
}

func TestCheckMany(t *testing.T) { inBothModes(t, testCheckMany) }

func testCheckMany(t *testing.T, w *world) {
	signer, keyPath := w.keyFile("signer.json")
	var refs []string
	for i := 0; i < 12; i++ {
		ref, _ := w.image("many/app"+string(rune('a'+i)), nil)
		refs = append(refs, ref)
	}
	r := runCLI(t, w.env(), "", append([]string{"sign", "--secret-file", keyPath}, refs[:8]...)...)
	if r.code != 0 {
		t.Fatalf("sign many: %+v", r)
	}
	list := filepath.Join(w.dir, "targets.txt")
	os.WriteFile(list, []byte("# images\n"+strings.Join(refs, "\n")+"\n\n"), 0o644)
	r = runCLI(t, w.env(), "", "check", "--source", "all", "--from-file", list, "-o", "json", "--public", signer.Public().String())
	if r.code != exitNotVerified {
		t.Fatalf("check of 8 signed and 4 unsigned: %+v", r)
	}
	lines := decodeLines[checkedJSON](t, r.stdout)
	if len(lines) != 12 {
		t.Fatalf("%d lines for 12 targets", len(lines))
	}
	for i, l := range lines {
		if l.Verified != (i < 8) || l.Error != "" {
			t.Errorf("target %d: %+v", i, l)
		}
	}
}

func TestNetworkFailureExitCode(t *testing.T) { inBothModes(t, testNetworkFailureExitCode) }

func testNetworkFailureExitCode(t *testing.T, w *world) {
	ref, digest := w.image("down/app", nil)
	env := w.env()
	env["SIGN_CLI_NETWORK"] = "http://127.0.0.1:1/graphql"
	r := runCLI(t, env, "", "check", "--timeout", "5s", w.giver.Public().String(), digest.String())
	r.wantError(t, exitFailure)
	if strings.Contains(r.stdout, "NOT VERIFIED") || strings.Contains(r.stdout, "verified ") {
		t.Fatalf("a network failure gave a verdict: %q", r.stdout)
	}
	r = runCLI(t, env, "", "sign", "--timeout", "5s", ref)
	if r.code != exitFailure {
		t.Fatalf("sign with the network down: %+v", r)
	}
}
