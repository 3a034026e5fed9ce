package trustless

import (
	"context"
	"encoding/hex"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/chainproof"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/proof"
)

// Checker checks proofs from the chain's own data, trusting only the
// anchors of Network. It implements the proof checker of
// signature.Checker; it is safe for concurrent use, and keeps the key
// blocks it verified for its later checks.
type Checker struct {
	Client *everos.Client
	// Network holds the trusted anchors (ParseTrustAnchor).
	Network *chainproof.Network
	// Cache keeps verified key blocks across runs; the zero value keeps
	// none.
	Cache KeyBlockCache
	// Parallelism bounds the blocks verified at once (GOMAXPROCS when < 1).
	Parallelism int
	// Progress, when set, is told about the stages of a long check.
	Progress func(format string, args ...any)
	// Logf, when set, is told about what was skipped (cache files).
	Logf func(format string, args ...any)

	once  sync.Once
	keys  *keyWalker
	stats Stats
}

// Stats counts what a Checker fetched, for benchmarks and tests.
type Stats struct {
	Transactions, ShardBlocks, MasterBlocks, KeyBlocks atomic.Int64
}

// Stats returns the checker's counts so far.
func (c *Checker) Stats() *Stats { return &c.stats }

func (c *Checker) progress(format string, args ...any) {
	if c.Progress != nil {
		c.Progress(format, args...)
	}
}

func (c *Checker) logf(format string, args ...any) {
	if c.Logf != nil {
		c.Logf(format, args...)
	}
}

// progressFrom is how many proofs a check has before it reports its
// stages: a single proof's check is short.
const progressFrom = 100

// maxShardWalk bounds the shard blocks walked back, by prev_ref, from the
// one a masterchain block names to the one that holds a transaction: the
// network commits a shard's blocks to the masterchain within a few blocks.
const maxShardWalk = 32

// item is one proof being checked.
type item struct {
	v     *proof.Verdict
	proof *contract.Proof
	tx    *everos.ChainTransaction
	// read from the proven transaction
	hash [32]byte
	lt   uint64
	acc  [32]byte
}

// Check verifies many proofs; verdicts are in the order of queries. A
// verdict is verified, with the Evidence it rests on, or has an error
// wrapping one of this package's sentinels (or a network failure): never
// a refusal, since absence is not proven.
func (c *Checker) Check(ctx context.Context, queries []proof.Query) []proof.Verdict {
	c.once.Do(func() { c.keys = newKeyWalker(c) })
	out := make([]proof.Verdict, len(queries))
	var items []*item
	var addrs []string
	for i, q := range queries {
		p, err := contract.NewProof(q.Public.Ed25519(), q.Content)
		if err != nil {
			out[i].Err = err
			continue
		}
		out[i].Address = p.Address().String()
		items = append(items, &item{v: &out[i], proof: p})
		addrs = append(addrs, out[i].Address)
	}
	if len(items) == 0 {
		return out
	}
	long := len(items) >= progressFrom
	if long {
		c.progress("fetching the constructing transactions of %d proofs", len(items))
	}
	txs, err := c.Client.FirstActiveTransactions(ctx, addrs)
	if err != nil {
		failAll(items, fmt.Errorf("fetching the constructing transaction: %w", err))
		return out
	}
	for k, it := range items {
		if it.tx = txs[k]; it.tx != nil {
			c.stats.Transactions.Add(1)
		}
	}
	// Each construction's signature is verified: the bulk of a large
	// batch's work, spread over the cores.
	c.inParallel(len(items), func(k int) { items[k].v.Err = items[k].checkTransaction() })
	r := &run{c: c, ctx: ctx, shard: map[string]*fetched{}}
	r.shardBlocks(ok(items))
	if long {
		c.progress("verifying the masterchain blocks of %d proofs", len(ok(items)))
	}
	r.masterBlocks(ok(items))
	for _, it := range items {
		if it.v.Err != nil {
			// What was read of an unproven construction is not evidence.
			it.v.State, it.v.Evidence = nil, nil
			it.v.Err = fmt.Errorf("proof %s: %w", it.v.Address, it.v.Err)
		}
	}
	return out
}

