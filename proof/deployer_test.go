package proof_test

import (
	"context"
	"errors"
	"github.com/gosh-sh/sign-cli/internal/runlock"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/devnet/contracts"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/keys"
	"github.com/gosh-sh/sign-cli/proof"
)

type faultCase struct {
	name string
	// arm switches the fault on; it is called again before the checks
	// that run under the fault.
	arm func(w *world, pub keys.PublicKey, content string)
	// endpoints, when set, replaces the world's endpoint list.
	endpoints func(w *world) []string
	// interrupt, when set, cancels the first deployment when a progress
	// line contains it, as Ctrl-C would.
	interrupt string
	// interruptAfterDeploy cancels the first deployment as soon as the
	// proof is deployed, before the deployer has seen its transaction.
	interruptAfterDeploy bool
	// mustComplete: the first deployment may not fail.
	mustComplete bool
	// lifetime replaces the world's message lifetime.
	lifetime time.Duration
	// prefunded: the proof address holds enough already, so the wallet
	// must pay nothing.
	prefunded bool
}

// TestDeployFaults deploys a proof under every fault of the emulator: the
// deployment completes, or fails and a second one completes; either way
// the proof is deployed once and the wallet pays once (not at all for an
// address funded already), a third deployment changes nothing, and Check,
// under the same fault, answers right or not at all. (The CLI's
// TestSignFaults runs the same faults through `sign`, with the registry.)
func TestDeployFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("fault tests wait for message expiry; skipped with -short")
	}
	down503 := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		http.Error(rw, "service unavailable", http.StatusServiceUnavailable)
	}))
	t.Cleanup(down503.Close)
	cases := []faultCase{
		{name: "first endpoint refuses connections", mustComplete: true,
			endpoints: func(w *world) []string { return []string{"http://127.0.0.1:1/graphql", w.chain.URL} }},
		{name: "first endpoint answers 503", mustComplete: true,
			endpoints: func(w *world) []string { return []string{down503.URL + "/graphql", w.chain.URL} }},
		{name: "5xx burst", mustComplete: true, arm: func(w *world, _ keys.PublicKey, _ string) { w.chain.FailRequests(3, http.StatusBadGateway) }},
		{name: "503 burst", mustComplete: true, arm: func(w *world, _ keys.PublicKey, _ string) { w.chain.FailRequests(4, http.StatusServiceUnavailable) }},
		{name: "429 burst", mustComplete: true, arm: func(w *world, _ keys.PublicKey, _ string) { w.chain.FailRequests(4, http.StatusTooManyRequests) }},
		{name: "long 5xx outage", arm: func(w *world, _ keys.PublicKey, _ string) { w.chain.FailRequests(-1, http.StatusInternalServerError) }},
		{name: "latency", mustComplete: true, arm: func(w *world, _ keys.PublicKey, _ string) { w.chain.SetLatency(150 * time.Millisecond) }},
		{name: "connections reset", mustComplete: true, arm: func(w *world, _ keys.PublicKey, _ string) { w.chain.RefuseConnections(3) }},
		{name: "websocket dropped", mustComplete: true, arm: func(w *world, _ keys.PublicKey, _ string) { w.chain.DropWebsocketAfter(1) }},
		{name: "duplicate delivery", mustComplete: true, arm: func(w *world, _ keys.PublicKey, _ string) { w.chain.DuplicateDelivery(true) }},
		{name: "malformed responses", mustComplete: true, arm: func(w *world, _ keys.PublicKey, _ string) { w.chain.MalformJSON(3) }},
		{name: "server clock ahead", mustComplete: true, arm: func(w *world, _ keys.PublicKey, _ string) { w.chain.SetClockSkew(10 * time.Minute) }},
		{name: "server clock behind", mustComplete: true, arm: func(w *world, _ keys.PublicKey, _ string) { w.chain.SetClockSkew(-10 * time.Minute) }},
		// The first message (the wallet's transfer) is lost: it expires and
		// is replaced, and the address is read first so nothing is paid twice.
		{name: "lost transfer", mustComplete: true, arm: func(w *world, _ keys.PublicKey, _ string) { w.chain.LoseMessages(1) }},
		// The proof address is funded already, so the one message, the
		// deploy message, is lost and replaced.
		{name: "lost deploy message", mustComplete: true, prefunded: true, arm: func(w *world, pub keys.PublicKey, content string) {
			w.fundUnlessDeployed(pub, content)
			w.chain.LoseMessages(1)
		}},
		// Every message is lost: each expires and is replaced until the
		// resends run out.
		{name: "every message lost", lifetime: time.Second, arm: func(w *world, _ keys.PublicKey, _ string) { w.chain.LoseMessages(-1) }},
		{name: "interrupted while funding", interrupt: "funding proof"},
		{name: "interrupted while deploying", interrupt: "deploying proof"},
		{name: "interrupted after the deployment", interruptAfterDeploy: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runFaultCase(t, tc)
		})
	}
}

