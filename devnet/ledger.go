package devnet

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
	"github.com/gosh-sh/sign-cli/devnet/chain"
	"github.com/gosh-sh/sign-cli/everos"
)

// Ledger is the emulated chain: accounts, transactions, logical time and
// the external messages it has taken, under one lock, in memory and, with
// WithStateDir, in a snapshot and a journal of the changes since. Only
// its Executor changes it, one message at a time; SetAccount puts
// accounts in place for tests and for a devnet's giver.
//
// A Server serves a Ledger over GraphQL; a Ledger also works alone, for
// running executors without a network in between.
type Ledger struct {
	exec  Executor
	clock Clock
	dir   string
	// interval is the block interval: 0 makes a block for every message
	// (and the messages it causes) as soon as it is applied.
	interval time.Duration
	logf     func(format string, args ...any)
	// committed is told of every change, with the lock held.
	committed func(c change)

	mu       sync.Mutex
	accounts map[string]*stored
	txs      []*Transaction
	// The indexes of txs: an account's last transaction and all of its
	// transactions, by id and by inbound message.
	lastTx      map[string]*Transaction
	txByAccount map[string][]*Transaction
	txByID      map[string]*Transaction
	txByInMsg   map[string][]*Transaction
	// The messages the transactions took and sent, by id and in order.
	msgs    map[string]*Message
	msgList []*Message
	lt      uint64
	// savedBlocks are the BOCs of the blocks read from the state
	// directory, until the chain resumes with them.
	savedBlocks [][]byte
	// The chain (blocks.go): what makes blocks, the blocks by id, by the
	// block they follow and by chain, and what the next block will hold.
	producer    *chain.Producer
	blocks      []*Block
	blockByID   map[string]*Block
	blockByPrev map[string][]*Block
	mcBlocks    []*Block
	shardBlocks []*Block
	keyBlocks   []*Block
	pending     batch
	sealTimer   *time.Timer // makes the block of what Deliver applied, with an interval
	// The state directory: changes saved so far, and the journal they
	// are appended to between snapshots (see journal.go).
	seq         uint64
	journal     *os.File
	journalSize int64
	snapSize    int64
	seen        map[[32]byte]bool // external messages executed or waiting in the queue
	changed     chan struct{}     // closed and replaced on every change

	queue chan queued
	// taken counts the external messages posted and not yet run: in the
	// queue or waiting for their block.
	taken  atomic.Int64
	done   chan struct{}
	wg     sync.WaitGroup
	closed sync.Once
}

// NewLedger starts a ledger with the options that concern the chain
// (WithExecutor, WithClock, WithStateDir, WithAccounts, WithBlockDelay,
// WithLogf); the others are for a Server and change nothing here. Close
// it when done.
func NewLedger(opts ...Option) (*Ledger, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	return newLedger(cfg, cfg.clock, nil)
}

func newLedger(cfg config, clock Clock, committed func(change)) (*Ledger, error) {
	l := &Ledger{
		exec: cfg.executor, clock: clock, dir: cfg.stateDir, interval: cfg.blockInterval, logf: cfg.logf,
		committed: committed,
		accounts:  map[string]*stored{}, seen: map[[32]byte]bool{}, changed: make(chan struct{}),
		lastTx: map[string]*Transaction{}, txByAccount: map[string][]*Transaction{},
		txByID: map[string]*Transaction{}, txByInMsg: map[string][]*Transaction{}, msgs: map[string]*Message{},
		blockByID: map[string]*Block{}, blockByPrev: map[string][]*Block{},
		queue: make(chan queued, 1024), done: make(chan struct{}),
	}
	if err := l.load(cfg.accounts); err != nil {
		return nil, err
	}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		l.worker()
	}()
	return l, nil
}