func failAll(items []*item, err error) {
	for _, it := range items {
		if it.v.Err == nil {
			it.v.Err = err
		}
	}
}

// ok are the items with no error yet.
func ok(items []*item) []*item {
	var out []*item
	for _, it := range items {
		if it.v.Err == nil {
			out = append(out, it)
		}
	}
	return out
}

// checkTransaction checks that the served transaction is the proof's
// construction and rebuilds the proof's data from it.
func (it *item) checkTransaction() error {
	tx := it.tx
	if tx == nil {
		return ErrNoTransaction
	}
	it.v.Endpoint = tx.Endpoint
	root, err := cell.FromBOC(tx.BOC)
	if err != nil {
		return fmt.Errorf("%w: transaction %s: %w", ErrNotConstructor, tx.ID, err)
	}
	if err := allOrdinary(root); err != nil {
		return fmt.Errorf("%w: transaction %s: %w", ErrNotConstructor, tx.ID, err)
	}
	it.hash = root.Hash()
	if hex.EncodeToString(it.hash[:]) != tx.ID {
		return fmt.Errorf("%w: transaction %s: its BOC hashes to %x", ErrNotConstructor, tx.ID, it.hash)
	}
	t, err := chainproof.ReadTransaction(root)
	if err != nil {
		return fmt.Errorf("%w: transaction %s: %w", ErrNotConstructor, tx.ID, err)
	}
	want, _ := it.proof.Address().Account()
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: transaction %s: %s", ErrNotConstructor, tx.ID, fmt.Sprintf(format, args...))
	}
	switch {
	case t.Account != want:
		return bad("it is a transaction of account %x", t.Account)
	case t.OrigStatus != chainproof.StatusUninit || t.EndStatus != chainproof.StatusActive:
		return bad("the account went from %s to %s, not from uninit to active", t.OrigStatus, t.EndStatus)
	case !t.Ordinary:
		return bad("it is not an ordinary transaction")
	case t.ComputeSkipped || !t.ComputeSuccess:
		return bad("its compute phase did not succeed")
	case t.Aborted:
		return bad("it was aborted")
	case t.InMsg == nil:
		return bad("it has no inbound message")
	}
	call, err := it.proof.ReadDeployMessage(t.InMsg)
	if err != nil {
		return bad("%v", err)
	}
	it.lt, it.acc = t.LT, t.Account
	it.v.State = &contract.ProofState{
		PublicKey:   it.proof.PublicKey(),
		Content:     it.proof.Content(),
		Constructed: true,
		Timestamp:   uint64(call.SignedAt.UnixMilli()),
		DeployedAt:  t.Now,
	}
	it.v.Evidence = &proof.Evidence{Transaction: tx.ID}
	return nil
}

// allOrdinary refuses a cell tree with exotic cells: a transaction has
// none, and a pruned branch would hash like what it hides.
func allOrdinary(root *cell.Cell) error {
	seen := map[*cell.Cell]bool{}
	stack := []*cell.Cell{root}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[c] {
			continue
		}
		seen[c] = true
		if c.IsExotic() {
			return fmt.Errorf("it holds a %s cell", c.Type())
		}
		stack = append(stack, c.Refs()...)
	}
	return nil
}

// run is one Check's shared state: each block is fetched and verified once
// however many proofs need it.
type run struct {
	c   *Checker
	ctx context.Context

	mu    sync.Mutex
	shard map[string]*fetched // shard blocks by root hash hex
}

// fetched is a shard block fetched and hash-checked once.
type fetched struct {
	once  sync.Once
	block *chainproof.Block
	info  *chainproof.BlockInfo
	err   error
}