// fundUnlessDeployed funds the proof address, unless the proof is there
// already (the fault is armed again for Check).
func (w *world) fundUnlessDeployed(pub keys.PublicKey, content string) {
	if w.status(w.address(pub, content)) != everos.Active {
		w.fund(pub, content, contract.DefaultTopUp)
	}
}

func runFaultCase(t *testing.T, tc faultCase) {
	w := newWorld(t)
	signer := newKey(t)
	content := digestOf(tc.name)
	addr := w.address(signer.Public(), content)
	var endpoints []string
	if tc.endpoints != nil {
		endpoints = tc.endpoints(w)
	}
	if tc.arm != nil {
		tc.arm(w, signer.Public(), content)
	}

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	progress := &lines{}
	if tc.interrupt != "" {
		progress.on = func(line string) {
			if strings.Contains(line, tc.interrupt) {
				cancel()
			}
		}
	}
	if tc.interruptAfterDeploy {
		go func() {
			for ctx.Err() == nil {
				if w.deployments(addr) > 0 {
					cancel()
				}
				time.Sleep(time.Millisecond)
			}
		}()
	}
	first := w.deployer(w.client(endpoints...))
	first.Progress = progress.add
	if tc.lifetime != 0 {
		first.MessageLifetime = tc.lifetime
	}
	start := time.Now()
	dep, err := first.Deploy(ctx, signer, content)
	cancel()
	t.Logf("first deployment: %v after %s", err, time.Since(start).Round(time.Millisecond))
	w.chain.ResetFaults()
	switch {
	case err == nil:
		if dep.Address != addr || dep.State == nil || !dep.State.Constructed {
			t.Fatalf("deployment %+v", dep)
		}
	case tc.mustComplete:
		t.Fatalf("deployment under the fault: %v\nprogress:\n%s", err, progress)
	default:
		if proof.IsRefusal(err) {
			t.Errorf("a failure to deploy reads as a refusal: %v", err)
		}
		// A second run, as a user would start, completes it.
		second := w.deployer(w.client(endpoints...))
		if _, err := second.Deploy(t.Context(), signer, content); err != nil {
			t.Fatalf("second deployment after the fault: %v", err)
		}
	}

	wantPayments := 1
	if tc.prefunded {
		wantPayments = 0
	}
	if n := w.deployments(addr); n != 1 {
		t.Errorf("the proof was deployed %d times", n)
	}
	if n := w.payments(); n != wantPayments {
		t.Errorf("the wallet paid %d times, want %d", n, wantPayments)
	}
	// A third deployment changes nothing.
	third, err := w.deployer(w.client(endpoints...)).Deploy(t.Context(), signer, content)
	if err != nil || !third.AlreadyDeployed || third.Transaction != "" || third.TopUp != "" {
		t.Errorf("deployment after success: %+v, %v", third, err)
	}
	if n := w.payments(); n != wantPayments {
		t.Errorf("after a third deployment the wallet paid %d times, want %d", n, wantPayments)
	}

	// Check, with and without the fault, never answers wrong.
	queries := []proof.Query{{Public: signer.Public(), Content: content}, {Public: signer.Public(), Content: digestOf("unsigned")}}
	for _, faulty := range []bool{false, true} {
		if faulty && tc.arm != nil {
			tc.arm(w, signer.Public(), content)
		}
		d := &proof.Deployer{Client: w.client(endpoints...)}
		v := d.Check(t.Context(), queries)
		w.chain.ResetFaults()
		if !faulty && (v[0].Err != nil || !v[1].NotVerified()) {
			t.Fatalf("check without faults: signed %+v, unsigned %+v", v[0], v[1])
		}
		if v[0].Err != nil && proof.IsRefusal(v[0].Err) {
			t.Errorf("check of the deployed proof (faulty %v): not verified: %v", faulty, v[0].Err)
		}
		if v[1].Err == nil {
			t.Errorf("check of an undeployed proof (faulty %v): verified", faulty)
		}
	}
}

