package proof

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/keys"
)

// Errors of deployments. A wallet whose kind cannot be found is an error
// wrapping contract.ErrUnknownWallet.
var (
	// ErrNoFunds: the proof address cannot pay for its deployment and there
	// is no wallet to fund it, or the wallet holds too little.
	ErrNoFunds = errors.New("not enough funds")
	// ErrChain: the network accepted a message but its transaction failed,
	// or the account is not in the state the transaction should have left.
	ErrChain = errors.New("transaction failed")
)

// Defaults of Deployer.
const (
	DefaultMessageLifetime = 60 * time.Second
	DefaultResends         = 3
)

// Deployer deploys proof contracts through an EverOS GraphQL API, paying for
// them from a wallet, and checks them. It never deploys a proof twice, and
// never pays twice for what a previous attempt or an interrupted run did:
// every step first reads the state they may have left, and a proof
// constructed by a concurrent run counts as done. Runs in separate processes
// coordinate through Locks: one at a time funds and deploys a proof, and a
// transfer that a killed run sent is waited for, not paid again. Without
// Locks (or across machines), two runs that start at the same moment for the
// same proof may both read the empty address before either transfer lands,
// and each then funds it (the surplus stays on the proof, paying its
// storage). One Deployer may be used from many goroutines.
type Deployer struct {
	Client *everos.Client
	// Wallet pays for proofs; nil means a proof address must already hold
	// enough to pay for its deployment.
	Wallet *Wallet
	// TopUp is what the wallet sends to a proof address that holds less than
	// half of it; zero means contract.DefaultTopUp.
	TopUp uint64
	// MessageLifetime is how long a message stays valid after it is made,
	// by the server's clock; zero means DefaultMessageLifetime.
	MessageLifetime time.Duration
	// Resends is how many times a message that expired unprocessed is
	// replaced by a new one; zero means DefaultResends, negative none.
	Resends int
	// Progress receives a line for every step that waits on the network.
	Progress func(string)
	// BalancePoll is how often a funded address is re-read while waiting
	// for the transfer to arrive; zero means 500ms.
	BalancePoll time.Duration
	// Parallel bounds the proofs DeployAll deploys at a time; zero means
	// DefaultParallelism.
	Parallel int
	// Locks, if not nil, takes the lock of a proof address before it is
	// funded and deployed, and keeps in it the transfer on its way.
	Locks Locks

	kindOnce sync.Once
	kind     contract.WalletKind
	kindErr  error
	// walletInit is the StateInit of a wallet read as undeployed, until a
	// later read finds it deployed (deployingInit); initMu also keeps its
	// messages one at a time until then.
	initMu     sync.Mutex
	walletInit *cell.Cell

	// The wallet's transfers go one at a time with increasing times (for
	// the highload wallet, a few at a time; see batchesInFlight): a
	// multisig wallet refuses a call whose time is not later than the last
	// one it accepted, and calls racing to it would arrive in any order.
	slotsOnce  sync.Once
	slots      chan struct{}
	timeMu     sync.Mutex
	lastTimeMs uint64
	// queue holds the addresses waiting for the wallet's next transfer.
	queueMu sync.Mutex
	queue   []*fundRequest
	// walletTxs counts the wallet messages sent (WalletTransactions).
	walletTxs atomic.Int64

	progressMu sync.Mutex
}

// DefaultParallelism is how many proofs DeployAll deploys at a time.
const DefaultParallelism = 8

// Deployment is a proof on chain, as Deploy left it.
type Deployment struct {
	Address string         `json:"address"`
	Public  keys.PublicKey `json:"public"`
	Content string         `json:"content"`
	// AlreadyDeployed is set when the proof was there before; Transaction
	// is then empty.
	AlreadyDeployed bool   `json:"already_deployed"`
	Transaction     string `json:"transaction,omitempty"`
	// TopUp is the wallet's transaction when the address was funded.
	TopUp string               `json:"top_up_transaction,omitempty"`
	State *contract.ProofState `json:"-"`
}

func (d *Deployer) progress(format string, args ...any) {
	if d.Progress != nil {
		d.progressMu.Lock()
		defer d.progressMu.Unlock()
		d.Progress(fmt.Sprintf(format, args...))
	}
}

func (d *Deployer) topUp() uint64 {
	if d.TopUp == 0 {
		return contract.DefaultTopUp
	}
	return d.TopUp
}

func (d *Deployer) lifetime() time.Duration {
	if d.MessageLifetime <= 0 {
		return DefaultMessageLifetime
	}
	return d.MessageLifetime
}