// Close stops the processing of posted messages; what is still queued is
// dropped, as a stopped network drops it.
func (l *Ledger) Close() {
	l.closed.Do(func() {
		close(l.done)
		l.wg.Wait()
		l.mu.Lock()
		if l.sealTimer != nil {
			l.sealTimer.Stop()
		}
		if l.journal != nil {
			l.journal.Close()
			l.journal = nil
		}
		l.mu.Unlock()
	})
}

// Now is the chain's clock.
func (l *Ledger) Now() time.Time { return l.clock.Now() }

// load restores the state directory's state, or else starts from accounts.
func (l *Ledger) load(accounts []Account) error {
	if l.dir != "" {
		if err := os.MkdirAll(l.dir, 0o700); err != nil {
			return fmt.Errorf("creating the emulator's state directory: %w", err)
		}
		snap, err := readSnapshot(l.dir)
		if err != nil {
			return err
		}
		if snap != nil {
			whole := journalEntry{Seq: snap.Seq, Lt: snap.Lt, Accounts: snap.Accounts, Transactions: snap.Transactions, Messages: snap.Messages, Blocks: snap.Blocks}
			if err := l.applyEntryLocked(whole); err != nil {
				return fmt.Errorf("loading emulator state: %w", err)
			}
			if err := l.replayJournal(); err != nil {
				return err
			}
			return l.startChain(l.savedBlocks)
		}
	}
	for _, a := range accounts {
		if err := l.putAccount(a); err != nil {
			return err
		}
	}
	if err := l.startChain(nil); err != nil {
		return err
	}
	return l.compactLocked()
}

// addTransactionsLocked indexes transactions read from the state
// directory, whose inbound messages count as taken.
func (l *Ledger) addTransactionsLocked(txs []Transaction) {
	for i := range txs {
		t := &txs[i]
		l.indexLocked(t)
		var h [32]byte
		if b, err := hex.DecodeString(t.InMsg); err == nil && len(b) == 32 {
			copy(h[:], b)
			l.seen[h] = true
		}
	}
}

// putAccount stores a; the caller holds l.mu or owns l alone.
func (l *Ledger) putAccount(a Account) error {
	if a.Type == account.NonExist {
		addr, err := everos.NormalizeAddress(a.Address)
		if err != nil {
			return err
		}
		delete(l.accounts, addr)
		return nil
	}
	a.BOC = nil
	st, err := newStored(a)
	if err != nil {
		return err
	}
	l.accounts[st.Address] = st
	// The chain's lt stays past every account's, so that the next
	// transaction on an account put in place comes after its last one.
	l.lt = max(l.lt, a.LastTransLt)
	return nil
}

// putExecuted stores an account as an executor left it. An executor that
// produced the account's BOC itself (Everscale's executor does) sets it,
// and the ledger keeps it and answers with it. One that changed only the
// fields may return the BOC it was given, which then no longer describes
// the account, so that one is built again; the caller holds l.mu.
func (l *Ledger) putExecuted(a Account) error {
	if a.Type == account.NonExist || a.BOC == nil {
		return l.putAccount(a)
	}
	st, err := newStored(a)
	if err != nil {
		return err
	}
	if prev, ok := l.accounts[st.Address]; ok && bytes.Equal(prev.BOC, a.BOC) {
		return l.putAccount(a)
	}
	l.accounts[st.Address] = st
	return nil
}

// snapshotLocked is the whole state; the caller holds l.mu.
func (l *Ledger) snapshotLocked() *snapshot {
	snap := &snapshot{Lt: l.lt, Seq: l.seq}
	keys := make([]string, 0, len(l.accounts))
	for k := range l.accounts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		snap.Accounts = append(snap.Accounts, l.accounts[k].Account)
	}
	for _, t := range l.txs {
		snap.Transactions = append(snap.Transactions, *t)
	}
	for _, m := range l.msgList {
		snap.Messages = append(snap.Messages, m.BOC)
	}
	for _, b := range l.blocks {
		snap.Blocks = append(snap.Blocks, b.BOC)
	}
	return snap
}