// shardBlocks fetches the shard blocks that hold the items' transactions,
// all in one batch, and checks that each holds its transaction.
func (r *run) shardBlocks(items []*item) {
	var ids []string
	seen := map[string]bool{}
	for _, it := range items {
		if !seen[it.tx.BlockID] {
			seen[it.tx.BlockID] = true
			ids = append(ids, it.tx.BlockID)
		}
	}
	if len(ids) == 0 {
		return
	}
	if err := r.prefetch(ids); err != nil {
		failAll(items, fmt.Errorf("fetching shard blocks: %w", err))
		return
	}
	for _, it := range items {
		b := r.shardBlock(it.tx.BlockID)
		err := b.err
		if err == nil {
			err = b.block.CheckTransaction(0, it.acc, it.lt, it.hash)
		}
		if err != nil {
			it.v.Err = fmt.Errorf("%w: shard block %s: %w", ErrNotInBlock, it.tx.BlockID, err)
			continue
		}
		it.v.Evidence.ShardBlock = proof.BlockRef{Shard: b.info.Shard.String(), SeqNo: b.info.SeqNo, RootHash: it.tx.BlockID}
	}
}

// prefetch fetches the shard blocks of ids not fetched yet, in one batch.
func (r *run) prefetch(ids []string) error {
	blocks, err := r.c.Client.BlocksByID(r.ctx, ids)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range blocks {
		if _, ok := r.shard[b.ID]; ok {
			continue
		}
		r.c.stats.ShardBlocks.Add(1)
		f := &fetched{}
		f.once.Do(func() { f.block, f.info, f.err = readShardBlock(b) })
		r.shard[b.ID] = f
	}
	return nil
}

// shardBlock returns the shard block with root hash id, fetching it when
// it was not prefetched.
func (r *run) shardBlock(id string) *fetched {
	r.mu.Lock()
	f, ok := r.shard[id]
	if !ok {
		f = &fetched{}
		r.shard[id] = f
	}
	r.mu.Unlock()
	f.once.Do(func() {
		blocks, err := r.c.Client.BlocksByID(r.ctx, []string{id})
		switch {
		case err != nil:
			f.err = fmt.Errorf("fetching: %w", err)
		case len(blocks) == 0 || blocks[0].ID != id:
			f.err = fmt.Errorf("the endpoint did not serve it")
		default:
			r.c.stats.ShardBlocks.Add(1)
			f.block, f.info, f.err = readShardBlock(blocks[0])
		}
	})
	return f
}

// readShardBlock reads a served block whose BOC must hash to its id.
func readShardBlock(b *everos.Block) (*chainproof.Block, *chainproof.BlockInfo, error) {
	var rh [32]byte
	if _, err := hex.Decode(rh[:], []byte(b.ID)); err != nil {
		return nil, nil, err
	}
	blk, err := chainproof.BlockFromBOC(b.BOC, rh)
	var info *chainproof.BlockInfo
	if err == nil {
		info, err = blk.Info()
	}
	return blk, info, err
}

// masterBlocks fetches the masterchain blocks the transactions name, each
// once, verifies their signatures back to the anchor, and checks that each
// commits its items' shard blocks.
func (r *run) masterBlocks(items []*item) {
	bySeq := map[uint32][]*item{}
	var seqs []uint32
	for _, it := range items {
		s := it.tx.MasterSeqNo
		if _, ok := bySeq[s]; !ok {
			seqs = append(seqs, s)
		}
		bySeq[s] = append(bySeq[s], it)
	}
	if len(seqs) == 0 {
		return
	}
	blocks, err := r.c.Client.MasterBlocks(r.ctx, seqs)
	if err != nil {
		failAll(items, fmt.Errorf("fetching masterchain blocks: %w", err))
		return
	}
	served := map[uint32]*everos.Block{}
	for _, b := range blocks {
		if _, ok := served[b.SeqNo]; !ok && b.Workchain == chainproof.Masterchain {
			served[b.SeqNo] = b
		}
	}
	r.c.stats.MasterBlocks.Add(int64(len(served)))
	r.c.inParallel(len(seqs), func(k int) { r.master(seqs[k], served[seqs[k]], bySeq[seqs[k]]) })
}

