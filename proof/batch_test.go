package proof_test

import (
	"context"
	"fmt"
	"math/big"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/devnet/contracts"
	"github.com/gosh-sh/sign-cli/devnet/nekotonexec"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/internal/nekoton/nekotontest"
	"github.com/gosh-sh/sign-cli/keys"
	"github.com/gosh-sh/sign-cli/proof"
)

// walletWorld is a world whose paying wallet is of a given kind: the giver
// itself, or an EverWallet or highload wallet running its real code (read
// from node_modules at test time), owned by the giver's key; transactions
// run on the Go rules or on Everscale's executor.
type walletWorld struct {
	*world
	wallet string
	kind   contract.WalletKind
	// payKind, when set, is the kind the deployer is told the wallet is
	// (needed for a wallet that is not deployed yet).
	payKind contract.WalletKind
}

func newWalletWorld(t *testing.T, executor string, kind contract.WalletKind, opts ...devnet.Option) *walletWorld {
	t.Helper()
	if executor == "nekoton" {
		opts = append(opts, devnet.WithExecutor(nekotonexec.New(nekotontest.Start(t))))
	}
	w := &walletWorld{world: newWorld(t, opts...), kind: kind}
	w.wallet = w.giverAddr
	if kind == contract.LocalGiver {
		return w
	}
	acc := realWallet(t, kind, w.giver)
	if err := w.chain.SetAccount(acc); err != nil {
		t.Fatal(err)
	}
	w.wallet = acc.Address
	return w
}

// realWallet is a wallet of kind on its real code owned by key, holding a
// thousand tokens.
func realWallet(t *testing.T, kind contract.WalletKind, key keys.Key) devnet.Account {
	t.Helper()
	// Skipped without Node.js and the npm packages, unless CI is set.
	code, err := kind.WalletCode(nekotontest.NodeModules(t))
	if err != nil {
		t.Fatal(err)
	}
	acc, err := contracts.RealWalletAccount(kind, code, key.Public().Ed25519(), new(big.Int).Mul(big.NewInt(1000), big.NewInt(1e9)))
	if err != nil {
		t.Fatal(err)
	}
	return acc
}

func (w *walletWorld) deployer(c *everos.Client) *proof.Deployer {
	d := w.world.deployer(c)
	d.Wallet.Address = cell.MustParseAddress(w.wallet)
	d.Wallet.Kind = w.payKind
	return d
}

// walletTxs counts the wallet's transactions that sent tokens out.
func (w *walletWorld) walletTxs() int { return w.paidOut(w.wallet) }

// topUps counts the transfers that reached addr before it was deployed:
// every transaction of the account that did not leave it active.
func (w *walletWorld) topUps(addr string) int {
	n := 0
	for _, tx := range w.chain.Transactions() {
		if tx.Account == addr && tx.EndStatus != everos.Active {
			n++
		}
	}
	return n
}

// checkOnce checks that every proof of contents by signer is deployed
// once and its address was funded once.
func (w *walletWorld) checkOnce(t *testing.T, signer keys.Key, contents []string) {
	t.Helper()
	for _, c := range contents {
		addr := w.address(signer.Public(), c)
		if n := w.deployments(addr); n != 1 {
			t.Errorf("%s deployed %d times", addr, n)
		}
		if n := w.topUps(addr); n != 1 {
			t.Errorf("%s funded %d times", addr, n)
		}
	}
}

func contentsFor(name string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = digestOf(fmt.Sprintf("%s %d", name, i))
	}
	return out
}

var executorNames = []string{"go", "nekoton"}