// TestTopUps: the wallet funds a proof address that holds less than half
// of TopUp, with TopUp, and leaves alone one that holds enough.
func TestTopUps(t *testing.T) {
	w := newWorld(t)
	signer := newKey(t)
	pub := signer.Public()
	d := w.deployer(w.client())
	deploy := func(content string) *proof.Deployment {
		t.Helper()
		dep, err := d.Deploy(t.Context(), signer, content)
		if err != nil {
			t.Fatalf("deploying %s: %v", content, err)
		}
		if dep.AlreadyDeployed || dep.Transaction == "" || w.status(dep.Address) != everos.Active || dep.State == nil || !dep.State.Constructed {
			t.Fatalf("deployment of %s: %+v", content, dep)
		}
		return dep
	}
	const half = contract.DefaultTopUp / 2

	// An empty address gets TopUp, and the deployment is paid from it.
	d.TopUp = 50_000_000
	dep := deploy(digestOf("custom"))
	if dep.TopUp == "" {
		t.Fatalf("no top-up of an empty address: %+v", dep)
	}
	if b := w.balance(dep.Address); b.Sign() <= 0 || b.Cmp(big.NewInt(50_000_000)) >= 0 {
		t.Fatalf("after a top-up of 0.05 and a deployment the proof holds %s", b)
	}
	d.TopUp = 0

	// An address holding the default top-up is not funded again.
	addr := w.fund(pub, digestOf("funded"), contract.DefaultTopUp)
	giverBefore := w.balance(w.giverAddr)
	dep = deploy(digestOf("funded"))
	if dep.TopUp != "" || dep.Address != addr {
		t.Fatalf("a funded address was topped up: %+v", dep)
	}
	if b := w.balance(w.giverAddr); b.Cmp(giverBefore) != 0 {
		t.Fatalf("the giver paid %s for a funded address", new(big.Int).Sub(giverBefore, b))
	}

	// One holding less than half of it is.
	w.fund(pub, digestOf("poor"), half/2)
	dep = deploy(digestOf("poor"))
	if dep.TopUp == "" {
		t.Fatalf("an address with %d was not topped up: %+v", half/2, dep)
	}
	if b := w.balance(dep.Address); b.Cmp(big.NewInt(contract.DefaultTopUp)) <= 0 {
		t.Fatalf("topped up from %d by %d, the proof holds %s after its deployment", half/2, contract.DefaultTopUp, b)
	}
}

// TestRefusedTransfer: a key that does not own the wallet is refused
// before anything is sent (the wallet would refuse the transfer and let it
// expire); nothing is funded, paid or deployed.
func TestRefusedTransfer(t *testing.T) {
	w := newWorld(t)
	signer := newKey(t)
	content := digestOf("stranger")
	d := w.deployer(w.client())
	d.Wallet.Key = newKey(t) // not the giver's owner
	d.MessageLifetime, d.Resends = time.Second, -1
	giverBefore := w.balance(w.giverAddr)
	txsBefore := len(w.chain.Transactions())
	_, err := d.Deploy(t.Context(), signer, content)
	if !errors.Is(err, proof.ErrWrongWallet) || !strings.Contains(err.Error(), "does not control wallet") {
		t.Fatalf("deployment paid by a stranger's key: %v", err)
	}
	if n := len(w.chain.Transactions()); n != txsBefore {
		t.Fatalf("%d transactions after a refused key", n-txsBefore)
	}
	if s := w.status(w.address(signer.Public(), content)); s != everos.NonExist {
		t.Fatalf("the proof address after a refused transfer is %v", s)
	}
	if b := w.balance(w.giverAddr); b.Cmp(giverBefore) != 0 {
		t.Fatalf("a refused transfer cost the giver %s", new(big.Int).Sub(giverBefore, b))
	}
}

