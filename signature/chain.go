package signature

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/everos"
)

// Errors of the on-chain half of a signature.
var (
	// ErrNoFunds: the proof address cannot pay for its deployment and there
	// is no wallet to fund it, or the wallet holds too little.
	ErrNoFunds = errors.New("not enough funds")
	// ErrUnknownWallet: the wallet's code is not a known wallet kind.
	ErrUnknownWallet = errors.New("unknown wallet")
	// ErrChain: the network accepted a message but its transaction failed,
	// or the account is not in the state the transaction should have left.
	ErrChain = errors.New("transaction failed")
)

// Defaults of Chain.
const (
	DefaultMessageLifetime = 60 * time.Second
	DefaultResends         = 3
)

// Chain deploys and checks proof contracts through an EverOS GraphQL API.
type Chain struct {
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
	// DefaultDeployParallelism.
	Parallel int

	kindOnce sync.Once
	kind     contract.WalletKind
	kindErr  error

	// The wallet's transfers go one at a time with increasing times: a
	// multisig wallet refuses a call whose time is not later than the last
	// one it accepted, and calls racing to it would arrive in any order.
	walletMu   sync.Mutex
	lastTimeMs uint64

	progressMu sync.Mutex
}

// DefaultDeployParallelism is how many proofs DeployAll deploys at a time.
const DefaultDeployParallelism = 8

// Wallet is an account that pays for proofs.
type Wallet struct {
	Address *cell.Address
	// Kind is the wallet's contract; WalletUnknown means it is found from
	// the account's code hash.
	Kind contract.WalletKind
	Key  Key
}

// Deployment is a proof on chain, as Deploy left it.
type Deployment struct {
	Address string    `json:"address"`
	Public  PublicKey `json:"public"`
	Content string    `json:"content"`
	// AlreadyDeployed is set when the proof was there before; Transaction
	// is then empty.
	AlreadyDeployed bool   `json:"already_deployed"`
	Transaction     string `json:"transaction,omitempty"`
	// TopUp is the wallet's transaction when the address was funded.
	TopUp string               `json:"top_up_transaction,omitempty"`
	State *contract.ProofState `json:"-"`
}

func (c *Chain) progress(format string, args ...any) {
	if c.Progress != nil {
		c.progressMu.Lock()
		defer c.progressMu.Unlock()
		c.Progress(fmt.Sprintf(format, args...))
	}
}

func (c *Chain) topUp() uint64 {
	if c.TopUp == 0 {
		return contract.DefaultTopUp
	}
	return c.TopUp
}

func (c *Chain) lifetime() time.Duration {
	if c.MessageLifetime <= 0 {
		return DefaultMessageLifetime
	}
	return c.MessageLifetime
}

func (c *Chain) resends() int {
	switch {
	case c.Resends == 0:
		return DefaultResends
	case c.Resends < 0:
		return 0
	}
	return c.Resends
}

// checkAccount reports whether acc holds p, constructed. Its error wraps
// contract.ErrNotDeployed, ErrNotProof, ErrNotConstructed or
// ErrProofMismatch: the account was read and is not the proof.
func checkAccount(p *contract.Proof, acc *everos.Account) (*contract.ProofState, error) {
	if acc == nil || acc.Type != everos.Active {
		state := "non-existent"
		if acc != nil {
			state = acc.Type.String()
		}
		return nil, fmt.Errorf("%w: account %s is %s", contract.ErrNotDeployed, p.Address(), state)
	}
	want := contract.ProofCodeHash()
	if string(acc.CodeHash) != string(want[:]) {
		return nil, fmt.Errorf("%w: account %s runs other code", contract.ErrNotProof, p.Address())
	}
	st, err := contract.DecodeProofData(acc.Data)
	if err != nil {
		return nil, fmt.Errorf("%w: account %s: %v", contract.ErrNotProof, p.Address(), err)
	}
	if err := p.CheckState(st); err != nil {
		return nil, err
	}
	return st, nil
}

// Deploy makes sure the proof of content by key is constructed on chain:
// done already, or funded from the wallet when its address holds too little,
// deployed, and read back. A message that expires unprocessed is replaced by
// a new one up to Resends times; nothing is ever paid or deployed twice,
// because every step first reads the state the previous attempt may have left.
func (c *Chain) Deploy(ctx context.Context, key Key, content string) (*Deployment, error) {
	deps, errs := c.DeployAll(ctx, key, []string{content})
	return deps[0], errs[0]
}