// inParallel runs f(0) to f(n-1), Parallelism at a time.
func (c *Checker) inParallel(n int, f func(k int)) {
	par := c.Parallelism
	if par < 1 {
		par = runtime.GOMAXPROCS(0)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(par, n) {
		wg.Go(func() {
			for k := int(next.Add(1) - 1); k < n; k = int(next.Add(1) - 1) {
				f(k)
			}
		})
	}
	wg.Wait()
}

// master verifies one masterchain block and what it commits.
func (r *run) master(seq uint32, b *everos.Block, items []*item) {
	if b == nil {
		failAll(items, fmt.Errorf("%w: the endpoint did not serve masterchain block %d", ErrNotTrusted, seq))
		return
	}
	mc, ev, err := r.verifyMaster(b)
	if err != nil {
		failAll(items, fmt.Errorf("%w: masterchain block %d: %w", ErrNotTrusted, seq, err))
		return
	}
	for _, it := range items {
		if err := r.committed(mc, it.tx.BlockID); err != nil {
			it.v.Err = fmt.Errorf("%w: masterchain block %d, shard block %s: %w", ErrNotCommitted, seq, it.tx.BlockID, err)
			continue
		}
		e := it.v.Evidence
		e.MasterBlock, e.KeyBlock, e.Anchor = ev.MasterBlock, ev.KeyBlock, ev.Anchor
	}
}

// verifyMaster checks a masterchain block's signatures against the key
// block it names, made trusted first.
func (r *run) verifyMaster(b *everos.Block) (*chainproof.Block, *proof.Evidence, error) {
	p, err := masterProof(b)
	if err != nil {
		return nil, nil, err
	}
	blk, err := chainproof.BlockFromProof(p.Root, p.ID.RootHash)
	if err != nil {
		return nil, nil, err
	}
	info, err := blk.Info()
	if err != nil {
		return nil, nil, err
	}
	ev := &proof.Evidence{
		MasterBlock: proof.BlockRef{Shard: p.ID.Shard.String(), SeqNo: p.ID.SeqNo, RootHash: b.ID},
		KeyBlock:    info.PrevKeyBlockSeqNo,
	}
	if info.KeyBlock {
		// A key block is trusted as such (an anchor, or signed by the
		// key block before it), and then is its own evidence.
		anchor, err := r.c.keys.trust(r.ctx, p.ID.SeqNo)
		if err != nil {
			return nil, nil, err
		}
		if kb, ok := r.c.keys.ver.KeyBlock(p.ID.SeqNo); !ok || kb.ID.RootHash != p.ID.RootHash {
			return nil, nil, fmt.Errorf("another key block %d is trusted", p.ID.SeqNo)
		}
		ev.KeyBlock, ev.Anchor = p.ID.SeqNo, anchorText(r.c.Network, anchor)
		return blk, ev, nil
	}
	anchor, err := r.c.keys.trust(r.ctx, info.PrevKeyBlockSeqNo)
	if err != nil {
		return nil, nil, err
	}
	if _, _, err := r.c.keys.ver.VerifyBlock(p); err != nil {
		return nil, nil, err
	}
	ev.Anchor = anchorText(r.c.Network, anchor)
	return blk, ev, nil
}

// committed checks that a verified masterchain block commits the shard
// block with root hash id: its shard_hashes name that block, or a later
// block of the shard whose prev_ref chain leads back to it.
func (r *run) committed(mc *chainproof.Block, id string) error {
	sb := r.shardBlock(id)
	if sb.err != nil {
		return sb.err
	}
	top, err := mc.ShardTop(sb.info.Shard)
	if err != nil {
		return err
	}
	rh, seq := top.RootHash, top.SeqNo
	for steps := 0; hex.EncodeToString(rh[:]) != id; steps++ {
		if seq <= sb.info.SeqNo || steps == maxShardWalk {
			return fmt.Errorf("the shard's block %d there does not lead back to block %d", top.SeqNo, sb.info.SeqNo)
		}
		f := r.shardBlock(hex.EncodeToString(rh[:]))
		if f.err != nil {
			return fmt.Errorf("shard block %d: %w", seq, f.err)
		}
		if f.info.Shard != sb.info.Shard || len(f.info.Prev) != 1 || f.info.SeqNo != seq {
			return fmt.Errorf("shard block %d is not a block of shard %s following a single block", seq, sb.info.Shard)
		}
		rh, seq = f.info.Prev[0].RootHash, f.info.Prev[0].SeqNo
	}
	return nil
}