// TestPublish: a deploy message signed elsewhere is funded and sent; a
// forged one (consistent but for its signature) is refused by the contract
// and expires, leaving the address uninit with its top-up; an expired one is
// not sent; and a genuine one deploys the proof, once.
func TestPublish(t *testing.T) {
	w := newWorld(t)
	signer := newKey(t)
	pub := signer.Public()
	d := w.deployer(w.client())
	build := func(content string, forged bool, now time.Time, lifetime time.Duration) (*contract.Proof, *cell.Cell, time.Time) {
		t.Helper()
		p, err := contract.NewProof(pub.Ed25519(), content)
		if err != nil {
			t.Fatal(err)
		}
		expire := now.Add(lifetime)
		var msg *cell.Cell
		if forged {
			msg, err = p.DeployMessage(forger{claimed: pub.Ed25519(), real: newKey(t).Ed25519()}, now, uint32(expire.Unix()))
		} else {
			msg, err = p.DeployMessage(signer.Ed25519(), now, uint32(expire.Unix()))
		}
		if err != nil {
			t.Fatal(err)
		}
		return p, msg, expire
	}

	// Forged: refused, expires, the address keeps its top-up.
	content := digestOf("forged")
	p, msg, expire := build(content, true, w.chain.Now(), 2*time.Second)
	_, err := d.Publish(t.Context(), pub, content, msg, expire)
	if !errors.Is(err, everos.ErrMessageExpired) {
		t.Fatalf("publishing a forged message: %v", err)
	}
	if s := w.status(p.Address().String()); s != everos.Uninit {
		t.Fatalf("the proof address after a forged deployment is %v", s)
	}
	// A genuine message, signed now, deploys the proof without paying again.
	paid := w.payments()
	_, msg, expire = build(content, false, w.chain.Now(), time.Hour)
	dep, err := d.Publish(t.Context(), pub, content, msg, expire)
	if err != nil || dep.AlreadyDeployed || dep.Transaction == "" || dep.TopUp != "" {
		t.Fatalf("publishing the genuine message: %+v, %v", dep, err)
	}
	if n := w.payments(); n != paid {
		t.Errorf("the genuine message paid %d more times", n-paid)
	}
	// Published again, it finds the proof there.
	if dep, err := d.Publish(t.Context(), pub, content, msg, expire); err != nil || !dep.AlreadyDeployed {
		t.Fatalf("publishing the message again: %+v, %v", dep, err)
	}
	if n := w.deployments(p.Address().String()); n != 1 {
		t.Errorf("the proof was deployed %d times", n)
	}

	// Expired before it is sent: nothing happens, and a deployment signed
	// now makes the proof.
	content = digestOf("expired")
	p, msg, expire = build(content, false, w.chain.Now().Add(-time.Minute), 10*time.Second)
	if _, err := d.Publish(t.Context(), pub, content, msg, expire); !errors.Is(err, everos.ErrMessageExpired) {
		t.Fatalf("publishing an expired message: %v", err)
	}
	if v := d.Check(t.Context(), []proof.Query{{Public: pub, Content: content}}); !v[0].NotVerified() {
		t.Fatalf("check after an expired message: %+v", v[0])
	}
	if _, err := d.Deploy(t.Context(), signer, content); err != nil {
		t.Fatalf("deploying again: %v", err)
	}
	if v := d.Check(t.Context(), []proof.Query{{Public: pub, Content: content}}); v[0].Err != nil {
		t.Fatalf("check after deploying again: %+v", v[0])
	}
	if n := w.deployments(p.Address().String()); n != 1 {
		t.Errorf("the proof was deployed %d times", n)
	}
}

