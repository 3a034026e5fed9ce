package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/devnet/nekotonexec"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/image"
	"github.com/gosh-sh/sign-cli/internal/nekoton/nekotontest"
	"github.com/gosh-sh/sign-cli/internal/registrytest"
	"github.com/gosh-sh/sign-cli/keys"
	"github.com/gosh-sh/sign-cli/proof"
)

// world is a devnet for one test: the emulator with the devnet's executor
// and a funded giver, and the test registry (internal/registrytest).
type world struct {
	t       testing.TB
	chain   *devnetChain
	reg     *registrytest.Registry
	regHost string
	giver   keys.Key
	dir     string
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
func newWorldWith(t testing.TB, executor string, clk devnet.Clock) *world {
	t.Helper()
	return newWorldWallet(t, executor, clk, "")
}

// newWorldWallet is newWorldWith whose WALLET is a wallet of walletType
// (devnet --wallet-type), owned by the giver's key.
func newWorldWallet(t testing.TB, executor string, clk devnet.Clock, walletType string) *world {
	t.Helper()
	return newWorldOpts(t, &devnetOptions{listen: "127.0.0.1:0", executor: executor, clock: clk, walletType: walletType})
}

// newWorldOpts is a world on the devnet o describes.
func newWorldOpts(t testing.TB, o *devnetOptions) *world {
	t.Helper()
	w := &world{t: t, dir: t.TempDir()}
	var err error
	if w.giver, err = keys.GenerateKey(nil); err != nil {
		t.Fatal(err)
	}
	if o.walletType != "" {
		// The wallet's real code comes from the npm packages: skipped
		// without them, unless CI is set.
		nekotontest.Start(t)
	}
	if o.executor == executorNekoton {
		// One Node.js process serves every world of the test binary.
		o.exec = nekotonexec.New(nekotontest.Start(t))
	}
	if w.chain, err = startDevnetChain(o, w.giver); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.chain.Close)
	w.reg = registrytest.New(t)
	w.regHost = w.reg.Host
	return w
}

// pushes counts the manifests pushed to the registry.
func (w *world) pushes() int { return w.reg.Count(http.MethodPut, "/manifests/") }

// env is the environment a user of this devnet would have.
func (w *world) env() map[string]string {
	return map[string]string{
		"SIGN_CLI_NETWORK": w.chain.URL,
		"WALLET":           w.chain.WalletAddress,
		"WALLET_PUBLIC":    w.giver.Public().String(),
		"WALLET_SECRET":    w.giver.SecretHex(),
	}
}

// image pushes a random image, optionally labelled, and returns its
// reference by tag and its digest.
func (w *world) image(repo string, labels map[string]string) (string, v1.Hash) {
	w.t.Helper()
	return w.reg.PushRandom(w.t, repo+":latest", labels)
}

