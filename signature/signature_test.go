package signature_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/image"
	"github.com/gosh-sh/sign-cli/internal/chaintest"
	"github.com/gosh-sh/sign-cli/internal/registrytest"
	"github.com/gosh-sh/sign-cli/keys"
	"github.com/gosh-sh/sign-cli/proof"
	"github.com/gosh-sh/sign-cli/signature"
)

// world is the chain fixture (internal/chaintest) and the test registry
// (internal/registrytest), which counts the signature artifacts pushed to
// it.
type world struct {
	t         *testing.T
	chain     *devnet.Server
	giver     keys.Key
	giverAddr string
	reg       *registrytest.Registry
	regHost   string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	c := chaintest.New(t)
	reg := registrytest.New(t)
	return &world{t: t, chain: c.Server, giver: c.Giver, giverAddr: c.GiverAddress, reg: reg, regHost: reg.Host}
}

// sigPushes counts the signature artifacts pushed.
func (w *world) sigPushes() int { return w.reg.Count(http.MethodPut, "/manifests/sha256-") }

func newKey(t *testing.T) keys.Key {
	t.Helper()
	k, err := keys.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
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
	return w.reg.PushRandom(w.t, repo+":latest", labels)
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
	out := s.Sign(t.Context(), targets(t, ref, byDigest))
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
	if n := w.sigPushes(); n != 1 {
		t.Errorf("%d signature pushes, want 1", n)
	}

	again := s.Sign(t.Context(), targets(t, ref))
	if o := again[0]; o.Err != nil || !o.Proof.AlreadyDeployed || o.Proof.TopUp != "" || !o.Registry.AlreadyPresent {
		t.Fatalf("signing again: %+v (proof %+v)", o, o.Proof)
	}
	if d, p := w.deployments(); d != 1 || p != 1 {
		t.Errorf("after signing again: %d deployments and %d payments", d, p)
	}
	if n := w.sigPushes(); n != 1 {
		t.Errorf("after signing again: %d signature pushes", n)
	}
}

// TestSignParts: without a deployer only the registry is signed, with
// SkipRegistry only the chain, and a bare digest never reaches a registry.
func TestSignParts(t *testing.T) {
	w := newWorld(t)
	ref, digest := w.image("team/parts", nil)
	key := newKey(t)

	out := (&signature.Signer{Key: key, Registry: &image.Registry{}}).Sign(t.Context(), targets(t, ref))
	if o := out[0]; o.Err != nil || o.Proof != nil || o.Registry == nil {
		t.Fatalf("registry only: %+v", o)
	}
	out = (&signature.Signer{Key: key, Registry: &image.Registry{}, Proofs: w.deployer(), SkipRegistry: true}).Sign(t.Context(), targets(t, digest.String()))
	if o := out[0]; o.Err != nil || o.Proof == nil || o.Registry != nil {
		t.Fatalf("chain only, bare digest: %+v", o)
	}
	if n := w.sigPushes(); n != 1 {
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
	if o := s.Sign(t.Context(), targets(t, signedRef))[0]; o.Err != nil {
		t.Fatal(o.Err)
	}
	ch := &signature.Checker{Registry: &image.Registry{}, Proofs: &proof.Deployer{Client: w.client()}}
	for _, src := range []signature.Source{signature.SourceChain, signature.SourceRegistry, signature.SourceAll} {
		ch.Source = src
		tg := targets(t, signedRef, unsignedRef, signedRef, signedRef)
		res := ch.Check(t.Context(), []signature.CheckRequest{
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
	if r := ch.Check(t.Context(), []signature.CheckRequest{{Target: targets(t, d.String())[0], Public: signer.Public()}})[0]; !errors.Is(r.Err, image.ErrInvalidTarget) || r.NotVerified() {
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
	if r := ch.Check(t.Context(), []signature.CheckRequest{{Target: targets(t, signedRef)[0], Public: signer.Public()}})[0]; r.Err == nil || r.Verified || r.NotVerified() {
		t.Errorf("check while the network fails: %+v", r)
	}
}