// DeployAll deploys the proofs of many contents by one key, reading every
// proof account in one batched query first.
func (c *Chain) DeployAll(ctx context.Context, key Key, contents []string) ([]*Deployment, []error) {
	deps := make([]*Deployment, len(contents))
	errs := make([]error, len(contents))
	proofs := make([]*contract.Proof, len(contents))
	var addrs []string
	for i, content := range contents {
		p, err := contract.NewProof(key.Public().Ed25519(), content)
		if err != nil {
			errs[i] = fmt.Errorf("proof of %q: %w", content, err)
			continue
		}
		proofs[i] = p
		addrs = append(addrs, p.Address().String())
	}
	accs, err := c.Client.Accounts(ctx, addrs)
	if err != nil {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = fmt.Errorf("reading proof accounts: %w", err)
			}
		}
		return deps, errs
	}
	// Proofs are separate accounts, so they are deployed side by side; only
	// the wallet's transfers wait for each other (see fund).
	par := c.Parallel
	if par <= 0 {
		par = DefaultDeployParallelism
	}
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	j := 0
	for i, p := range proofs {
		if p == nil {
			continue
		}
		acc := accs[j]
		j++
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			deps[i], errs[i] = c.deploy(ctx, key, p, acc)
		}()
	}
	wg.Wait()
	return deps, errs
}

// messageMaker makes the deploy message to send at the server time now,
// with its expiry.
type messageMaker func(now time.Time) (*cell.Cell, time.Time, error)

func (c *Chain) deploy(ctx context.Context, key Key, p *contract.Proof, acc *everos.Account) (*Deployment, error) {
	fresh := func(now time.Time) (*cell.Cell, time.Time, error) {
		expire := now.Add(c.lifetime())
		root, err := p.DeployMessage(key.Ed25519(), now, uint32(expire.Unix()))
		return root, expire, err
	}
	return c.publish(ctx, p, acc, fresh, c.resends())
}