// TestConcurrentDeployersOfOneDigest: deployers of one proof running at
// the same time, as separate sign-cli runs would, all end with the proof
// deployed, once, and none of them fails. Sharing a lock directory, as runs
// on one machine do, they also pay once.
func TestConcurrentDeployersOfOneDigest(t *testing.T) {
	for _, locked := range []bool{false, true} {
		t.Run(map[bool]string{false: "no locks", true: "locks"}[locked], func(t *testing.T) {
			testConcurrentDeployers(t, locked)
		})
	}
}

func testConcurrentDeployers(t *testing.T, locked bool) {
	w := newWorld(t)
	signer := newKey(t)
	content := digestOf("concurrent")
	addr := w.address(signer.Public(), content)
	locks := lockDir(t)
	const n = 4
	deps := make([]*proof.Deployment, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		d := w.deployer(w.client())
		if locked {
			d.Locks = locks
		}
		wg.Go(func() {
			<-start
			deps[i], errs[i] = d.Deploy(t.Context(), signer, content)
		})
	}
	close(start)
	wg.Wait()
	fresh := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("deployer %d: %v", i, errs[i])
		}
		if deps[i].Address != addr || deps[i].State == nil || !deps[i].State.Constructed {
			t.Fatalf("deployer %d: %+v", i, deps[i])
		}
		if !deps[i].AlreadyDeployed {
			fresh++
		}
	}
	if k := w.deployments(addr); k != 1 {
		t.Errorf("the proof was deployed %d times", k)
	}
	if fresh < 1 {
		t.Errorf("no deployer reports having deployed the proof")
	}
	// Without locks, separate deployers share no state: each reads the
	// empty address before any transfer lands, so each may fund it (what
	// the proof holds beyond its deployment stays there, paying its
	// storage). With them, one funds and the others find it done.
	switch p := w.payments(); {
	case locked && p != 1:
		t.Errorf("%d payments by %d deployers sharing locks, want 1", p, n)
	case p < 1 || p > n:
		t.Errorf("%d payments by %d deployers", p, n)
	}
	t.Logf("%d deployers: %d payments, %d report the deployment as theirs", n, w.payments(), fresh)
}

// TestDeployAllOneDigestTwice: one Deployer asked for the same proof twice
// in one call deploys it and pays for it once, and answers both.
func TestDeployAllOneDigestTwice(t *testing.T) {
	w := newWorld(t)
	signer := newKey(t)
	content := digestOf("twice")
	d := w.deployer(w.client())
	deps, errs := d.DeployAll(t.Context(), signer, []string{content, digestOf("other"), content})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("proof %d: %v", i, err)
		}
	}
	if deps[0].Address != deps[2].Address || deps[0].State == nil || deps[2].State == nil {
		t.Fatalf("deployments %+v and %+v", deps[0], deps[2])
	}
	if n := w.deployments(deps[0].Address); n != 1 {
		t.Errorf("the proof was deployed %d times", n)
	}
	if n := w.payments(); n != 2 {
		t.Errorf("two proofs cost %d payments", n)
	}
}