// expiry is when a message made at the network's time now expires: its
// lifetime later, rounded up to a whole second. The contracts read the
// expire header in whole seconds, so the header and the expiry the client
// waits for (and the network drops the message at) must be the same
// second: a header truncated alone took up to a second off the lifetime
// while the client still waited for the message, which, on a loaded
// machine, expired unprocessed and was replaced.
func (d *Deployer) expiry(now time.Time) time.Time {
	e := now.Add(d.lifetime())
	if whole := e.Truncate(time.Second); whole.Before(e) {
		return whole.Add(time.Second)
	}
	return e
}

func (d *Deployer) resends() int {
	switch {
	case d.Resends == 0:
		return DefaultResends
	case d.Resends < 0:
		return 0
	}
	return d.Resends
}

// Deploy makes sure the proof of content by key is constructed on chain:
// done already, or funded from the wallet when its address holds too little,
// deployed, and read back. A message that expires unprocessed is replaced by
// a new one up to Resends times; nothing is ever paid or deployed twice,
// because every step first reads the state the previous attempt may have left.
func (d *Deployer) Deploy(ctx context.Context, key keys.Key, content string) (*Deployment, error) {
	deps, errs := d.DeployAll(ctx, key, []string{content})
	return deps[0], errs[0]
}

// DeployAll deploys the proofs of many contents by one key, reading every
// proof account in one batched query first. A content given more than once
// is deployed (and paid for) once, and every position answered with it.
func (d *Deployer) DeployAll(ctx context.Context, key keys.Key, contents []string) ([]*Deployment, []error) {
	deps := make([]*Deployment, len(contents))
	errs := make([]error, len(contents))
	proofs := make([]*contract.Proof, len(contents))
	first := make([]int, len(contents)) // the position that deploys contents[i]
	seen := map[string]int{}
	var addrs []string
	for i, content := range contents {
		if j, ok := seen[content]; ok {
			first[i] = j
			continue
		}
		seen[content], first[i] = i, i
		p, err := contract.NewProof(key.Public().Ed25519(), content)
		if err != nil {
			errs[i] = err
			continue
		}
		proofs[i] = p
		addrs = append(addrs, p.Address().String())
	}
	defer func() {
		for i, j := range first {
			if j != i {
				deps[i], errs[i] = deps[j], errs[j]
			}
		}
	}()
	if len(addrs) == 0 {
		return deps, errs
	}
	accs, err := d.Client.Accounts(ctx, addrs)
	if err != nil {
		for i, p := range proofs {
			if p != nil {
				errs[i] = fmt.Errorf("reading proof accounts: %w", err)
			}
		}
		return deps, errs
	}
	// Proofs are separate accounts, so they are deployed side by side; only
	// the wallet's transfers wait for each other (see fund), and a wallet
	// that funds many addresses in one transaction gets as many at a time.
	par := d.parallelism(ctx, accs)
	var g errgroup.Group
	g.SetLimit(par)
	j := 0
	for i, p := range proofs {
		if p == nil {
			continue
		}
		acc := accs[j]
		j++
		g.Go(func() error {
			deps[i], errs[i] = d.deploy(ctx, key, p, acc)
			return nil // each proof's error is its own
		})
	}
	g.Wait()
	return deps, errs
}

// maxParallel bounds the proofs deployed at a time whatever the wallet:
// each holds a lock file and a request to the network.
const maxParallel = 1024

// parallelism is how many proofs DeployAll deploys at a time: Parallel, or
// for a wallet that funds several addresses in one transaction, when some
// address needs funding, four of its batches (at most maxParallel).
func (d *Deployer) parallelism(ctx context.Context, accs []*everos.Account) int {
	par := d.Parallel
	if par <= 0 {
		par = DefaultParallelism
	}
	if d.Wallet == nil || len(accs) <= par {
		return par
	}
	needy := 0
	for _, a := range accs {
		if balance(a).Cmp(new(big.Int).SetUint64(d.topUp()/2)) < 0 {
			needy++
		}
	}
	if needy <= 1 {
		return par
	}
	if kind, err := d.walletKind(ctx); err == nil && kind.MaxTransfers() > 1 {
		// The wallet's error, if any, is each funding's to report. While
		// one batch is on its way and the one before it deploys, the next
		// fills: enough proofs at a time for several batches.
		par = max(par, min(4*kind.MaxTransfers(), maxParallel))
	}
	return par
}

// WalletTransactions is how many messages the Deployer has sent the
// wallet: each is one wallet transaction that funds one proof address or,
// for wallets that carry several transfers, many.
func (d *Deployer) WalletTransactions() int { return int(d.walletTxs.Load()) }

// messageMaker makes the deploy message to send at the server time now,
// with its expiry.
type messageMaker func(now time.Time) (*cell.Cell, time.Time, error)

func (d *Deployer) deploy(ctx context.Context, key keys.Key, p *contract.Proof, acc *everos.Account) (*Deployment, error) {
	fresh := func(now time.Time) (*cell.Cell, time.Time, error) {
		expire := d.expiry(now)
		root, err := p.DeployMessage(key.Ed25519(), now, uint32(expire.Unix()))
		return root, expire, err
	}
	return d.publish(ctx, p, acc, fresh, d.resends())
}

