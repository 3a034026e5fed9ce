package cell

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
)

// levelMask has bit i set when the cell's hash depends on Merkle level i+1.
type levelMask uint8

func (m levelMask) level() int { return bits.Len8(uint8(m)) }

func (m levelMask) hashCount() int { return bits.OnesCount8(uint8(m)) + 1 }

// hashIndex is the position of this mask's hash in a cell's hash list.
func (m levelMask) hashIndex() int { return bits.OnesCount8(uint8(m)) }

func (m levelMask) apply(level int) levelMask { return m & levelMask(1<<level-1) }

func (m levelMask) isSignificant(level int) bool {
	return level == 0 || m>>(level-1)&1 != 0
}

// Sizes of the fixed-layout exotic cells, in bits.
const (
	libraryBits      = 8 + 256
	merkleProofBits  = 8 + 256 + 16
	merkleUpdateBits = 8 + 2*256 + 2*16
)

// initExotic reads an exotic cell's type from its first byte, checks its
// layout and sets its level mask (and, for a pruned branch, the hashes and
// depths it stores for the levels below its own).
func (c *Cell) initExotic() error {
	if c.bits < 8 {
		return fmt.Errorf("%w: exotic cell with %d bits has no type byte", ErrInvalidCell, c.bits)
	}
	c.typ = Type(c.data[0])
	switch c.typ {
	case PrunedBranch:
		return c.initPruned()
	case Library:
		if c.bits != libraryBits || len(c.refs) != 0 {
			return fmt.Errorf("%w: library cell must have %d bits and no references, has %d bits and %d", ErrInvalidCell, libraryBits, c.bits, len(c.refs))
		}
	case MerkleProof:
		if c.bits != merkleProofBits || len(c.refs) != 1 {
			return fmt.Errorf("%w: merkle proof cell must have %d bits and 1 reference, has %d bits and %d", ErrInvalidCell, merkleProofBits, c.bits, len(c.refs))
		}
		if err := checkMerkleChild(c.refs[0], c.data[1:33], c.data[33:35]); err != nil {
			return fmt.Errorf("merkle proof: %w", err)
		}
		c.levelMask = c.refs[0].levelMask >> 1
	case MerkleUpdate:
		if c.bits != merkleUpdateBits || len(c.refs) != 2 {
			return fmt.Errorf("%w: merkle update cell must have %d bits and 2 references, has %d bits and %d", ErrInvalidCell, merkleUpdateBits, c.bits, len(c.refs))
		}
		if err := checkMerkleChild(c.refs[0], c.data[1:33], c.data[65:67]); err != nil {
			return fmt.Errorf("merkle update (old state): %w", err)
		}
		if err := checkMerkleChild(c.refs[1], c.data[33:65], c.data[67:69]); err != nil {
			return fmt.Errorf("merkle update (new state): %w", err)
		}
		c.levelMask = (c.refs[0].levelMask | c.refs[1].levelMask) >> 1
	default:
		return fmt.Errorf("%w: unknown exotic cell type %d", ErrInvalidCell, c.data[0])
	}
	return nil
}

// checkMerkleChild checks that a Merkle cell's stored hash and depth are
// those of its child at level 0, so the cell cannot claim one tree and hold another.
func checkMerkleChild(child *Cell, hash, depth []byte) error {
	h := child.HashAt(0)
	if !bytes.Equal(h[:], hash) {
		return fmt.Errorf("%w: stored hash does not match its child", ErrInvalidCell)
	}
	if binary.BigEndian.Uint16(depth) != child.DepthAt(0) {
		return fmt.Errorf("%w: stored depth does not match its child", ErrInvalidCell)
	}
	return nil
}

// initPruned reads a pruned branch: type, level mask, then one hash and one
// depth for each level below the branch's own.
func (c *Cell) initPruned() error {
	if len(c.refs) != 0 {
		return fmt.Errorf("%w: pruned branch has %d references, wants none", ErrInvalidCell, len(c.refs))
	}
	if c.bits < 16 {
		return fmt.Errorf("%w: pruned branch of %d bits has no level mask", ErrInvalidCell, c.bits)
	}
	mask := levelMask(c.data[1])
	if mask == 0 || mask > 7 {
		return fmt.Errorf("%w: pruned branch level mask %d, wants 1..7", ErrInvalidCell, mask)
	}
	stored := mask.hashIndex() // one per significant level below the top
	if want := (2 + stored*(32+2)) * 8; int(c.bits) != want {
		return fmt.Errorf("%w: pruned branch with level mask %d must have %d bits, has %d", ErrInvalidCell, mask, want, c.bits)
	}
	c.levelMask = mask
	c.hashes = make([][32]byte, stored, stored+1)
	c.depths = make([]uint16, stored, stored+1)
	for i := 0; i < stored; i++ {
		copy(c.hashes[i][:], c.data[2+32*i:])
		c.depths[i] = binary.BigEndian.Uint16(c.data[2+32*stored+2*i:])
		if c.depths[i] > MaxDepth {
			return fmt.Errorf("%w: pruned branch stores depth %d, over %d", ErrInvalidCell, c.depths[i], MaxDepth)
		}
	}
	return nil
}
