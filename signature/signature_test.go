package signature_test

import (
	"context"
	"errors"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/devnet/contracts"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/image"
	"github.com/gosh-sh/sign-cli/keys"
	"github.com/gosh-sh/sign-cli/proof"
	"github.com/gosh-sh/sign-cli/signature"
)

// world is an emulated network with a funded giver and an in-memory
// registry that counts the signature artifacts pushed to it.
type world struct {
	t         *testing.T
	chain     *devnet.Server
	giver     keys.Key
	giverAddr string
	regHost   string
	sigPushes atomic.Int32
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, giver: newKey(t)}
	acc, err := contracts.GiverAccount(w.giver.Public().Ed25519(), new(big.Int).Mul(big.NewInt(1_000_000), big.NewInt(1_000_000_000)))
	if err != nil {
		t.Fatal(err)
	}
	w.giverAddr = acc.Address
	if w.chain, err = devnet.Start(contracts.ServerOptions(acc)...); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.chain.Close)
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/sha256-") {
			w.sigPushes.Add(1)
		}
		reg.ServeHTTP(rw, r)
	}))
	t.Cleanup(srv.Close)
	w.regHost = strings.TrimPrefix(srv.URL, "http://")
	return w
}

func newKey(t *testing.T) keys.Key {
	t.Helper()
	k, err := keys.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func (w *world) client() *everos.Client {
	w.t.Helper()
	c, err := everos.New(everos.Config{Endpoints: []string{w.chain.URL}})
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

func (w *world) deployer() *proof.Deployer {
	return &proof.Deployer{Client: w.client(), Wallet: &proof.Wallet{Address: cell.MustParseAddress(w.giverAddr), Key: w.giver}, BalancePoll: 20 * time.Millisecond}
}

// image pushes a random image, optionally labelled, and returns its tag
// reference and digest.
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

func targets(t *testing.T, refs ...string) []image.Target {
	t.Helper()
	var out []image.Target
	for _, r := range refs {
		tg, err := image.ParseTarget(r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tg)
	}
	return out
}

// deployments counts the transactions that deployed a proof, and payments
// the giver's transactions that sent tokens.
func (w *world) deployments() (deployed, payments int) {
	for _, tx := range w.chain.Transactions() {
		switch {
		case tx.Aborted:
		case tx.Account == w.giverAddr && len(tx.OutMsgs) > 0:
			payments++
		case tx.OrigStatus != everos.Active && tx.EndStatus == everos.Active:
			deployed++
		}
	}
	return deployed, payments
}

// TestSignOneImageNamedTwice: an image named by tag and by digest in one
// run gets one proof (deployed and paid once) and one registry signature
// (pushed once), and both targets report them; signing again repeats
// nothing.
func TestSignOneImageNamedTwice(t *testing.T) {
	w := newWorld(t)
	ref, digest := w.image("team/app", nil)
	byDigest := w.regHost + "/team/app@" + digest.String()
	s := &signature.Signer{Key: newKey(t), Registry: &image.Registry{}, Proofs: w.deployer(), Annotations: map[string]string{"build": "42"}}
	out := s.Sign(testContext(t), targets(t, ref, byDigest))
	for _, o := range out {
		if o.Err != nil {
			t.Fatalf("%s: %v", o.Target, o.Err)
		}
		if o.Target.Digest != digest || o.Proof == nil || o.Proof.State == nil || !o.Proof.State.Constructed || o.Registry == nil {
			t.Fatalf("%s: %+v", o.Target, o)
		}
	}
	if out[0].Proof != out[1].Proof || out[0].Registry != out[1].Registry {
		t.Errorf("the two names of one image got different results: %+v, %+v", out[0], out[1])
	}
	if d, p := w.deployments(); d != 1 || p != 1 {
		t.Errorf("%d deployments and %d payments, want 1 and 1", d, p)
	}
	if n := w.sigPushes.Load(); n != 1 {
		t.Errorf("%d signature pushes, want 1", n)
	}

	again := s.Sign(testContext(t), targets(t, ref))
	if o := again[0]; o.Err != nil || !o.Proof.AlreadyDeployed || o.Proof.TopUp != "" || !o.Registry.AlreadyPresent {
		t.Fatalf("signing again: %+v (proof %+v)", o, o.Proof)
	}
	if d, p := w.deployments(); d != 1 || p != 1 {
		t.Errorf("after signing again: %d deployments and %d payments", d, p)
	}
	if n := w.sigPushes.Load(); n != 1 {
		t.Errorf("after signing again: %d signature pushes", n)
	}
}

// TestSignParts: without a deployer only the registry is signed, with
// SkipRegistry only the chain, and a bare digest never reaches a registry.
func TestSignParts(t *testing.T) {
	w := newWorld(t)
	ref, digest := w.image("team/parts", nil)
	key := newKey(t)

	out := (&signature.Signer{Key: key, Registry: &image.Registry{}}).Sign(testContext(t), targets(t, ref))
	if o := out[0]; o.Err != nil || o.Proof != nil || o.Registry == nil {
		t.Fatalf("registry only: %+v", o)
	}
	out = (&signature.Signer{Key: key, Registry: &image.Registry{}, Proofs: w.deployer(), SkipRegistry: true}).Sign(testContext(t), targets(t, digest.String()))
	if o := out[0]; o.Err != nil || o.Proof == nil || o.Registry != nil {
		t.Fatalf("chain only, bare digest: %+v", o)
	}
	if n := w.sigPushes.Load(); n != 1 {
		t.Errorf("%d signature pushes, want 1", n)
	}
}

// TestCheck: the checker's verdicts for signed, unsigned and otherwise
// keyed images from both sources, the key from the image's label, and
// answers that are unknown rather than "no".
func TestCheck(t *testing.T) {
	w := newWorld(t)
	signer, other := newKey(t), newKey(t)
	signedRef, _ := w.image("team/signed", map[string]string{image.WalletPublicLabel: signer.Public().String()})
	unsignedRef, _ := w.image("team/unsigned", nil)
	s := &signature.Signer{Key: signer, Registry: &image.Registry{}, Proofs: w.deployer()}
	if o := s.Sign(testContext(t), targets(t, signedRef))[0]; o.Err != nil {
		t.Fatal(o.Err)
	}
	ch := &signature.Checker{Registry: &image.Registry{}, Proofs: &proof.Deployer{Client: w.client()}}
	for _, src := range []signature.Source{signature.SourceChain, signature.SourceRegistry, signature.SourceAll} {
		ch.Source = src
		tg := targets(t, signedRef, unsignedRef, signedRef, signedRef)
		res := ch.Check(testContext(t), []signature.CheckRequest{
			{Target: tg[0], Public: signer.Public()},
			{Target: tg[1], Public: signer.Public()},
			{Target: tg[2], Public: other.Public()},
			{Target: tg[3]}, // the label's key
		})
		want := []bool{true, false, false, true}
		for i, r := range res {
			if r.Err != nil {
				t.Fatalf("source %d, request %d: %v", src, i, r.Err)
			}
			if r.Verified != want[i] || r.NotVerified() == want[i] {
				t.Errorf("source %d, request %d: verified %v, want %v", src, i, r.Verified, want[i])
			}
			if (src&signature.SourceChain != 0) != (r.Chain != nil) || (src&signature.SourceRegistry != 0) != (r.Registry != nil) {
				t.Errorf("source %d, request %d: chain %v, registry %v", src, i, r.Chain, r.Registry)
			}
		}
		if !res[3].KeyFromLabel || res[3].Public != signer.Public() {
			t.Errorf("source %d: the label's key: %+v", src, res[3])
		}
	}

	// A bare digest has no registry signature to check: bad input, not "no".
	ch.Source = signature.SourceRegistry
	_, d := w.image("team/bare", nil)
	if r := ch.Check(testContext(t), []signature.CheckRequest{{Target: targets(t, d.String())[0], Public: signer.Public()}})[0]; !errors.Is(r.Err, image.ErrInvalidTarget) || r.NotVerified() {
		t.Errorf("registry check of a bare digest: %+v", r)
	}
	// A network that fails gives no verdict.
	ch.Source = signature.SourceChain
	w.chain.FailRequests(-1, http.StatusInternalServerError)
	fast, err := everos.New(everos.Config{Endpoints: []string{w.chain.URL}, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	ch.Proofs = &proof.Deployer{Client: fast}
	if r := ch.Check(testContext(t), []signature.CheckRequest{{Target: targets(t, signedRef)[0], Public: signer.Public()}})[0]; r.Err == nil || r.Verified || r.NotVerified() {
		t.Errorf("check while the network fails: %+v", r)
	}
}