// devnetLog keeps what the devnet reports dropping or refusing.
type devnetLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *devnetLog) logf(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

// untakenMessage matches the devnet's report of an external message it
// lost, dropped as expired or saw its contract refuse.
var untakenMessage = regexp.MustCompile(`message ([0-9a-f]{64}) to (-?\d+:[0-9a-f]{64})`)

// untaken is the ids of the messages to addr that the devnet reported not
// taking, and that no transaction of addr ran afterwards (a lost message
// may be posted again and run).
func (w *world) untaken(log *devnetLog, addr string) []string {
	ran := map[string]bool{}
	for _, tx := range w.chain.Transactions() {
		if tx.Account == addr {
			ran[tx.InMsg] = true
		}
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	seen := map[string]bool{}
	var ids []string
	for _, line := range log.lines {
		m := untakenMessage.FindStringSubmatch(line)
		if m == nil || m[2] != addr || ran[m[1]] || seen[m[1]] {
			continue
		}
		seen[m[1]] = true
		ids = append(ids, m[1])
	}
	return ids
}

// TestBatchedFunding: DeployAll funds as many proof addresses per wallet
// transaction as the wallet's kind carries, under the devnet's faults, on
// both executors, and still funds every address once and deploys every
// proof once.
func TestBatchedFunding(t *testing.T) {
	if testing.Short() {
		t.Skip("lost messages wait for their expiry; skipped with -short")
	}
	const proofs = 12
	faults := []struct {
		name string
		arm  func(*devnet.Server)
	}{
		{"no fault", nil},
		{"lost messages", func(s *devnet.Server) { s.LoseMessages(2) }},
		{"latency", func(s *devnet.Server) { s.SetLatency(50 * time.Millisecond) }},
		{"5xx burst", func(s *devnet.Server) { s.FailRequests(3, 502) }},
	}
	for _, ex := range executorNames {
		for _, kind := range []contract.WalletKind{contract.LocalGiver, contract.EverWallet, contract.HighloadWalletV2} {
			for _, f := range faults {
				t.Run(ex+"/"+kind.String()+"/"+f.name, func(t *testing.T) {
					var log devnetLog
					w := newWalletWorld(t, ex, kind, devnet.WithBlockDelay(100*time.Millisecond), devnet.WithLogf(log.logf))
					signer := newKey(t)
					contents := contentsFor(t.Name(), proofs)
					d := w.deployer(w.client())
					if f.arm != nil {
						f.arm(w.chain)
					}
					deps, errs := d.DeployAll(t.Context(), signer, contents)
					for i := range contents {
						if errs[i] != nil {
							t.Fatalf("proof %d: %v", i, errs[i])
						}
						if deps[i].State == nil || !deps[i].State.Constructed {
							t.Fatalf("proof %d: %+v", i, deps[i])
						}
					}
					w.chain.ResetFaults()
					w.checkOnce(t, signer, contents)
					txs := w.walletTxs()
					// Every wallet message the deployer sent made a wallet
					// transaction, or the devnet reports not taking it: lost
					// (the fault), or expired before its block on a loaded
					// machine, and then replaced by a new one.
					untaken := w.untaken(&log, w.wallet)
					if sent := d.WalletTransactions(); sent != txs+len(untaken) {
						t.Errorf("the deployer counts %d wallet messages; the wallet made %d transactions and the devnet did not take %d messages (%v)", sent, txs, len(untaken), untaken)
					}
					switch max := kind.MaxTransfers(); {
					case max == 1 && txs != proofs:
						t.Errorf("%d wallet transactions for %d proofs, one each", txs, proofs)
					case max > 1 && txs >= proofs:
						t.Errorf("%d wallet transactions for %d proofs: nothing batched", txs, proofs)
					case max > 1 && txs*max < proofs:
						t.Errorf("%d wallet transactions of at most %d transfers for %d proofs", txs, max, proofs)
					}
				})
			}
		}
	}
}

// TestKilledBatchIsNotPaidAgain: a run killed while the wallet's batch is
// on its way leaves it noted in the lock of every proof it pays; the next
// run waits for that batch and pays none of its addresses again.
func TestKilledBatchIsNotPaidAgain(t *testing.T) {
	for _, ex := range executorNames {
		for _, kind := range []contract.WalletKind{contract.EverWallet, contract.HighloadWalletV2} {
			t.Run(ex+"/"+kind.String(), func(t *testing.T) {
				w := newWalletWorld(t, ex, kind, devnet.WithBlockDelay(700*time.Millisecond))
				signer := newKey(t)
				contents := contentsFor(t.Name(), 6)
				locks := lockDir(t)

				w.interrupted(t, locks, signer, contents, func(kill func()) { kill() })
				w.resumed(t, locks, signer, contents)
			})
		}
	}
}

// TestBatchAcrossDevnetRestart: the devnet stops while a batch is on its
// way and starts again from its state directory; the next run funds every
// address once and deploys every proof once, on both executors.
func TestBatchAcrossDevnetRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for blocks; skipped with -short")
	}
	for _, ex := range executorNames {
		for _, kind := range []contract.WalletKind{contract.EverWallet, contract.HighloadWalletV2} {
			t.Run(ex+"/"+kind.String(), func(t *testing.T) {
				key := newKey(t)
				wallet := realWallet(t, kind, key)
				dir := filepath.Join(t.TempDir(), "state")
				start := func(addr string) *devnet.Server {
					opts := append(contracts.ServerOptions(wallet), devnet.WithStateDir(dir), devnet.WithAddr(addr), devnet.WithBlockInterval(700*time.Millisecond))
					if ex == "nekoton" {
						opts = append(opts, devnet.WithExecutor(nekotonexec.New(nekotontest.Start(t))))
					}
					srv, err := devnet.Start(opts...)
					if err != nil {
						t.Fatal(err)
					}
					return srv
				}
				first := start("127.0.0.1:0")
				u, err := url.Parse(first.URL)
				if err != nil {
					t.Fatal(err)
				}
				w := &walletWorld{world: &world{t: t, chain: first, giver: key, giverAddr: wallet.Address}, wallet: wallet.Address, kind: kind}
				signer := newKey(t)
				contents := contentsFor(t.Name(), 6)
				locks := lockDir(t)

				w.interrupted(t, locks, signer, contents, func(kill func()) { first.Close(); kill() })
				w.chain = start(u.Host)
				t.Cleanup(w.chain.Close)
				w.resumed(t, locks, signer, contents)
			})
		}
	}
}

