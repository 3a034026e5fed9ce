package proof

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/keys"
)

// Wallet is an account that pays for proofs.
type Wallet struct {
	Address *cell.Address
	// Kind is the wallet's contract; WalletUnknown means it is found from
	// the account's code hash.
	Kind contract.WalletKind
	Key  keys.Key
}

// ErrWrongWallet: the wallet cannot pay as asked: the key given is not the
// one it answers to, or it runs another kind's code than the one given.
// Sending would only wait for a message the wallet refuses.
var ErrWrongWallet = errors.New("the wallet cannot pay with this key")

// walletKind reads the wallet once per Deployer: its kind (given, or found
// from its code hash) and whether the key given controls it.
func (d *Deployer) walletKind(ctx context.Context) (contract.WalletKind, error) {
	d.kindOnce.Do(func() { d.kind, d.kindErr = d.readWallet(ctx) })
	return d.kind, d.kindErr
}

func (d *Deployer) readWallet(ctx context.Context) (contract.WalletKind, error) {
	addr := d.Wallet.Address
	acc, err := d.Client.Account(ctx, addr.String())
	if err != nil {
		return contract.WalletUnknown, fmt.Errorf("reading wallet %s: %w", addr, err)
	}
	if acc.Type == everos.Uninit {
		return d.readUndeployed(ctx)
	}
	if acc.Type != everos.Active {
		return contract.WalletUnknown, fmt.Errorf("%w: wallet %s is %s", contract.ErrUnknownWallet, addr, acc.Type)
	}
	var h [32]byte
	copy(h[:], acc.CodeHash)
	found, ferr := contract.WalletKindByCodeHash(h)
	kind := d.Wallet.Kind
	switch {
	case kind == contract.WalletUnknown && ferr != nil:
		// ferr wraps contract.ErrUnknownWallet and names the code hash.
		return kind, fmt.Errorf("wallet %s runs no known wallet's code: %w", addr, ferr)
	case kind == contract.WalletUnknown:
		kind = found
	case ferr == nil && found != kind:
		return contract.WalletUnknown, fmt.Errorf("%w: wallet %s runs %s's code, not %s's", ErrWrongWallet, addr, found, kind)
	}
	owner, err := kind.OwnerKey(acc.Data)
	if err != nil || bytes.Equal(owner, d.Wallet.Key.Public().Ed25519()) {
		return kind, nil // a key it answers to, or data of a form not known: the wallet will say
	}
	if kind.IsMultisig() {
		// Other custodians may sign too; the deploying key is the one read.
		d.progress("the key given is not the one wallet %s was deployed with (%x); it pays only if the key is one of its custodians", addr, owner)
		return kind, nil
	}
	return contract.WalletUnknown, fmt.Errorf("%w: this key does not control wallet %s, which answers to key %x", ErrWrongWallet, addr, owner)
}

// readUndeployed prepares the StateInit that deploys a wallet which holds
// tokens but has no code yet, as the EVER Wallet extension leaves a new
// EverWallet or highload wallet until its first transfer. Its kind cannot
// be read from code it does not have, so it must be given. The code comes
// from the network, from any account that runs it, and is taken only with
// the kind's pinned hash: an endpoint cannot choose the code the wallet is
// deployed with. The StateInit must hash to the wallet's address, which
// proves the key and the kind are the wallet's before anything is sent.
func (d *Deployer) readUndeployed(ctx context.Context) (contract.WalletKind, error) {
	addr, kind := d.Wallet.Address, d.Wallet.Kind
	if kind == contract.WalletUnknown {
		return kind, fmt.Errorf("%w: wallet %s is not deployed yet, and the kind of a wallet with no code cannot be read from it: give it (--wallet-type everwallet or highloadwalletv2)", contract.ErrUnknownWallet, addr)
	}
	if !kind.DeploysItself() {
		return contract.WalletUnknown, fmt.Errorf("%w: wallet %s is not deployed yet, and only an EverWallet or a highload wallet v2 is deployed by its first transfer, not a %s", ErrWrongWallet, addr, kind)
	}
	h, err := kind.CodeHash()
	if err != nil {
		return contract.WalletUnknown, err
	}
	boc, err := d.Client.CodeByHash(ctx, h)
	if err != nil {
		return contract.WalletUnknown, fmt.Errorf("reading %s's code to deploy wallet %s: %w", kind, addr, err)
	}
	if boc == nil {
		return contract.WalletUnknown, fmt.Errorf("%w: wallet %s is not deployed yet, and no account on the network runs %s's code (hash %x) to deploy it with", contract.ErrNoWalletCode, addr, kind, h)
	}
	code, err := kind.ParseCode(boc)
	if err != nil {
		return contract.WalletUnknown, fmt.Errorf("reading %s's code to deploy wallet %s: the network's answer: %w", kind, addr, err)
	}
	init, err := kind.UndeployedStateInit(code, d.Wallet.Key.Public().Ed25519(), addr)
	if errors.Is(err, contract.ErrNotWalletAddress) {
		return contract.WalletUnknown, fmt.Errorf("%w: wallet %s is not deployed yet, and %v", ErrWrongWallet, addr, err)
	}
	if err != nil {
		return contract.WalletUnknown, fmt.Errorf("deploying wallet %s: %w", addr, err)
	}
	d.initMu.Lock()
	d.walletInit = init
	d.initMu.Unlock()
	return kind, nil
}

