package cell

import "fmt"

// PrunedBranchOf makes the level-1 pruned branch that stands for c inside a
// Merkle proof: it keeps c's hash and depth and nothing else. c must be of
// level 0 (a tree without pruned branches of its own).
func PrunedBranchOf(c *Cell) (*Cell, error) {
	if c.Level() != 0 {
		return nil, fmt.Errorf("pruning a cell of level %d: %w", c.Level(), ErrInvalidCell)
	}
	h := c.Hash()
	return BeginCell().StoreUInt(uint64(PrunedBranch), 8).StoreUInt(1, 8).
		StoreBytes(h[:]).StoreUInt(uint64(c.Depth()), 16).EndExoticCell()
}

// NewMerkleProof makes the Merkle proof of root that keeps the cells keep
// answers true for (keep is asked only about the cells whose parents are
// kept; the root is always kept) and replaces every other cell with its
// pruned branch. The proof's child hashes at level 0 to root's hash, which
// is what a verifier checks. Merkle proofs and updates inside root (a
// block's state update, for one) are kept whole: a branch pruned under
// them would need a higher level.
func NewMerkleProof(root *Cell, keep func(*Cell) bool) (*Cell, error) {
	if root.Level() != 0 {
		return nil, fmt.Errorf("merkle proof of a cell of level %d: %w", root.Level(), ErrInvalidCell)
	}
	virtual, err := (&pruner{keep: keep, done: map[*Cell]*Cell{}}).prune(root, true)
	if err != nil {
		return nil, err
	}
	h := root.Hash()
	return BeginCell().StoreUInt(uint64(MerkleProof), 8).StoreBytes(h[:]).
		StoreUInt(uint64(root.Depth()), 16).StoreRef(virtual).EndExoticCell()
}

// pruner rebuilds a tree with branches pruned, each distinct cell once:
// a BOC shares cells, and walking it as a tree could take exponential time.
type pruner struct {
	keep func(*Cell) bool
	done map[*Cell]*Cell
}

func (p *pruner) prune(c *Cell, isRoot bool) (*Cell, error) {
	if d, ok := p.done[c]; ok && !isRoot {
		return d, nil
	}
	var out *Cell
	var err error
	switch {
	case !isRoot && !p.keep(c):
		out, err = PrunedBranchOf(c)
	case len(c.refs) == 0 || c.typ == MerkleProof || c.typ == MerkleUpdate:
		out = c
	default:
		refs := make([]*Cell, len(c.refs))
		for i, r := range c.refs {
			if refs[i], err = p.prune(r, false); err != nil {
				return nil, err
			}
		}
		out, err = newCell(c.data, int(c.bits), refs, c.IsExotic())
	}
	if err != nil {
		return nil, err
	}
	p.done[c] = out
	return out, nil
}
