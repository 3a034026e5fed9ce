package trustless

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/chainproof"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/internal/atomicfile"
)

// KeyBlockCache keeps the proofs of verified key blocks on disk, one file
// per key block in a directory per set of anchors, so that the next run
// does not fetch them again (the main network makes about a thousand key
// blocks a year). It is not trusted: every key block read from it is
// verified again from the anchors, and one that fails is ignored.
type KeyBlockCache struct {
	// Dir is the cache's directory; the zero cache keeps nothing.
	Dir string
}

func (c KeyBlockCache) dir(net *chainproof.Network) string {
	return filepath.Join(c.Dir, networkKey(net))
}

// load returns the cached key block proofs of net in increasing seq_no
// order; files it cannot read are skipped.
func (c KeyBlockCache) load(net *chainproof.Network) []*chainproof.BlockProof {
	if c.Dir == "" {
		return nil
	}
	entries, err := os.ReadDir(c.dir(net))
	if err != nil {
		return nil
	}
	type cached struct {
		seq uint64
		p   *chainproof.BlockProof
	}
	var out []cached
	for _, e := range entries {
		seq, err := strconv.ParseUint(strings.TrimSuffix(e.Name(), ".boc"), 10, 32)
		if err != nil || !e.Type().IsRegular() {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(c.dir(net), e.Name()))
		if err != nil {
			continue
		}
		if p, err := chainproof.ParseBlockProof(raw); err == nil && uint64(p.ID.SeqNo) == seq {
			out = append(out, cached{seq, p})
		}
	}
	slices.SortFunc(out, func(a, b cached) int { return int(a.seq) - int(b.seq) })
	proofs := make([]*chainproof.BlockProof, len(out))
	for i, c := range out {
		proofs[i] = c.p
	}
	return proofs
}

// store writes a verified key block's proof atomically: a reader sees the
// whole file or none.
func (c KeyBlockCache) store(net *chainproof.Network, p *chainproof.BlockProof) error {
	if c.Dir == "" {
		return nil
	}
	root, err := p.ToCell()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.dir(net), 0o755); err != nil {
		return fmt.Errorf("key block cache: %w", err)
	}
	path := filepath.Join(c.dir(net), strconv.FormatUint(uint64(p.ID.SeqNo), 10)+".boc")
	if err := atomicfile.Write(path, root.ToBOC(), 0o644, true); err != nil {
		return fmt.Errorf("key block cache: %w", err)
	}
	return nil
}

// keyBlocksPerRequest is how many key blocks one query asks for.
const keyBlocksPerRequest = 8

// keyWalker makes key blocks trusted: from the cache, and otherwise by
// fetching every key block from the nearest trusted one and verifying each
// with the one before it.
type keyWalker struct {
	client   *everos.Client
	net      *chainproof.Network
	ver      *chainproof.Verifier
	cache    KeyBlockCache
	progress func(format string, args ...any)
	logf     func(format string, args ...any)
	stats    *Stats

	mu     sync.Mutex
	loaded bool
	// anchorOf is the anchor each trusted key block descends from.
	anchorOf map[uint32]chainproof.Anchor
}

func newKeyWalker(c *Checker) *keyWalker {
	return &keyWalker{
		client: c.Client, net: c.Network, ver: chainproof.NewVerifier(c.Network), cache: c.Cache,
		progress: c.progress, logf: c.logf, stats: &c.stats, anchorOf: map[uint32]chainproof.Anchor{},
	}
}

// add verifies a key block proof and records it.
func (w *keyWalker) add(p *chainproof.BlockProof) error {
	kb, err := w.ver.AddKeyBlock(p)
	if err != nil {
		return err
	}
	if a, ok := w.net.AnchorBefore(p.ID.SeqNo); ok && a.SeqNo == p.ID.SeqNo {
		w.anchorOf[p.ID.SeqNo] = a
	} else {
		w.anchorOf[p.ID.SeqNo] = w.anchorOf[kb.Info.PrevKeyBlockSeqNo]
	}
	return nil
}