// Publish sends a deploy message signed elsewhere (see Proof.DeployMessage)
// for the proof of content by public: funds the address when it holds too
// little, sends the message and waits for the proof to be constructed. The
// message cannot be renewed without the signer's key, so one that expires
// unprocessed is an error wrapping everos.ErrMessageExpired.
func (d *Deployer) Publish(ctx context.Context, public keys.PublicKey, content string, msg *cell.Cell, expire time.Time) (*Deployment, error) {
	p, err := contract.NewProof(public.Ed25519(), content)
	if err != nil {
		return nil, err
	}
	fixed := func(now time.Time) (*cell.Cell, time.Time, error) {
		if !now.Before(expire) {
			return nil, expire, fmt.Errorf("%w: the message expired at %s (network time %s); sign it again", everos.ErrMessageExpired, expire.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		}
		return msg, expire, nil
	}
	// An expired message is refused before the address is funded: the
	// top-up would pay for a deployment that cannot happen.
	now, err := d.Client.ServerTime(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the network's time: %w", err)
	}
	if _, _, err := fixed(now); err != nil {
		return nil, err
	}
	acc, err := d.Client.Account(ctx, p.Address().String())
	if err != nil {
		return nil, fmt.Errorf("reading proof account %s: %w", p.Address(), err)
	}
	return d.publish(ctx, p, acc, fixed, 0)
}

func (d *Deployer) publish(ctx context.Context, p *contract.Proof, acc *everos.Account, makeMsg messageMaker, resends int) (*Deployment, error) {
	addr := p.Address().String()
	var pub keys.PublicKey
	copy(pub[:], p.PublicKey())
	dep := &Deployment{Address: addr, Public: pub, Content: p.Content()}
	if st, err := checkAccount(p, acc); err == nil {
		dep.AlreadyDeployed, dep.State = true, st
		return dep, nil
	} else if !errors.Is(err, contract.ErrNotDeployed) && !errors.Is(err, contract.ErrNotConstructed) {
		return dep, fmt.Errorf("proof address %s: %w", addr, err)
	}
	lock, acc, err := d.lock(ctx, p, acc)
	if err != nil {
		return dep, err
	}
	if lock != nil {
		defer lock.Release()
		if st, err := checkAccount(p, acc); err == nil {
			dep.AlreadyDeployed, dep.State = true, st // by the run we waited for
			return dep, nil
		}
		if balance(acc).Cmp(new(big.Int).SetUint64(d.topUp()/2)) >= 0 {
			clearTransfer(lock) // whatever an earlier run sent has landed
		}
	}
	for attempt := 0; ; attempt++ {
		if balance(acc).Cmp(new(big.Int).SetUint64(d.topUp()/2)) < 0 {
			tx, err := d.fund(ctx, p, balance(acc), lock)
			if err != nil {
				return dep, err
			}
			if tx != "" {
				dep.TopUp = tx
			}
		}
		now, err := d.Client.ServerTime(ctx)
		if err != nil {
			return dep, fmt.Errorf("reading the network's clock: %w", err)
		}
		root, expire, err := makeMsg(now)
		if err != nil {
			return dep, fmt.Errorf("deploy message of %s: %w", addr, err)
		}
		d.progress("deploying proof %s (waiting for its transaction)", addr)
		tx, err := d.Client.SendAndWait(ctx, everos.Message{BOC: root.ToBOC(), Hash: root.Hash(), ExpireAt: expire})
		acc, _ = d.Client.Account(ctx, addr) // what the attempt left, whatever it says
		if st, cerr := checkAccount(p, acc); cerr == nil {
			// Constructed, by this message or by a concurrent run of the same signer.
			dep.State = st
			if err == nil {
				dep.Transaction = tx.ID
			} else {
				dep.AlreadyDeployed = true
			}
			return dep, nil
		}
		switch {
		case errors.Is(err, everos.ErrMessageExpired) && attempt < resends:
			d.progress("the deploy message of %s expired unprocessed; sending a new one", addr)
			continue
		case err != nil:
			return dep, fmt.Errorf("deploying proof %s: %w", addr, err)
		case tx.Aborted:
			return dep, fmt.Errorf("%w: deploying proof %s: transaction %s aborted (exit code %d)", ErrChain, addr, tx.ID, tx.ExitCode)
		default:
			return dep, fmt.Errorf("%w: deploying proof %s: transaction %s left the account unconstructed", ErrChain, addr, tx.ID)
		}
	}
}

func balance(acc *everos.Account) *big.Int {
	if acc == nil || acc.Balance == nil {
		return new(big.Int)
	}
	return acc.Balance
}