// Publish sends a deploy message signed elsewhere (see Proof.DeployMessage)
// for the proof of content by public: funds the address when it holds too
// little, sends the message and waits for the proof to be constructed. The
// message cannot be renewed without the signer's key, so one that expires
// unprocessed is an error wrapping everos.ErrMessageExpired.
func (c *Chain) Publish(ctx context.Context, public PublicKey, content string, msg *cell.Cell, expire time.Time) (*Deployment, error) {
	p, err := contract.NewProof(public.Ed25519(), content)
	if err != nil {
		return nil, fmt.Errorf("proof of %q: %w", content, err)
	}
	fixed := func(now time.Time) (*cell.Cell, time.Time, error) {
		if !now.Before(expire) {
			return nil, expire, fmt.Errorf("%w: the message expired at %s (network time %s); sign it again", everos.ErrMessageExpired, expire.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		}
		return msg, expire, nil
	}
	// An expired message is refused before the address is funded: the
	// top-up would pay for a deployment that cannot happen.
	now, err := c.Client.ServerTime(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the network's time: %w", err)
	}
	if _, _, err := fixed(now); err != nil {
		return nil, err
	}
	acc, err := c.Client.Account(ctx, p.Address().String())
	if err != nil {
		return nil, fmt.Errorf("reading proof account %s: %w", p.Address(), err)
	}
	return c.publish(ctx, p, acc, fixed, 0)
}

func (c *Chain) publish(ctx context.Context, p *contract.Proof, acc *everos.Account, makeMsg messageMaker, resends int) (*Deployment, error) {
	addr := p.Address().String()
	var pub PublicKey
	copy(pub[:], p.PublicKey())
	dep := &Deployment{Address: addr, Public: pub, Content: p.Content()}
	if st, err := checkAccount(p, acc); err == nil {
		dep.AlreadyDeployed, dep.State = true, st
		return dep, nil
	} else if !errors.Is(err, contract.ErrNotDeployed) && !errors.Is(err, contract.ErrNotConstructed) {
		return dep, fmt.Errorf("proof address %s: %w", addr, err)
	}
	for attempt := 0; ; attempt++ {
		if balance(acc).Cmp(new(big.Int).SetUint64(c.topUp()/2)) < 0 {
			tx, err := c.fund(ctx, p, balance(acc))
			if err != nil {
				return dep, err
			}
			if tx != "" {
				dep.TopUp = tx
			}
		}
		now, err := c.Client.ServerTime(ctx)
		if err != nil {
			return dep, fmt.Errorf("reading the network's clock: %w", err)
		}
		root, expire, err := makeMsg(now)
		if err != nil {
			return dep, fmt.Errorf("deploy message of %s: %w", addr, err)
		}
		c.progress("deploying proof %s (waiting for its transaction)", addr)
		tx, err := c.Client.SendAndWait(ctx, everos.Message{BOC: root.ToBOC(), Hash: root.Hash(), ExpireAt: expire})
		acc, _ = c.Client.Account(ctx, addr) // what the attempt left, whatever it says
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
			c.progress("the deploy message of %s expired unprocessed; sending a new one", addr)
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

// walletKind finds the wallet's contract once per Chain.
func (c *Chain) walletKind(ctx context.Context) (contract.WalletKind, error) {
	c.kindOnce.Do(func() {
		if c.Wallet.Kind != contract.WalletUnknown {
			c.kind = c.Wallet.Kind
			return
		}
		acc, err := c.Client.Account(ctx, c.Wallet.Address.String())
		if err != nil {
			c.kindErr = fmt.Errorf("reading wallet %s: %w", c.Wallet.Address, err)
			return
		}
		if acc.Type != everos.Active {
			c.kindErr = fmt.Errorf("%w: wallet %s is %s", ErrUnknownWallet, c.Wallet.Address, acc.Type)
			return
		}
		var h [32]byte
		copy(h[:], acc.CodeHash)
		c.kind, err = contract.WalletKindByCodeHash(h)
		if err != nil {
			c.kindErr = fmt.Errorf("%w: wallet %s runs code %x, which is no known wallet; give its kind explicitly", ErrUnknownWallet, c.Wallet.Address, acc.CodeHash)
		}
	})
	return c.kind, c.kindErr
}

// fund sends TopUp from the wallet to p's address and waits until it
// arrives. Before every resend it re-reads the address, so an expired
// transfer that did land after all is never paid a second time.
func (c *Chain) fund(ctx context.Context, p *contract.Proof, before *big.Int) (string, error) {
	addr := p.Address().String()
	if c.Wallet == nil {
		return "", fmt.Errorf("%w: proof address %s holds %s nanotokens and no wallet was given to fund it (it needs %d)", ErrNoFunds, addr, before, c.topUp()/2)
	}
	kind, err := c.walletKind(ctx)
	if err != nil {
		return "", err
	}
	for attempt := 0; ; attempt++ {
		tx, expire, err := c.transfer(ctx, kind, p)
		if errors.Is(err, everos.ErrMessageExpired) {
			if acc, aerr := c.Client.Account(ctx, addr); aerr == nil && balance(acc).Cmp(before) > 0 {
				return "", nil // it landed after all
			}
			if attempt < c.resends() {
				c.progress("the transfer to %s expired unprocessed; sending a new one", addr)
				continue
			}
		}
		if err != nil {
			return "", fmt.Errorf("funding proof %s from wallet %s: %w", addr, c.Wallet.Address, err)
		}
		if tx.Aborted {
			return "", fmt.Errorf("%w: funding proof %s: wallet transaction %s aborted (exit code %d); does wallet %s hold %s?", ErrChain, addr, tx.ID, tx.ExitCode, c.Wallet.Address, FormatTokens(c.topUp()))
		}
		return tx.ID, c.waitForBalance(ctx, addr, before, expire)
	}
}

// transfer sends one top-up of p's address from the wallet and waits for
// the wallet's transaction, while no other transfer is under way.
func (c *Chain) transfer(ctx context.Context, kind contract.WalletKind, p *contract.Proof) (*everos.Transaction, time.Time, error) {
	c.walletMu.Lock()
	defer c.walletMu.Unlock()
	now, err := c.Client.ServerTime(ctx)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("reading the network's clock: %w", err)
	}
	expire := now.Add(c.lifetime())
	timeMs := max(uint64(now.UnixMilli()), c.lastTimeMs+1)
	c.lastTimeMs = timeMs
	msg, err := kind.FundProofMessage(c.Wallet.Address, p, c.topUp(), c.Wallet.Key.Ed25519(), timeMs, uint32(expire.Unix()))
	if err != nil {
		return nil, expire, fmt.Errorf("building the transfer from wallet %s: %w", c.Wallet.Address, err)
	}
	c.progress("funding proof %s with %s from wallet %s (waiting for its transaction)", p.Address(), FormatTokens(c.topUp()), c.Wallet.Address)
	tx, err := c.Client.SendAndWait(ctx, everos.Message{BOC: msg.ToBOC(), Hash: msg.Hash(), ExpireAt: expire})
	return tx, expire, err
}

// waitForBalance waits until the transfer the wallet sent reaches addr:
// the wallet's transaction only emits it, the proof account receives it in
// a transaction of its own.
func (c *Chain) waitForBalance(ctx context.Context, addr string, before *big.Int, until time.Time) error {
	poll := c.BalancePoll
	if poll <= 0 {
		poll = 500 * time.Millisecond
	}
	for {
		acc, err := c.Client.Account(ctx, addr)
		if err != nil {
			return fmt.Errorf("reading proof account %s: %w", addr, err)
		}
		if balance(acc).Cmp(before) > 0 {
			return nil
		}
		now, err := c.Client.ServerTime(ctx)
		if err != nil {
			return err
		}
		if now.After(until) {
			return fmt.Errorf("%w: the wallet's transfer did not reach %s before %s", ErrChain, addr, until.UTC().Format(time.RFC3339))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
	}
}

// FormatTokens prints an amount in nanotokens as tokens, without trailing
// zeros: 100000000 is "0.1".
func FormatTokens(nano uint64) string {
	s := fmt.Sprintf("%d.%09d", nano/1_000_000_000, nano%1_000_000_000)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// ProofCheck asks whether the holder of Public signed Content on chain.
type ProofCheck struct {
	Public  PublicKey
	Content string
}

// ProofVerdict is the on-chain answer for one ProofCheck.
type ProofVerdict struct {
	Address string
	// State is the proof's data when it verified.
	State *contract.ProofState
	// Err is nil when the proof verified. Otherwise it wraps one of
	// contract.ErrNotDeployed, ErrNotConstructed, ErrProofMismatch or
	// ErrNotProof when the account was read and is not the proof, and
	// anything else when it could not be read.
	Err error
}

// NotVerified reports whether the verdict is a definite "no" (as opposed
// to verified, or unknown because the network failed).
func (v ProofVerdict) NotVerified() bool {
	return v.Err != nil && IsProofRefusal(v.Err)
}

// IsProofRefusal reports whether err says the account was read and is not
// the proof asked for.
func IsProofRefusal(err error) bool {
	for _, e := range []error{contract.ErrNotDeployed, contract.ErrNotConstructed, contract.ErrProofMismatch, contract.ErrNotProof, contract.ErrContentTooLong, contract.ErrContentEmpty, contract.ErrContentNotUTF8} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// Check verifies many proofs with one batched account query.
func (c *Chain) Check(ctx context.Context, checks []ProofCheck) []ProofVerdict {
	out := make([]ProofVerdict, len(checks))
	proofs := make([]*contract.Proof, len(checks))
	var addrs []string
	for i, pc := range checks {
		p, err := contract.NewProof(pc.Public.Ed25519(), pc.Content)
		if err != nil {
			out[i].Err = fmt.Errorf("proof of %q: %w", pc.Content, err)
			continue
		}
		proofs[i] = p
		out[i].Address = p.Address().String()
		addrs = append(addrs, out[i].Address)
	}
	if len(addrs) == 0 {
		return out
	}
	accs, err := c.Client.Accounts(ctx, addrs)
	j := 0
	for i, p := range proofs {
		if p == nil {
			continue
		}
		if err != nil {
			out[i].Err = fmt.Errorf("reading proof account %s: %w", out[i].Address, err)
			continue
		}
		out[i].State, out[i].Err = checkAccount(p, accs[j])
		j++
	}
	return out
}