// keyFile writes a new key to a file and returns the key and the path.
func (w *world) keyFile(name string) (keys.Key, string) {
	w.t.Helper()
	k, err := keys.GenerateKey(nil)
	if err != nil {
		w.t.Fatal(err)
	}
	path := filepath.Join(w.dir, name)
	if err := keys.WriteKeyFile(path, k, false); err != nil {
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
	Proof    *proof.Deployment
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
	pushes := w.pushes()
	r = runCLI(t, w.env(), "", "sign", "--secret-file", keyPath, "-o", "json", ref)
	again := decodeLines[signedLine](t, r.stdout)[0]
	if r.code != 0 || !again.Proof.AlreadyDeployed || !again.Registry.AlreadyPresent {
		t.Fatalf("second sign: %+v %+v", r, again)
	}
	if w.pushes() != pushes {
		t.Fatalf("second sign pushed %d manifests", w.pushes()-pushes)
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
			other, _ := keys.GenerateKey(nil)
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
	signer, _ := keys.GenerateKey(nil)
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
	ref, _ := w.image("labelled/app", map[string]string{image.WalletPublicLabel: signer.Public().String()})
	if r := runCLI(t, w.env(), "", "sign", "--secret-file", keyPath, ref); r.code != 0 {
		t.Fatalf("sign: %+v", r)
	}
	env := w.env()
	delete(env, "WALLET_PUBLIC")
	// With no key and no --key-from-label, check fails closed.
	runCLI(t, env, "", "check", "--source", "all", ref).wantError(t, exitUsage, "no public key", "--key-from-label")
	r := runCLI(t, env, "", "check", "--source", "all", "--key-from-label", ref)
	if r.code != 0 {
		t.Fatalf("check by label: %+v", r)
	}
	unlabelled, _ := w.image("unlabelled/app", nil)
	runCLI(t, env, "", "check", "--key-from-label", unlabelled).wantError(t, exitUsage, "no "+image.WalletPublicLabel+" label")
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

// fastClock runs rate times faster than the real clock from the moment it
// is made, so that messages expire in a test's time.
type fastClock struct {
	start time.Time
	rate  time.Duration
}

func newFastClock(rate int) fastClock { return fastClock{start: time.Now(), rate: time.Duration(rate)} }

func (c fastClock) Now() time.Time { return c.start.Add(time.Since(c.start) * c.rate) }

// inBothModesWith is inBothModes on worlds whose chains run on clocks that
// newClock makes.
func inBothModesWith(t *testing.T, newClock func() devnet.Clock, f func(t *testing.T, w *world)) {
	for _, ex := range executors {
		t.Run(ex, func(t *testing.T) { f(t, newWorldWith(t, ex, newClock())) })
	}
}

// fund has the devnet's giver send value to the proof of (key, content),
// as a wallet's top-up does, and returns the proof.
func (w *world) fund(pub keys.PublicKey, content string, value uint64) *contract.Proof {
	w.t.Helper()
	p, err := contract.NewProof(pub.Ed25519(), content)
	if err != nil {
		w.t.Fatal(err)
	}
	now := w.chain.Now()
	expire := now.Add(time.Minute)
	msg, err := contract.LocalGiver.FundProofMessage(cell.MustParseAddress(w.chain.GiverAddress), p, value, w.giver.Ed25519(), uint64(now.UnixMilli()), uint32(expire.Unix()))
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.chain.Deliver(msg.ToBOC(), expire); err != nil {
		w.t.Fatal(err)
	}
	if b := w.balance(p.Address().String()); b.Cmp(new(big.Int).SetUint64(value)) < 0 {
		w.t.Fatalf("funded %s with %d, it holds %s", p.Address(), value, b)
	}
	return p
}

// balance is what the account at addr holds (zero when it does not exist).
func (w *world) balance(addr string) *big.Int {
	if a, ok := w.chain.Account(addr); ok && a.Balance != nil {
		return a.Balance
	}
	return new(big.Int)
}

// proof is the decoded state of the account at addr: its status and, when
// it is active, its code hash and proof data.
type proofView struct {
	Status   everos.AccountType
	CodeHash string
	State    *contract.ProofState
}

func (w *world) proof(addr string) proofView {
	w.t.Helper()
	a, ok := w.chain.Account(addr)
	if !ok {
		return proofView{Status: everos.NonExist}
	}
	acc, err := contract.DecodeAccount(a.BOC)
	if err != nil {
		w.t.Fatalf("decoding account %s: %v", addr, err)
	}
	v := proofView{Status: a.Type}
	if acc.Code != nil {
		v.CodeHash = acc.Code.HashHex()
		if v.State, err = acc.ProofState(); err != nil {
			w.t.Fatalf("decoding proof %s: %v", addr, err)
		}
	}
	return v
}

func (v proofView) String() string {
	if v.State == nil {
		return fmt.Sprintf("%v, no proof", v.Status)
	}
	s := v.State
	return fmt.Sprintf("%v code %s: key %x content %q constructed=%v timestamp %d deployed at %d", v.Status, v.CodeHash, s.PublicKey, s.Content, s.Constructed, s.Timestamp, s.DeployedAt)
}

// digestOf is a made-up manifest digest.
func digestOf(s string) string {
	h := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(h[:])
}

// readMessageFileT reads a message file as the test wrote it.
func readMessageFileT(t testing.TB, path string) messageFile {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m messageFile
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// readMessageBOC is the message a message file carries.
func readMessageBOC(t testing.TB, path string) []byte {
	t.Helper()
	boc, err := base64.StdEncoding.DecodeString(readMessageFileT(t, path).Message)
	if err != nil {
		t.Fatal(err)
	}
	return boc
}

// forgeMessageFile writes a copy of the message file at path whose
// message carries a corrupted signature, consistent otherwise (address,
// hash): send refuses it for its signature, and the contract refuses it
// when it is posted anyway.
func forgeMessageFile(t testing.TB, path, out string) {
	t.Helper()
	m := readMessageFileT(t, path)
	msg, _, err := abi.ParseMessageBOC(readMessageBOC(t, path))
	if err != nil {
		t.Fatal(err)
	}
	// The body starts with the signature flag and 512 bits of signature.
	s := msg.Body.BeginParse()
	bits, err := s.LoadBits(1 + 512)
	if err != nil {
		t.Fatal(err)
	}
	bits[10] ^= 0x01
	b := cell.BeginCell().StoreBits(bits, 1+512).StoreSlice(s)
	if msg.Body, err = b.EndCell(); err != nil {
		t.Fatal(err)
	}
	forged, err := msg.ToBOC()
	if err != nil {
		t.Fatal(err)
	}
	root, err := cell.FromBOC(forged)
	if err != nil {
		t.Fatal(err)
	}
	m.Message, m.Hash = base64.StdEncoding.EncodeToString(forged), root.HashHex()
	data, _ := json.Marshal(m)
	if err := os.WriteFile(out, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTopUps: the wallet funds a proof address that holds less than half
// of --topup, with --topup, and leaves alone one that holds enough.
func TestTopUps(t *testing.T) { inBothModes(t, testTopUps) }

func testTopUps(t *testing.T, w *world) {
	signer, keyPath := w.keyFile("signer.json")
	pub := signer.Public()
	sign := func(content string, args ...string) signedLine {
		t.Helper()
		r := runCLI(t, w.env(), "", append([]string{"sign", "--secret-file", keyPath, "--no-registry", "-o", "json", content}, args...)...)
		if r.code != 0 {
			t.Fatalf("sign %s: %+v", content, r)
		}
		l := decodeLines[signedLine](t, r.stdout)[0]
		if l.Proof == nil || l.Proof.AlreadyDeployed || l.Proof.Transaction == "" {
			t.Fatalf("sign %s: %+v", content, l.Proof)
		}
		if v := w.proof(l.Proof.Address); v.Status != everos.Active || v.State == nil || !v.State.Constructed {
			t.Fatalf("proof of %s after sign: %s", content, v)
		}
		return l
	}
	const half = contract.DefaultTopUp / 2

	// An empty address gets --topup, and the deployment is paid from it.
	l := sign(digestOf("custom"), "--topup", "0.05")
	if l.Proof.TopUp == "" {
		t.Fatalf("no top-up of an empty address: %+v", l.Proof)
	}
	if b := w.balance(l.Proof.Address); b.Sign() <= 0 || b.Cmp(big.NewInt(50_000_000)) >= 0 {
		t.Fatalf("after a top-up of 0.05 and a deployment the proof holds %s", b)
	}

	// An address holding the default top-up is not funded again.
	p := w.fund(pub, digestOf("funded"), contract.DefaultTopUp)
	giverBefore := w.balance(w.chain.GiverAddress)
	l = sign(digestOf("funded"))
	if l.Proof.TopUp != "" || l.Proof.Address != p.Address().String() {
		t.Fatalf("a funded address was topped up: %+v", l.Proof)
	}
	if b := w.balance(w.chain.GiverAddress); b.Cmp(giverBefore) != 0 {
		t.Fatalf("the giver paid %s for a funded address", new(big.Int).Sub(giverBefore, b))
	}

	// One holding less than half of it is.
	w.fund(pub, digestOf("poor"), half/2)
	l = sign(digestOf("poor"))
	if l.Proof.TopUp == "" {
		t.Fatalf("an address with %d was not topped up: %+v", half/2, l.Proof)
	}
	if b := w.balance(l.Proof.Address); b.Cmp(big.NewInt(contract.DefaultTopUp)) <= 0 {
		t.Fatalf("topped up from %d by %d, the proof holds %s after its deployment", half/2, contract.DefaultTopUp, b)
	}
}

// TestRejections: messages that a contract refuses change nothing and end,
// once expired, in a failure (exit code 3): a transfer signed by a key that
// does not own the wallet, and a deploy message whose signature is forged
// (refused by send before it pays, and by the contract when posted anyway).
func TestRejections(t *testing.T) {
	inBothModesWith(t, func() devnet.Clock { return newFastClock(30) }, testRejections)
}

func testRejections(t *testing.T, w *world) {
	signer, keyPath := w.keyFile("signer.json")
	giverBefore := w.balance(w.chain.GiverAddress)

	// The wallet's key is not the giver's owner: refused at once, before
	// a transfer the giver would refuse; nothing is funded or deployed.
	env := w.env()
	stranger, _ := keys.GenerateKey(nil)
	env["WALLET_SECRET"] = stranger.SecretHex()
	content := digestOf("stranger")
	r := runCLI(t, env, "", "sign", "--secret-file", keyPath, "--no-registry", "--message-lifetime", "2s", "--timeout", "2m", content)
	r.wantError(t, exitUsage, "this key does not control wallet "+w.chain.GiverAddress)
	p, _ := contract.NewProof(signer.Public().Ed25519(), content)
	if v := w.proof(p.Address().String()); v.Status != everos.NonExist {
		t.Fatalf("the proof address after a refused transfer: %s", v)
	}
	if b := w.balance(w.chain.GiverAddress); b.Cmp(giverBefore) != 0 {
		t.Fatalf("a refused transfer cost the giver %s", new(big.Int).Sub(giverBefore, b))
	}

	// send refuses a forged deploy message before it pays anything.
	msgPath, forged := filepath.Join(w.dir, "deploy.json"), filepath.Join(w.dir, "forged.json")
	content = digestOf("forged")
	if r := runCLI(t, nil, "", "sign", "--offline", "--secret-file", keyPath, "--message-out", msgPath, "--expire", "2m", content); r.code != 0 {
		t.Fatalf("offline sign: %+v", r)
	}
	forgeMessageFile(t, msgPath, forged)
	runCLI(t, w.env(), "", "send", "--timeout", "2m", forged).wantError(t, exitUsage, "not signed by the proof's key")
	p, _ = contract.NewProof(signer.Public().Ed25519(), content)
	if v := w.proof(p.Address().String()); v.Status != everos.NonExist {
		t.Fatalf("the proof address after a refused forged message: %s", v)
	}
	// Posted anyway to the funded address, the contract refuses it: the
	// address stays uninit with its top-up.
	w.fund(signer.Public(), content, contract.DefaultTopUp)
	forgedBOC := readMessageBOC(t, forged)
	if err := w.chain.Deliver(forgedBOC, w.chain.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if v := w.proof(p.Address().String()); v.Status != everos.Uninit {
		t.Fatalf("the proof address after a forged deployment: %s", v)
	}
	// A genuine message, signed now, deploys the proof.
	os.Remove(msgPath)
	if r := runCLI(t, nil, "", "sign", "--offline", "--secret-file", keyPath, "--message-out", msgPath, "--expire", "1h", content); r.code != 0 {
		t.Fatalf("offline sign: %+v", r)
	}
	if r := runCLI(t, w.env(), "", "send", msgPath); r.code != 0 {
		t.Fatalf("send of the genuine message: %+v", r)
	}
	if r := runCLI(t, w.env(), "", "check", signer.Public().String(), content); r.code != 0 {
		t.Fatalf("check after the genuine message: %+v", r)
	}
}

// TestExpiry: a signed deploy message that has expired is not sent, and
// no proof appears; signing again makes a new one.
func TestExpiry(t *testing.T) {
	inBothModesWith(t, func() devnet.Clock { return newFastClock(30) }, testExpiry)
}

func testExpiry(t *testing.T, w *world) {
	signer, keyPath := w.keyFile("signer.json")
	msgPath := filepath.Join(w.dir, "deploy.json")
	content := digestOf("expiring")
	if r := runCLI(t, nil, "", "sign", "--offline", "--secret-file", keyPath, "--message-out", msgPath, "--expire", "10s", content); r.code != 0 {
		t.Fatalf("offline sign: %+v", r)
	}
	time.Sleep(time.Second) // 30 s of chain time
	r := runCLI(t, w.env(), "", "send", msgPath)
	if r.code == 0 || !strings.Contains(r.stderr, "expired") {
		t.Fatalf("send of an expired message: %+v", r)
	}
	p, _ := contract.NewProof(signer.Public().Ed25519(), content)
	if v := w.proof(p.Address().String()); v.State != nil && v.State.Constructed {
		t.Fatalf("an expired message made a proof: %s", v)
	}
	// The expiry is seen before the address is funded: nothing was paid.
	if b := w.balance(p.Address().String()); b.Sign() != 0 {
		t.Fatalf("send of an expired message funded the proof address with %s", b)
	}
	if r := runCLI(t, w.env(), "", "check", signer.Public().String(), content); r.code != exitNotVerified {
		t.Fatalf("check after an expired message: %+v", r)
	}
	if r := runCLI(t, w.env(), "", "sign", "--secret-file", keyPath, "--no-registry", content); r.code != 0 {
		t.Fatalf("signing again: %+v", r)
	}
	if r := runCLI(t, w.env(), "", "check", signer.Public().String(), content); r.code != 0 {
		t.Fatalf("check after signing again: %+v", r)
	}
}

// TestModesAgree runs one scenario (signing online and offline, sending,
// top-ups, checks of signed, unsigned and wrongly keyed targets, a forged
// deploy message, a transfer signed by a stranger (refused before it is
// sent), an expired message) on
// the Go rules and on Everscale's executor, from the same keys, images,
// message files and chain times, and requires the same exit codes, the same
// output (but for transaction ids, the registry's host and the giver), the
// same transactions (statuses, aborted, compute phase, exit and result
// codes, messages sent; fees aside) and the same decoded proofs at every
// address involved.
func TestModesAgree(t *testing.T) {
	start := time.Now().Truncate(time.Second)
	dir := t.TempDir()
	signer, _ := keys.GenerateKey(nil)
	other, _ := keys.GenerateKey(nil)
	stranger, _ := keys.GenerateKey(nil)
	keyPath := filepath.Join(dir, "signer.json")
	if err := keys.WriteKeyFile(keyPath, signer, false); err != nil {
		t.Fatal(err)
	}
	var images []v1.Image
	for range 3 {
		img, err := random.Image(256, 1)
		if err != nil {
			t.Fatal(err)
		}
		images = append(images, img)
	}
	digest := func(i int) string {
		d, _ := images[i].Digest()
		return d.String()
	}
	// Offline messages are made once and sent to both chains.
	offline := func(name, content, expire string) string {
		path := filepath.Join(dir, name)
		if r := runCLI(t, nil, "", "sign", "--offline", "--secret-file", keyPath, "--message-out", path, "--expire", expire, content); r.code != 0 {
			t.Fatalf("offline sign: %+v", r)
		}
		return path
	}
	sent := offline("b.json", digestOf("b"), "1h")
	forged := filepath.Join(dir, "forged.json")
	forgeMessageFile(t, offline("f.json", digestOf("f"), "10m"), forged)
	expiring := offline("h.json", digestOf("h"), "1s")
	contents := []string{digest(0), digestOf("b"), digestOf("c"), digestOf("d"), digestOf("e"), digestOf("f"), digestOf("g"), digestOf("h")}

	type step struct {
		name    string
		advance bool // the chain's clock runs during the step
		run     func(w *world, refs []string) result
	}
	cli := func(w *world, args ...string) result { return runCLI(t, w.env(), "", args...) }
	steps := []step{
		{"sign image", false, func(w *world, refs []string) result {
			return cli(w, "sign", "--secret-file", keyPath, "-o", "json", refs[0])
		}},
		{"sign image again", false, func(w *world, refs []string) result {
			return cli(w, "sign", "--secret-file", keyPath, "-o", "json", refs[0])
		}},
		{"send offline message", false, func(w *world, _ []string) result { return cli(w, "send", "-o", "json", sent) }},
		{"send it again", false, func(w *world, _ []string) result { return cli(w, "send", "-o", "json", sent) }},
		{"sign with --topup", false, func(w *world, _ []string) result {
			return cli(w, "sign", "--secret-file", keyPath, "--no-registry", "--topup", "0.05", "-o", "json", digestOf("c"))
		}},
		{"sign a funded address", false, func(w *world, _ []string) result {
			w.fund(signer.Public(), digestOf("d"), contract.DefaultTopUp)
			return cli(w, "sign", "--secret-file", keyPath, "--no-registry", "-o", "json", digestOf("d"))
		}},
		{"check signed and unsigned", false, func(w *world, refs []string) result {
			return cli(w, "check", "--source", "chain", "-o", "json", "--public", signer.Public().String(),
				refs[0], digestOf("b"), digestOf("c"), digestOf("d"), digestOf("e"), refs[1])
		}},
		{"check with another key", false, func(w *world, refs []string) result {
			return cli(w, "check", "--source", "all", "-o", "json", other.Public().String(), refs[0])
		}},
		{"send a forged message", true, func(w *world, _ []string) result {
			r := cli(w, "send", "-o", "json", "--timeout", "1m", forged)
			// Refused before anything is paid; posted anyway to the funded
			// address, the contract refuses it on either executor.
			w.fund(signer.Public(), digestOf("f"), contract.DefaultTopUp)
			if err := w.chain.Deliver(readMessageBOC(t, forged), w.chain.Now().Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			return r
		}},
		{"sign paid by a stranger", true, func(w *world, _ []string) result {
			env := w.env()
			env["WALLET_SECRET"] = stranger.SecretHex()
			return runCLI(t, env, "", "sign", "--secret-file", keyPath, "--no-registry", "--message-lifetime", "5s", "--timeout", "1m", "-o", "json", digestOf("g"))
		}},
		{"send an expired message", false, func(w *world, _ []string) result { return cli(w, "send", "-o", "json", expiring) }},
		{"sign after the refusals", false, func(w *world, refs []string) result {
			return cli(w, "sign", "--secret-file", keyPath, "-o", "json", digestOf("f"), digestOf("g"), refs[2])
		}},
		{"check everything", false, func(w *world, refs []string) result {
			return cli(w, "check", "--source", "chain", "-o", "json", "--public", signer.Public().String(),
				refs[0], refs[2], digestOf("b"), digestOf("c"), digestOf("d"), digestOf("e"), digestOf("f"), digestOf("g"), digestOf("h"))
		}},
	}

	type transcript struct {
		outputs []string
		proofs  []string
		txs     []string
	}
	// What differs between any two runs: transaction ids, the signer's
	// clock (the client's estimate of the network's time, which runs on
	// while the chain's clock stands still), and the times and message ids
	// in the errors that report expired messages.
	txID := regexp.MustCompile(`"(transaction|top_up_transaction)":"[0-9a-f]{64}"`)
	signedAt := regexp.MustCompile(`"signed_at":"[^"]*"`)
	errText := regexp.MustCompile(`"error":"[^"]*"`)
	timeOrID := regexp.MustCompile(`\d{4}-\d\d-\d\dT[0-9:.]+Z|[0-9a-f]{64}`)
	run := func(t *testing.T, executor string) transcript {
		clk := devnet.NewManualClock(start)
		w := newWorldWith(t, executor, clk)
		var refs []string
		for i, img := range images {
			ref := w.regHost + "/agree/app" + fmt.Sprint(i) + ":latest"
			r, _ := name.ParseReference(ref)
			if err := remote.Write(r, img); err != nil {
				t.Fatal(err)
			}
			refs = append(refs, ref)
		}
		var tr transcript
		for i, s := range steps {
			var r result
			if s.advance {
				done, stopped := make(chan struct{}), make(chan struct{})
				go func() {
					defer close(stopped)
					for {
						select {
						case <-done:
							return
						case <-time.After(2 * time.Millisecond):
							clk.Advance(time.Second)
						}
					}
				}()
				r = s.run(w, refs)
				close(done)
				<-stopped
				// Every chain starts the next step at the same time.
				next := start.Add(time.Duration(i+1) * time.Hour)
				if clk.Now().After(next) {
					t.Fatalf("%s: the step took the chain past %s", s.name, next)
				}
				clk.Set(next)
			} else {
				r = s.run(w, refs)
			}
			out := strings.ReplaceAll(r.stdout, w.regHost, "REGISTRY")
			out = strings.ReplaceAll(out, w.chain.URL, "ENDPOINT")
			out = strings.ReplaceAll(out, w.chain.GiverAddress, "GIVER")
			out = txID.ReplaceAllString(out, `"$1":"TX"`)
			out = signedAt.ReplaceAllString(out, `"signed_at":"SIGNER'S CLOCK"`)
			out = errText.ReplaceAllStringFunc(out, func(e string) string { return timeOrID.ReplaceAllString(e, "…") })
			tr.outputs = append(tr.outputs, fmt.Sprintf("%s: exit %d\n%s", s.name, r.code, out))
		}
		for _, c := range contents {
			p, err := contract.NewProof(signer.Public().Ed25519(), c)
			if err != nil {
				t.Fatal(err)
			}
			addr := p.Address().String()
			v := w.proof(addr)
			if v.State != nil && c != digestOf("b") {
				// Signed online: the signer's clock says when.
				v.State.Timestamp = 0
			}
			tr.proofs = append(tr.proofs, fmt.Sprintf("%s: %s, %d deployments", c, v, w.proofTransactions(addr)))
		}
		// The transactions as the emulator records their outcomes.
		for _, tx := range w.chain.Transactions() {
			acc := tx.Account
			if acc == w.chain.GiverAddress {
				acc = "GIVER"
			}
			tr.txs = append(tr.txs, fmt.Sprintf("%s %v->%v aborted=%v skipped=%v(%d) exit %d result %d, %d out",
				acc, tx.OrigStatus, tx.EndStatus, tx.Aborted, tx.ComputeSkipped, tx.SkippedReason, tx.ExitCode, tx.ResultCode, len(tx.OutMsgs)))
		}
		// Proofs are deployed side by side, so only each account's own
		// transactions have an order.
		slices.SortStableFunc(tr.txs, func(a, b string) int {
			return strings.Compare(strings.Fields(a)[0], strings.Fields(b)[0])
		})
		return tr
	}
	got := map[string]transcript{}
	for _, ex := range executors {
		t.Run(ex, func(t *testing.T) { got[ex] = run(t, ex) })
	}
	goRules, real := got[executorGo], got[executorNekoton]
	if len(real.outputs) == 0 {
		return // the nekoton mode was skipped (and said why)
	}
	for i := range goRules.outputs {
		if goRules.outputs[i] != real.outputs[i] {
			t.Errorf("step %d differs:\n go rules: %s\n nekoton:  %s", i, goRules.outputs[i], real.outputs[i])
		}
	}
	for i := range goRules.proofs {
		if goRules.proofs[i] != real.proofs[i] {
			t.Errorf("proof differs:\n go rules: %s\n nekoton:  %s", goRules.proofs[i], real.proofs[i])
		}
	}
	if strings.Join(goRules.txs, "\n") != strings.Join(real.txs, "\n") {
		t.Errorf("the transactions differ:\n go rules:\n%s\n nekoton:\n%s", strings.Join(goRules.txs, "\n"), strings.Join(real.txs, "\n"))
	}
	// The scenario tests what it says: the verdicts it expects.
	wantCodes := []int{0, 0, 0, 0, 0, 0, exitNotVerified, exitNotVerified, exitUsage, exitUsage, exitFailure, 0, exitNotVerified}
	for i, want := range wantCodes {
		if !strings.HasPrefix(goRules.outputs[i], fmt.Sprintf("%s: exit %d\n", steps[i].name, want)) {
			t.Errorf("go rules, step %q: want exit %d: %s", steps[i].name, want, goRules.outputs[i])
		}
	}
	if t.Failed() || testing.Verbose() {
		t.Logf("transcript:\n%s\n%s", strings.Join(goRules.outputs, "\n"), strings.Join(goRules.proofs, "\n"))
	}
}

// TestDevnetCommand runs `sign-cli devnet` itself on each executor, signs
// and checks its sample image with the settings it wrote, and stops it.
func TestDevnetCommand(t *testing.T) {
	for _, ex := range executors {
		t.Run(ex, func(t *testing.T) {
			if ex == executorNekoton {
				nekotontest.Start(t) // skipped, or failed under CI, without node
			}
			dir := t.TempDir()
			envFile := filepath.Join(dir, "devnet.env")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var out, errOut bytes.Buffer
			done := make(chan int, 1)
			go func() {
				app := &App{In: strings.NewReader(""), Out: &out, Err: &errOut, Getenv: func(string) string { return "" }}
				args := []string{"devnet", "--executor", ex, "--env-file", envFile}
				if ex == executorGo {
					args = append(args, "--block-interval", "100ms")
				}
				done <- Main(ctx, args, app)
			}()
			env := map[string]string{}
			for deadline := time.Now().Add(30 * time.Second); len(env) == 0; {
				if data, err := os.ReadFile(envFile); err == nil {
					for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
						k, v, _ := strings.Cut(strings.TrimPrefix(line, "export "), "=")
						env[k] = strings.Trim(v, "'")
					}
				}
				select {
				case code := <-done:
					t.Fatalf("devnet ended with exit code %d: %s", code, errOut.String())
				case <-time.After(20 * time.Millisecond):
				}
				if time.Now().After(deadline) {
					t.Fatal("the devnet wrote no settings")
				}
			}
			image := env["SIGN_CLI_SAMPLE_IMAGE"]
			if r := runCLI(t, env, "", "sign", image); r.code != 0 {
				t.Fatalf("sign: %+v", r)
			}
			if r := runCLI(t, env, "", "check", "--source", "all", env["WALLET_PUBLIC"], image); r.code != 0 {
				t.Fatalf("check: %+v", r)
			}
			checkTrustAnchor(t, env["SIGN_CLI_NETWORK"], env["SIGN_CLI_TRUST_ANCHOR"])
			cancel()
			if code := <-done; code != 0 {
				t.Fatalf("devnet exit code %d: %s", code, errOut.String())
			}
			if !strings.Contains(errOut.String(), "--executor "+ex) {
				t.Errorf("the devnet did not say what runs its transactions: %q", errOut.String())
			}
		})
	}
}

// checkTrustAnchor checks that the anchor the devnet wrote is its key
// block, as the API serves it.
func checkTrustAnchor(t *testing.T, url, anchor string) {
	t.Helper()
	seq, root, ok := strings.Cut(anchor, ":")
	body := `{"query":"{blocks(filter:{workchain_id:{eq:-1}, key_block:{eq:true}}){id seq_no}}"}`
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Data struct {
			Blocks []struct {
				ID    string  `json:"id"`
				SeqNo float64 `json:"seq_no"`
			} `json:"blocks"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	if !ok || len(r.Data.Blocks) != 1 || r.Data.Blocks[0].ID != root || fmt.Sprint(r.Data.Blocks[0].SeqNo) != seq {
		t.Fatalf("SIGN_CLI_TRUST_ANCHOR=%q, the devnet's key blocks %+v", anchor, r.Data.Blocks)
	}
}

func TestDevnetExecutorUsage(t *testing.T) {
	empty := t.TempDir()
	tests := []struct {
		args      []string
		fragments []string
	}{
		{[]string{"devnet", "--executor", "tvm"}, []string{"--executor", "go or nekoton"}},
		{[]string{"devnet", "--block-interval", "-1s"}, []string{"--block-interval", "0 or more"}},
		{[]string{"devnet", "--block-interval", "soon"}, []string{"block-interval"}},
		{[]string{"devnet", "--node-modules", empty}, []string{"--node-modules", "--executor nekoton"}},
		// Without nekoton-wasm (or without node) the devnet does not start.
		{[]string{"devnet", "--executor", "nekoton", "--node-modules", empty}, []string{"--executor nekoton needs Node.js"}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			runCLI(t, nil, "", tc.args...).wantError(t, exitUsage, tc.fragments...)
		})
	}
}
