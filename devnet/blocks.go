package devnet

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/chainproof"
	"github.com/gosh-sh/sign-cli/devnet/chain"
	"github.com/gosh-sh/sign-cli/internal/atomicfile"
)

// Block is a block of the devnet's chain (package chain makes them), with
// what the API says of it beyond its BOC: the transactions of a shard
// block and the masterchain block that names it.
type Block struct {
	*chain.Block
	// ID is the root hash, hex: the block's id in the API.
	ID string
	// MasterSeqNo is the seq_no of the masterchain block that names a
	// shard block; a masterchain block's own.
	MasterSeqNo uint32
	txs         []*Transaction
	seq         int // the position in the ledger's blocks
	// proof is the BOC of the block's Merkle proof, made when first asked.
	proof func() []byte
}

// Anchor is the chain's trust anchor: the seq_no and root hash of its key
// block, "seq_no:hex", the form SIGN_CLI_TRUST_ANCHOR takes.
func (l *Ledger) Anchor() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	kb := l.keyBlocks[len(l.keyBlocks)-1]
	return fmt.Sprintf("%d:%s", kb.Block.ID.SeqNo, kb.ID)
}

// Blocks returns every block so far, in the order they were made.
func (l *Ledger) Blocks() []*Block {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.blocks)
}

// validatorKeyFile holds the devnet validator's Ed25519 seed, hex, in the
// state directory: a devnet that restarts signs with the same key, so that
// its anchor stays valid.
const validatorKeyFile = "validator.key"

// validatorSeed reads the validator's seed from the state directory, or
// makes one (and saves it there, when there is a directory).
func (l *Ledger) validatorSeed() ([]byte, error) {
	path := filepath.Join(l.dir, validatorKeyFile)
	if l.dir != "" {
		b, err := os.ReadFile(path)
		if err == nil {
			seed, err := hex.DecodeString(strings.TrimSpace(string(b)))
			if err != nil || len(seed) != 32 {
				return nil, fmt.Errorf("reading the devnet's validator key %s: not 64 hex digits", path)
			}
			return seed, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("reading the devnet's validator key: %w", err)
		}
	}
	seed := make([]byte, 32)
	if _, err := rand.Read(seed); err != nil {
		return nil, fmt.Errorf("making the devnet's validator key: %w", err)
	}
	if l.dir != "" {
		if err := atomicfile.Write(path, []byte(hex.EncodeToString(seed)+"\n"), 0o600, true); err != nil {
			return nil, fmt.Errorf("saving the devnet's validator key: %w", err)
		}
	}
	return seed, nil
}

// startChain resumes the chain saved in the state directory (saved holds
// its blocks' BOCs), or starts one with a key block; the caller owns l.
func (l *Ledger) startChain(saved [][]byte) error {
	seed, err := l.validatorSeed()
	if err != nil {
		return err
	}
	if len(saved) > 0 {
		p, blocks, err := chain.Resume(seed, saved)
		if err != nil {
			return fmt.Errorf("loading the devnet's blocks: %w", err)
		}
		l.producer = p
		for _, b := range blocks {
			l.addBlockLocked(b, nil)
		}
		for _, t := range l.txs {
			if b := l.blockByID[t.BlockID]; b != nil {
				b.txs = append(b.txs, t)
			}
		}
		return nil
	}
	p, kb, err := chain.NewProducer(seed, uint32(l.clock.Now().Unix()), l.lt)
	if err != nil {
		return fmt.Errorf("starting the devnet's chain: %w", err)
	}
	l.producer = p
	l.addBlockLocked(kb, nil)
	return nil
}

// addBlockLocked indexes a block; for a masterchain block, it also tells
// the shard block it names which masterchain block that is.
func (l *Ledger) addBlockLocked(cb *chain.Block, txs []*Transaction) *Block {
	b := &Block{Block: cb, ID: hexID(cb.ID.RootHash), txs: txs, seq: len(l.blocks), MasterSeqNo: cb.ID.SeqNo}
	b.proof = sync.OnceValue(func() []byte {
		p, err := cb.Proof()
		if err != nil {
			l.logf("devnet: %v", err)
			return nil
		}
		return p.ToBOC()
	})
	l.blocks = append(l.blocks, b)
	l.blockByID[b.ID] = b
	prev := hexID(cb.Info.Prev[0].RootHash)
	l.blockByPrev[prev] = append(l.blockByPrev[prev], b)
	if cb.ID.Shard == chainproof.MasterchainShard {
		l.mcBlocks = append(l.mcBlocks, b)
		if cb.Info.KeyBlock {
			l.keyBlocks = append(l.keyBlocks, b)
		}
		if cb.Shard != nil {
			if sb := l.blockByID[hexID(cb.Shard.RootHash)]; sb != nil {
				sb.MasterSeqNo = cb.ID.SeqNo
			}
		}
	} else {
		l.shardBlocks = append(l.shardBlocks, b)
	}
	return b
}