// trust makes the key block at seq trusted and returns the anchor it
// descends from.
func (w *keyWalker) trust(ctx context.Context, seq uint32) (chainproof.Anchor, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if a, ok := w.anchorOf[seq]; ok {
		return a, nil
	}
	if !w.loaded {
		w.loaded = true
		for _, p := range w.cache.load(w.net) {
			// A cached block that no longer verifies (another binary's
			// anchors, a damaged file) is left alone and fetched again.
			if err := w.add(p); err != nil {
				w.logf("trustless: cached key block %d not used: %v", p.ID.SeqNo, err)
			}
		}
		if a, ok := w.anchorOf[seq]; ok {
			return a, nil
		}
	}
	anchor, ok := w.net.AnchorBefore(seq)
	if !ok {
		return anchor, fmt.Errorf("key block %d is older than every anchor of %s", seq, w.net.Name)
	}
	from := anchor.SeqNo
	for s := range w.anchorOf {
		if s > from && s < seq {
			from = s
		}
	}
	if _, ok := w.anchorOf[from]; !ok {
		if err := w.fetch(ctx, from, from); err != nil {
			return anchor, err
		}
	}
	walked := 0
	for from < seq {
		blocks, err := w.client.KeyBlocks(ctx, from+1, seq, keyBlocksPerRequest)
		if err != nil {
			return anchor, fmt.Errorf("fetching key blocks after %d: %w", from, err)
		}
		if len(blocks) == 0 {
			return anchor, fmt.Errorf("the endpoint served no key block between %d and %d", from+1, seq)
		}
		for _, b := range blocks {
			if b.SeqNo <= from || b.SeqNo > seq {
				return anchor, fmt.Errorf("asked for key blocks from %d to %d, got key block %d", from+1, seq, b.SeqNo)
			}
			if err := w.verify(b); err != nil {
				return anchor, err
			}
			from = b.SeqNo
		}
		if walked += len(blocks); walked > keyBlocksPerRequest {
			w.progress("verified %d key blocks, at %d of %d", walked, from, seq)
		}
	}
	a, ok := w.anchorOf[seq]
	if !ok {
		return anchor, fmt.Errorf("key block %d was not reached", seq)
	}
	return a, nil
}

// fetch verifies the key block at seq.
func (w *keyWalker) fetch(ctx context.Context, from, to uint32) error {
	blocks, err := w.client.KeyBlocks(ctx, from, to, 1)
	if err != nil {
		return fmt.Errorf("fetching key block %d: %w", from, err)
	}
	if len(blocks) != 1 || blocks[0].SeqNo != from {
		return fmt.Errorf("the endpoint did not serve key block %d", from)
	}
	return w.verify(blocks[0])
}

// verify checks one served key block and keeps it.
func (w *keyWalker) verify(b *everos.Block) error {
	w.stats.KeyBlocks.Add(1)
	p, err := masterProof(b)
	if err == nil {
		err = w.add(p)
	}
	if err != nil {
		return fmt.Errorf("key block %d: %w", b.SeqNo, err)
	}
	if err := w.cache.store(w.net, p); err != nil {
		w.logf("trustless: %v", err) // the cache only saves work
	}
	return nil
}

// masterProof is the block proof of a served masterchain block: the whole
// block as a Merkle proof, named by its own hash and the file hash the
// validators signed, with the signatures served.
func masterProof(b *everos.Block) (*chainproof.BlockProof, error) {
	root, err := cell.FromBOC(b.BOC)
	if err != nil {
		return nil, fmt.Errorf("block %d: %w", b.SeqNo, err)
	}
	proof, err := cell.NewMerkleProof(root, func(*cell.Cell) bool { return true })
	if err != nil {
		return nil, fmt.Errorf("block %d: %w", b.SeqNo, err)
	}
	id := chainproof.BlockID{Shard: chainproof.MasterchainShard, SeqNo: b.SeqNo, RootHash: root.HashAt(0)}
	copy(id.FileHash[:], b.FileHash)
	if got := fmt.Sprintf("%x", id.RootHash); got != b.ID {
		return nil, fmt.Errorf("block %d: its BOC hashes to %s, not to its id %s: %w", b.SeqNo, got, b.ID, chainproof.ErrHashMismatch)
	}
	p := &chainproof.BlockProof{ID: id, Root: proof}
	if s := b.Signatures; s != nil {
		sigs := &chainproof.Signatures{
			ValidatorListHashShort: s.ValidatorListHashShort, CatchainSeqNo: s.CatchainSeqNo,
			Count: uint32(len(s.List)), Weight: s.SigWeight,
		}
		for _, ns := range s.List {
			sg := chainproof.Signature{NodeIDShort: ns.NodeID}
			copy(sg.Sig[:32], ns.R[:])
			copy(sg.Sig[32:], ns.S[:])
			sigs.List = append(sigs.List, sg)
		}
		p.Signatures = sigs
	}
	return p, nil
}