// TestUnknownWallet: a wallet whose kind cannot be found fails with an
// error wrapping contract.ErrUnknownWallet, whether it is not deployed or
// runs code no known wallet runs, and nothing is sent.
func TestUnknownWallet(t *testing.T) {
	stranger := newKey(t)
	odd, err := contracts.WalletAccount(contract.SafeMultisig, stranger.Public().Ed25519(), big.NewInt(100e9))
	if err != nil {
		t.Fatal(err)
	}
	odd.CodeHash = strings.Repeat("ab", 32) // no known wallet's
	w := newWorld(t, devnet.WithAccounts(odd))
	missing := cell.MustParseAddress("0:" + strings.Repeat("01", 32))
	for _, tc := range []struct {
		name   string
		wallet *cell.Address
		want   string
	}{
		{"not deployed", missing, "is non-existent"},
		{"unknown code", cell.MustParseAddress(odd.Address), strings.Repeat("ab", 32)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &proof.Deployer{Client: w.client(), Wallet: &proof.Wallet{Address: tc.wallet, Key: stranger}}
			_, err := d.Deploy(t.Context(), newKey(t), digestOf(tc.name))
			if !errors.Is(err, contract.ErrUnknownWallet) {
				t.Fatalf("deployment paid by an unknown wallet: %v, want contract.ErrUnknownWallet", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if len(w.chain.Transactions()) != 0 {
				t.Errorf("transactions: %+v", w.chain.Transactions())
			}
		})
	}
}

// TestNoWallet: with no wallet, an address holding too little is an
// ErrNoFunds, and one holding enough is deployed.
func TestNoWallet(t *testing.T) {
	w := newWorld(t)
	signer := newKey(t)
	d := &proof.Deployer{Client: w.client(), MessageLifetime: 2 * time.Second}
	if _, err := d.Deploy(t.Context(), signer, digestOf("poor")); !errors.Is(err, proof.ErrNoFunds) {
		t.Fatalf("deployment without a wallet to an empty address: %v", err)
	}
	w.fund(signer.Public(), digestOf("rich"), contract.DefaultTopUp)
	dep, err := d.Deploy(t.Context(), signer, digestOf("rich"))
	if err != nil || dep.TopUp != "" || dep.State == nil || !dep.State.Constructed {
		t.Fatalf("deployment without a wallet to a funded address: %+v, %v", dep, err)
	}
}

// lockDir is a lock directory of the test's own, as sign-cli keeps one in
// the user's cache directory.
func lockDir(t *testing.T) proof.Locks {
	dir := runlock.Dir(t.TempDir())
	return func(ctx context.Context, name string, waiting func()) (proof.Lock, error) {
		return dir.Acquire(ctx, name, waiting)
	}
}

// TestKilledRunsTransferIsNotPaidAgain: a run killed after it sent the
// top-up, before the transfer landed, leaves it noted in the proof's lock;
// the next run waits for that transfer instead of paying a second time.
func TestKilledRunsTransferIsNotPaidAgain(t *testing.T) {
	w := newWorld(t, devnet.WithBlockDelay(700*time.Millisecond))
	signer := newKey(t)
	content := digestOf("killed during funding")
	addr := w.address(signer.Public(), content)
	locks := lockDir(t)

	first := w.deployer(w.client())
	first.Locks = locks
	ctx, kill := context.WithCancel(t.Context())
	first.Progress = func(line string) {
		if strings.HasPrefix(line, "funding proof") {
			go func() { onItsWay(ctx, w.chain); kill() }()
		}
	}
	if _, err := first.Deploy(ctx, signer, content); err == nil {
		t.Fatal("the killed run completed")
	}
	if w.payments() != 0 && w.balance(addr).Sign() != 0 {
		t.Fatal("the transfer landed before the run was killed: the test proves nothing")
	}

	second := w.deployer(w.client())
	second.Locks = locks
	var lines []string
	second.Progress = func(line string) { lines = append(lines, line) }
	dep, err := second.Deploy(t.Context(), signer, content)
	if err != nil {
		t.Fatal(err)
	}
	if dep.State == nil || !dep.State.Constructed {
		t.Fatalf("deployment %+v", dep)
	}
	if p := w.payments(); p != 1 {
		t.Errorf("%d payments for one proof; progress: %q", p, lines)
	}
	if n := w.deployments(addr); n != 1 {
		t.Errorf("deployed %d times", n)
	}
}

// TestWrongWalletKind: a --wallet-type that the wallet's code contradicts is
// refused before anything is sent.
func TestWrongWalletKind(t *testing.T) {
	w := newWorld(t)
	d := w.deployer(w.client())
	d.Wallet.Kind = contract.SafeMultisig // the giver runs LocalGiver's code
	_, err := d.Deploy(t.Context(), newKey(t), digestOf("kind"))
	if !errors.Is(err, proof.ErrWrongWallet) || !strings.Contains(err.Error(), "LocalGiver's code, not SafeMultisig's") {
		t.Fatalf("err = %v", err)
	}
	if w.payments() != 0 {
		t.Fatal("a wallet of another kind was asked to pay")
	}
}