// SetAccount creates or replaces an account (NonExist deletes it).
func (l *Ledger) SetAccount(a Account) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.putAccount(a); err != nil {
		return fmt.Errorf("setting account %s: %w", a.Address, err)
	}
	var ch change
	if addr, err := everos.NormalizeAddress(a.Address); err == nil {
		if st := l.accounts[addr]; st != nil {
			ch.accounts = append(ch.accounts, st)
		} else {
			ch.deleted = append(ch.deleted, addr)
		}
	}
	return l.notifyLocked(ch)
}

// Account returns an account's state.
func (l *Ledger) Account(addr string) (Account, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.accountLocked(addr)
}

func (l *Ledger) accountLocked(addr string) (Account, bool) {
	a, err := everos.NormalizeAddress(addr)
	if err != nil {
		return Account{}, false
	}
	st, ok := l.accounts[a]
	if !ok {
		return Account{}, false
	}
	return st.Account.clone(), true
}

// Transactions returns every transaction so far, oldest first.
func (l *Ledger) Transactions() []Transaction {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Transaction, len(l.txs))
	for i, t := range l.txs {
		out[i] = *t
	}
	return out
}

// read runs f with the lock held and returns the channel that the next
// change closes, for readers that wait for something to happen.
func (l *Ledger) read(f func()) <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	f()
	return l.changed
}

// change is what one change of the ledger made: the transactions, the
// messages they took and sent, the accounts as they are now, and the
// addresses of those deleted.
type change struct {
	blocks   []*Block
	txs      []*Transaction
	msgs     []*Message
	accounts []*stored
	deleted  []string
}

// notifyLocked wakes waiting readers, tells committed of c and saves it in
// the state directory.
func (l *Ledger) notifyLocked(c change) error {
	close(l.changed)
	l.changed = make(chan struct{})
	if l.committed != nil {
		l.committed(c)
	}
	return l.saveLocked(c)
}

// Deliver executes a message as if posted, bypassing faults and the
// memory of messages posted before (an external message runs again even
// if it ran already); for tests and for funding accounts with internal
// messages. An external message it executes counts as posted from then on.
func (l *Ledger) Deliver(boc []byte, expireAt time.Time) error {
	m, err := ParseMessage(boc)
	if err != nil {
		return err
	}
	l.process(queued{msg: m, expireAt: expireAt})
	return nil
}

// errClosing is what posting to a closed ledger gives.
var errClosing = errors.New("server is closing")

// post queues an external message for execution unless it ran already or
// is waiting: the network processes an external message once, however
// often it is posted. One that was refused is forgotten (see execute).
func (l *Ledger) post(m *Message, expireAt time.Time) error {
	select {
	case <-l.done:
		return errClosing
	default:
	}
	l.mu.Lock()
	dup := l.seen[m.Hash]
	l.seen[m.Hash] = true
	l.mu.Unlock()
	if dup {
		return nil
	}
	l.taken.Add(1)
	select {
	case l.queue <- queued{msg: m, expireAt: expireAt, posted: true}:
		return nil
	case <-l.done:
		l.taken.Add(-1)
		l.mu.Lock()
		delete(l.seen, m.Hash)
		l.mu.Unlock()
		return errClosing
	}
}

// queued is a message waiting for execution.
type queued struct {
	msg      *Message
	expireAt time.Time
	// posted is set for a message that post took: it is in seen until it
	// turns out not to be executed.
	posted bool
}