// interrupted runs DeployAll with locks until the wallet's first batch is
// on its way (the devnet took it), then calls stop, which must end the
// run; the run must fail, and no batch may have landed by then. Blocks
// come slowly: messages live long enough for all the proofs.
func (w *walletWorld) interrupted(t *testing.T, locks proof.Locks, signer keys.Key, contents []string, stop func(kill func())) {
	t.Helper()
	d := w.deployer(w.client())
	d.Locks, d.MessageLifetime = locks, 20*time.Second
	ctx, kill := context.WithCancel(t.Context())
	var once sync.Once
	end := func() { once.Do(func() { stop(kill) }) }
	chain := w.chain
	d.Progress = func(line string) {
		if strings.HasPrefix(line, "funding ") {
			go func() { onItsWay(ctx, chain); end() }()
		}
	}
	if _, errs := d.DeployAll(ctx, signer, contents); errs[0] == nil {
		t.Fatal("the interrupted run completed")
	}
	end()
	if w.walletTxs() != 0 {
		t.Fatal("the batch landed before the run was interrupted: the test proves nothing")
	}
}

// resumed runs DeployAll again with the same locks: every proof is
// deployed once and its address funded once.
func (w *walletWorld) resumed(t *testing.T, locks proof.Locks, signer keys.Key, contents []string) {
	t.Helper()
	d := w.deployer(w.client())
	d.Locks, d.MessageLifetime = locks, 20*time.Second
	deps, errs := d.DeployAll(t.Context(), signer, contents)
	for i := range contents {
		if errs[i] != nil || deps[i].State == nil {
			t.Fatalf("proof %d: %+v %v", i, deps[i], errs[i])
		}
	}
	w.checkOnce(t, signer, contents)
}