// batch is what the ledger applied since its last block: the transactions
// and messages that the next block makes visible, and the accounts they
// touched.
type batch struct {
	txs     []*Transaction
	msgs    []*Message
	msgByID map[string]*Message
	touched map[string]bool
}

// sealLocked makes the blocks of what was applied since the last ones,
// and only then indexes the transactions and messages and tells readers,
// subscribers and the journal, as the network publishes a block's
// contents with the block.
func (l *Ledger) sealLocked() {
	if len(l.pending.txs) == 0 {
		return
	}
	pend := l.pending
	l.pending = batch{}
	txs, err := l.chainTxs(pend)
	ch := change{txs: pend.txs}
	if err == nil && len(txs) > 0 {
		var shard, master *chain.Block
		shard, master, err = l.producer.Produce(uint32(l.clock.Now().Unix()), l.lt+1, txs)
		if err == nil {
			sb := l.addBlockLocked(shard, pend.txs)
			mb := l.addBlockLocked(master, nil)
			for _, t := range pend.txs {
				t.BlockID, t.MasterSeqNo = sb.ID, mb.MasterSeqNo
			}
			ch.blocks = []*Block{sb, mb}
		}
	}
	if err != nil {
		l.logf("devnet: no block for %d transactions: %v", len(pend.txs), err)
	}
	before := len(l.msgList)
	for _, m := range pend.msgs {
		l.addMessageLocked(m)
	}
	ch.msgs = l.msgList[before:]
	for _, t := range pend.txs {
		l.indexLocked(t)
	}
	for _, addr := range slices.Sorted(maps.Keys(pend.touched)) {
		if st, ok := l.accounts[addr]; ok {
			ch.accounts = append(ch.accounts, st)
		} else {
			ch.deleted = append(ch.deleted, addr)
		}
	}
	if err := l.notifyLocked(ch); err != nil {
		l.logf("devnet: %v", err)
	}
}

// chainTxs is the batch as the block producer takes it. Transactions
// outside workchain 0 (the devnet's one shard) stay out of blocks.
func (l *Ledger) chainTxs(b batch) ([]chain.Tx, error) {
	sent := map[string]bool{}
	for _, t := range b.txs {
		for _, id := range t.OutMsgs {
			sent[id] = true
		}
	}
	var out []chain.Tx
	for _, t := range b.txs {
		addr, err := cell.ParseAddress(t.Account)
		if err != nil {
			return nil, fmt.Errorf("transaction %s: %w", t.ID, err)
		}
		acc, ok := addr.Account()
		if !ok || workchain(t.Account) != int(chain.Shard.Workchain) {
			continue
		}
		root, err := cell.FromBOC(t.BOC)
		if err != nil {
			return nil, fmt.Errorf("transaction %s: %w", t.ID, err)
		}
		tx := chain.Tx{Account: acc, Lt: t.Lt, Cell: root, Fees: t.TotalFees}
		tx.OldHash, tx.NewHash = txStateHashes(root)
		if m := l.pendingMsg(b, t.InMsg); m != nil {
			mc, err := cell.FromBOC(m.BOC)
			if err != nil {
				return nil, fmt.Errorf("message %s: %w", t.InMsg, err)
			}
			tx.In = &chain.InMsg{Msg: mc, External: m.Kind == ExternalIn, Immediate: sent[t.InMsg]}
		}
		out = append(out, tx)
	}
	return out, nil
}

// pendingMsg finds a message of the batch, or one the ledger holds.
func (l *Ledger) pendingMsg(b batch, id string) *Message {
	if m := b.msgByID[id]; m != nil {
		return m
	}
	return l.msgs[id]
}

// txStateHashes reads a transaction's state_update (update_hashes#72
// old_hash new_hash, its second reference); zero when it has none.
func txStateHashes(root *cell.Cell) (old, new [32]byte) {
	if root.RefsNum() < 2 {
		return old, new
	}
	s := root.Ref(1).BeginParse()
	if tag, err := s.LoadUInt(8); err != nil || tag != 0x72 {
		return old, new
	}
	o, err1 := s.LoadBytes(32)
	n, err2 := s.LoadBytes(32)
	if err1 == nil && err2 == nil {
		copy(old[:], o)
		copy(new[:], n)
	}
	return old, new
}

// addMessage records a message a transaction of the batch took or sent,
// once.
func (b *batch) addMessage(m *Message) {
	id := hexID(m.Hash)
	if _, ok := b.msgByID[id]; ok {
		return
	}
	if b.msgByID == nil {
		b.msgByID = map[string]*Message{}
	}
	b.msgByID[id] = m
	b.msgs = append(b.msgs, m)
}
