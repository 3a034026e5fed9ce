package proof_test

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/internal/chaintest"
	"github.com/gosh-sh/sign-cli/keys"
	"github.com/gosh-sh/sign-cli/proof"
)

// world is the chain fixture (internal/chaintest: the contracts' rules in
// Go) holding a funded giver wallet, as `sign-cli devnet` runs it.
type world struct {
	t     *testing.T
	chain *devnet.Server
	giver keys.Key
	// giverAddr is the giver's address; the giver pays for every proof.
	giverAddr string
}

func newWorld(t *testing.T, opts ...devnet.Option) *world {
	t.Helper()
	c := chaintest.New(t, opts...)
	return &world{t: t, chain: c.Server, giver: c.Giver, giverAddr: c.GiverAddress}
}

// onItsWay waits until the chain has taken an external message that it
// has not run yet, or ctx ends: a test that stops a run while its message
// is on its way stops it then, whatever the machine's load, not after a
// time that a block interval was hoped to outlast.
func onItsWay(ctx context.Context, chain *devnet.Server) {
	for chain.Taken() == 0 && ctx.Err() == nil {
		time.Sleep(time.Millisecond)
	}
}

func newKey(t testing.TB) keys.Key {
	t.Helper()
	k, err := keys.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// client is a client of the world's network with the defaults sign-cli
// uses, but for short waits: a lost message is given up 300ms after its
// expiry, and retries start after 20ms.
func (w *world) client(endpoints ...string) *everos.Client {
	w.t.Helper()
	if len(endpoints) == 0 {
		endpoints = []string{w.chain.URL}
	}
	c, err := everos.New(everos.Config{Endpoints: endpoints, ExpiryGrace: 300 * time.Millisecond, RetryBaseDelay: 20 * time.Millisecond, RetryMaxDelay: 200 * time.Millisecond})
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// deployer is a Deployer paid by the giver, with short message lifetimes
// so that a lost message costs a second or two.
func (w *world) deployer(c *everos.Client) *proof.Deployer {
	return &proof.Deployer{
		Client:          c,
		Wallet:          &proof.Wallet{Address: cell.MustParseAddress(w.giverAddr), Key: w.giver},
		MessageLifetime: 2 * time.Second,
		BalancePoll:     20 * time.Millisecond,
	}
}

// address is the proof address of content by pub.
func (w *world) address(pub keys.PublicKey, content string) string {
	w.t.Helper()
	p, err := contract.NewProof(pub.Ed25519(), content)
	if err != nil {
		w.t.Fatal(err)
	}
	return p.Address().String()
}

// deployments counts the transactions that made the account at addr
// active: the deployments of a proof.
func (w *world) deployments(addr string) int {
	n := 0
	for _, tx := range w.chain.Transactions() {
		if tx.Account == addr && !tx.Aborted && tx.OrigStatus != everos.Active && tx.EndStatus == everos.Active {
			n++
		}
	}
	return n
}

// payments counts the giver's transactions that sent tokens out: every
// top-up the giver paid. (Each world funds one proof address, so they all
// went there.)
func (w *world) payments() int { return w.paidOut(w.giverAddr) }

// paidOut counts account's transactions that sent tokens out.
func (w *world) paidOut(account string) int {
	n := 0
	for _, tx := range w.chain.Transactions() {
		if tx.Account == account && !tx.Aborted && len(tx.OutMsgs) > 0 {
			n++
		}
	}
	return n
}

// balance is what the account at addr holds (zero when it does not exist).
func (w *world) balance(addr string) *big.Int {
	if a, ok := w.chain.Account(addr); ok && a.Balance != nil {
		return a.Balance
	}
	return new(big.Int)
}

// status is the status of the account at addr.
func (w *world) status(addr string) everos.AccountType {
	if a, ok := w.chain.Account(addr); ok {
		return a.Type
	}
	return everos.NonExist
}

// fund leaves value at the proof address of content by pub, as an earlier
// top-up would have.
func (w *world) fund(pub keys.PublicKey, content string, value uint64) string {
	w.t.Helper()
	addr := w.address(pub, content)
	if err := w.chain.SetAccount(devnet.Account{Address: addr, Type: everos.Uninit, Balance: new(big.Int).SetUint64(value)}); err != nil {
		w.t.Fatal(err)
	}
	return addr
}

// digestOf is a made-up manifest digest.
func digestOf(s string) string {
	h := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(h[:])
}

// lines collects a Deployer's progress lines and calls on with each.
type lines struct {
	mu  sync.Mutex
	all []string
	on  func(string)
}

func (l *lines) add(s string) {
	l.mu.Lock()
	l.all = append(l.all, s)
	on := l.on
	l.mu.Unlock()
	if on != nil {
		on(s)
	}
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.all, "\n")
}

// forger signs with one key while claiming another's public key: a deploy
// message it signs is consistent (address, state init, hash) except for
// its signature, so only the contract can refuse it.
type forger struct {
	claimed ed25519.PublicKey
	real    ed25519.PrivateKey
}

func (f forger) Public() crypto.PublicKey { return f.claimed }

func (f forger) Sign(rand io.Reader, msg []byte, opts crypto.SignerOpts) ([]byte, error) {
	return f.real.Sign(rand, msg, opts)
}