// deployingInit is the StateInit the wallet's next message carries: the
// wallet's own while it is still undeployed, nil once it is deployed. The
// wallet is read again before every message until then, so a deploying
// message that was lost is sent again with its StateInit, and one that
// landed is not followed by another. While it returns a StateInit, the
// wallet's messages go one at a time: release ends this one's turn, after
// its transaction (or its expiry) is known.
func (d *Deployer) deployingInit(ctx context.Context) (init *cell.Cell, release func(), err error) {
	d.initMu.Lock()
	if d.walletInit == nil {
		d.initMu.Unlock()
		return nil, func() {}, nil
	}
	addr := d.Wallet.Address
	acc, err := d.Client.Account(ctx, addr.String())
	if err != nil {
		d.initMu.Unlock()
		return nil, nil, fmt.Errorf("reading the wallet: %w", err) // fund names it
	}
	switch acc.Type {
	case everos.Uninit:
		return d.walletInit, d.initMu.Unlock, nil
	case everos.Active:
		d.walletInit = nil
		d.initMu.Unlock()
		return nil, func() {}, nil
	}
	d.initMu.Unlock()
	return nil, nil, fmt.Errorf("%w: the wallet is %s", ErrChain, acc.Type)
}

// fund sends TopUp from the wallet to p's address and waits until it
// arrives. Before every resend it re-reads the address, so an expired
// transfer that did land after all is never paid a second time; and a
// transfer that an earlier run noted in the proof's lock before it stopped
// is waited for first.
func (d *Deployer) fund(ctx context.Context, p *contract.Proof, before *big.Int, lock Lock) (string, error) {
	addr := p.Address().String()
	if d.Wallet == nil {
		return "", fmt.Errorf("%w: proof address %s holds %s nanotokens and no wallet was given to fund it (it needs %d)", ErrNoFunds, addr, before, d.topUp()/2)
	}
	if landed, err := d.awaitPending(ctx, addr, before, lock); err != nil || landed {
		return "", err
	}
	kind, err := d.walletKind(ctx)
	if err != nil {
		return "", err
	}
	for attempt := 0; ; attempt++ {
		tx, expire, err := d.transfer(ctx, kind, p, lock)
		if errors.Is(err, everos.ErrMessageExpired) {
			if acc, aerr := d.Client.Account(ctx, addr); aerr == nil && balance(acc).Cmp(before) > 0 {
				clearTransfer(lock)
				return "", nil // it landed after all
			}
			clearTransfer(lock)
			if attempt < d.resends() {
				d.progress("the transfer to %s expired unprocessed; sending a new one", addr)
				continue
			}
		}
		if err != nil {
			return "", fmt.Errorf("funding proof %s from wallet %s: %w", addr, d.Wallet.Address, err)
		}
		clearTransfer(lock) // the wallet's transaction is known: nothing is on its way unseen
		if tx.Aborted {
			return "", fmt.Errorf("%w: funding proof %s: wallet transaction %s aborted (exit code %d); does wallet %s hold %s?", ErrChain, addr, tx.ID, tx.ExitCode, d.Wallet.Address, FormatTokens(d.topUp()))
		}
		return tx.ID, d.waitForBalance(ctx, addr, before, expire)
	}
}

