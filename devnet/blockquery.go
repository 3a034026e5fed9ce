package devnet

import (
	"slices"

	"github.com/gosh-sh/sign-cli/chainproof"
	"github.com/gosh-sh/sign-cli/devnet/chain"
)

func (e *execution) blocks(args map[string]any) (any, error) {
	return e.blockCollection(args, blockType, false)
}

// emptyBlock is a block with no field set, for checking filters.
func emptyBlock() *Block {
	return &Block{Block: &chain.Block{
		Info:       &chainproof.BlockInfo{Prev: []chainproof.ExtBlkRef{{}}},
		Signatures: &chainproof.Signatures{},
	}}
}

// blockCollection answers blocks, and blocks_signatures (signed: the
// masterchain's blocks, the ones the validator signs). The usual queries
// are answered from indexes, never by a scan of the chain: by id, by the
// block a block follows (how clients walk a shard), key blocks, one
// chain's block by seq_no, and one chain's latest blocks (sorted by
// seq_no, which the chain's list already is).
func (e *execution) blockCollection(args map[string]any, typ *objectType[*Block], signed bool) (any, error) {
	s := e.s
	c, err := s.collection(args)
	if err != nil {
		return nil, err
	}
	empty := emptyBlock()
	if _, err := selectRecords(c, typ.name, []record{{get: typ.getter(empty)}, {get: typ.getter(empty)}}); err != nil {
		return nil, err
	}
	return s.wait(e.ctx, c.timeout, func() ([]resolver, error) {
		list, bySeq := s.blockCandidates(c.filter, signed)
		desc, walk := seqOrder(c.order)
		if !bySeq || !walk {
			all := make([]record, 0, len(list))
			for _, b := range list {
				all = append(all, record{get: typ.getter(b), r: typ.resolver(b)})
			}
			return selectRecords(c, typ.name, all)
		}
		var out []resolver
		for i := range list {
			b := list[i]
			if desc {
				b = list[len(list)-1-i]
			}
			ok, err := matchFilter(c.filter, typ.getter(b), typ.name)
			if err != nil {
				return nil, err
			}
			if ok {
				if out = append(out, typ.resolver(b)); len(out) == c.limit {
					break
				}
			}
		}
		return out, nil
	})
}

// seqOrder reports whether an order is by seq_no alone (or none), and
// which way.
func seqOrder(order []orderKey) (desc, ok bool) {
	switch {
	case len(order) == 0:
		return false, true
	case len(order) == 1 && order[0].path == "seq_no":
		return order[0].desc, true
	}
	return false, false
}

// blockCandidates returns the blocks a filter may match, from the
// narrowest index it allows, and whether they are one chain's in seq_no
// order; the ledger's lock is held.
func (l *Ledger) blockCandidates(filter map[string]any, signed bool) ([]*Block, bool) {
	var out []*Block
	switch {
	case lookup(filter, "id", &out, func(id string) []*Block { return one(l.blockByID[id]) }):
	case prevIndexed(filter, &out, l.blockByPrev):
	default:
		wc, hasWC := eqFloat(filter, "workchain_id")
		chainOf := l.blocks
		switch {
		case signed || hasWC && wc == float64(chainproof.Masterchain):
			chainOf = l.mcBlocks
		case hasWC && wc == float64(chain.Shard.Workchain):
			chainOf = l.shardBlocks
		case hasWC:
			return nil, true
		}
		if kb, ok := filter["key_block"].(map[string]any); ok && kb["eq"] == true && !hasOR(filter) {
			return l.keyBlocks, true
		}
		if seq, ok := eqFloat(filter, "seq_no"); ok && (hasWC || signed) {
			if i := int(seq) - 1; seq == float64(int(seq)) && i >= 0 && i < len(chainOf) {
				return chainOf[i : i+1], true
			}
			return nil, true
		}
		return chainOf, hasWC || signed
	}
	if signed {
		out = slices.DeleteFunc(out, func(b *Block) bool { return b.Signatures == nil })
	}
	slices.SortFunc(out, func(a, b *Block) int { return a.seq - b.seq })
	return slices.CompactFunc(out, func(a, b *Block) bool { return a == b }), false
}

// prevIndexed sets *out to the blocks that follow the block a filter names
// by prev_ref{root_hash{eq}}, alone or OR'ed with prev_alt_ref (which no
// devnet block has: its shard never merges), and reports whether the
// filter is of that form.
func prevIndexed(filter map[string]any, out *[]*Block, byPrev map[string][]*Block) bool {
	prev, _ := filter["prev_ref"].(map[string]any)
	root, _ := prev["root_hash"].(map[string]any)
	id, ok := root["eq"].(string)
	if !ok {
		return false
	}
	if or, has := filter["OR"].(map[string]any); has {
		if _, alt := or["prev_alt_ref"]; len(or) != 1 || !alt {
			return false
		}
	}
	*out = append(*out, byPrev[id]...)
	return true
}

func hasOR(filter map[string]any) bool {
	_, ok := filter["OR"]
	return ok
}

// eqFloat is the number a filter requires of a field with eq, when it
// has no OR.
func eqFloat(filter map[string]any, field string) (float64, bool) {
	if hasOR(filter) {
		return 0, false
	}
	cond, _ := filter[field].(map[string]any)
	v, ok := cond["eq"]
	if !ok {
		return 0, false
	}
	return argFloat(v)
}