// worker applies posted messages. Without a block interval it applies
// each as it comes, and process makes its block. With one, the messages
// that arrive wait for the block: the interval starts with the first
// message after the last block, and at its end the worker applies them
// all, in order (each checked against its expiry then), and makes one
// block of them, as validators collate what reached them.
func (l *Ledger) worker() {
	var waiting []queued
	var block <-chan time.Time
	for {
		select {
		case <-l.done:
			return
		case q := <-l.queue:
			if l.interval == 0 {
				l.process(q)
				l.ran(q)
				continue
			}
			waiting = append(waiting, q)
			if block == nil {
				block = time.After(l.interval)
			}
		case <-block:
			for _, q := range waiting {
				l.process(q)
			}
			l.mu.Lock()
			l.sealLocked()
			l.mu.Unlock()
			for _, q := range waiting {
				l.ran(q)
			}
			waiting, block = nil, nil
		}
	}
}

// ran counts q out of Taken once it ran and its block is made.
func (l *Ledger) ran(q queued) {
	if q.posted {
		l.taken.Add(-1)
	}
}

// Taken is how many external messages the ledger has taken and not yet
// run: those in its queue or waiting for their block. Tests that stop a
// client while its message is on its way wait for this, not for a time.
func (l *Ledger) Taken() int { return int(l.taken.Load()) }

// maxCascade bounds the internal messages one external message may cause.
const maxCascade = 256

// lockedState gives an Executor the accounts; the ledger's lock is held.
type lockedState struct{ l *Ledger }

func (v lockedState) Account(addr string) (Account, bool) { return v.l.accountLocked(addr) }