// awaitPending waits for the transfer an earlier run noted in lock, if any,
// by sending that same message again (the wallet runs a message once, so
// this never pays twice) and waiting for it. It reports whether the address
// received more than before.
func (d *Deployer) awaitPending(ctx context.Context, addr string, before *big.Int, lock Lock) (bool, error) {
	m, ok := pending(lock)
	if !ok {
		return false, nil
	}
	d.progress("a transfer to %s that an earlier run sent may be on its way; waiting for it before paying again", addr)
	if _, err := d.Client.SendAndWait(ctx, m); err != nil && !errors.Is(err, everos.ErrMessageExpired) {
		return false, fmt.Errorf("waiting for the earlier transfer to %s: %w", addr, err)
	}
	// The wallet's transaction only emits the transfer: give it the time to
	// arrive, within the message's lifetime (past it, when the message
	// expired unprocessed, the address is read once).
	switch err := d.waitForBalance(ctx, addr, before, m.ExpireAt); {
	case err == nil:
		clearTransfer(lock)
		return true, nil
	case errors.Is(err, ErrChain):
		clearTransfer(lock) // expired or refused unprocessed: it will never land
		return false, nil
	default:
		return false, err
	}
}

// fundRequest is a proof address waiting for its top-up in the wallet's
// next batch.
type fundRequest struct {
	p    *contract.Proof
	lock Lock
	done chan fundResult // buffered: the sender never waits on it
}

type fundResult struct {
	tx     *everos.Transaction
	expire time.Time
	err    error
}

// transfer has p's address funded by the wallet in its next transaction
// and waits for that transaction. Requests queue up while the wallet is
// busy; whoever takes the wallet next sends as many of them as one message
// of its kind carries (kind.MaxTransfers: one for a multisig or a giver,
// up to 4 for EverWallet, 254 for the highload wallet), in the order they
// came. The message is noted in the lock of every proof it pays before it
// is sent.
func (d *Deployer) transfer(ctx context.Context, kind contract.WalletKind, p *contract.Proof, lock Lock) (*everos.Transaction, time.Time, error) {
	req := &fundRequest{p: p, lock: lock, done: make(chan fundResult, 1)}
	d.queueMu.Lock()
	d.queue = append(d.queue, req)
	d.queueMu.Unlock()
	slots := d.walletSlots(kind)
	for {
		select {
		case r := <-req.done:
			return r.tx, r.expire, r.err
		case slots <- struct{}{}:
		}
		select {
		case r := <-req.done: // sent by the previous holder
			<-slots
			return r.tx, r.expire, r.err
		default:
		}
		batch := d.takeBatch(kind.MaxTransfers())
		if len(batch) == 0 {
			// Another holder took this request with its batch: the
			// result comes from there.
			<-slots
			r := <-req.done
			return r.tx, r.expire, r.err
		}
		tx, expire, err := d.sendBatch(ctx, kind, batch)
		for _, b := range batch {
			b.done <- fundResult{tx, expire, forRequest(err, b.p)}
		}
		<-slots
	}
}

// batchesInFlight is how many of a wallet's messages may be on their way
// at once. The highload wallet remembers the query ids it ran, so its
// messages may arrive in any order: its batches go side by side instead
// of a block each. The others refuse a call whose time is not later than
// the last one they accepted, so theirs go one at a time.
func batchesInFlight(kind contract.WalletKind) int {
	if kind == contract.HighloadWalletV2 {
		return 4
	}
	return 1
}

// walletSlots is the semaphore of the wallet's messages on their way.
func (d *Deployer) walletSlots(kind contract.WalletKind) chan struct{} {
	d.slotsOnce.Do(func() { d.slots = make(chan struct{}, batchesInFlight(kind)) })
	return d.slots
}

// takeBatch takes up to n requests off the queue, the oldest first.
func (d *Deployer) takeBatch(n int) []*fundRequest {
	d.queueMu.Lock()
	defer d.queueMu.Unlock()
	n = min(max(n, 1), len(d.queue))
	batch := d.queue[:n:n]
	d.queue = d.queue[n:]
	return batch
}