// process executes a message and the internal messages it causes.
func (l *Ledger) process(first queued) {
	pending := []queued{first}
	for n := 0; len(pending) > 0; n++ {
		q := pending[0]
		pending = pending[1:]
		if n >= maxCascade {
			l.logf("devnet: dropping message %x: more than %d messages in one cascade", q.msg.Hash, maxCascade)
			continue
		}
		out, err := l.execute(q)
		if err != nil {
			l.logf("devnet: %v", err)
			continue
		}
		for _, m := range out {
			if m.Kind == Internal && m.Dst != "" {
				pending = append(pending, queued{msg: m})
			}
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.interval == 0 {
		l.sealLocked()
		return
	}
	// What Deliver applied between the worker's blocks goes into a block
	// at most an interval later.
	if l.sealTimer == nil && len(l.pending.txs) > 0 {
		l.sealTimer = time.AfterFunc(l.interval, func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			l.sealTimer = nil
			select {
			case <-l.done:
			default:
				l.sealLocked()
			}
		})
	}
}

// execute runs one message and records what it did. An external message
// that it executes is remembered, so that posting it again does nothing;
// one that it drops is forgotten, as the network forgets the external
// messages it refuses, so that it may be posted again.
func (l *Ledger) execute(q queued) ([]*Message, error) {
	out, err := l.runMessage(q)
	if q.msg.Kind == ExternalIn {
		l.mu.Lock()
		switch {
		case err == nil:
			l.seen[q.msg.Hash] = true
		case q.posted:
			delete(l.seen, q.msg.Hash)
		}
		l.mu.Unlock()
	}
	return out, err
}

func (l *Ledger) runMessage(q queued) ([]*Message, error) {
	now := l.Now()
	if !q.expireAt.IsZero() && !now.Before(q.expireAt) {
		return nil, fmt.Errorf("dropping message %x to %s: expired at %s, now %s", q.msg.Hash, q.msg.Dst, q.expireAt, now)
	}
	if err := q.msg.CheckInit(); err != nil {
		return nil, fmt.Errorf("dropping message %x: %v", q.msg.Hash, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	res, err := l.exec.Execute(Env{Now: now, Lt: l.lt + 1}, Inbound{Message: q.msg, ExpireAt: q.expireAt}, lockedState{l})
	if err != nil {
		return nil, fmt.Errorf("message %x to %s not executed: %v", q.msg.Hash, q.msg.Dst, err)
	}
	out, err := l.applyLocked(now, q.msg, res)
	if err != nil {
		return nil, fmt.Errorf("message %x: %v", q.msg.Hash, err)
	}
	return out, nil
}

// applyLocked records an execution's result and returns its out messages.
// Each transaction gets its logical time and its link to the account's
// previous transaction here, as a collator gives them: a transaction that
// the executor serialized keeps its own lt (see Env.Lt) and is linked by
// rewriting its prev_trans_hash and prev_trans_lt; one it did not is
// serialized here. An account's last_trans_lt is then its BOC's: the lt
// after the transaction's own and its out messages'.
func (l *Ledger) applyLocked(now time.Time, in *Message, res *Result) ([]*Message, error) {
	if res == nil {
		return nil, errors.New("executor returned no result")
	}
	var out []*Message
	for _, b := range res.OutMessages {
		m, err := ParseMessage(b)
		if err != nil {
			return nil, fmt.Errorf("outbound message: %w", err)
		}
		out = append(out, m)
	}
	accounts := map[string]Account{}
	var order []string
	for _, a := range res.Accounts {
		addr, err := everos.NormalizeAddress(a.Address)
		if err != nil {
			return nil, fmt.Errorf("account: %w", err)
		}
		a.Address = addr
		if _, ok := accounts[addr]; !ok {
			order = append(order, addr)
		}
		accounts[addr] = a
	}
	var txs []*Transaction
	var sent []*Message
	for i := range res.Transactions {
		t := res.Transactions[i]
		addr, err := everos.NormalizeAddress(t.Account)
		if err != nil {
			return nil, fmt.Errorf("transaction: %w", err)
		}
		t.Account, t.Now = addr, uint32(now.Unix())
		if t.TotalFees == nil {
			t.TotalFees = new(big.Int)
		}
		if t.BalanceDelta == nil {
			t.BalanceDelta = new(big.Int)
		}
		// Out messages belong to the first transaction on their source.
		var mine []*Message
		rest := out[:0:0]
		for _, m := range out {
			if m.Src == addr || m.Src == "" {
				mine = append(mine, m)
			} else {
				rest = append(rest, m)
			}
		}
		out = rest
		a, hasAccount := accounts[addr]
		delete(accounts, addr)
		if err := l.commitTxLocked(&t, in, mine, a, hasAccount); err != nil {
			return nil, fmt.Errorf("transaction on %s: %w", addr, err)
		}
		l.pending.addMessage(in)
		for _, m := range mine {
			t.OutMsgs = append(t.OutMsgs, hexID(m.Hash))
			l.pending.addMessage(m)
		}
		sent = append(sent, mine...)
		txs = append(txs, &t)
	}
	sent = append(sent, out...)
	for _, addr := range order {
		if a, ok := accounts[addr]; ok {
			if err := l.putExecuted(a); err != nil {
				return nil, fmt.Errorf("account: %w", err)
			}
		}
	}
	// The transactions are the ledger's from here (lastTx links the
	// account's next one to them), and the world's with the next block.
	if l.pending.touched == nil {
		l.pending.touched = map[string]bool{}
	}
	for _, t := range txs {
		l.lastTx[t.Account] = t
		l.pending.txs = append(l.pending.txs, t)
		l.pending.touched[t.Account] = true
	}
	for _, addr := range order {
		l.pending.touched[addr] = true
	}
	return sent, nil
}

// commitTxLocked gives t its lt, BOC and id, stamps the out messages of a
// transaction the executor did not serialize with their creation lt and
// time (replacing them in outs), and stores the account a the transaction
// left (hasAccount false: the executor left it as it was).
func (l *Ledger) commitTxLocked(t *Transaction, in *Message, outs []*Message, a Account, hasAccount bool) error {
	var prevHash [32]byte
	var prevLt uint64
	if p := l.lastTx[t.Account]; p != nil {
		prevHash, prevLt = txHash(p.ID), p.Lt
	}
	old := noneHash
	if st, ok := l.accounts[t.Account]; ok {
		old = st.hash
	}
	if t.BOC != nil {
		root, err := cell.FromBOC(t.BOC)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrBadTransaction, err)
		}
		h, err := readTxHeader(root)
		if err != nil {
			return err
		}
		if root, err = linkTransaction(root, prevHash, prevLt); err != nil {
			return err
		}
		t.Lt, t.BOC, t.ID = h.lt, root.ToBOC(), hexID(root.Hash())
		l.lt = max(l.lt, h.lt+1+uint64(len(outs)))
		if hasAccount {
			l.lt = max(l.lt, a.LastTransLt)
			if err := l.putExecuted(a); err != nil {
				return fmt.Errorf("account: %w", err)
			}
		}
		return nil
	}
	t.Lt = l.lt + 1
	end := t.Lt + 1 + uint64(len(outs))
	l.lt = end
	for i, m := range outs {
		if m.Kind == ExternalIn {
			continue
		}
		m.Msg.CreatedLT, m.Msg.CreatedAt = t.Lt+1+uint64(i), t.Now
		b, err := m.Msg.ToBOC()
		if err != nil {
			return fmt.Errorf("out message %d: %w", i, err)
		}
		if outs[i], err = ParseMessage(b); err != nil {
			return fmt.Errorf("out message %d: %w", i, err)
		}
	}
	if !hasAccount {
		st, ok := l.accounts[t.Account]
		if ok {
			a, hasAccount = st.Account.clone(), true
		}
	}
	if hasAccount {
		if a.BOC != nil && a.LastTransLt != end {
			if st, ok := l.accounts[t.Account]; !ok || !bytes.Equal(st.BOC, a.BOC) {
				return fmt.Errorf("the executor's account BOC has last_trans_lt %d, the transaction ends at %d", a.LastTransLt, end)
			}
		}
		a.LastTransLt = end
		if err := l.putExecuted(a); err != nil {
			return fmt.Errorf("account: %w", err)
		}
	}
	tc := txCell{tx: t, in: in.Root, prevHash: prevHash, prevLt: prevLt, oldHash: old, newHash: noneHash}
	if st, ok := l.accounts[t.Account]; ok {
		tc.newHash = st.hash
	}
	if in.Kind == Internal {
		tc.credit, tc.bounce = in.Value, in.Bounce
		if t.ComputeSkipped && len(outs) > 0 {
			tc.credit = nil // bounced: nothing credited
		}
	}
	for _, m := range outs {
		tc.outs = append(tc.outs, m.Root)
	}
	root, err := buildTransaction(tc)
	if err != nil {
		return err
	}
	t.BOC, t.ID = root.ToBOC(), hexID(root.Hash())
	return nil
}

// indexLocked records a committed transaction in the ledger's indexes.
func (l *Ledger) indexLocked(t *Transaction) {
	t.seq = len(l.txs)
	l.txs = append(l.txs, t)
	l.lastTx[t.Account] = t
	l.txByID[t.ID] = t
	l.txByAccount[t.Account] = append(l.txByAccount[t.Account], t)
	if t.InMsg != "" {
		l.txByInMsg[t.InMsg] = append(l.txByInMsg[t.InMsg], t)
	}
	t.inMessage, t.outMessages = l.msgs[t.InMsg], nil
	for _, id := range t.OutMsgs {
		if m := l.msgs[id]; m != nil {
			t.outMessages = append(t.outMessages, m)
		}
	}
	for _, m := range append([]*Message{t.inMessage}, t.outMessages...) {
		if m != nil && m.blockID == "" {
			m.blockID, m.masterSeqNo = t.BlockID, t.MasterSeqNo
		}
	}
}

// addMessageLocked records a message a transaction took or sent, once.
func (l *Ledger) addMessageLocked(m *Message) {
	id := hexID(m.Hash)
	if _, ok := l.msgs[id]; ok {
		return
	}
	m = m.compact()
	m.seq = len(l.msgList)
	l.msgs[id] = m
	l.msgList = append(l.msgList, m)
}

func hexID(h [32]byte) string { return hex.EncodeToString(h[:]) }