// sendBatch sends one wallet message that tops up every address of batch
// and waits for the wallet's transaction. It runs while no other transfer
// is under way (but for the highload wallet's, see batchesInFlight): the
// other wallets refuse a call whose time is not later than the last one
// they accepted, and calls racing to them would arrive in any order.
func (d *Deployer) sendBatch(ctx context.Context, kind contract.WalletKind, batch []*fundRequest) (*everos.Transaction, time.Time, error) {
	init, release, err := d.deployingInit(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer release()
	now, err := d.Client.ServerTime(ctx)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("reading the network's clock: %w", err)
	}
	expire := d.expiry(now)
	d.timeMu.Lock()
	timeMs := max(uint64(now.UnixMilli()), d.lastTimeMs+1)
	d.lastTimeMs = timeMs
	d.timeMu.Unlock()
	ts := make([]contract.Transfer, len(batch))
	addrs := make([]string, len(batch))
	for i, r := range batch {
		ts[i] = kind.FundProofTransfer(r.p, d.topUp())
		addrs[i] = r.p.Address().String()
	}
	msg, err := kind.TransfersMessage(d.Wallet.Address, ts, d.Wallet.Key.Ed25519(), timeMs, uint32(expire.Unix()))
	if err == nil && init != nil {
		msg, err = contract.WithStateInit(msg, init)
	}
	if err != nil {
		// contract's errors say what they were building; fund names
		// the wallet.
		return nil, expire, err
	}
	if init != nil {
		d.progress("wallet %s is not deployed yet: its next message carries its StateInit and deploys it", d.Wallet.Address)
	}
	if len(batch) == 1 {
		d.progress("funding proof %s with %s from wallet %s (waiting for its transaction)", addrs[0], FormatTokens(d.topUp()), d.Wallet.Address)
	} else {
		named := strings.Join(addrs[:min(len(addrs), 3)], ", ")
		if len(addrs) > 3 {
			named += fmt.Sprintf(" and %d more", len(addrs)-3)
		}
		d.progress("funding %d proofs (%s) with %s each from wallet %s in one transaction (waiting for it)", len(addrs), named, FormatTokens(d.topUp()), d.Wallet.Address)
	}
	m := everos.Message{BOC: msg.ToBOC(), Hash: msg.Hash(), ExpireAt: expire}
	for _, r := range batch {
		if err := recordTransfer(r.lock, m, addrs); err != nil {
			return nil, expire, &noteError{p: r.p, err: err}
		}
	}
	d.walletTxs.Add(1)
	tx, err := d.Client.SendAndWait(ctx, m)
	return tx, expire, err
}

// noteError is a batch's transfer that could not be noted in the lock of
// one of the proofs it pays; the transfer was not sent.
type noteError struct {
	p   *contract.Proof
	err error
}

func (e *noteError) Error() string {
	return fmt.Sprintf("noting the transfer in the lock of proof %s: %v", e.p.Address(), e.err)
}

func (e *noteError) Unwrap() error { return e.err }

// forRequest is a batch's error as the request for p reports it: fund
// names p, so p's own lock is "the proof's lock", and another proof's lock
// is named.
func forRequest(err error, p *contract.Proof) error {
	var ne *noteError
	if errors.As(err, &ne) && ne.p == p {
		return fmt.Errorf("noting the transfer in the proof's lock: %w", ne.err)
	}
	return err
}

// waitForBalance waits until the transfer the wallet sent reaches addr:
// the wallet's transaction only emits it, the proof account receives it in
// a transaction of its own.
func (d *Deployer) waitForBalance(ctx context.Context, addr string, before *big.Int, until time.Time) error {
	poll := d.BalancePoll
	if poll <= 0 {
		poll = 500 * time.Millisecond
	}
	for {
		acc, err := d.Client.Account(ctx, addr)
		if err != nil {
			return fmt.Errorf("reading proof account %s: %w", addr, err)
		}
		if balance(acc).Cmp(before) > 0 {
			return nil
		}
		now, err := d.Client.ServerTime(ctx)
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
